"""A linear layer's cross-entropy of a nearly certain class: logits z = W x + b of 60,
0, −80 and −900, the target the first. L is 0 in float64 (log Σ eᶻ⁻ᵐ rounds to log 1),
and z̄ = p − onehot holds 8.8e-27 at the second class and −8.8e-27 at the first, which
this backward sums from the others. The complex step's Im L cancels at the first class
(the max and −z₀ move together), and its exact 0 FAILed the true A, in every row: all
below what L's rounding, at the size of its terms, can show (WEAK; a red team's class)."""

import numpy as np

TARGETS = []


def init(rng):
    r = np.random.default_rng(7)
    W, x = r.standard_normal((4, 3)), r.standard_normal(3)
    return {"W": W, "x": x, "b": np.array([60.0, 0.0, -80.0, -900.0]) - W @ x}


def forward(p, tap):
    z = tap("z", p["W"] @ p["x"] + p["b"])
    m = np.max(z)
    return m + np.log(np.sum(np.exp(z - m))) - z[0]


def backward(v):
    z = v["z"]
    e = np.exp(z - np.max(z))
    zb = e / np.sum(e)
    zb[0] = -np.sum(zb[1:])  # 1 − p₀, exactly: the sum of the others
    return {"z": zb, "W": np.outer(zb, v["x"]), "b": zb, "x": v["W"].T @ zb}
