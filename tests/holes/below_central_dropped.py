"""below_central.py with the 1e-8 term dropped from s̄: no finite difference sees it,
and none may PASS it: WEAK (A = N = 0, and no step moved L). Under auto the complex
step, which s takes, sees it: FAIL."""

import numpy as np

TARGETS = []


def init(rng):
    return {"w": np.array([1.3, -0.7, 2.1]), "s": np.array(0.4)}


def forward(p, tap):
    return 1e4 * np.sum(np.abs(p["w"]) ** 2) + 1e-8 * p["s"]  # (abs: no complex step)


def backward(v):
    return {"w": 2e4 * v["w"], "s": np.array(0.0)}  # (the slip: the 1e-8 term dropped)
