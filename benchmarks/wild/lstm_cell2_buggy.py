"""One LSTM cell step, gates [i f o g] from W [x; h₀] + b, squared error on h.

    z = W [x; h₀] + b      i, f, o = σ(z_i), σ(z_f), σ(z_o)      g = tanh z_g
    c = f c₀ + i g      h = o tanh c      L = ½ Σ (h − t)² / B
    h̄ = (h − t) / B      c̄ = h̄ o (1 − tanh² c)      c̄₀ = c̄ f
A red team's model (lstm.py is another, a sequence).

Slip: c̄ = h̄ o (1 − h²) for h̄ o (1 − tanh² c): c̄ 4 of 4 entries wrong (relative 2e-3 to
0.5), and through it z̄ (12 of 16: the output gate's rows are right), W̄, b̄, x̄, h̄₀, c̄₀.
"""

import numpy as np

EXPECT = ["c", "z", "W", "b", "x", "h0", "c0"]
TRUTH = "smooth everywhere"

D, H, B = 3, 2, 2
TARGETS = ["t"]


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def init(rng):
    return {
        "W": 0.7 * rng.standard_normal((4 * H, D + H)),
        "b": 0.1 * rng.standard_normal((4 * H, 1)),
        "x": rng.standard_normal((D, B)),
        "h0": rng.standard_normal((H, B)),
        "c0": rng.standard_normal((H, B)),
        "t": rng.standard_normal((H, B)),
    }


def forward(p, tap):
    xh = np.concatenate([p["x"], p["h0"]], axis=0)
    z = tap("z", p["W"] @ xh + p["b"])
    i, f, o = sigmoid(z[:H]), sigmoid(z[H : 2 * H]), sigmoid(z[2 * H : 3 * H])
    g = np.tanh(z[3 * H :])
    c = tap("c", f * p["c0"] + i * g)
    h = tap("h", o * np.tanh(c))
    return 0.5 * np.sum((h - p["t"]) ** 2) / B


def backward(v):
    z, c, h = v["z"], v["c"], v["h"]
    i, f, o = sigmoid(z[:H]), sigmoid(z[H : 2 * H]), sigmoid(z[2 * H : 3 * H])
    g = np.tanh(z[3 * H :])
    tc = np.tanh(c)
    h_bar = (h - v["t"]) / B
    c_bar = h_bar * o * (1 - h**2)  # slip
    o_bar = h_bar * tc
    i_bar, f_bar, g_bar = c_bar * g, c_bar * v["c0"], c_bar * i
    z_bar = np.concatenate(
        [i_bar * i * (1 - i), f_bar * f * (1 - f), o_bar * o * (1 - o), g_bar * (1 - g**2)],
        axis=0,
    )
    xh = np.concatenate([v["x"], v["h0"]], axis=0)
    xh_bar = v["W"].T @ z_bar
    return {
        "h": h_bar,
        "c": c_bar,
        "z": z_bar,
        "W": z_bar @ xh.T,
        "b": z_bar.sum(axis=1, keepdims=True),
        "x": xh_bar[:D],
        "h0": xh_bar[D:],
        "c0": c_bar * f,
    }
