"""A difference of L1 norms (pull residuals r = X w + b - y to 0, push q = U w + b - z):
non-convex; integer data fitted exactly on every row (r = q = 0).
BUG: b's adjoint uses np.sign(r) (sign(0) = 0) for the pulled term; w's takes +1."""

import numpy as np

TARGETS = ["X", "y", "U", "z"]


def init(rng):
    X = np.array([[1.0, 0.0], [0.0, 1.0]])
    U = np.array([[1.0, 1.0]])
    w = np.array([1.0, -1.0])
    return {"w": w, "b": np.zeros(1), "X": X, "y": X @ w, "U": U, "z": U @ w}


def forward(p, tap):
    r = p["X"] @ p["w"] + p["b"] - p["y"]
    q = p["U"] @ p["w"] + p["b"] - p["z"]
    return np.sum(np.abs(r)) - 0.5 * np.sum(np.abs(q))


def backward(v):
    r = v["X"] @ v["w"] + v["b"] - v["y"]
    q = v["U"] @ v["w"] + v["b"] - v["z"]
    sr, sq = np.where(r >= 0, 1.0, -1.0), np.where(q >= 0, 1.0, -1.0)
    sr_b = np.sign(r)  # slip: np.sign for the pulled term here
    return {"w": v["X"].T @ sr - 0.5 * v["U"].T @ sq, "b": np.array([sr_b.sum() - 0.5 * sq.sum()])}
