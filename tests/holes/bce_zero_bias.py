"""Saturated BCE behind a zero-initialised bias, every gradient tiny (σ(−60) = 9e-27): a
complex step of 1e-300 at b = 0 would flush Im L to zero (underflow), and the bound with
it; a step on the tensor's own scale keeps the derivative exact: PASS."""

import numpy as np

TARGETS = ["y"]


def init(rng):
    return {"b": np.zeros((2,)), "z0": np.array([-60.0, -62.0]), "y": np.array([0.0, 0.0])}


def forward(p, tap):
    z = p["z0"] + p["b"]
    return np.sum(p["y"] * np.log1p(np.exp(-z)) + (1 - p["y"]) * np.log1p(np.exp(z)))


def backward(v):
    z = v["z0"] + v["b"]
    g = 1 / (1 + np.exp(-z)) - v["y"]
    return {"b": g, "z0": g}
