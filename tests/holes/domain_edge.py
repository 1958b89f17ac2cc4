"""θ ± h leaves the loss's domain: sqrt(w − c) with w − c = 1e-9 of |w| = 1e4, beside
an ordinary term. No finite step of Richardson's ladder stays inside; the complex step
does. An N that is not finite says nothing of A: WEAK there, never FAIL."""

import numpy as np

TARGETS = ["c"]


def init(rng):
    return {
        "w": np.array([1e4, 2.0]),
        "c": np.array([1e4 - 1e-5, 1.0]),
        "v": rng.standard_normal(3),
    }


def forward(p, tap):
    return np.sum(np.sqrt(p["w"] - p["c"])) + np.sum(np.sin(p["v"]))


def backward(v):
    return {"w": 0.5 / np.sqrt(v["w"] - v["c"]), "v": np.cos(v["v"])}
