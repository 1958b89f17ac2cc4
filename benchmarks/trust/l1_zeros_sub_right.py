"""BUG (one line changed from l1_zeros.py): sign(0) taken as +1 (w >= 0): the right
derivative, valid.

Least squares with an L1 penalty; four weights sit exactly at 0 (the kink of |w|).

    r = W x − t      L = ½ Σ r² / B + λ Σ |W|

At w = 0 the one-sided derivatives of L along w are g − λ and g + λ (g: the smooth part,
r̄ xᵀ); any value between them is a valid subgradient. The backward uses sign(0) = 0.
"""

import numpy as np

CATEGORY = "kinks"
EXPECT = []
BUG = 'sign(0) taken as +1 (w >= 0): the right derivative, valid'
KINKS = True         # exact kinks: no 1e-6 planting
N, D, B = 3, 4, 5
LAM = 0.5
TARGETS = ["t"]


def init(rng):
    W = rng.standard_normal((N, D))
    W[[0, 1, 2, 2], [1, 3, 0, 2]] = 0.0
    return {"W": W, "x": rng.standard_normal((D, B)), "t": rng.standard_normal((N, B))}


def forward(p, tap):
    r = tap("r", p["W"] @ p["x"] - p["t"])
    return 0.5 * np.sum(r ** 2) / B + LAM * np.sum(np.abs(p["W"]))


def backward(v):
    r_bar = v["r"] / B
    W_bar = r_bar @ v["x"].T + LAM * np.where(v["W"] >= 0, 1.0, -1.0)
    return {"r": r_bar, "W": W_bar, "x": v["W"].T @ r_bar}
