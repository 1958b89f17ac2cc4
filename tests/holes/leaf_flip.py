"""A term 3e-7 · w₁, where a₁ == c₁, data equal to the last bit (not integers): a
leaf moved by ulps flips that decision, and the true w̄ changes by 3e-7 with it, 1.9e-6 of
it. With the term in w̄, A and N flip together; dropped (leaf_flip_dropped.py), A − N
moves by that between the moves, which is no rounding (LEAF_CREDIBLE, 1e-6): the FAIL
stands."""

import numpy as np

TARGETS = ["x", "y", "a", "c"]


def init(rng):
    r = np.random.default_rng(3)
    a = r.uniform(0.1, 0.9, 4)
    return {
        "w": r.standard_normal(4),
        "x": r.standard_normal(4),
        "y": r.standard_normal(4),
        "a": a,
        "c": np.where(np.arange(4) == 1, a, a + 0.5),
    }


def forward(p, tap):
    r = p["w"] * p["x"] - p["y"]
    return 0.5 * np.sum(r**2) + 3e-7 * np.sum(np.where(p["a"] >= p["c"], p["w"], 0.0))


def backward(v):
    r = v["w"] * v["x"] - v["y"]
    return {"w": r * v["x"] + 3e-7 * (v["a"] >= v["c"])}
