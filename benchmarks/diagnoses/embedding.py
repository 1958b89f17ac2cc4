"""An embedding lookup with repeated indices, then a linear read-out. Correct.

e = E[idx]   y = e w   L = ½ Σ (y − t)²      Ē = Σ over the lookups (np.add.at)
"""

import numpy as np

EXPECT = None
TARGETS = ["t"]
IDX = np.array([1, 4, 1, 2, 4, 0])


def init(rng):
    return {
        "E": rng.standard_normal((6, 3)),
        "w": rng.standard_normal(3),
        "t": rng.standard_normal(len(IDX)),
    }


def forward(p, tap):
    e = tap("e", p["E"][IDX])
    return 0.5 * np.sum((e @ p["w"] - p["t"]) ** 2)


def backward(v):
    y_bar = v["e"] @ v["w"] - v["t"]
    e_bar = np.outer(y_bar, v["w"])
    E_bar = np.zeros_like(v["E"])
    np.add.at(E_bar, IDX, e_bar)
    return {"e": e_bar, "E": E_bar, "w": v["e"].T @ y_bar}
