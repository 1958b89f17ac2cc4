"""quantile_packed.py with a slip (the data and θ alike: no direction over the three
kinks is smooth): b's entry takes ρ'(0) = τ − 1 (r <= 0), w's τ: each entry within its
one-sided derivatives, together no subgradient, seen along v = A − (the nearest point
of the hull of the gradients beside θ): FAIL."""

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
    return TAU - (r < 0), TAU - (r <= 0)


def backward(v):
    th = v["theta"]
    r = v["y"] - (X @ th[:2] + th[2])
    for_w, for_b = slopes(r)
    n = r.size
    return {"theta": np.concatenate([-X.T @ for_w / n, [-np.sum(for_b) / n]])}
