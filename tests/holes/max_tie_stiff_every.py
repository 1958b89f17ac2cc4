"""max_tie_stiff.py's slip: the max's +1 given to every tied entry (x == max(x)). Each
alone lies between its sides (KINK before), but along the tie the slope is 1 + C Σ(x −
y) and Σ A over the tie is 2 + C Σ(x − y). The slope beside θ moves by the curvature,
6 per 1e-5, which extrapolated from two distances leaves it at θ's (a red team's)."""

import numpy as np

TARGETS = ["y"]
C = 3e5


def init(rng):
    x = np.array([2.0, 7.0, 7.0, 4.0])
    return {"x": x, "y": x - 0.01 * np.array([1.0, -3.0, 2.0, 1.0])}


def forward(p, tap):
    return np.max(p["x"]) + 0.5 * C * np.sum((p["x"] - p["y"]) ** 2)


def backward(v):
    x = v["x"]
    xb = C * (x - v["y"])
    xb = xb + (x == np.max(x))
    return {"x": xb}
