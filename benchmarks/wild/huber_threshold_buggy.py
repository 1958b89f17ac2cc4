"""Huber loss (δ = 1) on a linear model's residuals; integer data, residuals exactly ±δ and 0.

    r = W x − t      L = Σ huber(r) / n      huber(r) = ½ r² (|r| ≤ δ), δ (|r| − ½ δ) (|r| > δ)
    r̄ = (r where |r| ≤ δ, δ sign r elsewhere) / n      W̄ = r̄ xᵀ      x̄ = Wᵀ r̄
t = W x − R makes r exactly R: four residuals sit at ±δ, one at 0. x̄[0, 2] is exactly 0 (the
column's residuals 0, +δ, −½ cancel), where L has a jump in its second derivative. The
forward is not complex-safe (np.abs). A red team's model.

Slip: the linear branch's δ sign(r) written δ (the sign lost): r̄ has the wrong sign at
the 3 of 15 entries where r < −δ ([0, 4], [2, 0], [2, 4]; relative error 2); W̄ is wrong
at 7 of 12 entries, x̄ at 7 of 20 (1.3 and 1.2 of each row's largest entry).
"""

import numpy as np

EXPECT = ["r", "W", "x"]
TRUTH = (
    "C¹ at |r| = δ (both branches have slope ±δ; only the second derivative jumps): the "
    "gradient is unique; the truth is taken on both sides of the ties"
)

DELTA = 1.0
TARGETS = ["t"]


def init(rng):
    W = rng.integers(-2, 3, (3, 4)).astype(float)
    x = rng.integers(-2, 3, (4, 5)).astype(float)
    R = np.array(
        [
            [1.0, -1.0, 0.0, 2.5, -3.0],
            [0.5, -0.25, 1.0, -1.0, 4.0],
            [-2.0, 0.75, -0.5, 1.5, -1.25],
        ]
    )
    return {"W": W, "x": x, "t": W @ x - R}  # so r = W x − t = R exactly


def truth_points(p):
    rng = np.random.default_rng(1)
    out = []
    for _ in range(10):
        d = 1e-12 * rng.standard_normal(p["t"].shape)
        out += [{**p, "t": p["t"] + d}, {**p, "t": p["t"] - d}]
    return out


def forward(p, tap):
    r = tap("r", p["W"] @ p["x"] - p["t"])
    a = np.abs(r)
    l = np.where(a <= DELTA, 0.5 * r**2, DELTA * (a - 0.5 * DELTA))
    return np.sum(l) / r.size


def backward(v):
    r = v["r"]
    r_bar = np.where(np.abs(r) <= DELTA, r, DELTA * np.ones_like(r)) / r.size  # slip
    return {"r": r_bar, "W": r_bar @ v["x"].T, "x": v["W"].T @ r_bar}
