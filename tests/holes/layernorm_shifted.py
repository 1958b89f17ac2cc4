"""Layer norm over rows far from 0 (50 and −200, spread 1e-4), its backward written
from the forward's normalised values and variance. Each row's mean rounds at the ulps of
its offset, and that one rounding shifts every x − mean(x) of the row the same way: x̂
carries it, 1e-8 of itself, and x̄'s formula (r times x̂'s sums over the row) amplifies
it beyond A's own ulps. Forward values moved by their rounding at random signs cancel in
those sums; moved in the signs they were rounded in, they show it: PASS."""

import numpy as np

B, D, EPS = 4, 8, 1e-10
TARGETS = ["t"]


def init(rng):
    offset = np.array([[50.0], [-200.0], [50.0], [-200.0]])
    return {
        "x": offset + 1e-4 * rng.standard_normal((B, D)),
        "gamma": 1 + 0.2 * rng.standard_normal(D),
        "beta": 0.1 * rng.standard_normal(D),
        "t": rng.standard_normal((B, D)),
    }


def forward(p, tap):
    xc = p["x"] - p["x"].mean(axis=1, keepdims=True)
    var = tap("var", (xc**2).mean(axis=1, keepdims=True))
    xhat = tap("xhat", xc / np.sqrt(var + EPS))
    y = p["gamma"] * xhat + p["beta"]
    return 0.5 * np.sum((y - p["t"]) ** 2)


def backward(v):
    y_bar = v["gamma"] * v["xhat"] + v["beta"] - v["t"]
    xhat_bar = y_bar * v["gamma"]
    r = 1 / np.sqrt(v["var"] + EPS)
    xh = v["xhat"]
    mean = xhat_bar.mean(axis=1, keepdims=True)
    spread = (xhat_bar * xh).mean(axis=1, keepdims=True)
    return {
        "xhat": xhat_bar,
        "var": -0.5 * r**3 * (xhat_bar * xh / r).sum(axis=1, keepdims=True),
        "x": r * (xhat_bar - mean - xh * spread),
        "gamma": (y_bar * xh).sum(axis=0),
        "beta": y_bar.sum(axis=0),
    }
