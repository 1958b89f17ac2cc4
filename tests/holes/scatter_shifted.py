"""A bias per item, looked up by item ids (L = Σ_k w_k b[id_k]), whose backward scatters
one item's gradient to the next id: +g at one entry of b̄ and −g missing at its
neighbour (a red team's id one ulp below its integer, truncated by astype(int)). Along
a direction of ±1 entries the pair cancels wherever both signs agree, all of 4
directions one time in 16, and a sample of 64 of 3,000 entries rarely holds either: the
budget's fallback PASSed it (tests/test_holes.py: FAIL at every seed)."""

import numpy as np

TARGETS = ["w"]
ITEMS, USES = 3000, 400


def init(rng):
    return {"b": 0.1 * rng.standard_normal(ITEMS), "w": rng.standard_normal(USES)}


IDS = np.random.default_rng(5).integers(0, ITEMS - 1, USES)


def forward(p, tap):
    return np.sum(p["w"] * p["b"][IDS]) + 0.5 * np.sum(p["b"] ** 2)


def backward(v):
    ids = IDS.copy()
    ids[7] += 1  # (the slip: one use's gradient scattered to the next id)
    b_bar = v["b"].copy()
    np.add.at(b_bar, ids, v["w"])
    return {"b": b_bar}
