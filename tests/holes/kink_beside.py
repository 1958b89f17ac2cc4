"""max(x, a) with x = 0 and a = ∓2e-8 beside a loss of 1e8: the kinks lie 2e-8 from θ,
and L's round-off hides every one-sided difference finer than 1e-6, so only wider steps
see them, straddled (sides 0 and 1): at θ or beside it cannot be told there. The region
of θ, entered away from them, has A for its gradient and states a resolution (WEAK)."""

import numpy as np

TARGETS = ["a", "big"]


def init(rng):
    return {
        "x": np.zeros(4),
        "a": np.array([-1.7e-8, 6.6e-9, 0.5, -0.5]),
        "big": 1e3 * (1 + rng.random(9)),
    }


def forward(p, tap):
    return 0.5 * np.sum(p["big"]) ** 2 + np.sum(np.maximum(p["x"], p["a"]))


def backward(v):
    return {"x": (v["x"] >= v["a"]).astype(float)}
