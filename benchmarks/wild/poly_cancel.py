"""A polynomial p(x) = x⁵ − 5x³ + 4x, summed with weights c, at |x| from 120 to 2000.

    L = Σ c (x⁵ − 5x³ + 4x)      x̄ = c (5x⁴ − 15x² + 4)
x̄ spans 1.3e8 (x = 120) to 4.3e13 (x = −2000); its +4 c terms are at most 6e-14 of the
row's largest entry, and 3.9e-9 of x̄[0].
A red team's model.
"""

import numpy as np

EXPECT = []
TRUTH = "smooth everywhere"
TRUTH_RTOL = 1e-15  # A is within 2e-16 of the row's largest; the slip ≥ 9.8e-15 at every entry

TARGETS = ["c"]


def init(rng):
    return {"x": np.array([120.0, 300.0, -500.0, 1000.0, -2000.0]), "c": rng.standard_normal(5)}


def forward(p, tap):
    x = p["x"]
    return np.sum(p["c"] * (x**5 - 5 * x**3 + 4 * x))


def backward(v):
    x = v["x"]
    return {"x": v["c"] * (5 * x**4 - 15 * x**2 + 4)}
