"""Two Gaussian bumps located at Unix timestamps: centres μ ≈ 1.7e9 s, widths s ≈ 600 s.

pred(t) = Σ_i a_i exp(−(t − μ_i)² / (2 s_i²))      L = ½ Σ (pred − y)²
∂pred/∂μ_i = a_i e_i d_i / s_i²,  ∂pred/∂s_i = a_i e_i d_i² / s_i³,  d_i = t − μ_i
"""

import numpy as np

EXPECT = []
TRUTH = "smooth everywhere"

NT = 40
T0 = 1.7e9
TIMES = T0 + np.linspace(-2500, 4000, NT)
TARGETS = ["y"]


def init(rng):
    mu = T0 + np.array([0.0, 1500.0])
    s = np.array([600.0, 400.0])
    a = np.array([5.0, 3.0])
    d = TIMES - mu[:, None]
    y = (a[:, None] * np.exp(-(d**2) / (2 * s[:, None] ** 2))).sum(
        axis=0
    ) + 0.1 * rng.standard_normal(NT)
    return {
        "mu": mu + 50 * rng.standard_normal(2),
        "s": s + 20 * rng.standard_normal(2),
        "a": a + 0.2 * rng.standard_normal(2),
        "y": y,
    }


def forward(p, tap):
    d = TIMES - p["mu"][:, None]
    pred = tap("pred", (p["a"][:, None] * np.exp(-(d**2) / (2 * p["s"][:, None] ** 2))).sum(axis=0))
    return 0.5 * np.sum((pred - p["y"]) ** 2)


def backward(v):
    r = v["pred"] - v["y"]
    d = TIMES - v["mu"][:, None]
    s = v["s"][:, None]
    e = np.exp(-(d**2) / (2 * s**2))
    ae = v["a"][:, None] * e
    return {"pred": r, "a": e @ r, "mu": (ae * d / s**2) @ r, "s": (ae * d**2 / s**3) @ r}
