"""A linear layer under the Huber loss (δ = 0.5). Correct.

r = W x − t   L = Σ huber_δ(r)      r̄ = r where |r| ≤ δ, δ sign(r) elsewhere
"""

import numpy as np

EXPECT = None
TARGETS = ["t"]
DELTA = 0.5


def init(rng):
    return {
        "W": rng.standard_normal((3, 4)),
        "x": rng.standard_normal((4, 5)),
        "t": rng.standard_normal((3, 5)),
    }


def forward(p, tap):
    r = tap("r", p["W"] @ p["x"] - p["t"])
    a = np.abs(r)
    return np.sum(np.where(a <= DELTA, 0.5 * r**2, DELTA * (a - 0.5 * DELTA)))


def backward(v):
    r_bar = np.where(np.abs(v["r"]) <= DELTA, v["r"], DELTA * np.sign(v["r"]))
    return {"r": r_bar, "W": r_bar @ v["x"].T, "x": v["W"].T @ r_bar}
