"""One GRU cell step (PyTorch's gate layout), squared error on the new hidden state.

    z = σ(Wz x + Uz h0 + bz)        r = σ(Wr x + Ur h0 + br)
    n = tanh(Wn x + bn + r ∘ (Un h0))
    h = (1 − z) ∘ n + z ∘ h0         L = ½ Σ (h − t)²

Slip: h̄0 drops the direct path z ∘ h̄ (h0 also enters h = (1 − z) ∘ n + z ∘ h0 itself).
"""

import numpy as np

EXPECT = ["h0"]
TRUTH = "smooth everywhere"

D, H, B = 3, 4, 2
TARGETS = ["t"]


def sig(a):
    return 1 / (1 + np.exp(-a))


def init(rng):
    p = {k: rng.standard_normal((H, D)) / np.sqrt(D) for k in ("Wz", "Wr", "Wn")}
    p.update({k: rng.standard_normal((H, H)) / np.sqrt(H) for k in ("Uz", "Ur", "Un")})
    p.update({k: 0.1 * rng.standard_normal((H, 1)) for k in ("bz", "br", "bn")})
    p.update(
        x=rng.standard_normal((D, B)), h0=rng.standard_normal((H, B)), t=rng.standard_normal((H, B))
    )
    return p


def forward(p, tap):
    az = tap("az", p["Wz"] @ p["x"] + p["Uz"] @ p["h0"] + p["bz"])
    ar = tap("ar", p["Wr"] @ p["x"] + p["Ur"] @ p["h0"] + p["br"])
    z = tap("z", sig(az))
    r = tap("r", sig(ar))
    uh = tap("uh", p["Un"] @ p["h0"])
    an = tap("an", p["Wn"] @ p["x"] + p["bn"] + r * uh)
    n = tap("n", np.tanh(an))
    h = tap("h", (1 - z) * n + z * p["h0"])
    return 0.5 * np.sum((h - p["t"]) ** 2)


def backward(v):
    h_bar = v["h"] - v["t"]
    n_bar = h_bar * (1 - v["z"])
    z_bar = h_bar * (v["h0"] - v["n"])
    an_bar = n_bar * (1 - v["n"] ** 2)
    uh_bar = an_bar * v["r"]
    r_bar = an_bar * v["uh"]
    az_bar = z_bar * v["z"] * (1 - v["z"])
    ar_bar = r_bar * v["r"] * (1 - v["r"])
    g = {
        "h": h_bar,
        "n": n_bar,
        "z": z_bar,
        "an": an_bar,
        "uh": uh_bar,
        "r": r_bar,
        "az": az_bar,
        "ar": ar_bar,
    }
    for a, s in (("az", "z"), ("ar", "r")):
        g["W" + s] = g[a] @ v["x"].T
        g["U" + s] = g[a] @ v["h0"].T
        g["b" + s] = g[a].sum(axis=1, keepdims=True)
    g["Wn"] = an_bar @ v["x"].T
    g["bn"] = an_bar.sum(axis=1, keepdims=True)
    g["Un"] = uh_bar @ v["h0"].T
    g["x"] = v["Wz"].T @ az_bar + v["Wr"].T @ ar_bar + v["Wn"].T @ an_bar
    g["h0"] = v["Uz"].T @ az_bar + v["Ur"].T @ ar_bar + v["Un"].T @ uh_bar  # slip
    return g
