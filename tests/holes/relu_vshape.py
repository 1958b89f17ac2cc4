"""One relu unit, two samples both at its kink: z_n = w x_n + b with w = b = 0, data
x = (−1, 1); L = ½ Σ_n (relu(z_n) − t_n)², t = (−1, 2). The backward takes relu'(0) = 0
(torch's): w̄ = b̄ = 0, the gradient of the region b < −|w| (both units off), which
touches θ. Along w alone the samples switch on on opposite sides (one-sided derivatives
−1 and −2), so 0 lies outside w's sides though it is a region's gradient: KINK
(regions.py), not FAIL."""

import numpy as np

TARGETS = ["x", "t"]


def init(rng):
    return {
        "w": np.array([0.0]),
        "b": np.array([0.0]),
        "x": np.array([-1.0, 1.0]),
        "t": np.array([-1.0, 2.0]),
    }


def forward(p, tap):
    z = p["w"][0] * p["x"] + p["b"][0]
    return 0.5 * np.sum((np.maximum(z, 0.0) - p["t"]) ** 2)


def backward(v):
    z = v["w"][0] * v["x"] + v["b"][0]
    r = np.maximum(z, 0.0) - v["t"]
    zb = r * (z > 0)
    return {"w": np.array([np.sum(zb * v["x"])]), "b": np.array([np.sum(zb)])}
