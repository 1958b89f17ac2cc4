"""Max-pooling over windows of 2 along each row (stride 2). Correct. (Moving exact values
by ulps broke x == m here: they are not rounded, and stay.)

m_{b,k} = max(x_{b,2k}, x_{b,2k+1})      L = ½ Σ (m − t)²
x̄ = m̄ routed to each window's maximum, zero elsewhere
"""

import numpy as np

EXPECT = None
TARGETS = ["t"]
B, n = 3, 8


def init(rng):
    return {"x": rng.standard_normal((B, n)), "t": rng.standard_normal((B, n // 2))}


def forward(p, tap):
    m = tap("m", p["x"].reshape(B, n // 2, 2).max(axis=2))
    return 0.5 * np.sum((m - p["t"]) ** 2)


def backward(v):
    m_bar = v["m"] - v["t"]
    at_max = v["x"].reshape(B, n // 2, 2) == v["m"][:, :, None]
    x_bar = (at_max * m_bar[:, :, None]).reshape(B, n)
    return {"m": m_bar, "x": x_bar}
