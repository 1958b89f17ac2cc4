"""log1p_near_fit.py without its tap: nothing pins the complex step's real parts to the
forward's, and numpy's complex log1p of 3e-10 (off by 3e-7 of it) reaches y − d. In 80
bits it is off by 1e-10 of it: where A agrees with that complex step, within what
float64's moved from it (its own error, measured), x̄ is that reference's, the bound
widened to that move (fuzzer 10000125 FAILed so at 1e-13: a log1p of x² at x = 1e-5
beside a sort and a near fit). Here that move is 1e16 |A| at [1, 0]: x̄ is WEAK, with
no resolution, under every engine, where it FAILed under the complex step."""

import numpy as np

TARGETS = ["c", "d"]


def init(rng):
    x = np.array([[9175.35, 28405.99], [181467.07, -55083.32], [153262.28, 138197.35]])
    c = np.array([[3.0, 2.0, -1.0], [1.0, -3.0, -3.0]])
    u = x / (1.0 + x * x)
    off = np.array([[1.7, -2.2, 0.4], [3.1, -0.9, 1.3], [-2.6, 0.8, 2.0]])
    d = np.log1p(u * u) @ c + 1e-17 * off
    return {"x": x, "c": c, "d": d, "a": np.array([1.2e-8, -0.7e-8, 2.9e-8])}


def forward(p, tap):
    u = p["x"] / (1.0 + p["x"] * p["x"])
    v = np.log1p(u * u)
    return np.sum(p["a"]) + 0.5 * np.sum((v @ p["c"] - p["d"]) ** 2)


def backward(v):
    x = v["x"]
    u = x / (1.0 + x * x)
    v_bar = (np.log1p(u * u) @ v["c"] - v["d"]) @ v["c"].T
    u_bar = v_bar * 2 * u / (1.0 + u * u)
    x_bar = u_bar * (1.0 - x * x) / (1.0 + x * x) ** 2
    return {"a": np.ones(3), "x": x_bar}
