"""BUG (one line changed from tanh_saturated.py): b̄1 averaged over the batch instead of
summed (saturated branch: entries ~1e-11).

Two tanh branches side by side: one saturated (pre-activations 12 … 50), one normal (~1).

    z1 = W1 x1 + b1   h1 = tanh(z1)   (H×B, |z1| from 12 to 50: tanh' from 1e-10 to 0)
    z2 = W2 x2 + b2   h2 = tanh(z2)   (H×B, |z2| ~ 1)
    y  = v1ᵀ h1 + v2ᵀ h2              L = ½ Σ (y − t)²

The backward is written as a student would: 1 − h², which in float64 is 0 for |z| ≳ 19
and has a relative error up to ~1e-6 at |z| = 12 (absolute error ~eps: correct).
"""

import numpy as np

CATEGORY = "scale"
EXPECT = ['b1']
BUG = 'b̄1 averaged over the batch instead of summed (saturated branch: entries ~1e-11)'
D, H, B = 4, 6, 3
TARGETS = ["t"]


def init(rng):
    W1 = rng.standard_normal((H, D))
    x1 = 0.4 * rng.standard_normal((D, B))
    level = np.array([12.0, 14.0, 17.0, 25.0, 40.0, 50.0]) * np.array([1, -1, 1, -1, 1, -1])
    b1 = (level - (W1 @ x1).mean(axis=1))[:, None]
    W2 = rng.standard_normal((H, D)) / 2
    x2 = rng.standard_normal((D, B))
    b2 = 0.1 * rng.standard_normal((H, 1))
    v1 = rng.standard_normal((H, 1))
    v2 = rng.standard_normal((H, 1))
    t = rng.standard_normal((1, B))
    return {"W1": W1, "b1": b1, "x1": x1, "W2": W2, "b2": b2, "x2": x2, "v1": v1, "v2": v2, "t": t}


def forward(p, tap):
    z1 = tap("z1", p["W1"] @ p["x1"] + p["b1"])
    h1 = tap("h1", np.tanh(z1))
    z2 = tap("z2", p["W2"] @ p["x2"] + p["b2"])
    h2 = tap("h2", np.tanh(z2))
    y = tap("y", p["v1"].T @ h1 + p["v2"].T @ h2)
    return 0.5 * np.sum((y - p["t"]) ** 2)


def backward(v):
    y_bar = v["y"] - v["t"]
    h1_bar = v["v1"] @ y_bar
    h2_bar = v["v2"] @ y_bar
    z1_bar = h1_bar * (1 - v["h1"] ** 2)
    z2_bar = h2_bar * (1 - v["h2"] ** 2)
    return {"y": y_bar, "h1": h1_bar, "h2": h2_bar, "z1": z1_bar, "z2": z2_bar,
            "v1": v["h1"] @ y_bar.T, "v2": v["h2"] @ y_bar.T,
            "W1": z1_bar @ v["x1"].T, "b1": z1_bar.mean(axis=1, keepdims=True), "x1": v["W1"].T @ z1_bar,
            "W2": z2_bar @ v["x2"].T, "b2": z2_bar.sum(axis=1, keepdims=True), "x2": v["W2"].T @ z2_bar}
