"""BUG (one line changed from sigmoid_mlp.py):
σ′ = s(1 − s) evaluated at the pre-activation z.

A sigmoid layer with a squared error.

z = W x   s = σ(z)   L = ½ Σ (s − t)²      z̄ = s̄ ∘ s(1 − s)
"""

import numpy as np

BUG = "σ′ = s(1 − s) evaluated at the pre-activation z"
EXPECT = "point"  # the diagnosis kind that names the cause
FIRST = "z"  # the first failing row, in backward order
SAYS = "z(1 − z)"  # in the diagnosis's message
TARGETS = ["t"]


def init(rng):
    return {
        "W": rng.standard_normal((4, 3)),
        "x": rng.standard_normal((3, 5)),
        "t": rng.random((4, 5)),
    }


def forward(p, tap):
    z = tap("z", p["W"] @ p["x"])
    s = tap("s", 1 / (1 + np.exp(-z)))
    return 0.5 * np.sum((s - p["t"]) ** 2)


def backward(v):
    s_bar = v["s"] - v["t"]
    z_bar = s_bar * v["z"] * (1 - v["z"])
    return {"s": s_bar, "z": z_bar, "W": z_bar @ v["x"].T, "x": v["W"].T @ z_bar}
