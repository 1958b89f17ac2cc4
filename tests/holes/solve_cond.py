"""A least-squares loss through a linear solve, x = M⁻¹ b, with M's singular values from 2
down to 5e-5 (cond 4e4): M̄ = −b̄ xᵀ and b̄ = M⁻ᵀ x̄ carry the factorisation's
rounding, cond · eps, and so does the complex step. numpy's linalg has no 80 bits (no
ρ), and moves of the forward's values by ulps do not change the factorisation of the
leaf M: the correct M̄ and b̄ FAILed at 1e-12 of themselves (a red team's, at cond 3e4).
Moves of the leaves by ulps measure it (verdict._leaf_rounding)."""

import numpy as np

TARGETS = ["t"]


def init(rng):
    r = np.random.default_rng(11)
    U, _ = np.linalg.qr(r.standard_normal((5, 5)))
    V, _ = np.linalg.qr(r.standard_normal((5, 5)))
    M = U @ np.diag([2.0, 1.0, 0.3, 1e-2, 5e-5]) @ V.T
    return {"M": M, "b": r.standard_normal((5, 3)), "t": r.standard_normal((5, 3))}


def forward(p, tap):
    x = tap("x", np.linalg.solve(p["M"], p["b"]))
    return 0.5 * np.sum((x - p["t"]) ** 2)


def backward(v):
    x_bar = v["x"] - v["t"]
    b_bar = np.linalg.solve(v["M"].T, x_bar)
    return {"x": x_bar, "b": b_bar, "M": -b_bar @ v["x"].T}
