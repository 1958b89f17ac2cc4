"""log-cosh regression loss in its overflow-safe form; residuals ±50, ±3, ±0.5, 0 and −0.1.

    r = W x − t      L = Σ [|r| + log1p(e^(−2|r|)) − log 2] / n   (= Σ log cosh r / n)
    r̄ = sign(r) (1 − 2e / (1 + e)) / n = tanh(r) / n,   e = e^(−2|r|)
The forward is not complex-safe (np.abs). A red team's model.
"""

import numpy as np

EXPECT = []
TRUTH = "smooth everywhere (log cosh is analytic; at r = 0, |r| meets a zero slope)"

TARGETS = ["t"]


def init(rng):
    W = rng.standard_normal((2, 3))
    x = rng.standard_normal((3, 4))
    R = np.array([[-50.0, -3.0, -0.5, 0.0], [0.5, 3.0, 50.0, -0.1]])
    return {"W": W, "x": x, "t": W @ x - R}


def forward(p, tap):
    r = tap("r", p["W"] @ p["x"] - p["t"])
    a = np.abs(r)
    return np.sum(a + np.log1p(np.exp(-2 * a)) - np.log(2.0)) / r.size


def backward(v):
    r = v["r"]
    e = np.exp(-2 * np.abs(r))
    r_bar = np.sign(r) * (1 - 2 * e / (1 + e)) / r.size
    return {"r": r_bar, "W": r_bar @ v["x"].T, "x": v["W"].T @ r_bar}
