"""Softmax cross-entropy with label smoothing ε = 0.1, zero biases, logits spread ~1000.

    Z = X Wᵀ + b      L = −Σ t_s ∘ log softmax(Z) / B,  t_s = (1 − ε) T + ε / K
    Z̄ = (softmax(Z) − t_s) / B     (Σ t_s = 1)

Slip: label smoothing forgotten in the backward: Z̄ = (P − T)/B.
"""

import numpy as np

EXPECT = ["Z", "W", "b"]
TRUTH = "smooth everywhere"

B, D, K, EPS_LS = 4, 3, 5, 0.1
TARGETS = ["X", "T"]


def init(rng):
    return {
        "W": 300 * rng.standard_normal((K, D)),
        "b": np.zeros(K),
        "X": rng.standard_normal((B, D)),
        "T": np.eye(K)[rng.integers(0, K, B)],
    }


def forward(p, tap):
    Z = tap("Z", p["X"] @ p["W"].T + p["b"])
    m = Z.max(axis=1, keepdims=True)
    logp = Z - m - np.log(np.sum(np.exp(Z - m), axis=1, keepdims=True))
    ts = (1 - EPS_LS) * p["T"] + EPS_LS / K
    return -np.sum(ts * logp) / B


def backward(v):
    Z = v["Z"]
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    P = E / E.sum(axis=1, keepdims=True)
    Z_bar = (P - v["T"]) / B  # slip
    return {"Z": Z_bar, "W": Z_bar.T @ v["X"], "b": Z_bar.sum(axis=0)}
