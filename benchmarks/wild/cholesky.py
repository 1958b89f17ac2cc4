"""Gaussian negative log-likelihood through a Cholesky factor, Σ = A Aᵀ + I.

    Lc = chol(Σ)      Z = Lc⁻¹ X      L = ½ Σ ‖Z‖² + m Σ_i log Lc_ii      (m columns of X)
    Σ̄ = ½ (m Σ⁻¹ − Σ⁻¹ X Xᵀ Σ⁻¹)      Ā = 2 Σ̄ A      X̄ = Σ⁻¹ X      Z̄ = Z
np.linalg.cholesky of a complex matrix is the Hermitian one: not complex-safe.
"""

import numpy as np

EXPECT = []
TRUTH = "smooth (Σ is positive definite)"

N, MCOL = 4, 3
TARGETS = []


def init(rng):
    return {"A": rng.standard_normal((N, N)) / 2, "X": rng.standard_normal((N, MCOL))}


def forward(p, tap):
    Sigma = p["A"] @ p["A"].T + np.eye(N)
    Lc = np.linalg.cholesky(Sigma)
    Z = tap("Z", np.linalg.solve(Lc, p["X"]))
    return 0.5 * np.sum(Z**2) + MCOL * np.sum(np.log(np.diag(Lc)))


def backward(v):
    Sigma = v["A"] @ v["A"].T + np.eye(N)
    Si = np.linalg.inv(Sigma)
    SiX = Si @ v["X"]
    Sigma_bar = 0.5 * (MCOL * Si - SiX @ SiX.T)
    return {"Z": v["Z"], "X": SiX, "A": 2 * Sigma_bar @ v["A"]}
