"""A weighted sort of values 5e-7 apart: L = Σ w · sort(v) with v = log(1 + eˣ) of x
about 1e-6 (a fuzzer's program 3000569 of seed 3, cut down, its backward written out).
v̄ is w in sorted order, a step function of v whose steps lie 5e-7 from θ: central's
step of 6e-6 and its kink test's h/8 (7.6e-7) straddle them, its h/64 does not. The
difference at h/8 replaced N where h straddled, still off: v̄ FAILed at 8e-2 of A under
central."""

import numpy as np

TARGETS = ["w"]


def init(rng):
    x = 1e-6 * np.array([[-1.7, 8.9, 1.4, 6.3, 0.7], [-12.5, 25.2, -13.9, 0.3, 7.3]])
    return {"x": x, "w": np.linspace(-1.5, 1.4, 10).reshape(2, 5)}


def forward(p, tap):
    v = tap("v", np.logaddexp(0.0, p["x"]))
    return np.sum(p["w"].ravel() * np.sort(v.ravel()))


def backward(v):
    order = np.argsort(v["v"].ravel(), kind="stable")
    g = np.empty(10)
    g[order] = v["w"].ravel()
    v_bar = g.reshape(2, 5)
    return {"v": v_bar, "x": v_bar / (1.0 + np.exp(-v["x"]))}
