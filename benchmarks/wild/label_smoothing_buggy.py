"""Softmax cross-entropy with label smoothing ε/K (ε = 0.1, K = 5); logits to ±30; int labels.

    Z = W x + b      q = ε/K + (1 − ε) onehot(y)      L = −Σ q log softmax(Z) / N
    Z̄ = (softmax(Z) − q) / N      W̄ = Z̄ xᵀ      b̄ = Σ_n Z̄
A red team's model.

Slip: the backward's q from the other convention, ε/(K − 1) off the label and 1 − ε on it
(the forward's is ε/K and 1 − ε + ε/K): Z̄ 20 of 20 entries wrong (relative 5e-3 to 1.2;
2e-2 of the row's largest), W̄ and b̄ through it.
"""

import numpy as np

EXPECT = ["Z", "W", "b"]
TRUTH = "smooth in W, b (the labels are data)"

K, D, N, EPS = 5, 3, 4, 0.1
TARGETS = ["y", "x"]


def init(rng):
    return {
        "W": 10 * rng.standard_normal((K, D)),
        "b": rng.standard_normal((K, 1)),
        "x": rng.standard_normal((D, N)),
        "y": np.array([0, 3, 3, 1]),
    }


def forward(p, tap):
    Z = tap("Z", p["W"] @ p["x"] + p["b"])
    m = Z.max(axis=0, keepdims=True)
    logp = Z - m - np.log(np.sum(np.exp(Z - m), axis=0, keepdims=True))
    q = np.full((K, N), EPS / K)
    q[p["y"], np.arange(N)] += 1 - EPS
    return -np.sum(q * logp) / N


def backward(v):
    Z = v["Z"]
    P = np.exp(Z - Z.max(axis=0, keepdims=True))
    P /= P.sum(axis=0, keepdims=True)
    q = np.full((K, N), EPS / (K - 1))  # slip
    q[v["y"], np.arange(N)] = 1 - EPS
    Z_bar = (P - q) / N
    return {"Z": Z_bar, "W": Z_bar @ v["x"].T, "b": Z_bar.sum(axis=1, keepdims=True)}
