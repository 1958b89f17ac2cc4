"""log |det A| (np.linalg.slogdet) plus a least-squares term.

    L = log |det A| + ½ ‖A x − y‖²      Ā = A⁻ᵀ + (A x − y) xᵀ      x̄ = Aᵀ (A x − y)
slogdet of a complex matrix returns a real log|det|: not complex-safe.

Slip: ∂ log|det A| / ∂A taken as A⁻¹ instead of A⁻ᵀ.
"""

import numpy as np

EXPECT = ["A"]
TRUTH = "smooth (det A ≠ 0)"

N = 4
TARGETS = ["y"]


def init(rng):
    return {
        "A": 2 * np.eye(N) + rng.standard_normal((N, N)) / 2,
        "x": rng.standard_normal(N),
        "y": rng.standard_normal(N),
    }


def forward(p, tap):
    r = tap("r", p["A"] @ p["x"] - p["y"])
    return np.linalg.slogdet(p["A"])[1] + 0.5 * np.sum(r**2)


def backward(v):
    r = v["r"]
    return {"r": r, "A": np.linalg.inv(v["A"]) + np.outer(r, v["x"]), "x": v["A"].T @ r}  # slip
