"""abs_tiny_beside_curve.py with the smooth term's slope signed wrong (−a / √(a² + 1)):
off by twice the slope, which every engine resolves: FAIL."""

import numpy as np

TARGETS = ["c"]
L1 = 1e-9


def init(rng):
    x = 1e-5 * np.array([1.31, -0.874, 0.152, 1.09, -1.0, 0.875, 0.612, -0.363])
    return {"x": x, "c": np.full(5, 3.0)}


def forward(p, tap):
    a = tap("a", np.abs(p["x"]).astype(np.float64))  # (float64 whatever it is given)
    return np.sum(np.sqrt(a**2 + 1.0)) + L1 * np.sum(a) + np.sum(p["c"])


def backward(v):
    x, a = v["x"], v["a"]
    a_bar = -a / np.sqrt(a**2 + 1.0) + L1
    return {"a": a_bar, "x": a_bar * np.sign(x)}
