"""A hidden layer computed in float32 inside a float64 net (a red team's): the loss is a
staircase on scales below float32's quanta. Richardson's finest steps there are quanta,
two of which may agree by chance: they overrule no coarser extrapolation (numeric:
_plateau first), and θ's own scale, which sees a step of 0 there, decides no entry
(verdict._kinks). No row FAILs; z̄ W̄1 and x̄ cannot be resolved (WEAK)."""

import numpy as np

TARGETS = ["t"]


def init(rng):
    r = np.random.default_rng(20)
    return {
        "W1": r.standard_normal((4, 3)),
        "x": r.standard_normal((3, 2)),
        "W2": r.standard_normal((2, 4)),
        "t": r.standard_normal((2, 2)),
    }


def forward(p, tap):
    z = tap("z", p["W1"] @ p["x"])
    h = tap("h", np.tanh(z.astype(np.float32)).astype(np.float64))
    y = tap("y", p["W2"] @ h)
    return 0.5 * np.sum((y - p["t"]) ** 2)


def backward(v):
    y_bar = v["y"] - v["t"]
    h_bar = v["W2"].T @ y_bar
    z_bar = h_bar * (1 - v["h"] ** 2)
    return {
        "y": y_bar,
        "W2": y_bar @ v["h"].T,
        "h": h_bar,
        "z": z_bar,
        "W1": z_bar @ v["x"].T,
        "x": v["W1"].T @ z_bar,
    }
