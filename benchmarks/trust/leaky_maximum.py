"""A leaky relu written with np.maximum (float inputs: no pre-activation exactly 0).

    z = W x   h = maximum(z, 0.1 z)   y = v h   L = ½ Σ (y − t)²
"""

import numpy as np

CATEGORY = "complex-unsafe"
EXPECT = []
D, H, B = 4, 5, 3
TARGETS = ["t"]


def init(rng):
    return {"W": rng.standard_normal((H, D)), "x": rng.standard_normal((D, B)),
            "v": rng.standard_normal((1, H)), "t": rng.standard_normal((1, B))}


def forward(p, tap):
    z = tap("z", p["W"] @ p["x"])
    h = tap("h", np.maximum(z, 0.1 * z))
    y = tap("y", p["v"] @ h)
    return 0.5 * np.sum((y - p["t"]) ** 2)


def backward(v):
    y_bar = v["y"] - v["t"]
    h_bar = v["v"].T @ y_bar
    z_bar = h_bar * np.where(v["z"] > 0, 1.0, 0.1)
    return {"y": y_bar, "h": h_bar, "z": z_bar, "v": y_bar @ v["h"].T,
            "W": z_bar @ v["x"].T, "x": v["W"].T @ z_bar}
