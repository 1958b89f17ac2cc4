"""L = 3 median(x), x = (1, 2, 2, 2, 2): the median inside a tie of four. The backward
gives x̄ = 3 e_j, j the entry a stable argsort puts in the middle (x[2]; torch.sort's
gradient): the gradient of the region x[2] < x[3] < x[4] < x[1]... where x[2] is the
median. Each partial derivative is 0 (one tied entry moved alone leaves the median at
2): KINK (regions.py), not FAIL."""

import numpy as np

TARGETS = []


def init(rng):
    return {"x": np.array([1.0, 2.0, 2.0, 2.0, 2.0])}


def forward(p, tap):
    return 3.0 * np.sort(p["x"])[2]


def backward(v):
    x = v["x"]
    g = np.zeros_like(x)
    g[np.argsort(x, kind="stable")[2]] = 3.0
    return {"x": g}
