"""A least-squares loss in raw units (L ≈ 5e14) with weight decay: the decay's gradient
λ w ≈ 0.04 is below eps · L / max(|w|, 1) ≈ 0.1, what no float64 computation of L can
see, yet the complex step resolves it exactly (and the entries carry the gradient)."""

import numpy as np

TARGETS = ["X", "y"]
LAM = 1.0


def init(rng):
    return {
        "w": 0.05 * rng.standard_normal((3,)),
        "X": 1e3 * rng.standard_normal((50, 3)),
        "y": 3e6 * rng.standard_normal((50,)),
    }


def forward(p, tap):
    r = p["X"] @ p["w"] - p["y"]
    return 0.5 * np.sum(r**2) + 0.5 * LAM * np.sum(p["w"] ** 2)


def backward(v):
    r = v["X"] @ v["w"] - v["y"]
    return {"w": v["X"].T @ r}  # the decay dropped
