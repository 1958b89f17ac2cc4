"""Single-head causal self-attention; the mask puts −inf above the diagonal (np.where).

    Q, K, V = X Wq, X Wk, X Wv      S = Q Kᵀ / √d      S_m = where(causal, S, −inf)
    P = softmax over each row of S_m (max subtracted)   O = P V      L = ½ Σ (O − T)²

Slip: 1/√d forgotten in K̄ (Q̄ has it).
"""

import numpy as np

EXPECT = ["K", "Wk", "X"]
TRUTH = "smooth; masked scores have adjoint exactly 0"

T, D = 5, 4
CAUSAL = np.tril(np.ones((T, T), dtype=bool))
TARGETS = ["Tgt"]


def init(rng):
    return {
        "X": rng.standard_normal((T, D)),
        "Wq": rng.standard_normal((D, D)) / 2,
        "Wk": rng.standard_normal((D, D)) / 2,
        "Wv": rng.standard_normal((D, D)) / 2,
        "Tgt": rng.standard_normal((T, D)),
    }


def forward(p, tap):
    Q = tap("Q", p["X"] @ p["Wq"])
    K = tap("K", p["X"] @ p["Wk"])
    V = tap("V", p["X"] @ p["Wv"])
    S = tap("S", Q @ K.T / np.sqrt(D))
    Sm = np.where(CAUSAL, S, -np.inf)
    E = np.exp(Sm - Sm.max(axis=1, keepdims=True))
    P = tap("P", E / E.sum(axis=1, keepdims=True))
    O = tap("O", P @ V)
    return 0.5 * np.sum((O - p["Tgt"]) ** 2)


def backward(v):
    O_bar = v["O"] - v["Tgt"]
    P_bar = O_bar @ v["V"].T
    V_bar = v["P"].T @ O_bar
    S_bar = v["P"] * (P_bar - (P_bar * v["P"]).sum(axis=1, keepdims=True))
    Q_bar = S_bar @ v["K"] / np.sqrt(D)
    K_bar = S_bar.T @ v["Q"]  # slip
    X = v["X"]
    return {
        "O": O_bar,
        "P": P_bar,
        "S": S_bar,
        "V": V_bar,
        "K": K_bar,
        "Q": Q_bar,
        "Wq": X.T @ Q_bar,
        "Wk": X.T @ K_bar,
        "Wv": X.T @ V_bar,
        "X": Q_bar @ v["Wq"].T + K_bar @ v["Wk"].T + V_bar @ v["Wv"].T,
    }
