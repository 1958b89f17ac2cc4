"""A fit whose residual rounds to exactly 0: r = x0 x1 / x2 − t with each target t the
float64 value of x0 x1 / x2 (fitted to the last bit), so r = 0 in float64 and a few
ulps of 4e7 (1e-8) in 80 bits. A = (r + 1) x1 / x2 carries r's rounding, which a bound
that keeps every exact 0 in place (a relu's dead unit carries none) never sees: x̄0 and
x̄2 FAILed at 8e-9 of A. A 0 that is not 0 in 80 bits is moved by what it carries."""

import numpy as np

TARGETS = ["t"]


def init(rng):
    x0 = -75.86773476041334 + rng.standard_normal((4, 1))
    x1 = np.array([[-274861692.03588766]])
    x2 = 552.8509952424394 + 10 * rng.standard_normal((4, 1))
    return {"x0": x0, "x1": x1, "x2": x2, "t": (x0 @ x1) / x2}


def forward(p, tap):
    v2 = tap("v2", (p["x0"] @ p["x1"]) / p["x2"])
    r = tap("r", v2 - p["t"])
    return np.sum(v2) + 0.5 * np.sum(r**2)


def backward(v):
    g2 = v["r"] + 1.0  # (∂L/∂v2: the sum's 1 and the fit's r)
    return {
        "r": v["r"],
        "v2": g2,
        "x0": (g2 / v["x2"]) @ v["x1"].T,
        "x1": v["x0"].T @ (g2 / v["x2"]),
        "x2": -g2 * v["v2"] / v["x2"],
    }
