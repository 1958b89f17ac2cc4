"""lse_tie_sharp.py with one entry of x̄ off by 1e-11 (relative): FAIL, never KINK."""

import numpy as np

TARGETS = []
PLANT = 1 + 1e-11  # one entry of x̄ off by 1e-11 (relative)


def init(rng):
    return {"x": np.full((1, 2), 161131287.7370245), "v": 1e3 * rng.standard_normal((3, 1))}


def forward(p, tap):
    z = p["v"] @ p["x"]
    top = np.max(z.real if np.iscomplexobj(z) else z, axis=1, keepdims=True)
    return np.sum(top + np.log(np.sum(np.exp(z - top), axis=1, keepdims=True)))


def backward(v):
    z = v["v"] @ v["x"]
    s = np.exp(z - np.max(z, axis=1, keepdims=True))
    s = s / s.sum(axis=1, keepdims=True)  # the softmax of each row: dL/dz
    gx = v["v"].T @ s
    gx[0, 0] *= PLANT
    return {"x": gx, "v": s @ v["x"].T}
