"""Two-layer tanh MLP with weight decay λ = 1e-5 on both weight matrices (AdamW-small).

    z1 = W1 x + b1, h = tanh(z1), z2 = W2 h + b2
    L = ½ Σ (z2 − t)² / B + ½ λ (‖W1‖² + ‖W2‖²)

Slip: W1's decay term λ W1 dropped (W2 keeps its own).
"""

import numpy as np

EXPECT = ["W1"]
TRUTH = "smooth everywhere"

D, H, C, B, LAM = 4, 5, 3, 6, 1e-5
TARGETS = ["t"]


def init(rng):
    return {
        "W1": rng.standard_normal((H, D)),
        "b1": 0.1 * rng.standard_normal((H, 1)),
        "W2": rng.standard_normal((C, H)),
        "b2": 0.1 * rng.standard_normal((C, 1)),
        "x": rng.standard_normal((D, B)),
        "t": rng.standard_normal((C, B)),
    }


def forward(p, tap):
    z1 = tap("z1", p["W1"] @ p["x"] + p["b1"])
    h = tap("h", np.tanh(z1))
    z2 = tap("z2", p["W2"] @ h + p["b2"])
    return 0.5 * np.sum((z2 - p["t"]) ** 2) / B + 0.5 * LAM * (
        np.sum(p["W1"] ** 2) + np.sum(p["W2"] ** 2)
    )


def backward(v):
    z2_bar = (v["z2"] - v["t"]) / B
    h_bar = v["W2"].T @ z2_bar
    z1_bar = h_bar * (1 - v["h"] ** 2)
    return {
        "z2": z2_bar,
        "h": h_bar,
        "z1": z1_bar,
        "W2": z2_bar @ v["h"].T + LAM * v["W2"],
        "b2": z2_bar.sum(axis=1, keepdims=True),
        "W1": z1_bar @ v["x"].T,
        "b1": z1_bar.sum(axis=1, keepdims=True),  # slip
        "x": v["W1"].T @ z1_bar,
    }
