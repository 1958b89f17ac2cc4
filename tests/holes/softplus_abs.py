"""A stable softplus, max(v, 0) + log1p(exp(-|v|)), of v = x w of 1e-16, beside a loss of
30: through |v| the complex step drops half of softplus' slope (it takes 1 or 0 for ½),
a derivative of 1e-8 that no difference of L resolves, so no probe of the forward's
differences sees it. The audit does (engine/audit.py): not complex-safe, Richardson."""

import numpy as np

TARGETS = ["big"]


def init(rng):
    return {
        "x": 1e-8 * rng.standard_normal((3, 2)),
        "w": 1e-8 * rng.standard_normal(2),
        "big": 5 * rng.standard_normal(30),
    }


def forward(p, tap):
    v = p["x"] @ p["w"]
    s = np.maximum(v, 0.0) + np.log1p(np.exp(-np.abs(v)))
    return np.sum(p["big"]) ** 2 + np.sum(np.log(s))


def backward(v):
    x, w = v["x"], v["w"]
    z = x @ w
    s = np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))
    dz = 1.0 / (1.0 + np.exp(-z)) / s
    return {"x": np.outer(dz, w), "w": x.T @ dz}
