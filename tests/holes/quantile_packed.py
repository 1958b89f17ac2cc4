"""Quantile regression (τ = 0.3) with its parameters packed in one vector θ = [w0, w1,
b], as for scipy.optimize, over integer data with three residuals exactly 0: their
kinks' normals (1, 0, 1), (0, 1, 1), (1, 1, 1) span θ, so no direction over the kinks
is smooth. The backward takes ρ'(0) = τ in every entry (one subgradient): KINK."""

import numpy as np

TAU = 0.3
X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, -1.0], [1.0, 2.0], [-1.0, 1.0]])
TARGETS = ["y"]


def init(rng):
    theta = np.array([1.0, -1.0, 0.5])
    y = X @ theta[:2] + theta[2] + np.array([0.0, 0.0, 0.0, 1.0, -2.0, 0.5])
    return {"theta": theta, "y": y}


def forward(p, tap):
    th = p["theta"]
    r = p["y"] - (X @ th[:2] + th[2])
    return float(np.mean(np.maximum(TAU * r, (TAU - 1.0) * r)))


def slopes(r):
    """ρ'(r) for w's entries and for b's."""
    return TAU - (r < 0), TAU - (r < 0)


def backward(v):
    th = v["theta"]
    r = v["y"] - (X @ th[:2] + th[2])
    for_w, for_b = slopes(r)
    n = r.size
    return {"theta": np.concatenate([-X.T @ for_w / n, [-np.sum(for_b) / n]])}
