"""Binary focal loss (Lin et al.), γ = 2, α = 0.25, logits z = X w + b; some confident.

p = σ(z)      p_t = y p + (1 − y)(1 − p)      α_t = α y + (1 − α)(1 − y)
L = −Σ α_t (1 − p_t)^γ log p_t
p̄_t = −α_t [(1 − p_t)^γ / p_t − γ (1 − p_t)^(γ−1) log p_t]      z̄ = p̄_t (2y − 1) p_t (1 − p_t)
"""

import numpy as np

EXPECT = []
TRUTH = "smooth everywhere"

B, D, GAMMA, ALPHA = 8, 3, 2.0, 0.25
TARGETS = ["X", "y"]


def init(rng):
    return {
        "w": 2 * rng.standard_normal(D),
        "b": np.array([0.3]),
        "X": rng.standard_normal((B, D)) * 2,
        "y": (rng.random(B) < 0.4).astype(float),
    }


def forward(p, tap):
    z = tap("z", p["X"] @ p["w"] + p["b"])
    pr = 1 / (1 + np.exp(-z))
    y = p["y"]
    pt = tap("pt", y * pr + (1 - y) * (1 - pr))
    at = ALPHA * y + (1 - ALPHA) * (1 - y)
    return -np.sum(at * (1 - pt) ** GAMMA * np.log(pt))


def backward(v):
    y, pt = v["y"], v["pt"]
    at = ALPHA * y + (1 - ALPHA) * (1 - y)
    pt_bar = -at * ((1 - pt) ** GAMMA / pt - GAMMA * (1 - pt) ** (GAMMA - 1) * np.log(pt))
    z_bar = pt_bar * (2 * y - 1) * pt * (1 - pt)
    return {"pt": pt_bar, "z": z_bar, "w": v["X"].T @ z_bar, "b": np.array([z_bar.sum()])}
