"""BUG (one line changed from conv1d.py):
x̄ by convolution where the adjoint is a correlation.

A 1-D convolution (a true one: the kernel flipped), 'valid' mode.

y = x ∗ w  (y_i = Σ_j w_j x_{i+K−1−j})      L = ½ Σ (y − t)²
x̄ = ȳ ⋆ w, full (np.correlate(ȳ, w, 'full'))      w̄ = (x ⋆ ȳ, valid) reversed
"""

import numpy as np

BUG = "x̄ by convolution where the adjoint is a correlation"
EXPECT = "convolution"  # the diagnosis kind that names the cause
FIRST = "x"  # the first failing row, in backward order
SAYS = "correlation"  # in the diagnosis's message
TARGETS = ["t"]
n, K = 10, 3


def init(rng):
    return {
        "x": rng.standard_normal(n),
        "w": rng.standard_normal(K),
        "t": rng.standard_normal(n - K + 1),
    }


def forward(p, tap):
    y = tap("y", np.convolve(p["x"], p["w"], mode="valid"))
    return 0.5 * np.sum((y - p["t"]) ** 2)


def backward(v):
    y_bar = v["y"] - v["t"]
    x_bar = np.convolve(y_bar, v["w"], mode="full")
    w_bar = np.correlate(v["x"], y_bar, mode="valid")[::-1]
    return {"y": y_bar, "x": x_bar, "w": w_bar}
