"""A relu unit exactly at its kink (u0 = W[0] · x = 0) over data of unequal entries,
x = (2, 1, 0.5): W̄[0, j]'s jump is 3 x_j, different in each entry, so no pair of
them is level along e_i ± e_j; along e_i / J_i − e_j / J_j it is. The backward takes
relu'(0) = 0 (u > 0) in every entry: KINK."""

import numpy as np

TARGETS = ["x"]
C = np.array([3.0, -2.0])


def init(rng):
    W = np.array([[1.0, -2.5, 1.0], [0.3, 0.2, -0.4]])
    return {"W": W, "x": np.array([2.0, 1.0, 0.5])}


def forward(p, tap):
    return float(C @ np.maximum(p["W"] @ p["x"], 0.0) + 0.05 * np.sum(p["W"] ** 2))


def shares(u):
    """relu' at u for each of W's columns (a unit by column)."""
    return np.repeat((u > 0).astype(float)[:, None], 3, axis=1)


def backward(v):
    u = v["W"] @ v["x"]
    return {"W": C[:, None] * shares(u) * v["x"][None, :] + 0.1 * v["W"]}
