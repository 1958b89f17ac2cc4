"""f32_hidden.py with tanh' forgotten in W̄1 (a red team's slip): on the staircase a kink
the kink test's steps see is unresolved where A lies among what those steps saw
(verdict._among_stairs), but W̄1 of −20.4, where every step lies near −3.5, FAILs under
every engine (it was WEAK while every staircase kink was unresolved)."""

import numpy as np

TARGETS = ["t"]


def init(rng):
    r = np.random.default_rng(20)
    return {
        "W1": r.standard_normal((4, 3)),
        "x": r.standard_normal((3, 2)),
        "W2": r.standard_normal((2, 4)),
        "t": r.standard_normal((2, 2)),
    }


def forward(p, tap):
    z = tap("z", p["W1"] @ p["x"])
    h = tap("h", np.tanh(z.astype(np.float32)).astype(np.float64))
    y = tap("y", p["W2"] @ h)
    return 0.5 * np.sum((y - p["t"]) ** 2)


def backward(v):
    y_bar = v["y"] - v["t"]
    h_bar = v["W2"].T @ y_bar
    z_bar = h_bar * (1 - v["h"] ** 2)
    return {
        "y": y_bar,
        "W2": y_bar @ v["h"].T,
        "h": h_bar,
        "z": z_bar,
        "W1": h_bar @ v["x"].T,  # tanh' forgotten
        "x": v["W1"].T @ z_bar,
    }
