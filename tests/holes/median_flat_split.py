"""median_flat.py with the median's gradient on two tied entries, 3 each: no region's
gradient (one tied entry takes 3), and moved together over the tie the slope is 3, not
6: FAIL."""

import numpy as np

TARGETS: list[str] = []


def init(rng):
    return {"x": np.array([1.0, 2.0, 2.0, 2.0, 2.0])}


def forward(p, tap):
    return 3.0 * np.sort(p["x"])[2]


def backward(v):
    g = np.zeros_like(v["x"])
    g[[2, 3]] = 3.0
    return {"x": g}
