"""a · sin(x²) at x of 2e3 to 4e6: a period of 1e-6 in x at the largest, which every float64
step (6e-6 |x| wide) aliases. In 80 bits steps below 1e-8 resolve it; two steps a few
ulps of x apart round alike there, and agreed on a value 1.5 % off (their round-off,
the argument's, 1e-6 in L, is far above eps₈₀ |L|): steps of fewer than 64 ulps are
not asked. x̄ FAILed the true A under every engine; the largest entry is unresolved
(WEAK), and a slip dropping the 2 FAILs (a red team's class)."""

import numpy as np

TARGETS = []


def init(rng):
    return {
        "x": np.array([2.1e3 + 0.31, 4.4e4 + 0.57, 3.7e6 + 0.13]),
        "a": np.array([0.75, -1.5, 1.25]),
    }


def forward(p, tap):
    return np.sum(p["a"] * np.sin(p["x"] * p["x"]))


def backward(v):
    u = v["x"] * v["x"]
    return {"x": 2 * v["x"] * v["a"] * np.cos(u), "a": np.sin(u)}
