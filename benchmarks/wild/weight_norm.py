"""Weight normalisation W = g V / ‖V‖_F (np.linalg.norm, a 0-d gain g), least squares on W x.

    W = g V / ‖V‖      y = W x      L = ½ Σ (y − t)²      W̄ = (y − t) xᵀ
    ḡ = ⟨W̄, V⟩ / ‖V‖      V̄ = g / ‖V‖ (W̄ − ⟨W̄, V⟩ V / ‖V‖²)
The forward is not complex-safe (np.linalg.norm takes |·|). A red team's model.
"""

import numpy as np

EXPECT = []
TRUTH = "smooth (V ≠ 0)"

TARGETS = ["t", "x"]


def init(rng):
    return {
        "V": rng.standard_normal((3, 4)),
        "g": np.array(1.7),
        "x": rng.standard_normal((4, 5)),
        "t": rng.standard_normal((3, 5)),
    }


def forward(p, tap):
    nv = np.linalg.norm(p["V"])
    W = tap("W", p["g"] * p["V"] / nv)
    y = tap("y", W @ p["x"])
    return 0.5 * np.sum((y - p["t"]) ** 2)


def backward(v):
    V, g = v["V"], v["g"]
    nv = np.sqrt(np.sum(V**2))
    y_bar = v["y"] - v["t"]
    W_bar = y_bar @ v["x"].T
    g_bar = np.sum(W_bar * V) / nv
    V_bar = g / nv * (W_bar - np.sum(W_bar * V) * V / nv**2)
    return {"y": y_bar, "W": W_bar, "g": g_bar, "V": V_bar}
