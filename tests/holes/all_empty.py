"""Every checked leaf empty ((0, 3) and (0,)): nothing to check, and nothing to time
for the budget's estimate (it once divided by the 0 entries it probed)."""

import numpy as np

TARGETS = []


def init(rng):
    return {"E": np.zeros((0, 3)), "e": np.zeros((0,))}


def forward(p, tap):
    return np.sum(p["E"]) + np.sum(p["e"] ** 2) + 1.0


def backward(v):
    return {"E": np.zeros((0, 3)), "e": 2 * v["e"]}
