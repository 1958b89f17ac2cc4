"""Eigenvalues and one eigenvector of a symmetric matrix whose two largest eigenvalues
lie 1e-4 apart: np.linalg.eigh rounds L at about 500 eps |L| there, which 80 bits cannot
recompute (numpy's linalg has no longdouble). Richardson's estimate, counting round-off
at eps |L|, was 13x optimistic: a correct Ā FAILed under Richardson at err/bound 1.6
(a red team's model, rebuilt)."""

import numpy as np


def init(rng):
    r = np.random.default_rng(2626)
    Q, _ = np.linalg.qr(r.standard_normal((4, 4)))
    S = Q @ np.diag([1.0, 2.0, 3.0, 3.0 + 1e-4]) @ Q.T
    return {"A": S + 1e-6 * np.triu(r.standard_normal((4, 4)))}


def forward(p, tap):
    w, V = np.linalg.eigh(0.5 * (p["A"] + p["A"].T))
    return np.sum(w**2) + V[0, -1] ** 2


def backward(v):
    w, V = np.linalg.eigh(0.5 * (v["A"] + v["A"].T))
    V_bar = np.zeros_like(V)
    V_bar[0, -1] = 2 * V[0, -1]
    gap = w[None, :] - w[:, None]
    F = np.where(np.eye(len(w), dtype=bool), 0.0, 1.0 / np.where(gap == 0, 1.0, gap))
    S_bar = V @ (np.diag(2 * w) + F * (V.T @ V_bar)) @ V.T
    return {"A": 0.5 * (S_bar + S_bar.T)}
