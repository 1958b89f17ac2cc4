"""relu_vshape.py with w̄'s mask z >= 0 and b̄'s z > 0: w̄ from the region where both
samples are on, b̄ from the one where both are off. No region beside θ has that gradient
(each of w̄ and b̄ alone lies within its sides): FAIL."""

import numpy as np

TARGETS = ["x", "t"]


def init(rng):
    return {
        "w": np.array([0.0]),
        "b": np.array([0.0]),
        "x": np.array([-1.0, 1.0]),
        "t": np.array([-1.0, 2.0]),
    }


def forward(p, tap):
    z = p["w"][0] * p["x"] + p["b"][0]
    return 0.5 * np.sum((np.maximum(z, 0.0) - p["t"]) ** 2)


def backward(v):
    z = v["w"][0] * v["x"] + v["b"][0]
    r = np.maximum(z, 0.0) - v["t"]
    return {"w": np.array([np.sum(r * (z >= 0) * v["x"])]), "b": np.array([np.sum(r * (z > 0))])}
