"""A periodic feature of angles given in degrees. Correct.

y = w ∘ sin(x π/180)   L = ½ Σ (y − t)²      x̄ = ȳ ∘ w ∘ cos(x π/180) π/180
"""

import numpy as np

EXPECT = None
TARGETS = ["t"]


def init(rng):
    return {
        "x": 90 * rng.standard_normal((5, 3)),
        "w": rng.standard_normal(3),
        "t": rng.standard_normal((5, 3)),
    }


def forward(p, tap):
    y = tap("y", p["w"] * np.sin(p["x"] * np.pi / 180))
    return 0.5 * np.sum((y - p["t"]) ** 2)


def backward(v):
    y_bar = v["y"] - v["t"]
    x_bar = y_bar * v["w"] * np.cos(v["x"] * np.pi / 180) * (np.pi / 180)
    return {"y": y_bar, "x": x_bar, "w": np.sum(y_bar * np.sin(v["x"] * np.pi / 180), axis=0)}
