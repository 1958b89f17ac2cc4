"""BUG (one line changed from lstm_cell.py):
tanh′(c) written 1 − c² instead of 1 − tanh(c)².

One LSTM cell step.

a = W [x; h0]   i, f, o = σ(a_i), σ(a_f), σ(a_o)   g = tanh(a_g)
c = f ∘ c0 + i ∘ g   h = o ∘ tanh(c)   L = ½ Σ (h − t)²
"""

import numpy as np

BUG = "tanh′(c) written 1 − c² instead of 1 − tanh(c)²"
EXPECT = "point"  # the diagnosis kind that names the cause
FIRST = "c"  # the first failing row, in backward order
SAYS = "1 − c²"  # in the diagnosis's message
TARGETS = ["t"]
H = 4


def sigmoid(u):
    return 1 / (1 + np.exp(-u))


def init(rng):
    return {
        "W": 0.5 * rng.standard_normal((4 * H, 3 + H)),
        "x": rng.standard_normal(3),
        "h0": rng.standard_normal(H),
        "c0": rng.standard_normal(H),
        "t": rng.standard_normal(H),
    }


def forward(p, tap):
    a = tap("a", p["W"] @ np.concatenate([p["x"], p["h0"]]))
    i, f, o, g = (
        sigmoid(a[:H]),
        sigmoid(a[H : 2 * H]),
        sigmoid(a[2 * H : 3 * H]),
        np.tanh(a[3 * H :]),
    )
    c = tap("c", f * p["c0"] + i * g)
    h = tap("h", o * np.tanh(c))
    return 0.5 * np.sum((h - p["t"]) ** 2)


def backward(v):
    a = v["a"]
    i, f, o, g = (
        sigmoid(a[:H]),
        sigmoid(a[H : 2 * H]),
        sigmoid(a[2 * H : 3 * H]),
        np.tanh(a[3 * H :]),
    )
    h_bar = v["h"] - v["t"]
    c_bar = h_bar * o * (1 - v["c"] ** 2)
    a_bar = np.concatenate(
        [
            c_bar * g * i * (1 - i),
            c_bar * v["c0"] * f * (1 - f),
            h_bar * np.tanh(v["c"]) * o * (1 - o),
            c_bar * i * (1 - g**2),
        ]
    )
    xh_bar = v["W"].T @ a_bar
    return {
        "h": h_bar,
        "c": c_bar,
        "a": a_bar,
        "W": np.outer(a_bar, np.concatenate([v["x"], v["h0"]])),
        "x": xh_bar[:3],
        "h0": xh_bar[3:],
        "c0": c_bar * f,
    }
