"""Inputs halved in the forward pass IN PLACE (p["x"] *= 0.5): each run halves the caller's
array again (impure).

    u = x / 2   z = W u   h = tanh(z)   L = ½ Σ (h − t)²
"""

import numpy as np

CATEGORY = "impure"
EXPECT = "refused"
D, H, B = 4, 3, 2
TARGETS = ["t"]


def init(rng):
    return {"W": rng.standard_normal((H, D)), "x": rng.standard_normal((D, B)),
            "t": rng.standard_normal((H, B))}


def forward(p, tap):
    p["x"] *= 0.5
    x = p["x"]
    z = tap("z", p["W"] @ x)
    h = tap("h", np.tanh(z))
    return 0.5 * np.sum((h - p["t"]) ** 2)


def backward(v):
    z_bar = (v["h"] - v["t"]) * (1 - v["h"] ** 2)
    return {"h": v["h"] - v["t"], "z": z_bar, "W": z_bar @ (0.5 * v["x"]).T,
            "x": 0.5 * (v["W"].T @ z_bar)}
