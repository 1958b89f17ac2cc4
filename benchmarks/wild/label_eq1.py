"""Logistic regression whose loss branches on float labels: where(y == 1, −log p, −log(1 − p)).

    z = X w + b      p = σ(z)      L = Σ where(y == 1, −log p, −log(1 − p))
    z̄ = p − [y == 1]
The labels are data (TARGETS), stored as floats 0.0 / 1.0.
"""

import numpy as np

EXPECT = []
TRUTH = "smooth in w, b (the labels are data and are not differentiated)"

B, D = 8, 3
TARGETS = ["X", "y"]


def init(rng):
    return {
        "w": rng.standard_normal(D),
        "b": np.array([0.2]),
        "X": rng.standard_normal((B, D)),
        "y": (rng.random(B) < 0.5).astype(float),
    }


def forward(p, tap):
    z = tap("z", p["X"] @ p["w"] + p["b"])
    pr = 1 / (1 + np.exp(-z))
    return np.sum(np.where(p["y"] == 1, -np.log(pr), -np.log(1 - pr)))


def backward(v):
    pr = 1 / (1 + np.exp(-v["z"]))
    z_bar = pr - (v["y"] == 1)
    return {"z": z_bar, "w": v["X"].T @ z_bar, "b": np.array([z_bar.sum()])}
