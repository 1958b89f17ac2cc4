"""L = Σ_i w_i sort(x)_i at a three-way tie x = (1, 1, 1), data weights w = (1, −2, 1).
The backward scatters w through a stable argsort, x̄ = (1, −2, 1) (torch.sort's): the
gradient of the region x0 < x1 < x2. Along x1 alone the loss is smooth with slope 1
(x1 lands last moved up, first moved down): KINK (regions.py), not FAIL. The complex
step sorts by real part, ties by the imaginary: one side only."""

import numpy as np

TARGETS = ["w"]


def init(rng):
    return {"x": np.array([1.0, 1.0, 1.0]), "w": np.array([1.0, -2.0, 1.0])}


def forward(p, tap):
    return np.sum(p["w"] * np.sort(p["x"]))


def backward(v):
    dx = np.zeros_like(v["x"])
    dx[np.argsort(v["x"], kind="stable")] = v["w"]
    return {"x": dx}
