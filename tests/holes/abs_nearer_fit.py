"""An abs of a nearer fit: ½ Σ (|W| − D)² with |W| − D of ±6e-13, whose derivative the
complex step drops, below what any probe resolves (1e-12 of the gradient): the complex
step FAILs the true A by 6e-13, above its 1e-13. Richardson in float64 cannot tell the
two apart; in 80 bits it can, sides with A, and its bound is the row's resolution."""

import numpy as np

TARGETS = ["D", "x"]


def init(rng):
    W = rng.standard_normal((4, 3))
    return {
        "W": W,
        "x": np.array([1.0, -0.5, 2.0]),
        "D": np.abs(W) + 6e-13 * np.sign(rng.standard_normal((4, 3))),
    }


def forward(p, tap):
    return np.sum(p["W"] @ p["x"]) + 0.5 * np.sum((np.abs(p["W"]) - p["D"]) ** 2)


def backward(v):
    W = v["W"]
    return {"W": np.outer(np.ones(4), v["x"]) + np.sign(W) * (np.abs(W) - v["D"])}
