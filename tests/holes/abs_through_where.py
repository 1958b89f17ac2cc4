"""An L1 term of a leaf picked by np.where, beside a loss of 3e8 from another leaf:
L = Σ x1 + Σ d |where(m, x2, u)|, |x2| about 1e-5. np.where (not a ufunc) returned a
plain array, so the probe's audit lost the complex step's values before the abs and did
not see it drop d sign(x2) from Im L; nor could a difference of L (its round-off, 5e-3
under central's step, hides no part of it, but the probe's own steps crossed the kink):
x̄2 FAILed under auto at a stated resolution of 1e-13. Under central the second look
rebuilt the classic bound without its floor, a central difference's own round-off
(4 eps |L| / h = 0.05 here), and x̄2 FAILed at an error of 3e-3."""

import numpy as np

TARGETS = ["m", "d"]


def init(rng):
    return {
        "x1": 1e8 * (1 + rng.random((2, 2))),
        "x2": np.array([[-1.0e-5, 3.4e-6], [-9.9e-6, -2.5e-7]]),
        "u": np.array([[0.0, 2.0], [-1.0, -1.0]]),
        "m": np.array([[0.0, 1.0], [1.0, 1.0]]),
        "d": np.array([[1.0, 2.2], [-0.9, -0.6]]),
    }


def forward(p, tap):
    v = tap("v", np.abs(np.where(p["m"] > 0.5, p["x2"], p["u"])))
    return np.sum(p["x1"]) + np.sum(p["d"] * v)


def backward(v):
    picked = v["m"] > 0.5
    slope = v["d"] * np.sign(np.where(picked, v["x2"], v["u"]))
    return {
        "v": v["d"],
        "x1": np.ones_like(v["x1"]),
        "x2": np.where(picked, slope, 0.0),
        "u": np.where(picked, 0.0, slope),
    }
