"""relu_scaled.py with the kink's share taken per entry: relu'(0) = 1/2 in W̄'s first
column, 1 in the others. Each entry lies between its one-sided derivatives; together
they are no subgradient (not 3 s x for one s): along e_i / J_i − e_j / J_j the loss is
smooth and A·v is not its slope: FAIL."""

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
    at = np.where(u == 0, 0.5, (u > 0).astype(float))
    return np.stack([at, (u >= 0).astype(float), (u >= 0).astype(float)], axis=1)


def backward(v):
    u = v["W"] @ v["x"]
    return {"W": C[:, None] * shares(u) * v["x"][None, :] + 0.1 * v["W"]}
