"""A float64 forward that returns its loss as np.float32 (a float32 pipeline's habit; a
red team's file): a numerical derivative of it is 0 or a quantum of 1.2e-7 |L| at a
float64 step, and the plateau test took that for a staircase (every row FAILed with
N = 0, under every engine). The loss's own epsilon is its rounding: the rows say how
little they resolve (WEAK), a note says why, and an entry of the wrong sign still FAILs
(tests/test_holes.py)."""

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
    return {"W": z_bar @ v["x"].T, "b": z_bar.sum(axis=1)}
