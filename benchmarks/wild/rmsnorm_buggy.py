"""RMSNorm of each column, ε = 1e-5, y = γ x / √(mean x² + ε), read out linearly.

    r = √(mean_d x² + ε)      y = γ x / r      L = Σ c y
    x̄ = γ c / r − x Σ_d (γ c x) / (D r³)      γ̄ = Σ_b c x / r
A red team's model.

Slip: the backward recomputes r without ε: x̄ 15 of 15 entries off by 1.7e-6 to 4.0e-5
relative (2.3e-5 of the row's largest), γ̄ 5 of 5 by 1.2e-5 to 2.0e-5.
"""

import numpy as np

EXPECT = ["x", "gamma"]
TRUTH = "smooth everywhere"

D, B, EPS = 5, 3, 1e-5
TARGETS = ["c"]


def init(rng):
    return {
        "x": rng.standard_normal((D, B)),
        "gamma": 1 + 0.1 * rng.standard_normal((D, 1)),
        "c": rng.standard_normal((D, B)),
    }


def forward(p, tap):
    x = p["x"]
    r = np.sqrt(np.mean(x**2, axis=0, keepdims=True) + EPS)
    y = tap("y", p["gamma"] * x / r)
    return np.sum(p["c"] * y)


def backward(v):
    x, gamma = v["x"], v["gamma"]
    r = np.sqrt(np.mean(x**2, axis=0, keepdims=True))  # slip
    y_bar = v["c"]
    gy = gamma * y_bar
    x_bar = gy / r - x * np.sum(gy * x, axis=0, keepdims=True) / (D * r**3)
    gamma_bar = np.sum(y_bar * x / r, axis=1, keepdims=True)
    return {"y": y_bar, "x": x_bar, "gamma": gamma_bar}
