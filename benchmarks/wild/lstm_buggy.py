"""One LSTM cell step (gates i, f, g, o stacked in W, U, b), loss on h and a penalty on c.

    a = W x + U h0 + b          i, f, o = σ(a_i, a_f, a_o), g = tanh(a_g)
    c = f ∘ c0 + i ∘ g          h = o ∘ tanh(c)
    L = ½ Σ (h − t)² + ½ κ Σ c²

Slip: tanh′(c) written 1 − c² instead of 1 − tanh(c)²; every row below c̄ carries it.
"""

import numpy as np

EXPECT = ["c", "a", "c0", "W", "U", "b", "x", "h0"]
TRUTH = "smooth everywhere"

D, H, B, KAPPA = 3, 4, 2, 0.1
TARGETS = ["t"]


def sig(a):
    return 1 / (1 + np.exp(-a))


def init(rng):
    return {
        "W": rng.standard_normal((4 * H, D)) / np.sqrt(D),
        "U": rng.standard_normal((4 * H, H)) / np.sqrt(H),
        "b": 0.1 * rng.standard_normal((4 * H, 1)),
        "x": rng.standard_normal((D, B)),
        "h0": rng.standard_normal((H, B)),
        "c0": rng.standard_normal((H, B)),
        "t": rng.standard_normal((H, B)),
    }


def forward(p, tap):
    a = tap("a", p["W"] @ p["x"] + p["U"] @ p["h0"] + p["b"])
    i, f, g, o = sig(a[:H]), sig(a[H : 2 * H]), np.tanh(a[2 * H : 3 * H]), sig(a[3 * H :])
    c = tap("c", f * p["c0"] + i * g)
    tc = tap("tc", np.tanh(c))
    h = tap("h", o * tc)
    return 0.5 * np.sum((h - p["t"]) ** 2) + 0.5 * KAPPA * np.sum(c**2)


def backward(v):
    a = v["a"]
    i, f, g, o = sig(a[:H]), sig(a[H : 2 * H]), np.tanh(a[2 * H : 3 * H]), sig(a[3 * H :])
    h_bar = v["h"] - v["t"]
    tc_bar = h_bar * o
    o_bar = h_bar * v["tc"]
    c_bar = tc_bar * (1 - v["c"] ** 2) + KAPPA * v["c"]  # slip
    a_bar = np.concatenate(
        [
            c_bar * g * i * (1 - i),
            c_bar * v["c0"] * f * (1 - f),
            c_bar * i * (1 - g**2),
            o_bar * o * (1 - o),
        ]
    )
    return {
        "h": h_bar,
        "tc": tc_bar,
        "c": c_bar,
        "a": a_bar,
        "c0": c_bar * f,
        "W": a_bar @ v["x"].T,
        "U": a_bar @ v["h0"].T,
        "b": a_bar.sum(axis=1, keepdims=True),
        "x": v["W"].T @ a_bar,
        "h0": v["U"].T @ a_bar,
    }
