"""A fuzzer's program (seed 3, program 3000464), its backward written out: the max of
v1 = x1 / (1 + x3²) beside a loss of 8e5, seen from x1[0, 0] = 0 exactly. v1[0, 0] is
the largest once x1[0, 0] passes 9e-8: a kink beside θ, not at it. Every finite step
that resolves L straddles it, and at θ = 0 nothing marks it as near rather than at θ;
the complex step moved ±1e-10 beside θ agrees with itself there: the loss is smooth at
θ and x̄1[0, 0] = 1 / (1 + x3[0, 0]²). An x̄1[0, 0] between the straddled sides
(the fuzzer's planted error, 18 % off: tests/test_holes.py) is no subgradient at θ."""

import numpy as np

TARGETS = ["d5", "d6"]


def _a(*values):
    return np.array(values, dtype=float).reshape(2, 2)


def init(rng):
    return {
        "x0": _a(115048.48496445075, -107659.42869816581, -79166.4102069369, 138509.59062276193),
        "x1": _a(0.0, 6.146189884869589e-09, 6.833720700359829e-09, -4.5914447301842356e-10),
        "x2": _a(-1105.8018989929026, -688.9431460547061, 1041.0121241243608, 1041.0121241243608),
        "x3": _a(-3.49868060371692, -3.49868060371692, 0.09130544263460358, 3.7578279402621346),
        "x4": _a(
            1.3810459372230794e-05,
            1.2746999728840086e-05,
            5.98730166687525e-06,
            4.372457222847938e-06,
        ),
        "d5": _a(-1.6646984533750142, 0.24027362545624065, 1.165971730688465, -0.6550403311820504),
        "d6": _a(0.3256180522374381, 0.1916963785284212, 0.7200300777173368, 0.5905422502321018),
    }


def forward(p, tap):
    v1 = p["x1"] / (1.0 + p["x3"] * p["x3"])
    v3 = tap("v3", np.reshape(np.sort(np.ravel(v1)), (2, 2)))
    return (
        np.sum(p["d5"] * p["x0"])
        + np.sum(p["x2"] @ p["x2"])
        + np.sum(p["d6"] * p["x3"] / p["x4"])
        + np.sum(v3)
        + np.max(v1)
    )


def backward(v):
    x1, x2, x3, x4 = v["x1"], v["x2"], v["x3"], v["x4"]
    q = 1.0 + x3 * x3
    top = np.zeros(4)
    top[np.argmax(np.ravel(x1 / q))] = 1.0
    v1_bar = 1.0 + top.reshape(2, 2)  # (the sorted copy's sum, and the max)
    ones = np.ones((2, 2))
    return {
        "x0": v["d5"].copy(),
        "x1": v1_bar / q,
        "x2": ones @ x2.T + x2.T @ ones,
        "x3": v["d6"] / x4 - v1_bar * x1 * 2 * x3 / q**2,
        "x4": -v["d6"] * x3 / x4**2,
        "v3": ones,
    }
