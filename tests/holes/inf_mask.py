"""A -inf mask fed to a log-sum-exp: its entries have no derivative (not checked), the rest PASS."""

import numpy as np

TARGETS = []


def init(rng):
    m = np.zeros((5,))
    m[[1, 3]] = -np.inf
    return {"z": rng.standard_normal((5,)), "m": m}


def forward(p, tap):
    a = p["z"] + p["m"]
    top = np.max(a.real) if np.iscomplexobj(a) else np.max(a)
    return top + np.log(np.sum(np.exp(a - top)))


def backward(v):
    a = v["z"] + v["m"]
    s = np.exp(a - np.max(a))
    s = s / s.sum()
    return {"z": s, "m": s}
