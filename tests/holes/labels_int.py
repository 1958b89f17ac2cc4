"""Float labels turned into indices (y.astype(int)) and W-bar 67 % wrong: moving y must
not flip the labels and excuse it: FAIL."""

import numpy as np

TARGETS = []


def init(rng):
    return {
        "W": rng.standard_normal((3, 4)),
        "x": rng.standard_normal((4, 5)),
        "y": np.array([0.0, 2.0, 1.0, 1.0, 0.0]),
    }


def forward(p, tap):
    z = p["W"] @ p["x"]
    z = z - z.real.max(axis=0) if np.iscomplexobj(z) else z - z.max(axis=0)
    lse = np.log(np.sum(np.exp(z), axis=0))
    idx = np.real(p["y"]).astype(int)
    return -np.sum(z[idx, np.arange(5)] - lse)


def backward(v):
    z = v["W"] @ v["x"]
    z = z - z.max(axis=0)
    s = np.exp(z)
    s /= s.sum(axis=0)
    s[v["y"].astype(int), np.arange(5)] -= 1
    return {"W": 0.33 * s @ v["x"].T, "x": v["W"].T @ s, "y": np.zeros(5)}  # W-bar 67% wrong
