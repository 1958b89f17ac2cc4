"""Softmax cross-entropy whose class labels are floats, turned to indices with y.astype(int).

    Z = X Wᵀ + b      L = Σ_b [ lse(Z_b) − Z[b, int(y_b)] ] / B      Z̄ = (softmax(Z) − onehot) / B

Slip: the batch mean's 1/B forgotten in Z̄.
"""

import numpy as np

EXPECT = ["Z", "W", "b"]
TRUTH = "smooth in W, b (the labels are data)"

B, D, K = 6, 3, 4
TARGETS = ["X", "y"]


def init(rng):
    return {
        "W": rng.standard_normal((K, D)),
        "b": 0.1 * rng.standard_normal(K),
        "X": rng.standard_normal((B, D)),
        "y": rng.integers(0, K, B).astype(float),
    }


def forward(p, tap):
    Z = tap("Z", p["X"] @ p["W"].T + p["b"])
    idx = p["y"].astype(int)
    m = Z.max(axis=1, keepdims=True)
    lse = m[:, 0] + np.log(np.sum(np.exp(Z - m), axis=1))
    return np.sum(lse - Z[np.arange(B), idx]) / B


def backward(v):
    Z = v["Z"]
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    Z_bar = E / E.sum(axis=1, keepdims=True) - np.eye(K)[v["y"].astype(int)]  # slip
    return {"Z": Z_bar, "W": Z_bar.T @ v["X"], "b": Z_bar.sum(axis=0)}
