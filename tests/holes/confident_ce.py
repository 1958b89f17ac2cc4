"""A confident, correct prediction (logits 50, 10, 0): L = log Σ eᶻ − z₀ rounds to
exactly 0, and no step of Richardson's (up to 0.1) moves it, while the true z̄ and ū
are ~4e-18. The loss's round-off is that of its terms (50), not eps · |L| = 0: the
entries are unresolved (WEAK), not FAILed. (A red team's minimal case; not
complex-safe: the max takes .real.)"""

import numpy as np

TARGETS = ["W"]


def init(rng):
    return {"u": np.array([[1.0, 2.0]]), "W": np.array([[10.0, 2.0, 0.0], [20.0, 4.0, 0.0]])}


def forward(p, tap):
    z = tap("z", p["u"] @ p["W"])  # [50, 10, 0]
    m = z.real.max(axis=1, keepdims=True)
    return np.sum(m + np.log(np.sum(np.exp(z - m), axis=1, keepdims=True))) - z[0, 0]


def backward(v):
    z = v["z"]
    P = np.exp(z - z.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    z_bar = P - np.array([[1.0, 0.0, 0.0]])
    return {"z": z_bar, "u": z_bar @ v["W"].T}
