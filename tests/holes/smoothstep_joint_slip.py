"""smoothstep_joint.py with the flat pieces forgotten: the cubic's slope 6x − 6x² used
everywhere, wrong at −0.7 and 1.4, which FAIL under every engine."""

import numpy as np

TARGETS = ["t"]


def init(rng):
    return {
        "x": np.array([-0.7, 0.0, 0.3, 1.0, 1.4, 0.9]),
        "a": np.array([1.3, -0.4, 0.8, -1.1, 0.6, 0.9]),
        "t": np.array(0.7),
    }


def smooth(x):
    middle = (x >= 0) & (x <= 1)
    return np.piecewise(x, [x < 0, middle, x > 1], [0.0, lambda u: 3 * u**2 - 2 * u**3, 1.0])


def forward(p, tap):
    m = np.sum(p["a"] * smooth(p["x"]))
    return 0.5 * (m - p["t"]) ** 2


def backward(v):
    x = v["x"]
    m_bar = np.sum(v["a"] * smooth(x)) - v["t"]
    slope = 6 * x - 6 * x**2
    return {"x": m_bar * v["a"] * slope, "a": m_bar * smooth(x)}
