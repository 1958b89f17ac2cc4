"""Two hardtanh units (clip to [-1, 1]) at their upper bound on two samples each, summed
with signed weights v (data); ridge on W.
BUG: W's adjoint uses the inclusive mask -1 <= z <= 1, b's the strict one."""

import numpy as np

TARGETS = ["x", "v"]


def init(rng):
    return {
        "W": np.array([[1.0, -1.0], [1.0, -1.0]]),
        "b": np.zeros((2, 1)),
        "x": np.array([[0.0, 1.0, 0.0, 1.0, -1.0], [-1.0, -1.0, 0.0, 0.0, 1.0]]),
        "v": np.array([[1.0], [-1.5]]),
    }


def forward(p, tap):
    z = p["W"] @ p["x"] + p["b"]
    return np.sum(p["v"] * np.clip(z, -1.0, 1.0)) + 0.05 * np.sum(p["W"] ** 2)


def backward(v):
    z = v["W"] @ v["x"] + v["b"]
    zb = v["v"] * ((z > -1) & (z < 1))
    zb_w = v["v"] * ((z >= -1) & (z <= 1))  # slip: inclusive here
    return {"W": zb_w @ v["x"].T + 0.1 * v["W"], "b": zb.sum(axis=1, keepdims=True)}
