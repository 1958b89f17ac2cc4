"""A smooth-L1 (Huber) loss of width 1e-8 over a linear fit whose first two residuals,
2e-9 and −4e-9, lie inside the quadratic zone: the loss is differentiable at w, with
r̄ = clip(r / β, −1, 1) / n there. Every step of the kink test (down to 1e-7 of w)
straddles the zone and sees |r|'s kink; only steps below the residuals (1e-9) see the
loss smooth. abs makes the forward unsafe for the complex step: finite differences only."""

import numpy as np

N, D, BETA = 5, 3, 1e-8
TARGETS = ["X", "y"]


def init(rng):
    X = rng.standard_normal((N, D))
    w = rng.uniform(1.0, 2.0, D) * rng.choice([-1.0, 1.0], D)
    y = X @ w + rng.standard_normal(N)
    y[0] = X[0] @ w - 2e-9
    y[1] = X[1] @ w + 4e-9
    return {"X": X, "w": w, "y": y}


def forward(p, tap):
    r = p["X"] @ p["w"] - p["y"]
    a = np.abs(r)
    return np.sum(np.where(a < BETA, 0.5 * r**2 / BETA, a - 0.5 * BETA)) / N


def backward(v):
    r = v["X"] @ v["w"] - v["y"]
    return {"w": v["X"].T @ (np.clip(r / BETA, -1.0, 1.0) / N)}
