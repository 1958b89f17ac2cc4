"""A single-head self-attention block on 16 tokens of width 32, squared-error loss;
backward by hand. The softmax is taken stably (its rows shifted by their largest real part).

    Q = X Wq   K = X Wk   V = X Wv          16×32 each
    S = Q Kᵀ / √d   P = softmax(S) (rows)   16×16
    O = P V   Y = O Wo                      16×32        L = ½ Σ (Y − T)²

7,680 checked entries (X 512, Wq Wk Wv Wo 1,024 each; Q K V O Y 512, S P 256 each).
Check it:  gradcheck check benchmarks/models/attention.py
"""

import numpy as np

N, D = 16, 32  # tokens, width

TARGETS = ["T"]


def init(rng):
    w = {n: rng.standard_normal((D, D)) / np.sqrt(D) for n in ("Wq", "Wk", "Wv", "Wo")}
    return {**w, "X": rng.standard_normal((N, D)), "T": rng.standard_normal((N, D))}


def forward(p, tap):
    X = p["X"]
    Q = tap("Q", X @ p["Wq"])
    K = tap("K", X @ p["Wk"])
    V = tap("V", X @ p["Wv"])
    S = tap("S", Q @ K.T / np.sqrt(D))
    e = np.exp(S - S.real.max(axis=1, keepdims=True))  # shift by a constant: complex-safe
    P = tap("P", e / e.sum(axis=1, keepdims=True))
    O = tap("O", P @ V)
    Y = tap("Y", O @ p["Wo"])
    return 0.5 * np.sum((Y - p["T"]) ** 2)


def backward(v):
    Y_bar = v["Y"] - v["T"]
    O_bar = Y_bar @ v["Wo"].T
    P_bar = O_bar @ v["V"].T
    S_bar = v["P"] * (P_bar - (P_bar * v["P"]).sum(axis=1, keepdims=True))
    Q_bar = S_bar @ v["K"] / np.sqrt(D)
    K_bar = S_bar.T @ v["Q"] / np.sqrt(D)
    V_bar = v["P"].T @ O_bar
    X = v["X"]
    return {
        "Y": Y_bar,
        "O": O_bar,
        "P": P_bar,
        "S": S_bar,
        "V": V_bar,
        "K": K_bar,
        "Q": Q_bar,
        "Wo": v["O"].T @ Y_bar,
        "Wv": X.T @ V_bar,
        "Wk": X.T @ K_bar,
        "Wq": X.T @ Q_bar,
        "X": Q_bar @ v["Wq"].T + K_bar @ v["Wk"].T + V_bar @ v["Wv"].T,
    }
