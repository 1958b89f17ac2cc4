"""Least absolute deviations over integer data with three residuals exactly 0, whose
kinks pass through w0, w1 and b with normals (1, 0, 1), (0, 1, 1), (1, 1, 1): they span
every direction, so none over the kinks is smooth. The backward takes sign(0) = 0 in w̄
and b̄ alike (one subgradient): KINK."""

import numpy as np

X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, -1.0], [1.0, 2.0], [-1.0, 1.0]])
TARGETS = ["y_"]


def init(rng):
    w, b = np.array([1.0, -1.0]), np.array([0.5])
    y = X @ w + b + np.array([0.0, 0.0, 0.0, 1.0, -2.0, 0.5])
    return {"w": w, "b": b, "y_": y}


def forward(p, tap):
    r = X @ p["w"] + p["b"] - p["y_"]
    return float(np.mean(np.abs(r)))


def signs(r):
    """sign(r) for w̄ and for b̄."""
    return np.sign(r), np.sign(r)


def backward(v):
    r = X @ v["w"] + v["b"] - v["y_"]
    for_w, for_b = signs(r)
    n = r.size
    return {"w": X.T @ for_w / n, "b": np.array([for_b.sum() / n])}
