"""Least absolute deviations (an L1 loss): np.abs on the residuals, none of them near 0.

    r = W x + b − t      L = Σ |r| / B

np.abs of a complex number is its modulus, so a complex step sees no derivative here.
"""

import numpy as np

CATEGORY = "complex-unsafe"
EXPECT = []
N, D, B = 3, 4, 5
TARGETS = ["t"]


def init(rng):
    W, x, b = rng.standard_normal((N, D)), rng.standard_normal((D, B)), rng.standard_normal((N, 1))
    r = rng.standard_normal((N, B))
    t = W @ x + b - np.sign(r) * (0.5 + np.abs(r))      # |residual| ≥ 0.5
    return {"W": W, "x": x, "b": b, "t": t}


def forward(p, tap):
    r = tap("r", p["W"] @ p["x"] + p["b"] - p["t"])
    return np.sum(np.abs(r)) / B


def backward(v):
    r_bar = np.sign(v["r"]) / B
    return {"r": r_bar, "W": r_bar @ v["x"].T, "b": r_bar.sum(axis=1, keepdims=True),
            "x": v["W"].T @ r_bar}
