"""BUG (one line changed from periodic.py):
π typed 3.1416 in the backward's degrees-to-radians factor.

A periodic feature of angles given in degrees.

y = w ∘ sin(x π/180)   L = ½ Σ (y − t)²      x̄ = ȳ ∘ w ∘ cos(x π/180) π/180
"""

import numpy as np

BUG = "π typed 3.1416 in the backward's degrees-to-radians factor"
EXPECT = "scale"  # the diagnosis kind that names the cause
FIRST = "x"  # the first failing row, in backward order
SAYS = "too few digits"  # in the diagnosis's message
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
    x_bar = y_bar * v["w"] * np.cos(v["x"] * np.pi / 180) * (3.1416 / 180)
    return {"y": y_bar, "x": x_bar, "w": np.sum(y_bar * np.sin(v["x"] * np.pi / 180), axis=0)}
