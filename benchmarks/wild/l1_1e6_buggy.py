"""Multi-output linear regression with an L1 penalty λ Σ|W|, λ = 1e-6; W has exact zeros.

    Z = X Wᵀ + b      L = ½ Σ (Z − Y)² / B + λ Σ |W|      W̄ = (Z − Y)ᵀ X / B + λ sign(W)
Some entries of W are exactly 0 (as after a proximal step): there |W| has a kink.

Slip: the L1 term's λ sign(W) dropped from W̄ (an error of 1e-6 per nonzero entry).
"""

import numpy as np

EXPECT = ["W"]
TRUTH = "at W_ij = 0 the gradient is a set: data term + [−λ, λ]; sign(0) = 0 lies in it"
LAM = 1e-6

B, D, K = 6, 4, 3
TARGETS = ["X", "Y"]


def init(rng):
    W = rng.standard_normal((K, D))
    W[0, 1] = W[2, 3] = W[1, 0] = 0.0
    return {
        "W": W,
        "b": 0.1 * rng.standard_normal(K),
        "X": rng.standard_normal((B, D)),
        "Y": rng.standard_normal((B, K)),
    }


def forward(p, tap):
    Z = tap("Z", p["X"] @ p["W"].T + p["b"])
    return 0.5 * np.sum((Z - p["Y"]) ** 2) / B + LAM * np.sum(np.abs(p["W"]))


def backward(v):
    Z_bar = (v["Z"] - v["Y"]) / B
    return {"Z": Z_bar, "W": Z_bar.T @ v["X"], "b": Z_bar.sum(axis=0)}  # slip
