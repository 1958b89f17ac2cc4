"""An ordered weighted sum (convex L-statistic) of x with exact ties, plus a small ridge.

xs = sort(x)      L = Σ_k c_k xs_k + 0.05 Σ x²      c increasing
x̄_i = c[rank_i] + 0.1 x_i,   rank = the stable sort's position of x_i
"""

import numpy as np

EXPECT = []
TRUTH = (
    "at a tie the gradient is a set: the tied entries may take any doubly-stochastic "
    "mix of their block's c; the stable rank picks a vertex of it (a subgradient)"
)

N = 8
COEF = np.linspace(0.1, 1.5, N)
TARGETS = []


def init(rng):
    return {"x": rng.choice(np.array([-1.0, 0.0, 0.5, 2.0]), size=N)}


def truth_points(p):
    rng = np.random.default_rng(1)
    return [{"x": p["x"] + 1e-12 * rng.standard_normal(N)} for _ in range(40)]


def forward(p, tap):
    xs = tap("xs", np.sort(p["x"]))
    return np.sum(COEF * xs) + 0.05 * np.sum(p["x"] ** 2)


def backward(v):
    rank = np.argsort(np.argsort(v["x"], kind="stable"), kind="stable")
    return {"xs": COEF.copy(), "x": COEF[rank] + 0.1 * v["x"]}
