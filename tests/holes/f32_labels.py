"""Softmax cross-entropy with float32 soft labels t (TARGETS) in a float64 forward (a red
team's): the backward sums t in float32, and A rounds at 1.2e-7 of its terms there (4e-8
to 6e-7 of the rows' entries). The labels are kept float32, as init() gives them: A's
measured rounding shows it, and the rows are WEAK, not PASS at 2e-13 as with labels
made float64, whose backward is not the user's."""

import numpy as np

TARGETS = ["t"]


def init(rng):
    r = np.random.default_rng(117)
    t = r.uniform(0.1, 1.0, (3, 5))
    t = (t / t.sum(axis=0)).astype(np.float32)
    return {
        "W": r.standard_normal((3, 4)),
        "x": r.standard_normal((4, 5)),
        "tau": np.array(1.7),
        "t": t,
    }


def forward(p, tap):
    Z = tap("Z", (p["W"] @ p["x"]) / p["tau"])
    logp = Z - np.log(np.sum(np.exp(Z), axis=0, keepdims=True))
    return -np.sum(p["t"] * logp) + 0.5 * p["tau"] ** 2


def backward(v):
    Z, tau = v["Z"], v["tau"]
    t = v["t"]
    P = np.exp(Z - Z.max(axis=0, keepdims=True))
    P /= P.sum(axis=0, keepdims=True)
    dZ = P * t.sum(axis=0, keepdims=True) - t
    dtau = -np.sum(dZ * Z) / tau + tau
    return {"Z": dZ, "W": (dZ / tau) @ v["x"].T, "x": v["W"].T @ (dZ / tau), "tau": np.array(dtau)}
