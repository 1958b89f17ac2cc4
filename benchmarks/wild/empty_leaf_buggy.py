"""Retrieval over memory slots M and this batch's extra slots E: none, E is (0, 3).

    K = [M; E]      L = Σ_i lse(Q_i Kᵀ) + 0.05 ‖Q‖²
    P = softmax(Q Kᵀ)      Q̄ = P K + 0.1 Q      K̄ = Pᵀ Q      M̄, Ē = K̄ split at m

Slip: Q̄ drops the ridge term 0.1 Q.
"""

import numpy as np

EXPECT = ["Q"]
TRUTH = "smooth; Ē is the empty (0, 3) array"

NQ, NM, DIM = 3, 4, 3
TARGETS = []


def init(rng):
    return {
        "Q": rng.standard_normal((NQ, DIM)),
        "M": rng.standard_normal((NM, DIM)),
        "E": np.zeros((0, DIM)),
    }


def forward(p, tap):
    K = tap("K", np.concatenate([p["M"], p["E"]], axis=0))
    S = p["Q"] @ K.T
    m = S.max(axis=1, keepdims=True)
    return np.sum(m[:, 0] + np.log(np.sum(np.exp(S - m), axis=1))) + 0.05 * np.sum(p["Q"] ** 2)


def backward(v):
    K = v["K"]
    S = v["Q"] @ K.T
    E = np.exp(S - S.max(axis=1, keepdims=True))
    P = E / E.sum(axis=1, keepdims=True)
    K_bar = P.T @ v["Q"]
    return {"K": K_bar, "Q": P @ K, "M": K_bar[:NM], "E": K_bar[NM:]}  # slip
