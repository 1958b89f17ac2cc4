"""lse_tie_big.py with v 1e3 times larger: the log-sum-exp turns within 1e-10 |θ| of
the tie, so the complex step's sides at θ ± 1e-10 |θ| and 100 times further differ by
the same amount, like a kink's. But at θ the complex step lies between them, on
neither branch: smooth there, no KINK; the true gradient PASSes, an error of 1e-11 in
it FAILs (test_holes.PLANTED)."""

import numpy as np

TARGETS = []


def init(rng):
    return {"x": np.full((1, 2), 161131287.7370245), "v": 1e3 * rng.standard_normal((3, 1))}


def forward(p, tap):
    z = p["v"] @ p["x"]
    top = np.max(z.real if np.iscomplexobj(z) else z, axis=1, keepdims=True)
    return np.sum(top + np.log(np.sum(np.exp(z - top), axis=1, keepdims=True)))


def backward(v):
    z = v["v"] @ v["x"]
    s = np.exp(z - np.max(z, axis=1, keepdims=True))
    s = s / s.sum(axis=1, keepdims=True)  # the softmax of each row: dL/dz
    return {"x": v["v"].T @ s, "v": s @ v["x"].T}
