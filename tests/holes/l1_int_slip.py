"""l1_int.py with b̄ taking sign(0) = +1 (r >= 0) where w̄ takes 0: each row alone a
subgradient, together none, and no direction over the kinks is smooth. Along v = A −
(the nearest point of the hull of the gradients beside θ) A·v lies beyond the loss's
one-sided derivatives: w and b FAIL."""

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
    return np.sign(r), np.where(r >= 0, 1.0, -1.0)


def backward(v):
    r = X @ v["w"] + v["b"] - v["y_"]
    for_w, for_b = signs(r)
    n = r.size
    return {"w": X.T @ for_w / n, "b": np.array([for_b.sum() / n])}
