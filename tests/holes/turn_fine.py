"""A loss that turns on a scale below every float64 step: c·x + a·sin(ω x) with ω = 1e9
and a = 1e-3, beside an L1 term of another leaf (so the forward is not complex-safe and
finite differences decide). Richardson's steps (0.1 down to 1e-7) see the mean slope c,
whose wiggle a/h is smallest at the widest step; x̄ = c + aω cos(ωx), off it by up to 1e6,
FAILed. Only steps below 1e-10 resolve the turn, and their round-off, in float64, hides
it; in 80 bits they agree with A (a fuzzer's sin of 4e15, p3000340)."""

import numpy as np

TARGETS = ["t"]
OMEGA, A = 1e9, 1e-3


def init(rng):
    return {
        "x": np.array([0.0, 0.3, -1.7]),
        "c": np.array([1.0, 2.0, -0.5]),
        "w": np.array([0.4, -1.1]),
        "t": np.array([0.1, 0.2]),
    }


def forward(p, tap):
    x = p["x"]
    return np.sum(p["c"] * x) + A * np.sum(np.sin(OMEGA * x)) + np.sum(np.abs(p["w"] - p["t"]))


def backward(v):
    x = v["x"]
    return {
        "x": v["c"] + A * OMEGA * np.cos(OMEGA * x),
        "c": x,
        "w": np.sign(v["w"] - v["t"]),
    }
