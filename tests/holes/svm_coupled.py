"""A multiclass SVM (CS231n's hinge) over integer data, W alone checked: with integer
entries several margins sit at exactly 0, each a kink through a column pair of W, and
some entries of W meet two of them. The backward takes 0 at every kink: a subgradient."""

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
    """The correct class's weight in each row: minus the violated margins' count."""
    return -G.sum(axis=1)


def backward(v):
    G = (margins(v["W"]) > 0).astype(float)
    G[np.arange(N), Y] = counted(G)
    return {"W": X.T @ G / N + REG * v["W"]}
