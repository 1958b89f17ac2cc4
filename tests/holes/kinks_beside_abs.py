"""A red team's model: |s| at s = 0 (a kink at θ) beside a max at −1e-8 and a min at
1e-9 (kinks beside it), a 0-d leaf. Every step of the kink test straddles all three and
measures the slopes beyond them, −0.8 and 0.7; θ's own one-sided derivatives are −0.4
+ Σw and −0.2 + Σw (0 and 0.2), which the finer steps see. s̄ = 0.1 takes sign(0) = 0;
the slip that copies the max's mask into the min's gives 0.6 (planted in
tests/test_holes.py as s̄ × 6), between the straddled slopes, outside θ's: it was KINK
under every engine, and FAILs."""

import numpy as np

TARGETS = ["x", "y"]
K1, K2, Q, LAM = 0.8, -0.5, 2.0, 0.1


def init(rng):
    return {
        "s": np.array(0.0),
        "w": np.array([0.5, -0.2, 0.1]),
        "x": np.array([1.0, 2.0, -1.0]),
        "y": np.array([0.2, 0.1, 0.3]),
    }


def forward(p, tap):
    s, r = p["s"], p["w"] * p["x"] - p["y"]
    kinks = K1 * np.maximum(s, -1e-8) + K2 * np.minimum(s, 1e-9) + LAM * np.abs(s)
    return kinks + 0.5 * Q * (s - 0.3) ** 2 + 0.5 * np.sum(r**2) + s * np.sum(p["w"])


def backward(v):
    s, r = v["s"], v["w"] * v["x"] - v["y"]
    kinks = K1 * (s > -1e-8) + K2 * (s < 1e-9) + LAM * np.sign(s)
    return {"s": np.asarray(kinks + Q * (s - 0.3) + np.sum(v["w"])), "w": r * v["x"] + s}
