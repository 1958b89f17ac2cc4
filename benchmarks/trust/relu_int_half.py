"""BUG (one line changed from relu_int.py): planted: relu'(0) = 0.5 (inside [0, 1]: valid).

A relu layer on whole numbers: some pre-activations are exactly 0 (relu's kink).

    z = W x (H×B, integers)   h = relu(z)   y = v h   L = ½ Σ (y − t)²

Each column of z has at most one exact zero, so every entry of W and x moves at most
one kink: its one-sided derivatives bound the valid values (relu'(0) anywhere in [0, 1]).
The backward uses relu'(0) = 0.
"""

import numpy as np

CATEGORY = "kinks"
EXPECT = []
BUG = "planted: relu'(0) = 0.5 (inside [0, 1]: valid)"
KINKS = True
D, H, B = 3, 4, 3
TARGETS = ["t"]


def init(rng):
    W = np.array([[1., -2., 1.], [2., 1., -1.], [-1., 1., 2.], [1., 1., 1.]])
    x = np.array([[1., 2., -1.], [1., 0., 1.], [1., 1., 2.]])  # z = W x has one 0 per column
    return {"W": W, "x": x, "v": rng.standard_normal((1, H)), "t": rng.standard_normal((1, B))}


def forward(p, tap):
    z = tap("z", p["W"] @ p["x"])
    h = tap("h", np.maximum(z, 0.0))
    y = tap("y", p["v"] @ h)
    return 0.5 * np.sum((y - p["t"]) ** 2)


def backward(v):
    y_bar = v["y"] - v["t"]
    h_bar = v["v"].T @ y_bar
    z_bar = h_bar * np.where(v["z"] > 0, 1.0, np.where(v["z"] == 0, 0.5, 0.0))
    return {"y": y_bar, "h": h_bar, "z": z_bar, "v": y_bar @ v["h"].T,
            "W": z_bar @ v["x"].T, "x": v["W"].T @ z_bar}
