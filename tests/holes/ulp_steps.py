"""A residual of 93.2 on values of 9.3e13, whose ulp is 0.016: ½ (v3 − d)² with v3 = v2²
a tap. The kink test's finest steps in v3 are a few of its ulps, not 8 apart as taken,
and the one-sided differences extrapolated by 8 came out 93.1998 and 93.2065: a kink,
with a planted error of 1.15e-6 between its sides (KINK under every engine; a fuzzer's
p7000140). Extrapolated by the steps as taken, they agree."""

import numpy as np

TARGETS = ["d"]


def init(rng):
    return {
        "x2": np.array(1.34114676924538),
        "x3": np.array(-9662002.865257973),
        "d": np.array(93354273451834.02),
    }


def forward(p, tap):
    v2 = tap("v2", p["x2"] + p["x3"])
    v3 = tap("v3", v2 * v2)
    return 0.5 * np.sum((v3 - p["d"]) ** 2)


def backward(v):
    r = v["v3"] - v["d"]
    g2 = 2 * v["v2"] * r
    return {"v3": r, "v2": g2, "x2": g2, "x3": g2}
