"""A residual MLP block h = x + W₂ gelu(W₁ x + b₁), GELU in its tanh approximation.

    z = W₁ x + b₁      a = ½ z (1 + tanh(k (z + 0.044715 z³)))      h = x + W₂ a
    L = ½ Σ (h − t)² / B      gelu′(z) = ½ (1 + th) + ½ z (1 − th²) k (1 + 3 · 0.044715 z²)
k = √(2/π), th = tanh(k (z + 0.044715 z³)). A red team's model.
"""

import numpy as np

EXPECT = []
TRUTH = "smooth everywhere"

D, H, B = 3, 4, 2
K = np.sqrt(2 / np.pi)
TARGETS = ["t"]


def init(rng):
    return {
        "W1": rng.standard_normal((H, D)),
        "b1": 0.1 * rng.standard_normal((H, 1)),
        "W2": rng.standard_normal((D, H)) / 2,
        "x": rng.standard_normal((D, B)),
        "t": rng.standard_normal((D, B)),
    }


def forward(p, tap):
    z = tap("z", p["W1"] @ p["x"] + p["b1"])
    a = tap("a", 0.5 * z * (1 + np.tanh(K * (z + 0.044715 * z**3))))
    h = tap("h", p["x"] + p["W2"] @ a)
    return 0.5 * np.sum((h - p["t"]) ** 2) / B


def backward(v):
    z = v["z"]
    th = np.tanh(K * (z + 0.044715 * z**3))
    h_bar = (v["h"] - v["t"]) / B
    a_bar = v["W2"].T @ h_bar
    dgelu = 0.5 * (1 + th) + 0.5 * z * (1 - th**2) * K * (1 + 3 * 0.044715 * z**2)
    z_bar = a_bar * dgelu
    return {
        "h": h_bar,
        "a": a_bar,
        "z": z_bar,
        "W2": h_bar @ v["a"].T,
        "W1": z_bar @ v["x"].T,
        "b1": z_bar.sum(axis=1, keepdims=True),
        "x": h_bar + v["W1"].T @ z_bar,
    }
