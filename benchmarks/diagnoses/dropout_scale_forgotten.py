"""BUG (one line changed from dropout.py):
the backward forgets the 1/keep of inverted dropout.

A linear layer with inverted dropout (a fixed mask, keep 0.8).

h = W x   d = h ∘ mask / 0.8   L = ½ Σ (d − t)²      h̄ = d̄ ∘ mask / 0.8
"""

import numpy as np

BUG = "the backward forgets the 1/keep of inverted dropout"
EXPECT = "scale"  # the diagnosis kind that names the cause
FIRST = "W"  # the first failing row, in backward order
SAYS = "c = 0.8"  # in the diagnosis's message
TARGETS = ["t"]
KEEP = 0.8
MASK = np.random.default_rng(5).random((4, 6)) < KEEP


def init(rng):
    return {
        "W": rng.standard_normal((4, 3)),
        "x": rng.standard_normal((3, 6)),
        "t": rng.standard_normal((4, 6)),
    }


def forward(p, tap):
    d = tap("d", p["W"] @ p["x"] * MASK / KEEP)
    return 0.5 * np.sum((d - p["t"]) ** 2)


def backward(v):
    d_bar = v["d"] - v["t"]
    h_bar = d_bar * MASK
    return {"d": d_bar, "W": h_bar @ v["x"].T, "x": v["W"].T @ h_bar}
