"""Winner-takes-all hinge: two linear heads, each sample pays the smaller of its two
hinge losses, L = Σ_n min_k relu(u_nk) / N with u = 1 − y (X Wᵀ) tapped; sample 0 has
both heads exactly at the hinge (u_0 = (0, 0)). The backward takes the first head with
the smallest loss and relu'(0) = 1: ū_0 = (1, 0) / N, the gradient of the region
0 < u_01 < u_02 of the loss downstream of u. Along either entry alone the loss is flat
(0 and 0 on both sides): KINK (regions.py, an intermediate alone), not FAIL."""

import numpy as np

N = 3
TARGETS = ["X", "y"]


def init(rng):
    X = np.array([[1.0, 1.0, 0.0], [1.0, -1.0, 1.0], [0.0, 1.0, -1.0]])
    W = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, -1.0]])
    return {"X": X, "W": W, "y": np.array([1.0, -1.0, 1.0])}


def forward(p, tap):
    u = tap("u", 1.0 - p["y"][:, None] * (p["X"] @ p["W"].T))
    return np.sum(np.maximum(u, 0.0).min(axis=1)) / N + 0.05 * np.sum(p["W"] ** 2)


def backward(v):
    u = v["u"]
    k = np.maximum(u, 0.0).argmin(axis=1)
    pick = np.zeros_like(u)
    pick[np.arange(N), k] = 1.0
    u_bar = pick * (u >= 0) / N
    return {"u": u_bar, "W": -(u_bar * v["y"][:, None]).T @ v["X"] + 0.1 * v["W"]}
