"""kink_beside.py under a loss of 5e9: L's round-off hides every one-sided difference
finer than 5e-5, and only steps up to 2.5e-2 see the kinks 2e-8 beside θ, straddled
(sides 0 and 1). Where each lies, at θ or beside it, cannot be told: A = 1 (x above a)
and A = 0 (below) are each a one-sided derivative there, unresolved (WEAK), not FAIL."""

import numpy as np

TARGETS = ["a", "big"]


def init(rng):
    return {
        "x": np.zeros(4),
        "a": np.array([-1.7e-8, 6.6e-9, 0.5, -0.5]),
        "big": 1e4 * (1 + rng.random(9)),
    }


def forward(p, tap):
    return 0.5 * np.sum(p["big"]) ** 2 + np.sum(np.maximum(p["x"], p["a"]))


def backward(v):
    return {"x": (v["x"] >= v["a"]).astype(float)}
