"""max_tie.py with the slip: each row's gradient goes in full to every tied maximum
(x == m). Each tied entry alone lies between its one-sided derivatives; together they
sum to k times the max's derivative: no subgradient, FAIL."""

import numpy as np

TARGETS = []


def init(rng):
    return {"x": np.array([[2.0, 2.0, 1.0, -1.0], [0.0, 3.0, 3.0, 3.0], [1.0, -2.0, 0.5, 0.0]])}


def forward(p, tap):
    m = tap("m", p["x"].max(axis=1))
    return 0.5 * np.sum((3 * m - 1) ** 2)


def route(x, m):
    """Where each row's gradient goes: every tied maximum, in full (the slip)."""
    return (x == m[:, None]).astype(float)


def backward(v):
    m_bar = 3 * (3 * v["m"] - 1)
    return {"m": m_bar, "x": route(v["x"], v["m"]) * m_bar[:, None]}
