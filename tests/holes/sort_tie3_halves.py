"""A tie of three in a sort, beside a max of two equal leaves (a fuzzer's program, written
out). sort(x3) meets slot weights x4 that are not monotone; the stable order gives the
middle tied entry the middle slot, which no move of that entry alone reaches (up, it
takes the top slot; down, the bottom one). The max's backward splits its gradient in
halves between x1 and x2, a subgradient but no region's gradient, so the regions over
every leaf at once find none; x3 alone is the gradient of the region x3[0] < x3[1] <
x3[3]. Every row is correct: x̄3 KINK, no FAIL."""

import numpy as np

TARGETS = []


def init(rng):
    col = np.array([[-2.0], [-1.0], [1.0]])
    a, b = 0.15418090585839028, 0.6260697154486905
    return {
        "x1": col.copy(),
        "x2": col.copy(),
        "x3": np.array([[a, a, b, a]]),
        "x4": np.array([[0.5], [2.0], [-1.0], [0.7]]),
    }


def forward(p, tap):
    v1 = np.maximum(p["x1"], p["x2"])
    ordered = np.sort(p["x3"].ravel())[None, :]
    return np.sum(v1 @ p["x3"]) + float((ordered @ p["x4"]).item())


def backward(v):
    x1, x2, x3 = v["x1"], v["x2"], v["x3"]
    v1 = np.maximum(x1, x2)
    g = np.sum(x3) * np.ones_like(v1)  # (dL/dv1)
    share = np.where(x1 > x2, 1.0, np.where(x1 == x2, 0.5, 0.0))
    order = np.argsort(x3.ravel(), kind="stable")
    slots = np.empty(x3.size)
    slots[order] = v["x4"].ravel()
    return {
        "x1": g * share,
        "x2": g * (1.0 - share),
        "x3": np.sum(v1) + slots[None, :],
        "x4": np.sort(x3.ravel())[:, None],
    }
