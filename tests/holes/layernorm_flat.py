"""Layer norm over rows, two of them near-constant (spread 1e-4, variance 1e-8, below
its eps of 1e-5): x − mean(x) there is 1e-4 that carries the ulps of 3, 2e-12 of
itself, and both A (xc̄ + μ̄ / D, terms of 300) and the complex step through the float64
forward carry that rounding, each their own way: A − N is 5e-13 of A, beyond a bound
that counts each value's own ulps only. Moved by the rounding each value carries
(measured against 80 bits), A − N moves by that much: PASS."""

import numpy as np

N, D, EPS = 4, 5, 1e-5
TARGETS = ["t"]


def init(rng):
    x = rng.standard_normal((N, D)) * 2 + 1
    x[1] = 3.0 + 1e-4 * rng.standard_normal(D)
    x[3] = -0.5 + 1e-4 * rng.standard_normal(D)
    return {
        "x": x,
        "gamma": 1 + 0.1 * rng.standard_normal((1, D)),
        "beta": 0.1 * rng.standard_normal((1, D)),
        "t": rng.standard_normal((N, D)),
    }


def forward(p, tap):
    mu = tap("mu", p["x"].mean(axis=1, keepdims=True))
    xc = tap("xc", p["x"] - mu)
    var = tap("var", (xc**2).mean(axis=1, keepdims=True))
    r = tap("r", 1 / np.sqrt(var + EPS))
    y = tap("y", p["gamma"] * xc * r + p["beta"])
    return 0.5 * np.sum((y - p["t"]) ** 2)


def centred(xc_bar, mu_bar):
    """x̄ from the centring's two paths."""
    return xc_bar + mu_bar / D


def backward(v):
    y_bar = v["y"] - v["t"]
    xhat_bar = y_bar * v["gamma"]
    r_bar = (xhat_bar * v["xc"]).sum(axis=1, keepdims=True)
    var_bar = -0.5 * r_bar * v["r"] ** 3
    xc_bar = xhat_bar * v["r"] + var_bar * 2 * v["xc"] / D
    mu_bar = -xc_bar.sum(axis=1, keepdims=True)
    return {
        "y": y_bar,
        "r": r_bar,
        "var": var_bar,
        "xc": xc_bar,
        "mu": mu_bar,
        "x": centred(xc_bar, mu_bar),
        "gamma": (y_bar * v["xc"] * v["r"]).sum(axis=0, keepdims=True),
        "beta": y_bar.sum(axis=0, keepdims=True),
    }
