"""Hardtanh layer (clip to [-1, 1]) of z = W x + b over integer data: several z exactly
at +1 or -1 (zero b).  Readout y = V h (V a leaf), squared error.
CORRECT: the strict mask -1 < z < 1 in every adjoint: the gradient of the region where W
is scaled up slightly (every pre-activation on a bound moves outward)."""

import numpy as np

TARGETS = ["x", "t"]


def init(rng):
    return {
        "W": np.array([[0.0, 0.0, 1.0, 1.0], [-1.0, -1.0, 1.0, 1.0], [-1.0, -1.0, 1.0, 0.0]]),
        "b": np.zeros((3, 1)),
        "V": np.array([[-0.5369532353602852, 0.5811181041963531, 0.36457239618607573]]),
        "x": np.array(
            [
                [0.0, 1.0, -1.0, -1.0, 0.0],
                [0.0, 0.0, 1.0, 0.0, -1.0],
                [-1.0, -1.0, 0.0, -1.0, 1.0],
                [-1.0, 1.0, -1.0, 1.0, -1.0],
            ]
        ),
        "t": np.array(
            [
                [
                    2.1178387550510482,
                    -1.1120207626922813,
                    -0.37760500712699807,
                    0.6467029962018469,
                    0.6630633723762617,
                ]
            ]
        ),
    }


def forward(p, tap):
    z = p["W"] @ p["x"] + p["b"]
    return 0.5 * np.sum((p["V"] @ np.clip(z, -1.0, 1.0) - p["t"]) ** 2)


def backward(v):
    z = v["W"] @ v["x"] + v["b"]
    h = np.clip(z, -1.0, 1.0)
    yb = v["V"] @ h - v["t"]
    zb = (v["V"].T @ yb) * ((z > -1) & (z < 1))
    return {"V": yb @ h.T, "W": zb @ v["x"].T, "b": zb.sum(axis=1, keepdims=True)}
