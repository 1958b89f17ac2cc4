"""A 0-d leaf whose whole gradient is 1e-8, beside a loss of 1e5: central's step of
6e-6 moves L by 1e-13, below its round-off, so central sees N = 0 exactly and can tell
neither the term nor its absence (WEAK both ways, never a FAIL of the true 1e-8 nor a
PASS of a dropped 0: below_central_dropped.py). Richardson's steps of 0.1 see the term,
not finely enough: WEAK too. The abs keeps the complex step off w; under auto s, which
it does not reach, takes the complex step, which sees the term (PASS; dropped, FAIL)."""

import numpy as np

TARGETS = []


def init(rng):
    return {"w": np.array([1.3, -0.7, 2.1]), "s": np.array(0.4)}


def forward(p, tap):
    return 1e4 * np.sum(np.abs(p["w"]) ** 2) + 1e-8 * p["s"]  # (abs: no complex step)


def backward(v):
    return {"w": 2e4 * v["w"], "s": np.array(1e-8)}
