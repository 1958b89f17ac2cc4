"""BUG (one line changed from label_smoothing.py):
q's uniform part ε/K forgotten in the backward.

Softmax cross-entropy with label smoothing, averaged over the batch.

z = x W   p = softmax(z) (rows)   q = (1 − ε) t + ε/K   L = −(1/B) Σ q ∘ log p
z̄ = (p − q)/B
"""

import numpy as np

BUG = "q's uniform part ε/K forgotten in the backward"
EXPECT = "offset"  # the diagnosis kind that names the cause
FIRST = "z"  # the first failing row, in backward order
SAYS = "constant"  # in the diagnosis's message
TARGETS = ["t"]
B, K, E = 4, 5, 0.1


def init(rng):
    return {
        "x": rng.standard_normal((B, 3)),
        "W": rng.standard_normal((3, K)),
        "t": np.eye(K)[rng.integers(0, K, B)],
    }


def forward(p, tap):
    z = tap("z", p["x"] @ p["W"])
    logp = z - z.max(axis=1, keepdims=True)
    logp = logp - np.log(np.sum(np.exp(logp), axis=1, keepdims=True))
    q = (1 - E) * p["t"] + E / K
    return -np.sum(q * logp) / B


def backward(v):
    z = v["z"]
    e = np.exp(z - z.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    q = (1 - E) * v["t"]
    z_bar = (p - q) / B
    return {"z": z_bar, "x": z_bar @ v["W"].T, "W": v["x"].T @ z_bar}
