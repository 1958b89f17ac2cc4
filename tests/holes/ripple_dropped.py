"""ripple.py's slip: x̄ without the ripple's 2e-6 cos(2e6 x), 1e-6 of it. Richardson's
coarse steps agree with it; its finest steps, the complex step and 80-bit steps finer
still do not (it PASSed at 2.7e-8 under auto, which took the forward for not
complex-safe, and under Richardson, which kept its coarse steps)."""

import numpy as np

TARGETS = ["t"]


def init(rng):
    r = np.random.default_rng(5)
    return {
        "W": r.standard_normal((3, 4)),
        "x": r.standard_normal(4),
        "t": r.standard_normal(3),
    }


def forward(p, tap):
    y = tap("y", p["W"] @ p["x"])
    return 0.5 * np.sum((y - p["t"]) ** 2) + 1e-12 * np.sum(np.sin(2e6 * p["x"]))


def backward(v):
    yb = v["y"] - v["t"]
    xb = v["W"].T @ yb
    return {"y": yb, "W": np.outer(yb, v["x"]), "x": xb}
