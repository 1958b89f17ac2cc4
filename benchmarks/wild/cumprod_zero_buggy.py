"""A cumulative-product layer L = Σ c cumprod(x), x integer-valued with an exact zero.

    y_j = Π_(k ≤ j) x_k      L = Σ c_j y_j      x̄_i = Σ_(j ≥ i) c_j Π_(k ≤ j, k ≠ i) x_k
x̄ is formed from the products over k ≠ i, so it is right at x_2 = 0, the one entry
where x̄ is not 0 past the zero. A red team's model.

Slip: x̄_i = Σ_(j ≥ i) c_j y_j / x_i, guarded to 0 where x_i = 0 (the usual cumprod
gradient): right wherever it is defined, but x̄[2], at the zero, is 0 against 1.866.
"""

import numpy as np

EXPECT = ["x"]
TRUTH = "smooth everywhere (a polynomial; truth_forward: cumprod as a running product)"

N = 6
TARGETS = ["c"]


def init(rng):
    return {"x": np.array([2.0, -1.0, 0.0, 3.0, 0.5, -2.0]), "c": rng.standard_normal(N)}


def forward(p, tap):
    y = tap("y", np.cumprod(p["x"]))
    return np.sum(p["c"] * y)


def truth_forward(p, tap):
    ys = [p["x"][0]]
    for j in range(1, N):
        ys.append(ys[-1] * p["x"][j])
    y = tap("y", np.stack(ys))
    return np.sum(p["c"] * y)


def backward(v):
    x, c = v["x"], v["c"]
    rc = np.cumsum((c * v["y"])[::-1])[::-1]  # Σ_(j ≥ i) c_j y_j
    x_bar = np.where(x != 0, rc / np.where(x != 0, x, 1.0), 0.0)  # slip: y_j / x_i, 0 at x_i = 0
    return {"y": c.copy(), "x": x_bar}
