"""A tanh RNN unrolled over two steps. Correct.

z1 = W h0 + U x1   h1 = tanh(z1)   z2 = W h1 + U x2   h2 = tanh(z2)
L = ½ Σ (h2 − t)²      z̄ = h̄ ∘ (1 − h²)
"""

import numpy as np

EXPECT = None
TARGETS = ["t"]


def init(rng):
    return {
        "W": 0.5 * rng.standard_normal((4, 4)),
        "U": rng.standard_normal((4, 3)),
        "h0": rng.standard_normal(4),
        "x1": rng.standard_normal(3),
        "x2": rng.standard_normal(3),
        "t": rng.standard_normal(4),
    }


def forward(p, tap):
    z1 = tap("z1", p["W"] @ p["h0"] + p["U"] @ p["x1"])
    h1 = tap("h1", np.tanh(z1))
    z2 = tap("z2", p["W"] @ h1 + p["U"] @ p["x2"])
    h2 = tap("h2", np.tanh(z2))
    return 0.5 * np.sum((h2 - p["t"]) ** 2)


def backward(v):
    h2_bar = v["h2"] - v["t"]
    z2_bar = h2_bar * (1 - v["h2"] ** 2)
    h1_bar = v["W"].T @ z2_bar
    z1_bar = h1_bar * (1 - v["h1"] ** 2)
    return {
        "h2": h2_bar,
        "z2": z2_bar,
        "h1": h1_bar,
        "z1": z1_bar,
        "W": np.outer(z2_bar, v["h1"]) + np.outer(z1_bar, v["h0"]),
        "U": np.outer(z2_bar, v["x2"]) + np.outer(z1_bar, v["x1"]),
        "h0": v["W"].T @ z1_bar,
        "x1": v["U"].T @ z1_bar,
        "x2": v["U"].T @ z2_bar,
    }
