"""A causal 1-D convolution (the first n outputs of the full one). Correct.

y_i = Σ_j w_j x_{i−j}  (np.convolve(x, w)[:n])   L = ½ Σ (y − t)²
x̄ = (ȳ ⋆ w, full)[K−1 : K−1+n]
"""

import numpy as np

EXPECT = None
TARGETS = ["t"]
n, K = 12, 3


def init(rng):
    return {"x": rng.standard_normal(n), "w": rng.standard_normal(K), "t": rng.standard_normal(n)}


def forward(p, tap):
    y = tap("y", np.convolve(p["x"], p["w"])[:n])
    return 0.5 * np.sum((y - p["t"]) ** 2)


def backward(v):
    y_bar = v["y"] - v["t"]
    x_bar = np.correlate(y_bar, v["w"], mode="full")[K - 1 : K - 1 + n]
    w_bar = np.array([np.dot(y_bar[j:], v["x"][: n - j]) for j in range(K)])
    return {"y": y_bar, "x": x_bar, "w": w_bar}
