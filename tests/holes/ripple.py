"""A least-squares loss with a ripple, 1e-12 · Σ sin(2e6 x): its derivative, 2e-6 cos(2e6 x),
is 1e-6 of x̄, on a period of 3e-6 that Richardson's steps (1e-7 and wider, per entry
the one of least estimate) average away. The complex step keeps it; the probe, whose
Richardson disagreed, took the forward for not complex-safe, and Richardson's referee
sided with a backward without it (ripple_dropped.py PASSed at 2.7e-8). In 80 bits,
finer steps side with the complex step (a red team's class)."""

import numpy as np

TARGETS = ["t"]


def init(rng):
    r = np.random.default_rng(5)
    return {
        "W": r.standard_normal((3, 4)),
        "x": r.standard_normal(4),
        "t": r.standard_normal(3),
    }


def forward(p, tap):
    y = tap("y", p["W"] @ p["x"])
    return 0.5 * np.sum((y - p["t"]) ** 2) + 1e-12 * np.sum(np.sin(2e6 * p["x"]))


def backward(v):
    yb = v["y"] - v["t"]
    xb = v["W"].T @ yb + 2e-6 * np.cos(2e6 * v["x"])
    return {"y": yb, "W": np.outer(yb, v["x"]), "x": xb}
