"""A near fit through a tapped complex log1p (fuzzer program 4000128, cut down, its
backward written out): v = log1p(u²) with u = x / (1 + x²) of about 1e-5, so v is 1e-10,
and d matches v @ c to 1e-17, beside Σ a of 1e-8 (the complex-safety probe sees the
loss safe). numpy's complex log1p of 3e-10 is off by 3e-7 of it (1e-16), which the
complex step carried into y − d: x̄ FAILed, correct, under auto (the program: 2e-29
where x̄ is 3e-36). The tap's real part is the forward's own (files._pinned): x̄ is WEAK at the
rounding of y − d (1e-4), and 10 times that planted FAILs."""

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
    v = tap("v", np.log1p(u * u))
    return np.sum(p["a"]) + 0.5 * np.sum((v @ p["c"] - p["d"]) ** 2)


def backward(v):
    x = v["x"]
    u = x / (1.0 + x * x)
    v_bar = (v["v"] @ v["c"] - v["d"]) @ v["c"].T
    u_bar = v_bar * 2 * u / (1.0 + u * u)
    x_bar = u_bar * (1.0 - x * x) / (1.0 + x * x) ** 2
    return {"a": np.ones(3), "v": v_bar, "x": x_bar}
