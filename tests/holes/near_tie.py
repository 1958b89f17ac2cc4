"""near_tie_split.py with the backward that gives the max its 4 alone: the derivative
at θ, where the max is strict by 2⁻³¹, nearer than any float64 step resolves. The
complex step follows the max's branch exactly, and 80-bit steps below the gap side
with it: PASS (KINK while the probe took the forward for not complex-safe)."""

import numpy as np

C = 3e4


def init(rng):
    return {
        "u": np.array([2.0, 2.0 + 2.0**-31, 0.5, -1.0, 1.5]),
        "c": np.array([1.7, 2.4, 0.1, -0.6, 1.2]),
    }


TARGETS = ["c"]


def forward(p, tap):
    u = p["u"]
    return 0.5 * C * np.sum((u - p["c"]) ** 2) + 4.0 * np.max(u)


def backward(v):
    u = v["u"]
    top = (u == u.max()).astype(float)
    return {"u": C * (u - v["c"]) + 4.0 * top / top.sum()}
