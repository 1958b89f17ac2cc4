"""An RBF kernel's quadratic form a' K a, K = exp(-|x_i - x_j|² / σ²), σ = 1e-3, at points
near 1e6: no step relative to |θ| = 1e6 resolves a bump 1e-3 wide (Richardson along a
direction scaled by |θ| sees a plateau, and its finest steps fall below θ's ulp), so the
complex-safety probe must find its evidence on finer steps: the forward is complex-safe,
and the complex step is exact (a red team's model)."""

import numpy as np

TARGETS = []
SIG = 1e-3


def init(rng):
    return {"X": 1e6 + 1e-3 * rng.standard_normal((4, 2)), "a": rng.standard_normal(4)}


def forward(p, tap):
    diff = p["X"][:, None, :] - p["X"][None, :, :]
    K = tap("K", np.exp(-np.sum(diff**2, axis=2) / SIG**2))
    return p["a"] @ K @ p["a"]


def backward(v):
    X, a, K = v["X"], v["a"], v["K"]
    diff = X[:, None, :] - X[None, :, :]
    coef = a[:, None] * a[None, :] * K
    X_bar = -4 / SIG**2 * np.sum(coef[:, :, None] * diff, axis=1)
    return {"K": np.outer(a, a), "X": X_bar, "a": 2 * K @ a}
