"""kink_beside.py with its mask forgotten (x̄ = 1): at x far below a (0 < 0.5) the
true x̄ is 0, and that entry FAILs whatever the kinks beside θ leave unresolved."""

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
    return {"x": np.ones(4)}  # the mask forgotten
