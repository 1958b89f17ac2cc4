"""BUG (one line changed from leaky_relu.py):
the leak forgotten: relu's derivative for a leaky relu.

A leaky relu layer.

z = W x   h = max(z, α z)   L = ½ Σ (h − t)²
z̄ = h̄ ∘ (1 where z > 0, α elsewhere)
"""

import numpy as np

BUG = "the leak forgotten: relu's derivative for a leaky relu"
EXPECT = "support"  # the diagnosis kind that names the cause
FIRST = "z"  # the first failing row, in backward order
SAYS = "zero on"  # in the diagnosis's message
PLACE = "≤ 0"  # or a 'where' diagnosis with this: the exact place
TARGETS = ["t"]
ALPHA = 0.1


def init(rng):
    return {
        "W": rng.standard_normal((4, 3)),
        "x": rng.standard_normal((3, 5)),
        "t": rng.standard_normal((4, 5)),
    }


def forward(p, tap):
    z = tap("z", p["W"] @ p["x"])
    h = tap("h", np.where(z > 0, z, ALPHA * z))
    return 0.5 * np.sum((h - p["t"]) ** 2)


def backward(v):
    h_bar = v["h"] - v["t"]
    z_bar = h_bar * (v["z"] > 0)
    return {"h": h_bar, "z": z_bar, "W": z_bar @ v["x"].T, "x": v["W"].T @ z_bar}
