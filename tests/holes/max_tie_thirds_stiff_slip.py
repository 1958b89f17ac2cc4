"""max_tie_thirds_stiff.py with the thirds' sign slipped (−1/3 each): outside every
tied entry's sides, a FAIL under every engine. A max over integer data with three
entries tied, beside a stiff quadratic (3e6) near its fit (slopes of 0.1 to 0.3) in a loss of
1.5e6: the tie's jump of 1 hides under the curvature's spread at every step of the kink
test (about 1e2 at h), and at θ's own scale steps whose round-off is above that jump
must not show the loss smooth (a fuzzer's program, 9000359, FAILed so). Each tied
entry lies between its sides: KINK."""

import numpy as np

TARGETS = ["y"]
C = 3e6


def init(rng):
    x = np.array([3.0, 3.0, -1.0, 3.0, 2.0])
    r = 1e-7 * np.array([1.0, -0.7, 0.4, 0.4, -0.3])
    return {"x": x, "y": x - r, "b": np.array([900.0, -800.0])}


def forward(p, tap):
    fit = 0.5 * C * np.sum((p["x"] - p["y"]) ** 2)
    return np.max(p["x"]) + fit + np.sum(p["b"] ** 2)


def backward(v):
    x = v["x"]
    xb = C * (x - v["y"])
    xb[x == np.max(x)] -= 1.0 / np.sum(x == np.max(x))
    return {"x": xb, "b": 2 * v["b"]}
