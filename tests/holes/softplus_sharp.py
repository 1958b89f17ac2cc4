"""A sharp softplus, log(1 + e^(βt)) / β with β = 1e4, at t = β(x − 1) with x[0] = 1
exactly: smooth there (slope 1/2), but curved on a scale of 1e-4, where the complex
step is exact and Richardson's estimate is 1.2e-12 of x̄[0]. Ten times the resolution
the correct x̄ states (1.2e-13), planted at x̄[0], fails the complex step; Richardson,
as its referee, agreed with it within that estimate, and the plant PASSed (the
eighteenth red team). That widening no other entry shares: unresolved now."""

import numpy as np

BETA = 1e4
C = np.array([2.0, -1.0, 1.5])


def init(rng):
    return {"x": np.array([1.0, 1.0 + 2.0 / BETA, 1.0 - 1.0 / BETA])}


def forward(p, tap):
    t = tap("t", BETA * (p["x"] - 1.0))
    return np.sum(C * np.log1p(np.exp(t))) / BETA + 0.5 * np.sum(p["x"] ** 2)


def backward(v):
    s = 1.0 / (1.0 + np.exp(-v["t"]))
    return {"t": C * s / BETA, "x": C * s + v["x"]}
