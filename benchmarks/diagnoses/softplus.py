"""A softplus layer. Correct.

z = W x   h = softplus(z) = log(1 + eᶻ)   L = ½ Σ (h − t)²      z̄ = h̄ ∘ σ(z)
"""

import numpy as np

EXPECT = None
TARGETS = ["t"]


def init(rng):
    return {
        "W": rng.standard_normal((4, 3)),
        "x": rng.standard_normal((3, 5)),
        "t": rng.standard_normal((4, 5)),
    }


def forward(p, tap):
    z = tap("z", p["W"] @ p["x"])
    h = tap("h", np.logaddexp(0, z))
    return 0.5 * np.sum((h - p["t"]) ** 2)


def backward(v):
    h_bar = v["h"] - v["t"]
    z_bar = h_bar / (1 + np.exp(-v["z"]))
    return {"h": h_bar, "z": z_bar, "W": z_bar @ v["x"].T, "x": v["W"].T @ z_bar}
