"""A log-sum-exp over two columns tied at θ = 1.6e8 (v x, x = [a, a]): smooth, but
turning within 64 ulps of θ, so the complex step's sides at θ ± 1e-10 |θ| differ by
what looks like a jump. At θ the complex step is exact (it lies between those sides,
on neither): the true gradient PASSes, an error of 1e-11 in it FAILs, never a KINK
(test_holes.PLANTED)."""

import numpy as np

TARGETS = []


def init(rng):
    return {"x": np.full((1, 2), 161131287.7370245), "v": rng.standard_normal((3, 1))}


def forward(p, tap):
    z = p["v"] @ p["x"]
    top = np.max(z.real if np.iscomplexobj(z) else z, axis=1, keepdims=True)
    return np.sum(top + np.log(np.sum(np.exp(z - top), axis=1, keepdims=True)))


def backward(v):
    z = v["v"] @ v["x"]
    s = np.exp(z - np.max(z, axis=1, keepdims=True))
    s = s / s.sum(axis=1, keepdims=True)  # the softmax of each row: dL/dz
    return {"x": v["v"].T @ s, "v": s @ v["x"].T}
