"""solve_cond.py at cond 1e6 (M 4 × 4, its singular values from 3 down to 3e-6, t of
1e5): the complex step and the backward's second solve differ by 1e-11 of M̄ and b̄ at
θ, and moves of the leaves by ulps leave that unchanged at some draws and take it to 0
at others: two draws saw none of it at b̄ (a red team's solve FAILed so); four do
(LEAF_DRAWS)."""

import numpy as np

TARGETS = ["t"]


def init(rng):
    r = np.random.default_rng(7)
    U, _ = np.linalg.qr(r.standard_normal((4, 4)))
    V, _ = np.linalg.qr(r.standard_normal((4, 4)))
    M = U @ np.diag([3.0, 1.0, 0.1, 3e-6]) @ V.T
    return {"M": M, "b": r.standard_normal((4, 2)), "t": 1e5 * r.standard_normal((4, 2))}


def forward(p, tap):
    x = tap("x", np.linalg.solve(p["M"], p["b"]))
    return 0.5 * np.sum((x - p["t"]) ** 2)


def backward(v):
    x_bar = v["x"] - v["t"]
    b_bar = np.linalg.solve(v["M"].T, x_bar)
    return {"x": x_bar, "b": b_bar, "M": -b_bar @ v["x"].T}
