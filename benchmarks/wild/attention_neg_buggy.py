"""Causal self-attention with an additive −1e9 mask and a per-key bias; the masked scores tapped.

    S = Q Kᵀ / √d + kb      S_m = S + (1 − causal) · (−1e9)
    P = softmax over rows of S_m      O = P V      L = ½ Σ (O − T)²

Slip: softmax backward without its −Σ_j P̄_j P_j term.
"""

import numpy as np

EXPECT = ["Sm", "kb", "Wq", "Wk", "X"]
TRUTH = "smooth; masked entries of P are exactly 0"

T, D = 5, 4
CAUSAL = np.tril(np.ones((T, T)))
TARGETS = ["Tgt"]


def init(rng):
    return {
        "X": rng.standard_normal((T, D)),
        "Wq": rng.standard_normal((D, D)) / 2,
        "Wk": rng.standard_normal((D, D)) / 2,
        "Wv": rng.standard_normal((D, D)) / 2,
        "kb": 0.5 * rng.standard_normal((1, T)),
        "Tgt": rng.standard_normal((T, D)),
    }


def forward(p, tap):
    Q = p["X"] @ p["Wq"]
    K = p["X"] @ p["Wk"]
    V = p["X"] @ p["Wv"]
    Sm = tap("Sm", Q @ K.T / np.sqrt(D) + p["kb"] + (1 - CAUSAL) * -1e9)
    E = np.exp(Sm - Sm.max(axis=1, keepdims=True))
    P = tap("P", E / E.sum(axis=1, keepdims=True))
    O = P @ V
    return 0.5 * np.sum((O - p["Tgt"]) ** 2)


def backward(v):
    X = v["X"]
    Q, K, V = X @ v["Wq"], X @ v["Wk"], X @ v["Wv"]
    O_bar = v["P"] @ V - v["Tgt"]
    P_bar = O_bar @ V.T
    V_bar = v["P"].T @ O_bar
    Sm_bar = v["P"] * P_bar  # slip
    Q_bar = Sm_bar @ K / np.sqrt(D)
    K_bar = Sm_bar.T @ Q / np.sqrt(D)
    return {
        "P": P_bar,
        "Sm": Sm_bar,
        "kb": Sm_bar.sum(axis=0, keepdims=True),
        "Wq": X.T @ Q_bar,
        "Wk": X.T @ K_bar,
        "Wv": X.T @ V_bar,
        "X": Q_bar @ v["Wq"].T + K_bar @ v["Wk"].T + V_bar @ v["Wv"].T,
    }
