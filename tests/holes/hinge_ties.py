"""Multiclass SVM hinge loss (CS231n) on integer W and X: several margins s_j − s_y + 1
are exactly 0, kinks that couple S_ij with S_iy (moved together, the margin stays).
The backward takes 0 at each (a subgradient alone and together): KINK, not FAIL.
L = (1/N) Σ_i Σ_{j ≠ y_i} max(0, s_ij − s_iy + 1) + ½ reg |W|²."""

import numpy as np

N, D, C, REG = 6, 4, 3, 0.1
Y = np.array([0, 1, 2, 0, 1, 2])
TARGETS = []


def init(rng):
    W = rng.integers(-2, 3, size=(D, C)).astype(float)
    X = rng.integers(-1, 2, size=(N, D)).astype(float)
    return {"W": W, "X": X}


def forward(p, tap):
    S = tap("S", p["X"] @ p["W"])
    sy = S[np.arange(N), Y][:, None]
    marg = S - sy + 1.0
    marg[np.arange(N), Y] = 0.0
    return np.sum(np.maximum(0.0, marg)) / N + 0.5 * REG * np.sum(p["W"] ** 2)


def backward(v):
    S = v["S"]
    sy = S[np.arange(N), Y][:, None]
    marg = S - sy + 1.0
    marg[np.arange(N), Y] = 0.0
    G = (marg > 0).astype(float)
    G[np.arange(N), Y] = -G.sum(axis=1)
    S_bar = G / N
    return {"S": S_bar, "W": v["X"].T @ S_bar + REG * v["W"], "X": S_bar @ v["W"].T}
