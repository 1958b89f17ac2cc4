"""BUG (one line changed from rmsnorm.py):
x̄ = x̂̄/r: the term through the norm dropped.

RMS norm over each row, with a gain.

r = √(mean(x²) + ε) (per row)   x̂ = x/r   y = g ∘ x̂   L = ½ Σ (y − t)²
x̄ = (x̂̄ − x̂ ∘ mean(x̂̄ ∘ x̂)) / r
"""

import numpy as np

BUG = "x̄ = x̂̄/r: the term through the norm dropped"
EXPECT = "offset"  # the diagnosis kind that names the cause
FIRST = "x"  # the first failing row, in backward order
SAYS = "in each row"  # in the diagnosis's message
TARGETS = ["t"]
EPS = 1e-6


def init(rng):
    return {
        "x": rng.standard_normal((4, 6)),
        "g": 1 + rng.random(6),
        "t": rng.standard_normal((4, 6)),
    }


def forward(p, tap):
    r = np.sqrt(np.mean(p["x"] ** 2, axis=1, keepdims=True) + EPS)
    xhat = tap("xhat", p["x"] / r)
    return 0.5 * np.sum((p["g"] * xhat - p["t"]) ** 2)


def backward(v):
    r = np.sqrt(np.mean(v["x"] ** 2, axis=1, keepdims=True) + EPS)
    y_bar = v["g"] * v["xhat"] - v["t"]
    xhat_bar = v["g"] * y_bar
    x_bar = xhat_bar / r
    return {"xhat": xhat_bar, "x": x_bar, "g": np.sum(y_bar * v["xhat"], axis=0)}
