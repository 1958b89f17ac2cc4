"""Multiclass squared hinge (L2-SVM) on integer scores: several margins tie at exactly 0.

    S = W x      m_jn = S_jn − S_(y_n)n + 1  (j ≠ y_n)      L = Σ max(0, m)² / N
    S̄_jn = 2 max(0, m_jn) / N  (j ≠ y_n)      S̄_(y_n)n = −Σ_j 2 max(0, m_jn) / N      W̄ = S̄ xᵀ
y_n is picked, where it can be, so that some S_jn = S_(y_n)n − 1: m = 0 there. A red
team's model.
"""

import numpy as np

EXPECT = []
TRUTH = (
    "C¹ at a margin of 0 (max(0, m)² has slope 0 on both sides): the gradient is unique; "
    "the truth is taken on both sides of the ties"
)

C, D, N = 4, 3, 6
TARGETS = ["x", "y"]


def init(rng):
    W = rng.integers(-2, 3, (C, D)).astype(float)
    x = rng.integers(-2, 3, (D, N)).astype(float)
    S = W @ x
    y = np.zeros(N, dtype=np.int64)
    for n in range(N):  # pick a label with a tie (S_j = S_y − 1) when possible
        for k in range(C):
            if np.any(S[:, n] == S[k, n] - 1):
                y[n] = k
                break
    return {"W": W, "x": x, "y": y}


def truth_points(p):
    rng = np.random.default_rng(1)
    out = []
    for _ in range(10):
        d = 1e-12 * rng.standard_normal(p["W"].shape)
        out += [{**p, "W": p["W"] + d}, {**p, "W": p["W"] - d}]
    return out


def forward(p, tap):
    S = tap("S", p["W"] @ p["x"])
    idx = np.arange(N)
    m = S - S[p["y"], idx][None, :] + 1.0
    mask = np.ones((C, N))
    mask[p["y"], idx] = 0.0
    M = np.maximum(0.0, m) * mask
    return np.sum(M**2) / N


def backward(v):
    S, y = v["S"], v["y"]
    idx = np.arange(N)
    m = S - S[y, idx][None, :] + 1.0
    mask = np.ones((C, N))
    mask[y, idx] = 0.0
    M = np.maximum(0.0, m) * mask
    S_bar = 2 * M / N
    S_bar[y, idx] = -np.sum(2 * M, axis=0) / N
    return {"S": S_bar, "W": S_bar @ v["x"].T}
