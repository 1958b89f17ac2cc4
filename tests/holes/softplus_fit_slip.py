"""softplus_fit.py with σ(x) taken at x + 1e-3 (a shifted argument): x̄ is off by 1e-3
(1 − σ(x)) relative, 5e-5 … 9e-4, entry by entry. The truncation central differences
carry there (1e-4) must not hide it."""

import numpy as np

TARGETS = ["d"]


def init(rng):
    x = np.array([[-2.0, 3.0], [2.5, -1.5], [1.0, 2.0]])
    return {"x": x, "d": np.logaddexp(0.0, x) + 1e-8 * rng.standard_normal(x.shape)}


def forward(p, tap):
    return 0.5 * np.sum((np.abs(np.logaddexp(0.0, p["x"])) - p["d"]) ** 2)


def backward(v):
    x = v["x"]
    r = np.logaddexp(0.0, x) - v["d"]
    return {"x": r / (1.0 + np.exp(-(x + 1e-3)))}
