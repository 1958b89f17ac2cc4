"""A perfect fit of |x| beside its kink: ½ (|x| − t)² with t = |x| for x = −6.4e-7 and
1.4e-6, plus c·x. The slope at θ is c, but every step Richardson takes (from 1e-2
down) straddles the kink at 0, and its N came out c − 6.4e-7 within an estimate of
7e-9: x̄ FAILed at 3e-5 of itself. The kink test's central difference at h/64 (1e-7)
straddles nothing and agrees with A (a fuzzer's where/abs program, p6000652)."""

import numpy as np

TARGETS = ["t", "c"]


def init(rng):
    x = np.array([-6.440454583977018e-07, 1.437240630418655e-06, 0.3])
    t = np.array([6.440454583977018e-07, 1.437240630418655e-06, 0.1])
    return {"x": x, "t": t, "c": np.array([0.0198, -0.0045, 0.7])}


def forward(p, tap):
    x = p["x"]
    return np.sum(p["c"] * x) + 0.5 * np.sum((np.abs(x) - p["t"]) ** 2)


def backward(v):
    x, r = v["x"], np.abs(v["x"]) - v["t"]
    return {"x": v["c"] + r * np.sign(x)}
