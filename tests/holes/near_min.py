"""Near a minimum (gradient 1e-10, L = 2) with the adjoint 98 % wrong: never PASS or KINK."""

import numpy as np

TARGETS = []


def init(rng):
    return {"w": np.array([1.0 + 1e-10, 2.0])}


def forward(p, tap):
    return 2.0 + 0.5 * (p["w"][0] - 1.0) ** 2 + 0.5 * (p["w"][1] - 2.0) ** 2


def backward(v):
    return {"w": 0.02 * (v["w"] - np.array([1.0, 2.0]))}  # 98 % wrong
