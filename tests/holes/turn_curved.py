"""turn_fine.py's c·x + 1e-3 sin(1e9 x) at x = 0.3 alone, where the curvature is 1e15 and
L rounds at 1e-11 (the sine's argument, 3e8, rounds at 3e-8): the kink test's finest
one-sided differences, 92 apart by round-off alone, looked resolved beside an allowance
of eps |L| / h, and the entry was KINK with A between them (a planted 1e-6 too). With L's
measured rounding in that allowance they are not resolved: a kink candidate, WEAK."""

import numpy as np

TARGETS = ["t"]
OMEGA, A = 1e9, 1e-3


def init(rng):
    return {
        "x": np.array([0.3]),
        "c": np.array([2.0]),
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
