"""One relu unit exactly at its kink (u0 = W[0] · x = 0), gating two leaves, W and x:
the backward takes relu'(0) = 0 in both adjoints, one mask (u > 0). Each row's kinks
are a subgradient, and so are the two rows together: KINK."""

import numpy as np

TARGETS = []
C = np.array([3.0, -2.0])


def init(rng):
    W = np.array([[1.0, -1.0, 0.5], [0.3, 0.2, -0.4]])
    return {"W": W, "x": np.array([1.0, 1.0, 0.0])}


def forward(p, tap):
    u = tap("u", p["W"] @ p["x"])
    return float(C @ np.maximum(u, 0.0) + 0.1 * p["x"] @ p["x"])


def masks(u):
    """relu' at u, for W̄ and for x̄."""
    return (u > 0).astype(float), (u > 0).astype(float)


def backward(v):
    u = v["W"] @ v["x"]
    for_w, for_x = masks(u)
    return {
        "u": C * for_x,
        "W": np.outer(C * for_w, v["x"]),
        "x": v["W"].T @ (C * for_x) + 0.2 * v["x"],
    }
