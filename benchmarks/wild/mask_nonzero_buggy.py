"""Matrix factorisation on observed ratings only: a rating of 0 means missing (mask = R != 0).

    pred = U Vᵀ      L = ½ Σ [R ≠ 0] ∘ (pred − R)² / nnz(R)

Slip: V̄ divided by every entry's count, not the observed ones (nnz).
"""

import numpy as np

EXPECT = ["V"]
TRUTH = "smooth in U, V (R is data; the mask and nnz are constants)"

NU, NI, RANK = 5, 4, 2
TARGETS = ["R"]


def init(rng):
    R = rng.integers(1, 6, (NU, NI)).astype(float)
    R[rng.random((NU, NI)) < 0.4] = 0.0
    return {"U": rng.standard_normal((NU, RANK)), "V": rng.standard_normal((NI, RANK)), "R": R}


def forward(p, tap):
    pred = tap("pred", p["U"] @ p["V"].T)
    mask = p["R"] != 0
    return 0.5 * np.sum(mask * (pred - p["R"]) ** 2) / mask.sum()


def backward(v):
    mask = v["R"] != 0
    E = mask * (v["pred"] - v["R"])
    return {
        "pred": E / mask.sum(),
        "U": E @ v["V"] / mask.sum(),
        "V": E.T @ v["U"] / v["R"].size,
    }  # slip
