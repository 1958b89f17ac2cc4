"""relu_shared.py with its masks written apart: W̄'s `u >= 0`, x̄'s `u > 0` (and ū's).
Each row alone is a subgradient at the kink u0 = 0 (W̄[0] takes all of its jump, x̄
none), the two together none: moved along W[0, j] − x[j] (u0 unchanged to first order)
the loss is smooth and A·v is not its slope. W FAILs and x FAILs; ū, an intermediate,
is not moved with the leaves and stays KINK."""

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
    return (u >= 0).astype(float), (u > 0).astype(float)


def backward(v):
    u = v["W"] @ v["x"]
    for_w, for_x = masks(u)
    return {
        "u": C * for_x,
        "W": np.outer(C * for_w, v["x"]),
        "x": v["W"].T @ (C * for_x) + 0.2 * v["x"],
    }
