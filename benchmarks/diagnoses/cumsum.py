"""A running sum along each row (returns-to-go style). Correct.

y = cumsum(x, axis=1)   L = ½ Σ (y − t)²      x̄ = reversed cumsum of ȳ
"""

import numpy as np

EXPECT = None
TARGETS = ["t"]


def init(rng):
    return {"x": rng.standard_normal((3, 6)), "t": rng.standard_normal((3, 6))}


def forward(p, tap):
    y = tap("y", np.cumsum(p["x"], axis=1))
    return 0.5 * np.sum((y - p["t"]) ** 2)


def backward(v):
    y_bar = v["y"] - v["t"]
    x_bar = np.cumsum(y_bar[:, ::-1], axis=1)[:, ::-1]
    return {"y": y_bar, "x": x_bar}
