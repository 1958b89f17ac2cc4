"""BUG (one line changed from cumsum.py):
the reversed cumsum not reversed back.

A running sum along each row (returns-to-go style).

y = cumsum(x, axis=1)   L = ½ Σ (y − t)²      x̄ = reversed cumsum of ȳ
"""

import numpy as np

BUG = "the reversed cumsum not reversed back"
EXPECT = "reversed"  # the diagnosis kind that names the cause
FIRST = "x"  # the first failing row, in backward order
SAYS = "reversed"  # in the diagnosis's message
TARGETS = ["t"]


def init(rng):
    return {"x": rng.standard_normal((3, 6)), "t": rng.standard_normal((3, 6))}


def forward(p, tap):
    y = tap("y", np.cumsum(p["x"], axis=1))
    return 0.5 * np.sum((y - p["t"]) ** 2)


def backward(v):
    y_bar = v["y"] - v["t"]
    x_bar = np.cumsum(y_bar[:, ::-1], axis=1)
    return {"y": y_bar, "x": x_bar}
