"""A cosine-similarity loss mean(1 − cos(a_n, b_n)) with np.linalg.norm; one pair parallel.

    cos_n = ⟨a_n, b_n⟩ / (‖a_n‖ ‖b_n‖)      L = mean(1 − cos)
    ā_n = −(b_n / (‖a_n‖ ‖b_n‖) − cos_n a_n / ‖a_n‖²) / N      b̄_n likewise
b_2 = 2 a_2: cos_2 = 1, and ā_2, b̄_2 are truly 0 (A is rounding, ~1e-17). The forward is
not complex-safe (np.linalg.norm takes |·|). A red team's model.

Slip: ā's second term with a/‖a‖ for a/‖a‖²: 12 of 12 entries wrong (1.75 of the row's
largest), the parallel pair's too, whose truth is 0. b̄ is right.
"""

import numpy as np

EXPECT = ["a"]
TRUTH = (
    "smooth (a, b ≠ 0); truth_forward takes the norms without keepdims "
    "(autograd's VJP of np.linalg.norm with keepdims is wrong)"
)

N, D = 3, 4
TARGETS = []


def init(rng):
    a = 3 * rng.standard_normal((N, D))
    b = 2 * rng.standard_normal((N, D))
    b[2] = 2 * a[2]  # cos = 1 exactly: zero gradient
    return {"a": a, "b": b}


def forward(p, tap):
    a, b = p["a"], p["b"]
    na = np.linalg.norm(a, axis=1, keepdims=True)
    nb = np.linalg.norm(b, axis=1, keepdims=True)
    cos = tap("cos", np.sum(a * b, axis=1, keepdims=True) / (na * nb))
    return np.mean(1 - cos)


def truth_forward(p, tap):
    a, b = p["a"], p["b"]
    na = np.linalg.norm(a, axis=1)[:, None]
    nb = np.linalg.norm(b, axis=1)[:, None]
    cos = tap("cos", np.sum(a * b, axis=1, keepdims=True) / (na * nb))
    return np.mean(1 - cos)


def backward(v):
    a, b, cos = v["a"], v["b"], v["cos"]
    na = np.sqrt(np.sum(a**2, axis=1, keepdims=True))
    nb = np.sqrt(np.sum(b**2, axis=1, keepdims=True))
    cos_bar = -np.ones_like(cos) / N
    a_bar = cos_bar * (b / (na * nb) - cos * a / na)  # slip
    b_bar = cos_bar * (a / (na * nb) - cos * b / nb**2)
    return {"cos": cos_bar, "a": a_bar, "b": b_bar}
