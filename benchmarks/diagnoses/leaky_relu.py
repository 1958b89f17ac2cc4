"""A leaky relu layer. Correct.

z = W x   h = max(z, α z)   L = ½ Σ (h − t)²
z̄ = h̄ ∘ (1 where z > 0, α elsewhere)
"""

import numpy as np

EXPECT = None
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
    z_bar = h_bar * np.where(v["z"] > 0, 1.0, ALPHA)
    return {"h": h_bar, "z": z_bar, "W": z_bar @ v["x"].T, "x": v["W"].T @ z_bar}
