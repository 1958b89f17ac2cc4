"""A near fit of x − a / x with a of 2e5: ½ Σ (x − a/x − t)², residuals of 1e-3 against
terms of 2e5. The forward is analytic, but float64's complex step and Richardson both
carry the residuals' rounding (eps · 2e5 / 1e-3) and disagree along a probe direction
on unit scales by 1e-7: in 80 bits they agree, and the complex step is used."""

import numpy as np

TARGETS = ["a", "t"]


def init(rng):
    x = rng.uniform(0.5, 1.5, 4)
    a = 2e5 * (1.0 + rng.uniform(0.0, 1.0, 4))
    return {"x": x, "a": a, "t": x - a / x + 1e-3 * rng.standard_normal(4)}


def forward(p, tap):
    x = p["x"]
    return 0.5 * np.sum((x - p["a"] / x - p["t"]) ** 2)


def backward(v):
    x = v["x"]
    r = x - v["a"] / x - v["t"]
    return {"x": r * (1.0 + v["a"] / x**2)}
