"""sort_nonmonotone.py with the scattered weights doubled: x̄ = (2, −4, 2), no region's
gradient (each is a permutation of w) nor between the sides of x1 (1 and 1): FAIL."""

import numpy as np

TARGETS = ["w"]


def init(rng):
    return {"x": np.array([1.0, 1.0, 1.0]), "w": np.array([1.0, -2.0, 1.0])}


def forward(p, tap):
    return np.sum(p["w"] * np.sort(p["x"]))


def backward(v):
    dx = np.zeros_like(v["x"])
    dx[np.argsort(v["x"], kind="stable")] = 2.0 * v["w"]
    return {"x": dx}
