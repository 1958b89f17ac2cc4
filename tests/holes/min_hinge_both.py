"""min_hinge.py with both heads at the hinge given the gradient in full: ū_0 = (1, 1) / N,
no region's gradient (one head pays): FAIL."""

import numpy as np

N = 3
TARGETS = ["X", "y"]


def init(rng):
    X = np.array([[1.0, 1.0, 0.0], [1.0, -1.0, 1.0], [0.0, 1.0, -1.0]])
    W = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, -1.0]])
    return {"X": X, "W": W, "y": np.array([1.0, -1.0, 1.0])}


def forward(p, tap):
    u = tap("u", 1.0 - p["y"][:, None] * (p["X"] @ p["W"].T))
    return np.sum(np.maximum(u, 0.0).min(axis=1)) / N + 0.05 * np.sum(p["W"] ** 2)


def backward(v):
    u = v["u"]
    k = np.maximum(u, 0.0).argmin(axis=1)
    pick = np.zeros_like(u)
    pick[np.arange(N), k] = 1.0
    u_bar = np.where(u == 0, 1.0, pick * (u >= 0)) / N
    return {"u": u_bar, "W": -(u_bar * v["y"][:, None]).T @ v["X"] + 0.1 * v["W"]}
