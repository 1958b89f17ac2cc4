"""Softplus with a sharp β = 100, y = logaddexp(0, β z) / β; σ(β z) in a branch-stable form.

    z = W x + b      L = Σ c logaddexp(0, β z) / β      z̄ = c σ(β z)      W̄ = z̄ xᵀ      b̄ = Σ z̄
    σ(u) = 1 / (1 + e^(−|u|)) for u ≥ 0,  e^(−|u|) / (1 + e^(−|u|)) for u < 0
np.logaddexp is not complex-safe. A red team's model.

Slip: σ(βz)'s negative branch written 1 − e/(1 + e) (that is σ(|βz|)): z̄ wrong at the
6 of 12 entries where z < 0 (relative 0.9 to 749), W̄ 6 of 6, b̄ 3 of 3.
"""

import numpy as np

EXPECT = ["z", "W", "b"]
TRUTH = "smooth everywhere"

BETA = 100.0
TARGETS = ["c", "x"]


def init(rng):
    return {
        "W": 0.05 * rng.standard_normal((3, 2)),
        "b": np.array([[0.0], [0.01], [-0.02]]),
        "x": rng.standard_normal((2, 4)),
        "c": rng.standard_normal((3, 4)),
    }


def forward(p, tap):
    z = tap("z", p["W"] @ p["x"] + p["b"])
    y = np.logaddexp(0.0, BETA * z) / BETA
    return np.sum(p["c"] * y)


def backward(v):
    z = v["z"]
    bz = BETA * z
    e = np.exp(-np.abs(bz))
    sig = np.where(bz >= 0, 1 / (1 + e), 1 - e / (1 + e))  # slip
    z_bar = v["c"] * sig
    return {"z": z_bar, "W": z_bar @ v["x"].T, "b": z_bar.sum(axis=1, keepdims=True)}
