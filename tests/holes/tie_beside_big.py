"""max(x, c) at a tie x = c = 1e-6, beside a loss of 1e10: a kink exactly at x, whose
one-sided finite differences are round-off of L (0 and 1 lost in 1e10 · eps / h). The
complex step on either side of x (moved by 1e-10 |x|) has them exactly: A = ½ between
them is a subgradient (KINK); an A outside them FAILs."""

import numpy as np

TARGETS = ["big", "c"]


def init(rng):
    return {"x": np.array(1e-6), "c": np.array(1e-6), "big": 1e5 * np.ones(3)}


def forward(p, tap):
    return np.sum(p["big"]) ** 2 + np.maximum(p["x"], p["c"])


def backward(v):
    return {"x": np.array(0.5)}
