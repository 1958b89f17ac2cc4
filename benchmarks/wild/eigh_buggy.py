"""A loss on the eigen-decomposition of a symmetric matrix S = (M + Mᵀ)/2.

    λ, U = eigh(S)      L = Σ_k c_k λ_k + (u_topᵀ x)²      (u_top: largest eigenvalue's vector)
    G = U diag(c) Uᵀ + Σ_{k≠top} (u_kᵀ g) / (λ_top − λ_k) u_k u_topᵀ,   g = 2 (u_topᵀ x) x
    M̄ = (G + Gᵀ) / 2        x̄ = g / x-part = 2 (u_topᵀ x) u_top        λ̄ = c
np.linalg.eigh of a complex matrix is the Hermitian one: not complex-safe.

Slip: M̄ = G, not symmetrised through S = (M + Mᵀ)/2.
"""

import numpy as np

EXPECT = ["M"]
TRUTH = "smooth (eigenvalues distinct)"

N = 4
COEF = np.array([0.5, -1.0, 2.0, 1.5])
TARGETS = []


def init(rng):
    return {"M": rng.standard_normal((N, N)), "x": rng.standard_normal(N)}


def forward(p, tap):
    S = (p["M"] + p["M"].T) / 2
    lam, U = np.linalg.eigh(S)
    lam = tap("lam", lam)
    return np.sum(COEF * lam) + (U[:, -1] @ p["x"]) ** 2


def backward(v):
    S = (v["M"] + v["M"].T) / 2
    lam, U = np.linalg.eigh(S)
    u = U[:, -1]
    proj = u @ v["x"]
    g = 2 * proj * v["x"]
    G = U @ np.diag(COEF) @ U.T
    for k in range(N - 1):
        G = G + (U[:, k] @ g) / (lam[-1] - lam[k]) * np.outer(U[:, k], u)
    return {"lam": COEF.copy(), "M": G, "x": 2 * proj * u}  # slip
