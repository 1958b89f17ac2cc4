"""y = relu(w0 x + b0) − relu(w1 x + b1) at w0 = 1, w1 = −1, b0 = b1 = x = 0;
L = ½ (y − t)², t = 1 (data). The backward takes relu'(0) = 0 in both units (torch's):
every adjoint 0, the gradient of the region b0, b1 < 0 (both off). Along x alone the
two kinks cancel (relu(x) − relu(−x) = x): the loss is smooth along x, its slope −1,
and x̄ = 0 is a region's gradient all the same: KINK (regions.py), not FAIL."""

import numpy as np

TARGETS = ["t"]


def init(rng):
    return {
        "w0": np.array([1.0]),
        "w1": np.array([-1.0]),
        "b0": np.array([0.0]),
        "b1": np.array([0.0]),
        "x": np.array([0.0]),
        "t": np.array([1.0]),
    }


def forward(p, tap):
    z0 = p["w0"] * p["x"] + p["b0"]
    z1 = p["w1"] * p["x"] + p["b1"]
    y = np.maximum(z0, 0.0) - np.maximum(z1, 0.0)
    return 0.5 * np.sum((y - p["t"]) ** 2)


def backward(v):
    z0 = v["w0"] * v["x"] + v["b0"]
    z1 = v["w1"] * v["x"] + v["b1"]
    y = np.maximum(z0, 0.0) - np.maximum(z1, 0.0)
    yb = y - v["t"]
    z0b = yb * (z0 > 0)
    z1b = -yb * (z1 > 0)
    return {
        "w0": z0b * v["x"],
        "b0": z0b,
        "w1": z1b * v["x"],
        "b1": z1b,
        "x": z0b * v["w0"] + z1b * v["w1"],
    }
