"""A 1-D valid cross-correlation written with loops into np.zeros, a 0-d bias, least squares.

    y_s = Σ_k w_k x_(s+k) + b   (s < T_OUT = T_IN − KW + 1)      L = ½ Σ (y − t)²
    x̄_(s+k) += ȳ_s w_k      w̄_k = Σ_s ȳ_s x_(s+k)      b̄ = Σ ȳ
The forward writes into a float array, which drops an imaginary part: it is not
complex-safe. A red team's model.

Slip: x̄'s loop runs over range(T_OUT − 1), dropping the last window: x̄[5], x̄[6], x̄[7]
wrong (x̄[7] = 0 against 1.09; 0.86 of the row's largest). w̄ and b̄ are right.
"""

import numpy as np

EXPECT = ["x"]
TRUTH = "smooth everywhere (truth_forward: the same sums, stacked rather than written in place)"

T_IN, KW = 8, 3
T_OUT = T_IN - KW + 1
TARGETS = ["t"]


def init(rng):
    return {
        "x": rng.standard_normal(T_IN),
        "w": rng.standard_normal(KW),
        "b": np.array(0.2),
        "t": rng.standard_normal(T_OUT),
    }


def forward(p, tap):
    x, w = p["x"], p["w"]
    y = np.zeros(T_OUT)
    for s in range(T_OUT):
        y[s] = np.sum(w * x[s : s + KW]) + p["b"]
    y = tap("y", y)
    return 0.5 * np.sum((y - p["t"]) ** 2)


def truth_forward(p, tap):
    x, w = p["x"], p["w"]
    y = tap("y", np.stack([np.sum(w * x[s : s + KW]) + p["b"] for s in range(T_OUT)]))
    return 0.5 * np.sum((y - p["t"]) ** 2)


def backward(v):
    x, w = v["x"], v["w"]
    y_bar = v["y"] - v["t"]
    x_bar = np.zeros(T_IN)
    w_bar = np.zeros(KW)
    for s in range(T_OUT - 1):  # slip
        x_bar[s : s + KW] += y_bar[s] * w
    for s in range(T_OUT):
        w_bar += y_bar[s] * x[s : s + KW]
    return {"y": y_bar, "x": x_bar, "w": w_bar, "b": np.sum(y_bar)}
