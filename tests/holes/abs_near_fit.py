"""An abs of a near fit beside a loss of 1e5 from other terms: the derivative of
½ Σ (|W| − D)², 1e-8 of the gradient, is below what float64's differences of L resolve,
and the complex step drops it (abs of a complex number is real). Seen with the forward
in 80 bits: the probe's direction there, Richardson as the complex step's referee."""

import numpy as np

TARGETS = ["u", "D", "x"]


def init(rng):
    W = rng.standard_normal((4, 3))
    return {
        "W": W,
        "x": rng.standard_normal(3),
        "u": 1e5 * rng.standard_normal(5),
        "D": np.abs(W) + 1e-8 * rng.standard_normal((4, 3)),
    }


def forward(p, tap):
    fit = 0.5 * np.sum((np.abs(p["W"]) - p["D"]) ** 2)
    return np.sum(p["u"]) + np.sum(p["W"] @ p["x"]) + fit


def backward(v):
    W = v["W"]
    return {"W": np.outer(np.ones(4), v["x"]) + np.sign(W) * (np.abs(W) - v["D"])}
