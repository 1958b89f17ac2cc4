"""Two-headed model in raw units: a price in dollars (L ≈ 1e12), a multi-label head
whose labels are smoothed by ε = 1e-4.

    pred = exp(X w + b)  (dollars)          L_price = Σ (pred − y)²            ≈ 1e12
    Zc = X Vᵀ + c                            L_cls = Σ log(1 + e^Zc) − Ys ∘ Zc  ≈ 20
    Ys = (1 − ε) Yc + ε/2
    L = L_price + L_cls
The class head's gradients are O(1) against a loss of 1e12: no finite difference of L in
float64 resolves them (eps·L/h ≈ 40 at h = 6e-6); the complex step does, and sees the
smoothing's 5e-5 in Z̄c too (below eps·|L| ≈ 1.5e-4 in absolute terms).

Slip: the backward uses the raw labels Yc, not the smoothed ones: Z̄c off by ε (Yc − ½) = ±5e-5.
"""

import numpy as np

EXPECT = ["Zc", "V", "c"]
TRUTH = "smooth everywhere"

B, D, K = 32, 3, 2
TARGETS = ["X", "y", "Yc"]
EPS_LS = 1e-4


def init(rng):
    X = rng.standard_normal((B, D))
    w = np.array([0.3, -0.2, 0.1])
    y = np.exp(X @ w + 12.5) * (1 + 0.5 * rng.standard_normal(B))
    return {
        "w": w + 0.05 * rng.standard_normal(D),
        "b": np.array([12.4]),
        "V": rng.standard_normal((K, D)),
        "c": 0.1 * rng.standard_normal(K),
        "X": X,
        "y": y,
        "Yc": (rng.random((B, K)) < 0.5).astype(float),
    }


def forward(p, tap):
    pred = tap("pred", np.exp(p["X"] @ p["w"] + p["b"]))
    Zc = tap("Zc", p["X"] @ p["V"].T + p["c"])
    return np.sum((pred - p["y"]) ** 2) + np.sum(
        np.log1p(np.exp(Zc)) - ((1 - EPS_LS) * p["Yc"] + EPS_LS / 2) * Zc
    )


def backward(v):
    pred_bar = 2 * (v["pred"] - v["y"])
    u = pred_bar * v["pred"]
    Zc_bar = 1 / (1 + np.exp(-v["Zc"])) - v["Yc"]  # slip
    return {
        "pred": pred_bar,
        "Zc": Zc_bar,
        "w": v["X"].T @ u,
        "b": np.array([u.sum()]),
        "V": Zc_bar.T @ v["X"],
        "c": Zc_bar.sum(axis=0),
    }
