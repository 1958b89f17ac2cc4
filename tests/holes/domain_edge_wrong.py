"""domain_edge.py with w̄ 10 % too large: its second entry, whose N is finite, FAILs;
the first, where no finite step stays inside sqrt's domain, decides nothing."""

import numpy as np

TARGETS = ["c"]


def init(rng):
    return {
        "w": np.array([1e4, 2.0]),
        "c": np.array([1e4 - 1e-5, 1.0]),
        "v": rng.standard_normal(3),
    }


def forward(p, tap):
    return np.sum(np.sqrt(p["w"] - p["c"])) + np.sum(np.sin(p["v"]))


def backward(v):
    return {"w": 0.55 / np.sqrt(v["w"] - v["c"]), "v": np.cos(v["v"])}
