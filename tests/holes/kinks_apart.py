"""Independent kinks of both orientations at once: relu(x₀) (left 0, right 1) and
min(x₁, 0) (left 1, right 0) at 0, with A = 0 at both (each a subgradient alone, and
together: moved together, each kink adds its own interval). KINK, not FAIL."""

import numpy as np

TARGETS = []


def init(rng):
    return {"x": np.array([0.0, 0.0, 0.5, -2.0])}


def forward(p, tap):
    x = p["x"]
    return np.maximum(x[0], 0.0) + np.minimum(x[1], 0.0) + 0.5 * np.sum(x[2:] ** 2)


def backward(v):
    x = v["x"]
    return {"x": np.array([float(x[0] > 0), float(x[1] < 0), x[2], x[3]])}
