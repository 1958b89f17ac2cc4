"""A max over integer data with two entries tied, beside a stiff quadratic (3e5): the
backward gives the max's +1 to the first of the tied entries (np.argmax). Each tied
entry alone lies between its sides (KINK); along the tie the slope moves by 6 per 1e-5
beside θ, which the test that the tie's slope holds beside θ must see through."""

import numpy as np

TARGETS = ["y"]
C = 3e5


def init(rng):
    x = np.array([2.0, 7.0, 7.0, 4.0])
    return {"x": x, "y": x - 0.01 * np.array([1.0, -3.0, 2.0, 1.0])}


def forward(p, tap):
    return np.max(p["x"]) + 0.5 * C * np.sum((p["x"] - p["y"]) ** 2)


def backward(v):
    x = v["x"]
    xb = C * (x - v["y"])
    xb[np.argmax(x)] += 1.0
    return {"x": xb}
