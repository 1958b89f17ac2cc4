"""Dropout with its mask drawn once, in init(), as data (a target): a pure forward.

    z = W x   h = tanh(z)   y = v (h ∘ m)   L = ½ Σ (y − t)²     (m: 0 or 2, fixed)
"""

import numpy as np

CATEGORY = "impure"
EXPECT = []
D, H, B = 4, 5, 3
TARGETS = ["t", "m"]


def init(rng):
    return {"W": rng.standard_normal((H, D)), "x": rng.standard_normal((D, B)),
            "v": rng.standard_normal((1, H)), "t": rng.standard_normal((1, B)),
            "m": (rng.random((H, B)) > 0.5) / 0.5}


def forward(p, tap):
    z = tap("z", p["W"] @ p["x"])
    h = tap("h", np.tanh(z))
    y = tap("y", p["v"] @ (h * p["m"]))
    return 0.5 * np.sum((y - p["t"]) ** 2)


def backward(v):
    y_bar = v["y"] - v["t"]
    h_bar = (v["v"].T @ y_bar) * v["m"]
    z_bar = h_bar * (1 - v["h"] ** 2)
    return {"y": y_bar, "h": h_bar, "z": z_bar, "v": y_bar @ (v["h"] * v["m"]).T,
            "W": z_bar @ v["x"].T, "x": v["W"].T @ z_bar}
