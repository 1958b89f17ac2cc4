"""Five relus of x (written with abs: not complex-safe), each turning within 2e-8 of
x = 8.5e-9, beside a loss of 1e6: every finite step straddles the kinks (one-sided
differences at 1e-7 are round-off of L), and the slope at x itself, 16.25, lies outside
every step's one-sided derivatives (11.25 across them). No finite difference resolves
it: the row is unresolved (WEAK), never FAIL, and a wrong A never PASSes."""

import numpy as np

TARGETS = ["big", "c", "e"]


def init(rng):
    return {
        "x": np.array(8.477796144403392e-09),
        "c": np.array([2.0, -3.0, 1.5, -1.0, 2.5]),
        "e": np.array([-1.2e-8, 3.1e-8, -1.0e-8, 1.5e-8, -4.0e-8]),
        "big": 1e3 * np.ones(3),
    }


def forward(p, tap):  # (relu as (u + |u|) / 2: no complex step, no referee)
    u = p["x"] * p["c"] + p["e"]
    return np.sum(p["big"]) ** 2 / 9.0 + np.sum((u + np.abs(u)) / 2 * p["c"])


def backward(v):
    on = v["x"] * v["c"] + v["e"] > 0
    return {"x": np.array(np.sum(v["c"] * v["c"] * on))}
