"""Cross-entropy over padded candidates: the padding is −inf in the score leaf S itself.

    Z = S + bk      L = Σ_b [ lse(Z_b) − Z[b, idx_b] ]      (lse with its max subtracted)
    Z̄ = softmax(Z) − onehot(idx)     0 exactly at the −inf entries     S̄ = Z̄     b̄k = Σ_b Z̄

Slip: b̄k sums the probabilities P, forgetting the one-hot term.
"""

import numpy as np

EXPECT = ["bk"]
TRUTH = "smooth in the finite entries; at −inf entries ∂L/∂S = exp(−inf) = 0"

B, K = 4, 5
IDX = np.array([0, 2, 1, 4])
TARGETS = []


def init(rng):
    S = rng.standard_normal((B, K))
    S[0, 3] = S[0, 4] = S[1, 4] = S[2, 3] = -np.inf  # padded candidates
    return {"S": S, "bk": 0.1 * rng.standard_normal(K)}


def forward(p, tap):
    Z = tap("Z", p["S"] + p["bk"])
    m = Z.max(axis=1, keepdims=True)
    lse = m[:, 0] + np.log(np.sum(np.exp(Z - m), axis=1))
    return np.sum(lse - Z[np.arange(B), IDX])


def backward(v):
    Z = v["Z"]
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    P = E / E.sum(axis=1, keepdims=True)
    Z_bar = P - np.eye(K)[IDX]
    return {"Z": Z_bar, "S": Z_bar, "bk": P.sum(axis=0)}  # slip
