"""BUG (one line changed from sigmoid_bce.py):
σ′ applied again after the cross-entropy's (s − t).

Logistic regression: binary cross-entropy on σ(z), averaged over the batch.

z = W x + b   s = σ(z)   L = −(1/B) Σ t log s + (1 − t) log(1 − s)      z̄ = (s − t)/B
"""

import numpy as np

BUG = "σ′ applied again after the cross-entropy's (s − t)"
EXPECT = "factor"  # the diagnosis kind that names the cause
FIRST = "z"  # the first failing row, in backward order
SAYS = "σ(z)(1 − σ(z))"  # in the diagnosis's message
TARGETS = ["t"]
B = 6


def init(rng):
    return {
        "W": rng.standard_normal((2, 3)),
        "b": rng.standard_normal((2, 1)),
        "x": rng.standard_normal((3, B)),
        "t": (rng.random((2, B)) < 0.5).astype(float),
    }


def forward(p, tap):
    z = tap("z", p["W"] @ p["x"] + p["b"])
    s = 1 / (1 + np.exp(-z))
    return -np.sum(p["t"] * np.log(s) + (1 - p["t"]) * np.log(1 - s)) / B


def backward(v):
    s = 1 / (1 + np.exp(-v["z"]))
    z_bar = (s - v["t"]) * s * (1 - s) / B
    return {
        "z": z_bar,
        "W": z_bar @ v["x"].T,
        "b": z_bar.sum(axis=1, keepdims=True),
        "x": v["W"].T @ z_bar,
    }
