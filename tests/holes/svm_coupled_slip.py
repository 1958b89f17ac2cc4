"""svm_coupled.py with the classic slip: the correct class gets −1 where any margin is
violated, not −1 per violated margin. The entry of W̄ it changes sits on a kink, where
central differences give the mean of its slopes, and the slip lands on that mean: it
agrees with N alone; moved with the other kinks, A is no subgradient: FAIL."""

import numpy as np

N, D, C, REG = 6, 4, 3, 0.1
Y = np.array([0, 1, 2, 0, 1, 2])
X = np.array(
    [[1, 0, 0, -1], [-1, -1, -1, -1], [-1, 1, 0, 1], [0, 0, 1, 1], [0, 0, 0, 1], [-1, 1, 1, -1]],
    dtype=float,
)
W0 = np.array([[2.0, 1.0, 0.0], [-1.0, -1.0, -2.0], [-2.0, -2.0, -2.0], [2.0, 1.0, 2.0]])
TARGETS = []


def init(rng):
    return {"W": W0.copy()}


def margins(W):
    S = X @ W
    m = S - S[np.arange(N), Y][:, None] + 1.0
    m[np.arange(N), Y] = 0.0
    return m


def forward(p, tap):
    return np.sum(np.maximum(0.0, margins(p["W"]))) / N + 0.5 * REG * np.sum(p["W"] ** 2)


def counted(G):
    """The correct class's weight in each row: −1 where any margin is violated (the slip)."""
    return -(G.sum(axis=1) > 0).astype(float)


def backward(v):
    G = (margins(v["W"]) > 0).astype(float)
    G[np.arange(N), Y] = counted(G)
    return {"W": X.T @ G / N + REG * v["W"]}
