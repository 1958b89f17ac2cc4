"""Layer normalisation of each column, then a squared-error loss; backward by hand.

    μ = mean(x)            1×B    (over the D features of each column)
    xc = x − μ             D×B
    σ² = mean(xc²)         1×B
    r = 1 / √(σ² + ε)      1×B
    x̂ = xc r               D×B
    y = γ ∘ x̂ + β          D×B    γ, β: D×1
    L = ½ Σ (y − t)²

Check it:  gradcheck check examples/layernorm.py
"""

import numpy as np

D, B, EPS = 6, 4, 1e-5

TARGETS = ["t"]
SHAPES = {"x": "D×B", "gamma": "D×1", "beta": "D×1", "mu": "1×B", "xc": "D×B", "var": "1×B",
          "r": "1×B", "xhat": "D×B", "y": "D×B"}


def init(rng):
    return {"x": rng.standard_normal((D, B)) * 2 + 1,
            "gamma": 1 + 0.1 * rng.standard_normal((D, 1)),
            "beta": 0.1 * rng.standard_normal((D, 1)), "t": rng.standard_normal((D, B))}


def forward(p, tap):
    mu = tap("mu", p["x"].mean(axis=0, keepdims=True))
    xc = tap("xc", p["x"] - mu)
    var = tap("var", (xc ** 2).mean(axis=0, keepdims=True))
    r = tap("r", 1 / np.sqrt(var + EPS))
    xhat = tap("xhat", xc * r)
    y = tap("y", p["gamma"] * xhat + p["beta"])
    return 0.5 * np.sum((y - p["t"]) ** 2)


def backward(v):
    y_bar = v["y"] - v["t"]
    xhat_bar = y_bar * v["gamma"]
    r_bar = (xhat_bar * v["xc"]).sum(axis=0, keepdims=True)
    var_bar = -0.5 * r_bar * v["r"] ** 3
    xc_bar = xhat_bar * v["r"] + var_bar * 2 * v["xc"] / D
    mu_bar = -xc_bar.sum(axis=0, keepdims=True)
    x_bar = xc_bar + mu_bar / D
    return {"y": y_bar, "xhat": xhat_bar, "r": r_bar, "var": var_bar, "xc": xc_bar, "mu": mu_bar,
            "x": x_bar, "gamma": (y_bar * v["xhat"]).sum(axis=1, keepdims=True),
            "beta": y_bar.sum(axis=1, keepdims=True)}
