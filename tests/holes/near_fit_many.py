"""A least-squares fit 1e-9 from its minimum: every entry of W̄ (64) is about 1e-9, and a
central difference's truncation, h² f‴ / 6, is a few percent of it, so every entry fails
the first look under central and forward differences. The complex step referees them
(the model is complex-safe) and agrees with A: the referee, which looks at 16 of them
first, must then look at them all."""

import numpy as np

TARGETS = ["x", "t"]


def init(rng):
    r = np.random.default_rng(11)
    W = r.standard_normal((8, 8))
    x = r.standard_normal((8, 3))
    return {"W": W, "x": x, "t": np.tanh(W @ x) + 1e-9 * r.standard_normal((8, 3))}


def forward(p, tap):
    return 0.5 * np.sum((np.tanh(p["W"] @ p["x"]) - p["t"]) ** 2)


def backward(v):
    h = np.tanh(v["W"] @ v["x"])
    return {"W": ((h - v["t"]) * (1 - h**2)) @ v["x"].T}
