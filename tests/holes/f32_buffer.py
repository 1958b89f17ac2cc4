"""A float32 round-trip inside a float64 forward (an activation buffer stored as float32).

    z = W x + b, h = tanh(z), h32 = float64(float32(h)), y = V h32, L = ½ Σ (y − t)²
The backward treats the round-trip as the identity (as every autodiff does).
"""

import numpy as np

EXPECT = []
TRUTH = (
    "the forward is a staircase at float32 resolution (derivative 0 almost everywhere); "
    "the intended gradient, autodiff's, passes the round-trip as the identity. Rows "
    "through it can be resolved to ~1e-7 at best: WEAK is the honest verdict there"
)
TRUTH_RTOL = 1e-6  # autograd casts the cotangent through astype to float32 too

D, H, K, B = 3, 4, 2, 3
TARGETS = ["t"]


def init(rng):
    return {
        "W": rng.standard_normal((H, D)),
        "b": 0.1 * rng.standard_normal((H, 1)),
        "V": rng.standard_normal((K, H)),
        "x": rng.standard_normal((D, B)),
        "t": rng.standard_normal((K, B)),
    }


def forward(p, tap):
    z = tap("z", p["W"] @ p["x"] + p["b"])
    h = tap("h", np.tanh(z))
    h32 = tap("h32", h.astype(np.float32).astype(np.float64))
    y = tap("y", p["V"] @ h32)
    return 0.5 * np.sum((y - p["t"]) ** 2)


def backward(v):
    y_bar = v["y"] - v["t"]
    h32_bar = v["V"].T @ y_bar
    h_bar = h32_bar
    z_bar = h_bar * (1 - v["h"] ** 2)
    return {
        "y": y_bar,
        "h32": h32_bar,
        "h": h_bar,
        "z": z_bar,
        "V": y_bar @ v["h32"].T,
        "W": z_bar @ v["x"].T,
        "b": z_bar.sum(axis=1, keepdims=True),
        "x": v["W"].T @ z_bar,
    }
