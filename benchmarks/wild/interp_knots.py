"""Piecewise-linear interpolation np.interp(x, XP, fp): learned knot values fp and queries x.

    L = Σ c interp(x; XP, fp)      x̄ = c (fp_(k+1) − fp_k) / (XP_(k+1) − XP_k), 0 outside [XP₀, XP₃]
    f̄p_k += c (1 − τ),  f̄p_(k+1) += c τ      (k the segment of x, τ its place in it)
x[1] = 1.0 and x[2] = 2.5 sit on interior knots (kinks in x; the backward takes the
right-hand segment); x[4] = −0.7 and x[5] = 4.6 lie outside the knots, where interp
clamps (slope 0). np.interp is not complex-safe. A red team's model.
"""

import numpy as np

EXPECT = []
TRUTH = (
    "at a knot x̄_i is a set, c_i × [left slope, right slope]; the right-hand slope lies in "
    "it. truth_forward: interp as a sum of hat functions of x"
)

XP = np.array([0.0, 1.0, 2.5, 4.0])
TARGETS = ["c"]


def init(rng):
    return {
        "x": np.array([0.3, 1.0, 2.5, 3.2, -0.7, 4.6, 1.8]),
        "fp": rng.standard_normal(4),
        "c": rng.standard_normal(7),
    }


def truth_points(p):
    return [{**p, "x": p["x"] + 1e-9}, {**p, "x": p["x"] - 1e-9}]


def forward(p, tap):
    return np.sum(p["c"] * np.interp(p["x"], XP, p["fp"]))


def truth_forward(p, tap):
    x, n = p["x"], len(XP)
    hats = [np.clip((XP[1] - x) / (XP[1] - XP[0]), 0.0, 1.0)]
    for j in range(1, n - 1):
        up = (x - XP[j - 1]) / (XP[j] - XP[j - 1])
        down = (XP[j + 1] - x) / (XP[j + 1] - XP[j])
        hats.append(np.maximum(0.0, np.minimum(up, down)))
    hats.append(np.clip((x - XP[n - 2]) / (XP[n - 1] - XP[n - 2]), 0.0, 1.0))
    return np.sum(p["c"] * sum(p["fp"][j] * hats[j] for j in range(n)))


def backward(v):
    x, fp, c = v["x"], v["fp"], v["c"]
    k = np.clip(np.searchsorted(XP, x, side="right") - 1, 0, len(XP) - 2)
    width = XP[k + 1] - XP[k]
    tt = np.clip((x - XP[k]) / width, 0.0, 1.0)
    inside = (x >= XP[0]) & (x <= XP[-1])
    slope = (fp[k + 1] - fp[k]) / width
    x_bar = c * np.where(inside, slope, 0.0)
    fp_bar = np.zeros_like(fp)
    np.add.at(fp_bar, k, c * (1 - tt))
    np.add.at(fp_bar, k + 1, c * tt)
    return {"x": x_bar, "fp": fp_bar}
