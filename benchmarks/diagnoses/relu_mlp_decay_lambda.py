"""BUG (one line changed from relu_mlp.py):
the weight decay's derivative written λW1, not 2λW1.

A two-layer relu MLP, the loss a batch mean, with weight decay on W1.

z = W1 x + b1   h = relu(z)   y = W2 h + b2
L = (1/B) ½ Σ (y − t)² + λ ‖W1‖²
"""

import numpy as np

BUG = "the weight decay's derivative written λW1, not 2λW1"
EXPECT = "term"  # the diagnosis kind that names the cause
FIRST = "W1"  # the first failing row, in backward order
SAYS = "0.01·W1"  # in the diagnosis's message
TARGETS = ["t"]
B, LAM = 4, 0.01


def init(rng):
    return {
        "W1": rng.standard_normal((5, 4)),
        "b1": rng.standard_normal((5, 1)),
        "W2": rng.standard_normal((3, 5)),
        "b2": rng.standard_normal((3, 1)),
        "x": rng.standard_normal((4, B)),
        "t": rng.standard_normal((3, B)),
    }


def forward(p, tap):
    z = tap("z", p["W1"] @ p["x"] + p["b1"])
    h = tap("h", np.maximum(z, 0))
    y = tap("y", p["W2"] @ h + p["b2"])
    return 0.5 * np.sum((y - p["t"]) ** 2) / B + LAM * np.sum(p["W1"] ** 2)


def backward(v):
    y_bar = (v["y"] - v["t"]) / B
    h_bar = v["W2"].T @ y_bar
    z_bar = h_bar * (v["z"] > 0)
    return {
        "y": y_bar,
        "h": h_bar,
        "z": z_bar,
        "W1": z_bar @ v["x"].T + LAM * v["W1"],
        "b1": z_bar.sum(axis=1, keepdims=True),
        "W2": y_bar @ v["h"].T,
        "b2": y_bar.sum(axis=1, keepdims=True),
        "x": v["W1"].T @ z_bar,
    }
