"""Multi-label BCE, zero-initialised biases, saturated logits (one column sits at −60, y = 0).

    Z = X Wᵀ + b  (b = 0)      L = Σ [log(1 + e^Z) − Y ∘ Z] / B      Z̄ = (σ(Z) − Y) / B
Column 0's gradient is σ(−60)/B ≈ 1e-27: no engine resolves it; the other columns are O(1).

Slip: b̄ averaged over the batch (Z̄ already has the 1/B).
"""

import numpy as np

EXPECT = ["b"]
TRUTH = "smooth everywhere"

B, D, K = 6, 3, 3
TARGETS = ["X", "Y"]


def init(rng):
    X = np.column_stack([np.ones(B), rng.standard_normal((B, D - 1))])
    W = 20 * rng.standard_normal((K, D))
    W[0] = [-60.0, 0.0, 0.0]
    Y = (rng.random((B, K)) < 0.5).astype(float)
    Y[:, 0] = 0.0
    return {"W": W, "b": np.zeros(K), "X": X, "Y": Y}


def forward(p, tap):
    Z = tap("Z", p["X"] @ p["W"].T + p["b"])
    return np.sum(np.log1p(np.exp(Z)) - p["Y"] * Z) / B


def backward(v):
    Z_bar = (1 / (1 + np.exp(-v["Z"])) - v["Y"]) / B
    return {"Z": Z_bar, "W": Z_bar.T @ v["X"], "b": Z_bar.mean(axis=0)}  # slip
