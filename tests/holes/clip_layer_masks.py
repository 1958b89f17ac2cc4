"""clip_layer.py with W̄1's mask inclusive at both bounds and b̄1's and x̄'s strict:
one region's gradient in each, none in all: FAIL."""

import numpy as np

TARGETS = ["t"]


def init(rng):
    m, d, n = 4, 3, 4
    while True:
        W1 = rng.integers(-1, 2, (m, d)).astype(float)
        x = rng.integers(-1, 3, (d, n)).astype(float)
        b1 = rng.integers(-1, 2, (m, 1)).astype(float)
        z = W1 @ x + b1
        if (z == 0).sum() >= 2 and (z == 2).sum() >= 2 and np.any((z > 0) & (z < 2)):
            break
    return {
        "W1": W1,
        "b1": b1,
        "x": x,
        "W2": rng.standard_normal((2, m)),
        "t": rng.standard_normal((2, n)),
    }


def forward(p, tap):
    z = p["W1"] @ p["x"] + p["b1"]
    h = tap("h", np.clip(z, 0.0, 2.0))
    return 0.5 * np.sum((p["W2"] @ h - p["t"]) ** 2)


def backward(v):
    z = v["W1"] @ v["x"] + v["b1"]
    r = v["W2"] @ v["h"] - v["t"]
    h_bar = v["W2"].T @ r
    z_bar = h_bar * ((z > 0) & (z < 2))
    W1_bar = (h_bar * ((z >= 0) & (z <= 2))) @ v["x"].T
    x_bar = v["W1"].T @ (h_bar * ((z > 0) & (z < 2)))
    return {
        "W2": r @ v["h"].T,
        "h": h_bar,
        "W1": W1_bar,
        "b1": z_bar.sum(axis=1, keepdims=True),
        "x": x_bar,
    }
