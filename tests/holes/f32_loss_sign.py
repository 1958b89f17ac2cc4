"""f32_loss.py with b̄'s sign wrong: FAIL, whatever the float32 loss resolves."""

import numpy as np

TARGETS = ["x", "t"]


def init(rng):
    return {
        "W": rng.standard_normal((3, 4)),
        "b": 0.1 * rng.standard_normal(3),
        "x": rng.standard_normal((4, 5)),
        "t": rng.standard_normal((3, 5)),
    }


def forward(p, tap):
    y = np.tanh(p["W"] @ p["x"] + p["b"][:, None])
    return np.float32(0.5 * np.mean((y - p["t"]) ** 2))


def backward(v):
    y = np.tanh(v["W"] @ v["x"] + v["b"][:, None])
    z_bar = (y - v["t"]) / y.size * (1 - y * y)
    return {"W": z_bar @ v["x"].T, "b": -z_bar.sum(axis=1)}  # (the slip: a sign)
