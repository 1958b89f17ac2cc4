"""Two equal leaves tied in a max beside a near fit (a fuzzer's program 6000964 of seed
6): L = max(b, 0.1 b) + ½ (max(a, b) − t)², a = b, and max(a, b) − t = −2.3e-12. Along
a the one-sided derivatives are 0 and −2.3e-12, along b 1 and 1 − 2.3e-12; the backward
gives each tied leaf half of the max's (HIPS autograd's rule), a subgradient. The jump,
2e-12 of b's derivative, is far below what KINK_SAME told apart, and a move of θ by
1e-10 |θ| moves the loss off its fit by more than the jump: only the complex step by
+ih and by −ih finds the sides. Both rows FAILed under the complex step; they are KINK,
and an A beyond the sides FAILs (tests/test_holes.py)."""

import numpy as np

TARGETS = ["t"]


def init(rng):
    return {
        "a": np.array(1.6086467044212134),
        "b": np.array(1.6086467044212134),
        "t": np.array(1.608646704423511),
    }


def forward(p, tap):
    a, b = p["a"], p["b"]
    return np.maximum(b, 0.1 * b) + 0.5 * (np.maximum(a, b) - p["t"]) ** 2


def backward(v):
    a, b = v["a"], v["b"]
    g = np.maximum(a, b) - v["t"]
    share = np.where(a == b, 0.5, 1.0)  # (the tie: half of the max's derivative to each)
    return {"a": share * g * (a >= b), "b": 1.0 + share * g * (b >= a)}
