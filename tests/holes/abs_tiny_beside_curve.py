"""An L1 term 1e-9 |x| at x of 1e-5 beside a smooth Σ √(x² + 1) in a loss of 17: not
complex-safe (the abs), and Richardson's steps, from 0.1, all cross 0, where |x| puts
a kink whose jump (2e-9 beside a slope of 1e-5) hides under the curvature from every
step of the kink test. Its N is the mean of that kink's sides (the L1 term's slope
lost), with an estimate of 2e-11; from θ's own scale no step resolves 1e-9 beside L's
round-off, and the forward casts to float64, so 80 bits do not either. The true x̄ is
WEAK, not FAIL, under every engine (fuzzer 10000037)."""

import numpy as np

TARGETS = ["c"]
L1 = 1e-9


def init(rng):
    x = 1e-5 * np.array([1.31, -0.874, 0.152, 1.09, -1.0, 0.875, 0.612, -0.363])
    return {"x": x, "c": np.full(5, 3.0)}


def forward(p, tap):
    a = tap("a", np.abs(p["x"]).astype(np.float64))  # (float64 whatever it is given)
    return np.sum(np.sqrt(a**2 + 1.0)) + L1 * np.sum(a) + np.sum(p["c"])


def backward(v):
    x, a = v["x"], v["a"]
    a_bar = a / np.sqrt(a**2 + 1.0) + L1
    return {"a": a_bar, "x": a_bar * np.sign(x)}
