"""Temperature-scaled softmax cross-entropy with a 0-d temperature leaf τ and a 0-d tap.

    Z = X Wᵀ      ce = −Σ T ∘ log softmax(Z / τ) / B      L = ce + ½ β (τ − 1)²
    G = (softmax(Z/τ) − T) / B      W̄ = (G/τ)ᵀ X      τ̄ = −Σ G ∘ Z / τ² + β (τ − 1)

Slip: ∂(Z/τ)/∂τ = −Z/τ² taken with the wrong sign.
"""

import numpy as np

EXPECT = ["tau"]
TRUTH = "smooth everywhere"

B, D, K, BETA = 4, 3, 3, 0.3
TARGETS = ["X", "T"]


def init(rng):
    return {
        "W": rng.standard_normal((K, D)),
        "tau": np.array(1.7),
        "X": rng.standard_normal((B, D)),
        "T": np.eye(K)[rng.integers(0, K, B)],
    }


def forward(p, tap):
    Z = p["X"] @ p["W"].T
    S = Z / p["tau"]
    m = S.max(axis=1, keepdims=True)
    logp = S - m - np.log(np.sum(np.exp(S - m), axis=1, keepdims=True))
    ce = tap("ce", -np.sum(p["T"] * logp) / B)
    return ce + 0.5 * BETA * (p["tau"] - 1) ** 2


def backward(v):
    Z = v["X"] @ v["W"].T
    S = Z / v["tau"]
    E = np.exp(S - S.max(axis=1, keepdims=True))
    G = (E / E.sum(axis=1, keepdims=True) - v["T"]) / B
    tau_bar = np.sum(G * Z) / v["tau"] ** 2 + BETA * (v["tau"] - 1)  # slip
    return {"ce": np.array(1.0), "W": (G / v["tau"]).T @ v["X"], "tau": np.asarray(tau_bar)}
