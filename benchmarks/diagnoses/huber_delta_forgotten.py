"""BUG (one line changed from huber.py):
the clipped branch written sign(r), not δ sign(r).

A linear layer under the Huber loss (δ = 0.5).

r = W x − t   L = Σ huber_δ(r)      r̄ = r where |r| ≤ δ, δ sign(r) elsewhere
"""

import numpy as np

BUG = "the clipped branch written sign(r), not δ sign(r)"
EXPECT = "where"  # the diagnosis kind that names the cause
FIRST = "r"  # the first failing row, in backward order
SAYS = "|N|"  # in the diagnosis's message
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
    r_bar = np.where(np.abs(v["r"]) <= DELTA, v["r"], np.sign(v["r"]))
    return {"r": r_bar, "W": r_bar @ v["x"].T, "x": v["W"].T @ r_bar}
