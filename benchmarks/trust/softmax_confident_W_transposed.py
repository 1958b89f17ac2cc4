"""BUG (one line changed from softmax_confident.py): W̄ = x z̄ᵀ, the transpose of z̄ xᵀ
(square, so the shape is right).

Softmax classifier with confident logits (up to ±1000), averaged over a batch of B.

    z = W x + b   (N×B, logits up to ±1000)      L = Σ_b (logsumexp(z_b) − t_bᵀ z_b) / B

The targets are chosen so that the target's probability is ~1 (example 0), 0 in float64
(example 1, the least likely class), ~1e-300 (example 2) and ~1e-100 or so (example 3).
W is square (N = D) so that a transposed W̄ still has the right shape.
"""

import numpy as np

CATEGORY = "scale"
EXPECT = ['W']
BUG = 'W̄ = x z̄ᵀ, the transpose of z̄ xᵀ (square, so the shape is right)'
N = D = 5
B = 4
TARGETS = ["t"]


def init(rng):
    W = rng.standard_normal((N, D))
    x = rng.standard_normal((D, B))
    b = 0.5 * rng.standard_normal((N, 1))
    x *= 1000 / np.abs(W @ x).max(axis=0)          # every example has a logit of ±1000
    z = W @ x + b
    gap = z.max(axis=0) - z                        # −log p, up to the normaliser
    x[:, 2] *= 690 / np.sort(gap[:, 2])[-1]        # example 2: least likely class ~ e^-690
    x[:, 3] *= 230 / np.sort(gap[:, 3])[-1]
    z = W @ x + b
    gap = z.max(axis=0) - z
    picks = [np.argmax(z[:, 0]), np.argmax(gap[:, 1]), np.argmax(gap[:, 2]), np.argmax(gap[:, 3])]
    t = np.zeros((N, B))
    t[picks, np.arange(B)] = 1.0
    return {"W": W, "b": b, "x": x, "t": t}


def forward(p, tap):
    z = tap("z", p["W"] @ p["x"] + p["b"])
    m = z.max(axis=0, keepdims=True).real
    lse = m + np.log(np.sum(np.exp(z - m), axis=0, keepdims=True))
    return np.sum(lse - np.sum(p["t"] * z, axis=0, keepdims=True)) / B


def backward(v):
    z = v["z"]
    y = np.exp(z - z.max(axis=0))
    y = y / y.sum(axis=0)
    z_bar = (y - v["t"]) / B
    return {"z": z_bar,
            "W": v["x"] @ z_bar.T,
            "b": z_bar.sum(axis=1, keepdims=True),
            "x": v["W"].T @ z_bar}
