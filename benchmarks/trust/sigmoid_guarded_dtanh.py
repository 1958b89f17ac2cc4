"""BUG (one line changed from sigmoid_guarded.py): σ' written 1 − s² (tanh's).

An overflow-guarded sigmoid, inputs from ~1 to ~1e3 (pre-activations up to ±1000).

    z = W x   s = where(z ≥ 0, 1 / (1 + e^−z), e^z / (1 + e^z))   L = ½ Σ (s − t)²

Column 0 of x is ~1, column 1 ~30 (s(1 − s) ~ 1e-13: 1 − s loses digits), column 2 ~1e3
(s is exactly 0 or 1). The backward writes σ' = s (1 − s), as a student would.
"""

import numpy as np

CATEGORY = "complex-unsafe"
EXPECT = ['z', 'W', 'x']
BUG = "σ' written 1 − s² (tanh's)"
D, H, B = 4, 3, 3
TARGETS = ["t"]


def init(rng):
    W = rng.standard_normal((H, D))
    x = rng.standard_normal((D, B))
    x *= np.array([1.0, 30.0, 1e3]) / np.abs(W @ x).max(axis=0)
    return {"W": W, "x": x, "t": rng.random((H, B))}


def forward(p, tap):
    z = tap("z", p["W"] @ p["x"])
    s = tap("s", np.where(z >= 0, 1 / (1 + np.exp(-z)), np.exp(z) / (1 + np.exp(z))))
    return 0.5 * np.sum((s - p["t"]) ** 2)


def backward(v):
    s = v["s"]
    s_bar = s - v["t"]
    z_bar = s_bar * (1 - s ** 2)
    return {"s": s_bar, "z": z_bar, "W": z_bar @ v["x"].T, "x": v["W"].T @ z_bar}
