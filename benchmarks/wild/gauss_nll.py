"""Heteroscedastic Gaussian NLL: mean μ = W x and log-variance s = V x + c learned; c is 0-d.

    L = ½ Σ [log 2π + s + (t − μ)² e^(−s)] / N
    μ̄ = −(t − μ) e^(−s) / N      s̄ = ½ (1 − (t − μ)² e^(−s)) / N      W̄ = μ̄ xᵀ   V̄ = s̄ xᵀ   c̄ = Σ s̄
A red team's model.
"""

import numpy as np

EXPECT = []
TRUTH = "smooth everywhere"

N = 5
TARGETS = ["t", "x"]


def init(rng):
    return {
        "W": rng.standard_normal((1, 3)),
        "V": 0.5 * rng.standard_normal((1, 3)),
        "c": np.array(0.3),
        "x": rng.standard_normal((3, N)),
        "t": 2 * rng.standard_normal((1, N)),
    }


def forward(p, tap):
    mu = tap("mu", p["W"] @ p["x"])
    s = tap("s", p["V"] @ p["x"] + p["c"])
    r = p["t"] - mu
    return 0.5 * np.sum(np.log(2 * np.pi) + s + r**2 * np.exp(-s)) / N


def backward(v):
    r = v["t"] - v["mu"]
    e = np.exp(-v["s"])
    mu_bar = -r * e / N
    s_bar = 0.5 * (1 - r**2 * e) / N
    return {
        "mu": mu_bar,
        "s": s_bar,
        "W": mu_bar @ v["x"].T,
        "V": s_bar @ v["x"].T,
        "c": np.sum(s_bar),
    }
