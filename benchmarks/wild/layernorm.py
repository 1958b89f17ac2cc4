"""Layer normalisation over the last axis of a (B, D) batch, affine, then a weighted square.

μ, σ² over D      x̂ = (x − μ) / √(σ² + ε)      y = γ ∘ x̂ + β      L = Σ w ∘ y² / 2
"""

import numpy as np

EXPECT = []
TRUTH = "smooth everywhere"

B, D, EPS = 4, 5, 1e-5
TARGETS = ["w"]


def init(rng):
    return {
        "x": 10 * rng.standard_normal((B, D)) - 4,
        "gamma": 1 + 0.3 * rng.standard_normal(D),
        "beta": 0.3 * rng.standard_normal(D),
        "w": rng.uniform(0.5, 2, (B, D)),
    }


def forward(p, tap):
    mu = p["x"].mean(axis=1, keepdims=True)
    xc = tap("xc", p["x"] - mu)
    var = (xc**2).mean(axis=1, keepdims=True)
    xhat = tap("xhat", xc / np.sqrt(var + EPS))
    y = tap("y", p["gamma"] * xhat + p["beta"])
    return 0.5 * np.sum(p["w"] * y**2)


def backward(v):
    xc = v["xc"]
    var = (xc**2).mean(axis=1, keepdims=True)
    r = 1 / np.sqrt(var + EPS)
    y_bar = v["w"] * v["y"]
    xhat_bar = y_bar * v["gamma"]
    # x̂ = xc r(xc): the tapped xc still feeds σ², so x̄c has the variance term
    xc_bar = r * xhat_bar - xc * r**3 * (xhat_bar * xc).sum(axis=1, keepdims=True) / D
    x_bar = xc_bar - xc_bar.mean(axis=1, keepdims=True)
    return {
        "y": y_bar,
        "xhat": xhat_bar,
        "xc": xc_bar,
        "x": x_bar,
        "gamma": (y_bar * v["xhat"]).sum(axis=0),
        "beta": y_bar.sum(axis=0),
    }
