"""Second-order kinetics at concentrations of 1e-6 (a red team's Arrhenius fit): rate =
k c², L = ½ Σ ((rate − obs) / σ)² with σ = 1e-17, a quartic in c. Central's step, 6e-6,
is six times c itself: its N for c̄ is 3.1e14 where the gradient is −4.2e13, and the
complex step referees it. A slip in c̄ is measured against the referee's N, not
central's: a planted 1e-6 FAILs as 1e-6 off, not 113 %."""

import numpy as np

R = 8.314
SIGMA = 1e-17
TARGETS = ["obs"]


def init(rng):
    r = np.random.default_rng(71)
    T = np.linspace(320.0, 390.0, 8)
    c = r.uniform(0.5e-6, 2e-6, 8)
    obs = 3e6 * np.exp(-5e4 / (R * T)) * c**2 * (1 + 0.2 * r.standard_normal(8))
    return {"A": np.array([2.5e6]), "Ea": np.array([4.98e4]), "T": T, "c": c, "obs": obs}


def forward(p, tap):
    k = tap("k", p["A"][0] * np.exp(-p["Ea"][0] / (R * p["T"])))
    rate = tap("rate", k * p["c"] ** 2)
    return 0.5 * np.sum(((rate - p["obs"]) / SIGMA) ** 2)


def backward(v):
    k, c, T = v["k"], v["c"], v["T"]
    rate_bar = (v["rate"] - v["obs"]) / SIGMA**2
    k_bar = rate_bar * c**2
    A_bar = np.sum(k_bar * k) / v["A"][0]
    Ea_bar = -np.sum(k_bar * k / (R * T))
    T_bar = k_bar * k * v["Ea"][0] / (R * T**2)
    return {
        "rate": rate_bar,
        "k": k_bar,
        "c": rate_bar * 2 * k * c,
        "A": np.array([A_bar]),
        "Ea": np.array([Ea_bar]),
        "T": T_bar,
    }
