"""Row maxima and column maxima of one leaf X with ties, signed weights, and an L1 pull
toward a prior P that X equals exactly.  Not complex-safe.
CORRECT: first index for rows and for columns, sign(0) = +1: the gradient of the region
X = X0 + eps * (10 - i - j)."""

import numpy as np

TARGETS = ["c", "d", "P"]
N = 3


def init(rng):
    X = np.array([[1.0, 1.0, 0.0], [0.0, 1.0, 1.0], [1.0, 0.0, 1.0]])[:N, :N]
    return {
        "X": X,
        "c": np.array([-2.0, 1.0, -1.5])[:N],
        "d": np.array([0.4, 0.7, -0.3])[:N],
        "P": X.copy(),
    }


def forward(p, tap):
    X = p["X"]
    return (
        np.sum(p["c"] * np.max(X, axis=1))
        + np.sum(p["d"] * np.max(X, axis=0))
        + 0.5 * np.sum(np.abs(X - p["P"]))
    )


def backward(v):
    X = v["X"]
    G = 0.5 * np.where(X - v["P"] >= 0, 1.0, -1.0)
    r = np.argmax(X, axis=1)
    for i in range(N):
        G[i, r[i]] += v["c"][i]
    k = np.argmax(X, axis=0)
    for j in range(N):
        G[k[j], j] += v["d"][j]
    return {"X": G}
