"""A row whose true adjoint, 2e-17 u, no difference of L (about 3) can show, returned as
exactly 0 (an RNN's first state's adjoint of 1.8e-16 beside a loss of 4.6, truncated
away: a red team's model). Richardson's N is exactly 0 at every step up to 0.1 max(1,
|θ|), which shows only that no step moved L: that row PASSed with no resolution; it is
WEAK, as under central and the complex step (A = 0: the loss's floor)."""

import numpy as np


def init(rng):
    return {"w": np.array([0.3, 1.1, -0.7]), "u": np.array([0.5, -1.5, 2.0, 0.25])}


def forward(p, tap):
    return np.sum(np.sin(p["w"]) ** 2) + 2.5 + 1e-17 * np.sum(p["u"] ** 2)


def backward(v):
    return {"w": 2 * np.sin(v["w"]) * np.cos(v["w"]), "u": np.zeros(4)}
