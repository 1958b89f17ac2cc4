"""Least squares with an L1 penalty on W[:, 1:] only; W's largest entry is in column 0.

    r = W x − t      L = ½ Σ r² / B + λ Σ |W[:, 1:]|

np.abs drops a complex step's imaginary part, but only on the columns that do not hold
W's largest entry. No weight is near 0.
"""

import numpy as np

CATEGORY = "complex-unsafe"
EXPECT = []
N, D, B = 3, 4, 5
LAM = 0.3
TARGETS = ["t"]


def init(rng):
    W = rng.standard_normal((N, D))
    W = np.sign(W) * (0.2 + np.abs(W))
    W[:, 0] *= 4.0
    return {"W": W, "x": rng.standard_normal((D, B)), "t": rng.standard_normal((N, B))}


def forward(p, tap):
    r = tap("r", p["W"] @ p["x"] - p["t"])
    return 0.5 * np.sum(r ** 2) / B + LAM * np.sum(np.abs(p["W"][:, 1:]))


def backward(v):
    r_bar = v["r"] / B
    W_bar = r_bar @ v["x"].T
    W_bar[:, 1:] += LAM * np.sign(v["W"][:, 1:])
    return {"r": r_bar, "W": W_bar, "x": v["W"].T @ r_bar}
