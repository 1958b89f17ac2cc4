"""Logistic regression checked at its fitted optimum: ∂L/∂w ≈ 1e-10 against L ≈ 2.7.

    z = X w      L = Σ log(1 + e^z) − y z      w̄ = Xᵀ (σ(z) − y)
w is the maximum-likelihood fit (Newton, in init) moved by 1e-10: the gradient is the
Hessian times that move.
"""

import numpy as np

EXPECT = []
TRUTH = "smooth everywhere"
TRUTH_ATOL = {"w": 1e-14}  # Xᵀ(σ(z) − y) cancels O(1) terms to 1e-10: both sides round at ~1e-16

TARGETS = ["X", "y"]


def init(rng):
    xs = np.array([-1.0, -0.3, 0.2, 0.5, 1.2]) + 0.01 * rng.standard_normal(5)
    X = np.column_stack([np.ones(5), xs])
    y = np.array([0.0, 1.0, 0.0, 1.0, 1.0])
    w = np.zeros(2)
    for _ in range(50):
        pr = 1 / (1 + np.exp(-X @ w))
        w = w - np.linalg.solve(X.T @ (X * (pr * (1 - pr))[:, None]), X.T @ (pr - y))
    return {"w": w + 1e-10 * rng.standard_normal(2), "X": X, "y": y}


def forward(p, tap):
    z = tap("z", p["X"] @ p["w"])
    return np.sum(np.log1p(np.exp(z)) - p["y"] * z)


def backward(v):
    pr = 1 / (1 + np.exp(-v["z"]))
    return {"z": pr - v["y"], "w": v["X"].T @ (pr - v["y"])}
