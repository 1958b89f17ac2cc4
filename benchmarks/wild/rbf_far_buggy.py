"""An RBF kernel's quadratic form aᵀ K a, σ = 1e-3, points near 1e6, 1e-3 apart.

    K = exp(−‖x_i − x_j‖² / σ²)      L = aᵀ K a      K̄ = a aᵀ      ā = 2 K a
    X̄_i = −4/σ² Σ_j a_i a_j K_ij (x_i − x_j)
A bump 1e-3 wide at |θ| = 1e6: a step relative to |θ| sees a plateau, and the finest
steps fall below θ's ulp (tests/test_holes.py checks this model). A red team's model.

Slip: the symmetry factor lost, −2/σ² for −4/σ²: X̄ 8 of 8 entries at half their value
(relative error 0.5).
"""

import numpy as np

EXPECT = ["X"]
TRUTH = "smooth everywhere"

N, SIG = 4, 1e-3
TARGETS = []


def init(rng):
    X = 1e6 + 1e-3 * rng.standard_normal((N, 2))
    return {"X": X, "a": rng.standard_normal(N)}


def forward(p, tap):
    X = p["X"]
    diff = X[:, None, :] - X[None, :, :]
    K = tap("K", np.exp(-np.sum(diff**2, axis=2) / SIG**2))
    return p["a"] @ K @ p["a"]


def backward(v):
    X, a, K = v["X"], v["a"], v["K"]
    K_bar = np.outer(a, a)
    diff = X[:, None, :] - X[None, :, :]
    coef = a[:, None] * a[None, :] * K  # N×N
    X_bar = -2 / SIG**2 * np.sum(coef[:, :, None] * diff, axis=1)
    return {"K": K_bar, "X": X_bar, "a": 2 * K @ a}
