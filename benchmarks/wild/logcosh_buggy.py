"""log-cosh regression loss in its overflow-safe form; residuals ±50, ±3, ±0.5, 0 and −0.1.

    r = W x − t      L = Σ [|r| + log1p(e^(−2|r|)) − log 2] / n   (= Σ log cosh r / n)
    r̄ = sign(r) (1 − 2e / (1 + e)) / n = tanh(r) / n,   e = e^(−2|r|)
The forward is not complex-safe (np.abs). A red team's model.

Slip: sign(r) (1 − 2e/(1 + e)) written sign(r) − 2e/(1 + e): r̄ is wrong where r < 0, by
4e/(1 + e)/n (relative 1e-2 at r = −3, 18 at r = −0.1; not at r = −50, where it is
e^−100), and at r = 0, where A = −1/8 and the truth is 0; W̄ 6 of 6 entries, x̄ 9 of 12
(1.1 and 2.7 of each row's largest entry).
"""

import numpy as np

EXPECT = ["r", "W", "x"]
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
    r_bar = (np.sign(r) - 2 * e / (1 + e)) / r.size  # slip
    return {"r": r_bar, "W": r_bar @ v["x"].T, "x": v["W"].T @ r_bar}
