"""A strict max 2⁻³¹ above its neighbour, beside a quadratic of 3e4: every step crosses
the gap, so every central difference there is the mean of the two slopes, and a
backward that splits the max's 4 between the near-tied entries (np.isclose) agrees with
N within Richardson's 1e-9. The quadratic's curvature spreads each step's one-sided
differences by far more than the jump, which only their extrapolation shows (a red
team's model PASSed at 5e-10 with an error of 7e-5). The jump is no derivative to
PASS against. The complex step, exact through the strict max (80-bit steps below the
gap side with it, so the probe finds the forward complex-safe), FAILs the split under
every engine; the backward that gives the max its 4 alone (near_tie.py) PASSes."""

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
    top = np.isclose(u, u.max()).astype(float)
    return {"u": C * (u - v["c"]) + 4.0 * top / top.sum()}
