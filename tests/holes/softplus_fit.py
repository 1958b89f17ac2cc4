"""A near fit through softplus and abs: ½ Σ (|softplus(x)| − d)² with residuals of 1e-8,
so x̄ = r σ(x), 1e-10 … 1e-9, sits on a curvature of 1. Central differences at h = 6e-6 ·
max(1, |x|) carry a truncation h² f‴ / 6 of up to 1e-4 of x̄, ten times the classic
rtol. abs makes the forward unsafe for the complex step: Richardson is the referee."""

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
    return {"x": r / (1.0 + np.exp(-x))}
