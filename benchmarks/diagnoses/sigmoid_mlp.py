"""A sigmoid layer with a squared error. Correct.

z = W x   s = σ(z)   L = ½ Σ (s − t)²      z̄ = s̄ ∘ s(1 − s)
"""

import numpy as np

EXPECT = None
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
    z_bar = s_bar * v["s"] * (1 - v["s"])
    return {"s": s_bar, "z": z_bar, "W": z_bar @ v["x"].T, "x": v["W"].T @ z_bar}
