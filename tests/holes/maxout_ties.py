"""Two maxout units m_jn = max(z_{2j,n}, z_{2j+1,n}) of z = W x + b, each with its two
pieces tied on two samples, summed with signed weights v (data); ridge on W.
CORRECT twin: the first piece wins a tie in every adjoint (the region b_{2j} slightly up)."""

import numpy as np

TARGETS = ["x", "v"]


def init(rng):
    return {
        "W": np.array([[1.0, 1.0, 1.0], [0.0, 1.0, 1.0], [1.0, -1.0, 0.0], [0.0, -1.0, 0.0]]),
        "b": np.zeros((4, 1)),
        "x": np.array([[0.0, 0.0, 1.0], [-1.0, 0.0, 0.0], [1.0, -1.0, 0.0]]),
        "v": np.array([[1.0], [-1.5]]),
    }


def forward(p, tap):
    z = p["W"] @ p["x"] + p["b"]
    return np.sum(p["v"] * np.maximum(z[0::2], z[1::2])) + 0.05 * np.sum(p["W"] ** 2)


def backward(v):
    z = v["W"] @ v["x"] + v["b"]
    a, c = z[0::2], z[1::2]
    first = a >= c
    first_b = first
    zb = np.zeros_like(z)
    zb[0::2] = v["v"] * first
    zb[1::2] = v["v"] * ~first
    zbb = np.zeros_like(z)
    zbb[0::2] = v["v"] * first_b
    zbb[1::2] = v["v"] * ~first_b
    return {"W": zb @ v["x"].T + 0.1 * v["W"], "b": zbb.sum(axis=1, keepdims=True)}
