"""Two-isotope decay fitted in SI units: rate constants k ≈ 1e-8 /s, times up to 3e8 s.

pred(t) = Σ_i A_i exp(−k_i t)      L = ½ Σ ((pred − y) / σ)²,  σ = 10
Ā_i = Σ_t p̄ e^(−k_i t)      k̄_i = −Σ_t p̄ A_i t e^(−k_i t)      p̄ = (pred − y) / σ²
"""

import numpy as np

EXPECT = []
TRUTH = "smooth everywhere"

NT, SIG = 10, 10.0
TIMES = np.linspace(0, 3e8, NT)
TARGETS = ["y"]


def init(rng):
    k = np.array([3e-9, 1.2e-8])
    A = np.array([800.0, 300.0])
    y = (A[:, None] * np.exp(-k[:, None] * TIMES)).sum(axis=0) + SIG * rng.standard_normal(NT)
    return {
        "k": k * (1 + 0.05 * rng.standard_normal(2)),
        "A": A + 20 * rng.standard_normal(2),
        "y": y,
    }


def forward(p, tap):
    pred = tap("pred", (p["A"][:, None] * np.exp(-p["k"][:, None] * TIMES)).sum(axis=0))
    return 0.5 * np.sum(((pred - p["y"]) / SIG) ** 2)


def backward(v):
    pbar = (v["pred"] - v["y"]) / SIG**2
    e = np.exp(-v["k"][:, None] * TIMES)
    return {"pred": pbar, "A": e @ pbar, "k": -(v["A"][:, None] * TIMES * e) @ pbar}
