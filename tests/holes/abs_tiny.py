"""|u| of entries of 1e-7 inside a loss of 1e4: the complex step drops abs's derivative
(0 where it is 0.75), and a probe step on u's own scale (6e-13) is all round-off there.
The probe's larger step (6e-2 |u|) resolves it: not complex-safe, so Richardson checks,
and the true gradient does not FAIL."""

import numpy as np

TARGETS = ["big"]


def init(rng):
    return {"u": 1e-7 * (1.0 + rng.random(4)), "big": 1e4 * (1.0 + rng.random(3))}


def forward(p, tap):
    return np.sum(p["big"]) + 0.75 * np.sum(np.abs(p["u"])) + np.sum(np.sin(p["u"]))


def backward(v):
    return {"u": 0.75 * np.sign(v["u"]) + np.cos(v["u"])}
