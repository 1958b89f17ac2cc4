"""A sort of five values within 1e-8 of 0.2, fitted to targets as close, beside a linear
term that makes L 47: the sort's kinks lie 1e-9 from θ, and their jumps (1e-8) hide
under L's round-off at every step of the kink test (7e-9 at h · 64) and under the
fit's curvature at the far ones (spreads of 0.03 shrinking with the step). Every finite
difference straddles them, and its N is the mean of the sides (1.1e-8 where A, a side,
is 2.5e-9; fuzzer 11000155's tapped v̄4 FAILed so under every engine). The one-sided
derivatives extrapolated from the far steps tell the sides apart: x̄ is WEAK, not FAIL;
its slip (the sign of x̄, beyond both sides) FAILs."""

import numpy as np

TARGETS = ["d", "c"]
SIGN = 1.0


def init(rng):
    x = 0.2 + 1e-9 * np.array([[15.6, -3.1, 2.4, 0.8, -2.2]])
    d = 0.2 + 1e-9 * np.array([[-3.4, -2.0, 0.96, -0.64, 13.1]])
    return {"x": x, "d": d, "c": np.array([[47.0]]), "w": np.array([[1.0]])}


def forward(p, tap):
    s = np.sort(p["x"], axis=1)
    return np.sum(p["w"] * p["c"]) + 0.5 * np.sum((s - p["d"]) ** 2)


def backward(v):
    order = np.argsort(v["x"], axis=1)
    s = np.take_along_axis(v["x"], order, axis=1)
    x_bar = np.zeros_like(v["x"])
    np.put_along_axis(x_bar, order, s - v["d"], axis=1)
    return {"x": SIGN * x_bar, "w": v["c"]}
