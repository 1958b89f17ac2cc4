"""B = inv(A) of a nonsymmetric A at cond 1e7 (a red team's): the smallest singular value,
2e-7, is nearer A's entries than central's steps, which straddle the pole. Their spreads
grow from h to h/8 and shrink again, like a staircase's quanta: the one-sided sides the
kink test sees are no kink's, and Ā is unresolved (WEAK), not FAILed outside them (it
FAILed under central, at A = -34934 where N at h was 506). Every row is correct."""

import numpy as np

TARGETS = ["W"]
TRANSPOSED = False  # (inv_pole_transposed.py: B Bb B, not Bᵀ Bb Bᵀ)


def init(rng):
    r = np.random.default_rng(31)
    U, _ = np.linalg.qr(r.standard_normal((3, 3)))
    V, _ = np.linalg.qr(r.standard_normal((3, 3)))
    return {"A": U @ np.diag([2.0, 0.5, 2e-7]) @ V.T, "W": r.standard_normal((3, 3))}


def forward(p, tap):
    B = tap("B", np.linalg.inv(p["A"]))
    return np.sum(p["W"] * B) * 1e-7


def backward(v):
    B = v["B"]
    Bb = v["W"] * 1e-7
    Ab = -B @ Bb @ B if TRANSPOSED else -B.T @ Bb @ B.T
    return {"B": Bb, "A": Ab}
