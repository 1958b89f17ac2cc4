"""ReLU layer over integer data: some units sit exactly at their kink (zero b); one
unit's pre-activation is D = 1e-8 above its kink on a sample where W x = 0 (a data offset
c).  Readout y = V h, squared error.
BUG: the mask z > 1e-07 (a tolerance): the sample D above the kink is taken as off,
the gradient of the region across a kink that does not touch theta."""

import numpy as np

TARGETS = ["x", "t", "c"]
D = 1e-8


def init(rng):
    return {
        "W": np.array([[1.0, 1.0, -1.0, -1.0], [1.0, 1.0, 0.0, -1.0], [1.0, 0.0, -1.0, -1.0]]),
        "b": np.zeros((3, 1)),
        "V": np.array(
            [
                [0.8430425708043379, 0.8579365494757685, 0.47518364194858514],
                [-0.4507685980824168, -0.7549322818237513, -0.8148141073390911],
            ]
        ),
        "x": np.array([[0.0, 1.0, 1.0], [1.0, 1.0, 1.0], [-1.0, 1.0, -1.0], [1.0, -1.0, 1.0]]),
        "c": np.array([[0.0], [0.0], [1e-08]]),
        "t": np.array(
            [
                [-1.8695972328417114, 0.983715344494681, 0.6300419507298725],
                [-1.8449398759528108, 0.07679986448808807, 1.5423041109956315],
            ]
        ),
    }


def forward(p, tap):
    z = p["W"] @ p["x"] + p["b"] + p["c"]
    h = np.maximum(z, 0.0)
    return 0.5 * np.sum((p["V"] @ h - p["t"]) ** 2)


def backward(v):
    z = v["W"] @ v["x"] + v["b"] + v["c"]
    h = np.maximum(z, 0.0)
    yb = v["V"] @ h - v["t"]
    mask = z > 1e-07  # slip: a tolerance
    zb = (v["V"].T @ yb) * mask
    out = {"W": zb @ v["x"].T, "b": zb.sum(axis=1, keepdims=True)}
    if "V" not in TARGETS:
        out["V"] = yb @ h.T
    return out
