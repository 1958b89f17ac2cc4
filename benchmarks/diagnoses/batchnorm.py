"""Batch norm over the batch (axis 0), training mode. Correct.

x̂ = (x − μ)/σ   y = γ ∘ x̂ + β   L = ½ Σ (y − t)²      (μ, σ² per column, σ² + ε)
x̄ = (x̂̄ − mean(x̂̄) − x̂ ∘ mean(x̂̄ ∘ x̂)) / σ
"""

import numpy as np

EXPECT = None
TARGETS = ["t"]
B, D, EPS = 6, 3, 1e-5


def init(rng):
    return {
        "x": 2 + 3 * rng.standard_normal((B, D)),
        "g": 1 + rng.random(D),
        "b": rng.standard_normal(D),
        "t": rng.standard_normal((B, D)),
    }


def forward(p, tap):
    x = p["x"]
    xhat = tap("xhat", (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + EPS))
    y = p["g"] * xhat + p["b"]
    return 0.5 * np.sum((y - p["t"]) ** 2)


def backward(v):
    xhat = v["xhat"]
    y_bar = v["g"] * xhat + v["b"] - v["t"]
    xhat_bar = v["g"] * y_bar
    sd = np.sqrt(v["x"].var(axis=0) + EPS)
    x_bar = (xhat_bar - xhat_bar.mean(axis=0) - xhat * (xhat_bar * xhat).mean(axis=0)) / sd
    return {"xhat": xhat_bar, "x": x_bar, "g": (y_bar * xhat).sum(axis=0), "b": y_bar.sum(axis=0)}
