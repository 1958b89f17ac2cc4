"""A Gaussian's negative log-likelihood through a Cholesky factor: a kernel over inputs
two of which lie 1e-3 apart, and a noise variance s = 1e-2 (a red team's Gaussian
process). Steps of 0.1 on s or on K (a referee's, a kink test's wider ones) make K
indefinite, and np.linalg.cholesky raises there: those points lie outside the loss's
domain, as a log of a negative number does (NaN), not a bad model. Every row PASSes under
every engine, and a note names the error and the move."""

import numpy as np


def init(rng):
    r = np.random.default_rng(3)
    X = r.uniform(-2, 2, (6, 1))
    X[4] = X[3] + 1e-3
    return {"X": X, "s": np.array([1e-2]), "y": r.standard_normal(6)}


TARGETS = ["y"]


def forward(p, tap):
    X = p["X"]
    K = tap("K", np.exp(-0.5 * (X - X.T) ** 2) + p["s"][0] * np.eye(6))
    C = np.linalg.cholesky(0.5 * (K + K.T))
    a = np.linalg.solve(C.T, np.linalg.solve(C, p["y"]))
    return 0.5 * p["y"] @ a + np.sum(np.log(np.diag(C)))


def backward(v):
    X, Kinv = v["X"], np.linalg.inv(v["K"])
    a = Kinv @ v["y"]
    K_bar = 0.5 * (Kinv - np.outer(a, a))
    D = X - X.T
    X_bar = -2 * np.sum(K_bar * np.exp(-0.5 * D**2) * D, axis=1, keepdims=True)
    return {"K": K_bar, "X": X_bar, "s": np.array([np.trace(K_bar)])}
