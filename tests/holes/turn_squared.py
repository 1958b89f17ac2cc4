"""a · sin(x²) at x of 30 to 1e7: a period of 3e-7 in x at the largest, which every float64
step (6e-6 |x| wide) aliases. In 80 bits steps below 1e-8 resolve it; two steps a few
ulps of x apart round alike there, and agreed on a value 1.5 % off (their round-off,
the argument's, 1e-6 in L, is far above eps₈₀ |L|): steps of fewer than 64 ulps are
not asked. x̄ FAILed the true A under every engine; now unresolved (WEAK), and 1 % off
at x = 3.1e6, beyond the finer steps' value, FAILs (a red team's class)."""

import numpy as np

TARGETS = []


def init(rng):
    return {
        "x": np.array([30.0 + 0.31, 3.1e6 + 0.23, 1.1e7 + 0.89]),
        "a": np.array([0.75, -1.5, 1.25]),
    }


def forward(p, tap):
    return np.sum(p["a"] * np.sin(p["x"] * p["x"]))


def backward(v):
    u = v["x"] * v["x"]
    return {"x": 2 * v["x"] * v["a"] * np.cos(u), "a": np.sin(u)}
