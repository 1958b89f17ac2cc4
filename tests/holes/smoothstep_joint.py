"""A smoothstep s(x) = 3x² − 2x³ on [0, 1], 0 below and 1 above (np.piecewise), with
entries exactly at its joints 0 and 1: C¹ there, a slope of 0 on both sides. The
complex step's +ih side at x = 0 takes the cubic's branch, Im s / h = 2h² (−3e-41
after the chain), its −ih side the flat branch's 0: sides L cannot tell apart, no
kink (a red team's model was KINK so). x̄ PASSes."""

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
    slope = np.where((x >= 0) & (x <= 1), 6 * x - 6 * x**2, 0.0)
    return {"x": m_bar * v["a"] * slope, "a": m_bar * smooth(x)}
