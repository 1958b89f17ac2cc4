"""A two-layer net with clip(z, 0, 2) between, over integer data (drawn by the seed until
pre-activations sit at both bounds). The backward takes the clip's derivative as 0 at
both bounds: the gradient of the region where every unit at a bound is clipped, one of
2^k beside θ, which no fixed direction enters; the backward itself, asked at random
points beside θ, proposes it (regions.py): KINK, not FAIL."""

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
    x_bar = v["W1"].T @ (h_bar * ((z > 0) & (z < 2)))
    return {
        "W2": r @ v["h"].T,
        "h": h_bar,
        "W1": z_bar @ v["x"].T,
        "b1": z_bar.sum(axis=1, keepdims=True),
        "x": x_bar,
    }
