"""Group normalisation of a (B, C, S) activation, G groups, per-channel affine, squared error.

    xg = x reshaped (B, G, M), M = (C / G) · S      μ, σ² over M      r = 1 / √(σ² + ε)
    x̂ = (xg − μ) r, back to (B, C, S)               y = γ x̂ + β      L = ½ Σ (y − t)²

Slip: the variance term divided by the channels per group C/G, not the group's size M = (C/G)·S.
"""

import numpy as np

EXPECT = ["x"]
TRUTH = "smooth everywhere"

B, C, S, G, EPS = 2, 6, 3, 2, 1e-5
M = C // G * S
TARGETS = ["t"]


def init(rng):
    return {
        "x": 3 * rng.standard_normal((B, C, S)) + 1,
        "gamma": 1 + 0.2 * rng.standard_normal((C,)),
        "beta": 0.2 * rng.standard_normal((C,)),
        "t": rng.standard_normal((B, C, S)),
    }


def forward(p, tap):
    xg = p["x"].reshape(B, G, M)
    mu = xg.mean(axis=2, keepdims=True)
    var = ((xg - mu) ** 2).mean(axis=2, keepdims=True)
    xhat = tap("xhat", ((xg - mu) / np.sqrt(var + EPS)).reshape(B, C, S))
    y = tap("y", p["gamma"][None, :, None] * xhat + p["beta"][None, :, None])
    return 0.5 * np.sum((y - p["t"]) ** 2)


def backward(v):
    xg = v["x"].reshape(B, G, M)
    mu = xg.mean(axis=2, keepdims=True)
    r = 1 / np.sqrt(((xg - mu) ** 2).mean(axis=2, keepdims=True) + EPS)
    y_bar = v["y"] - v["t"]
    xhat_bar = y_bar * v["gamma"][None, :, None]
    g = xhat_bar.reshape(B, G, M)
    xh = v["xhat"].reshape(B, G, M)
    x_bar = r * (
        g - g.sum(axis=2, keepdims=True) / M - xh * (g * xh).sum(axis=2, keepdims=True) / (C // G)
    )  # slip
    return {
        "y": y_bar,
        "xhat": xhat_bar,
        "x": x_bar.reshape(B, C, S),
        "gamma": (y_bar * v["xhat"]).sum(axis=(0, 2)),
        "beta": y_bar.sum(axis=(0, 2)),
    }
