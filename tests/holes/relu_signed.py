"""ReLU units at their kink, summed with signed weights v (data); ridge on W.
CORRECT twin: relu'(0) = 0 (mask z > 0) in every adjoint: the region b slightly down."""

import numpy as np

TARGETS = ["x", "v"]


def init(rng):
    return {
        "W": np.array([[1.0, -1.0, -1.0], [-1.0, -1.0, 1.0]]),
        "b": np.zeros((2, 1)),
        "x": np.array([[-1.0, -1.0, 1.0], [1.0, -1.0, 0.0], [0.0, 0.0, 1.0]]),
        "v": np.array([[1.5], [-1.0]]),
    }


def forward(p, tap):
    z = p["W"] @ p["x"] + p["b"]
    return np.sum(p["v"] * np.maximum(z, 0.0)) + 0.05 * np.sum(p["W"] ** 2)


def backward(v):
    z = v["W"] @ v["x"] + v["b"]
    zb = v["v"] * (z > 0)
    zb_w = v["v"] * (z > 0)
    return {"W": zb_w @ v["x"].T + 0.1 * v["W"], "b": zb.sum(axis=1, keepdims=True)}
