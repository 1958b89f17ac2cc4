"""sort_ties_hidden.py with the sign of x̄ flipped: beyond both sides of its kinks, FAIL
under every engine."""

import numpy as np

TARGETS = ["d", "c"]
SIGN = -1.0


def init(rng):
    x = 0.2 + 1e-9 * np.array([[15.6, -3.1, 2.4, 0.8, -2.2]])
    d = 0.2 + 1e-9 * np.array([[-3.4, -2.0, 0.96, -0.64, 13.1]])
    return {"x": x, "d": d, "c": np.array([[47.0]]), "w": np.array([[1.0]])}


def forward(p, tap):
    s = np.sort(p["x"], axis=1)
    return np.sum(p["w"] * p["c"]) + 0.5 * np.sum((s - p["d"]) ** 2)


def backward(v):
    order = np.argsort(v["x"], axis=1)
    s = np.take_along_axis(v["x"], order, axis=1)
    x_bar = np.zeros_like(v["x"])
    np.put_along_axis(x_bar, order, s - v["d"], axis=1)
    return {"x": SIGN * x_bar, "w": v["c"]}
