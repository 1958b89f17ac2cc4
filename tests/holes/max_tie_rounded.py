"""Ties of a row max of log1p(x²) at x ≈ 1e-5, beside a loss of 1700 (a fuzzer's program
3000390 of seed 3, cut down, its backward written out): along a tied entry the one-sided
derivatives differ by 6e-5, the max taken by that entry or not, and the backward gives
each tied entry its share, a subgradient. Moves of θ beside it (±1e-10 |θ|) are lost in
the complex log1p's 1 + x², whose ulp is far above them, and a one-sided difference
rounds at eps · 1700 / h, the size of the jump: only the complex step by +ih and by −ih,
which a tie of real parts orders by, gives the sides. It was FAIL under every engine.
An entry 1 % off (tests/test_holes.py) lies beyond both sides: FAIL."""

import numpy as np

TARGETS = ["d", "c"]
A, B = 9.78312267682743e-06, -1.3177994670493819e-05


def init(rng):
    return {
        "x": np.array([[A, A, B, A], [A, A, 7.8e-06, A], [2.8e-06, A, A, A]]),
        "d": np.array([1.33, 0.069, -0.95, -0.9]),
        "c": np.array(1700.0),
    }


def forward(p, tap):
    x = p["x"]
    v = np.log1p(x * x)
    m = np.max(v, axis=1, keepdims=True)
    e = np.exp(v - m)
    return np.sum(np.sum(e, axis=1) + m[:, 0]) + np.sum(p["d"] * np.mean(x, axis=0)) + p["c"]


def backward(v):
    x, d = v["x"], v["d"]
    s = np.log1p(x * x)
    m = np.max(s, axis=1, keepdims=True)
    e = np.exp(s - m)
    tie = s == m
    share = tie / tie.sum(axis=1, keepdims=True)  # (each tied entry its share of the max's)
    ds = e + share * (1.0 - e.sum(axis=1, keepdims=True))
    return {"x": ds * 2 * x / (1 + x * x) + d / x.shape[0]}
