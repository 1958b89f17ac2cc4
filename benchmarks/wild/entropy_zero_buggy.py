"""The entropy of p = x² / Σ x² (a regulariser); x has two exact zeros, where 0 log 0 = 0.

    S = Σ x²      q = x² / S      H = −Σ q log q   (0 where q = 0)
    g = −(log q + 1)  (0 where q = 0)      S̄ = −Σ g q / S      x̄ = 2 x g / S + 2 x S̄
A red team's model.

Slip: the mask q ≥ 0 for q > 0: log 0 at the two zeros makes S̄ and every entry of x̄ NaN
(the truth is finite, and 0 at the zeros).
"""

import numpy as np

EXPECT = ["S", "x"]
TRUTH = "C¹ at x_i = 0 (−x² log x² has slope 0 there): the gradient is unique, 0 at the zeros"

TARGETS = []


def init(rng):
    x = rng.standard_normal(6)
    x[1] = 0.0
    x[4] = 0.0
    return {"x": x}


def forward(p, tap):
    S = tap("S", np.sum(p["x"] ** 2))
    q = p["x"] ** 2 / S
    pos = q > 0
    return -np.sum(np.where(pos, q * np.log(np.where(pos, q, 1.0)), 0.0))


def backward(v):
    x, S = v["x"], v["S"]
    q = x**2 / S
    pos = q >= 0  # slip
    g = np.where(pos, -(np.log(np.where(pos, q, 1.0)) + 1), 0.0)  # dH/dq, 0 where q = 0
    S_bar = -np.sum(g * q) / S
    x_bar = 2 * x * g / S + 2 * x * S_bar
    return {"S": S_bar, "x": x_bar}
