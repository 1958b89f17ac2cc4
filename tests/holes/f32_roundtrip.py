"""A float32 round-trip in a float64 forward: piecewise constant; the straight-through
formula is not FAILed on a plateau (WEAK: the numbers cannot resolve it)."""

import numpy as np

TARGETS = ["t"]


def init(rng):
    return {"w": rng.standard_normal((6,)), "t": rng.standard_normal((6,))}


def forward(p, tap):
    q = p["w"].astype(np.float32).astype(np.float64)
    return 0.5 * np.sum((q - p["t"]) ** 2)


def backward(v):
    q = v["w"].astype(np.float32).astype(np.float64)
    return {"w": q - v["t"]}  # straight-through
