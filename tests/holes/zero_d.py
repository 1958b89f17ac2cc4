"""A 0-d leaf s whose adjoint is twice the true one: FAIL, diagnosed, never a crash."""

import numpy as np

TARGETS = ["t"]


def init(rng):
    return {"s": np.array(1.5), "x": rng.standard_normal((4,)), "t": rng.standard_normal((4,))}


def forward(p, tap):
    return 0.5 * np.sum((p["s"] * p["x"] - p["t"]) ** 2)


def backward(v):
    r = v["s"] * v["x"] - v["t"]
    return {"s": np.array(2.0 * np.sum(r * v["x"])), "x": r * v["s"]}
