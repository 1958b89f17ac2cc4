"""A leaky relu's kink at 0 seen from x = −6e-9 beside a loss of 1e5: every finite
difference straddles the kink, so its one-sided derivatives (0.1 + 1, 1 + 1) hold any
A between them, but x is not at the kink, and the complex step there is exact (1.1)."""

import numpy as np

TARGETS = ["big"]


def init(rng):
    return {"x": np.array(-5.6835409912959026e-09), "big": 1e5 * rng.standard_normal(9)}


def forward(p, tap):
    return np.sum(p["big"]) ** 2 * 1e-5 + np.maximum(p["x"], 0.1 * p["x"]) + p["x"]


def backward(v):
    return {"x": np.array(0.1 + 1.0)}
