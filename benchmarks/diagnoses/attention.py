"""Single-head scaled dot-product attention. Correct.

S = Q Kᵀ/√d   P = softmax(S) (rows)   O = P V   L = ½ Σ (O − T)²
S̄ = P ∘ (P̄ − rowsum(P̄ ∘ P))   Q̄ = S̄ K/√d   K̄ = S̄ᵀ Q/√d
"""

import numpy as np

EXPECT = None
TARGETS = ["T"]
n, d = 4, 8


def init(rng):
    return {
        "Q": rng.standard_normal((n, d)),
        "K": rng.standard_normal((n, d)),
        "V": rng.standard_normal((n, 3)),
        "T": rng.standard_normal((n, 3)),
    }


def forward(p, tap):
    S = tap("S", p["Q"] @ p["K"].T / np.sqrt(d))
    e = np.exp(S - S.max(axis=1, keepdims=True))
    P = tap("P", e / e.sum(axis=1, keepdims=True))
    O = tap("O", P @ p["V"])
    return 0.5 * np.sum((O - p["T"]) ** 2)


def backward(v):
    O_bar = v["O"] - v["T"]
    P_bar = O_bar @ v["V"].T
    S_bar = v["P"] * (P_bar - (P_bar * v["P"]).sum(axis=1, keepdims=True))
    return {
        "O": O_bar,
        "P": P_bar,
        "S": S_bar,
        "Q": S_bar @ v["K"] / np.sqrt(d),
        "K": S_bar.T @ v["Q"] / np.sqrt(d),
        "V": v["P"].T @ O_bar,
    }
