"""BUG (one line changed from maxpool_ties.py): m̄ sent to every tied entry. Each entry
alone lies within its one-sided derivatives, but together the tie's entries sum to twice
m̄ where moving them together moves the max by m̄: no subgradient, FAIL.

Max over overlapping windows (size 3, stride 2) of whole numbers, with ties.

    m_k = max(x[2k], x[2k+1], x[2k+2])   y = v ∘ m   L = ½ Σ (y − t)²

x = [1, 3, 3, 0, 2, 1, 4, 0, 0]: window 0 has a tie (x1 = x2 = 3); x2 is also the unique
max of window 1; x6 is the unique max of windows 2 and 3 (its adjoint is a sum). The
backward routes each window's m̄ to its first argmax and accumulates.
"""

import numpy as np

CATEGORY = "kinks"
EXPECT = ["x"]
BUG = 'm̄ sent to every tied entry: each entry alone within its one-sided derivatives, not together'
KINKS = True
K = 4
TARGETS = ["t"]


def init(rng):
    x = np.array([1., 3., 3., 0., 2., 1., 4., 0., 0.])
    return {"x": x, "v": 1 + rng.random(K), "t": rng.standard_normal(K)}


def forward(p, tap):
    x = p["x"]
    m = tap("m", np.stack([x[2 * k:2 * k + 3].max() for k in range(K)]))
    y = tap("y", p["v"] * m)
    return 0.5 * np.sum((y - p["t"]) ** 2)


def backward(v):
    y_bar = v["y"] - v["t"]
    m_bar = y_bar * v["v"]
    x_bar = np.zeros_like(v["x"])
    for k in range(K):
        j = 2 * k + int(np.argmax(v["x"][2 * k:2 * k + 3]))
        x_bar[2 * k:2 * k + 3] += m_bar[k] * (v["x"][2 * k:2 * k + 3] == v["m"][k])
    return {"y": y_bar, "m": m_bar, "v": y_bar * v["m"], "x": x_bar}
