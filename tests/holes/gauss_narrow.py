"""A Gaussian mixture's negative log-likelihood (a red team's): one component has σ =
0.018 at μ = (2, −1), two points 0.01 from it, and Richardson's coarse steps on μ (0.2,
0.05) leave both ends in its tails, where L(μ + h) = L(μ − h) to the last bit. That
equality is no staircase, which the finer steps show: they resolve the bump. It read as
one (numeric._plateau), and μ̄ was WEAK under Richardson with a bound 8 times |A|."""

import numpy as np

LOG2PI = np.log(2 * np.pi)


def init(rng):
    r = np.random.default_rng(11)
    mu = np.array([[0.0, 0.0], [2.0, -1.0], [-1.5, 1.5]])
    logvar = np.array([[0.0, 0.2], [-8.0, -7.5], [0.5, -0.3]])
    X = np.vstack(
        [
            r.standard_normal((6, 2)),
            mu[1] + 0.01 * r.standard_normal((2, 2)),
            mu[2] + r.standard_normal((2, 2)),
        ]
    )
    return {"X": X, "mu": mu, "logvar": logvar, "logits": np.array([0.2, -1.0, 0.5])}


def forward(p, tap):
    lz = p["logits"] - np.max(p["logits"])
    logpi = lz - np.log(np.sum(np.exp(lz)))
    diff = p["X"][:, None, :] - p["mu"][None, :, :]
    quad = diff**2 / np.exp(p["logvar"])[None]
    lj = tap("lj", logpi[None, :] - 0.5 * np.sum(LOG2PI + p["logvar"][None] + quad, axis=2))
    m = np.max(lj, axis=1, keepdims=True)
    return -np.mean(m[:, 0] + np.log(np.sum(np.exp(lj - m), axis=1)))


def backward(v):
    lj = v["lj"]
    R = np.exp(lj - lj.max(axis=1, keepdims=True))
    lj_bar = -R / R.sum(axis=1, keepdims=True) / lj.shape[0]
    lz = v["logits"] - v["logits"].max()
    pi = np.exp(lz) / np.exp(lz).sum()
    var = np.exp(v["logvar"])
    diff = v["X"][:, None, :] - v["mu"][None, :, :]
    return {
        "lj": lj_bar,
        "logits": lj_bar.sum(axis=0) - pi * lj_bar.sum(),
        "mu": np.einsum("nk,nkd->kd", lj_bar, diff / var[None]),
        "logvar": np.einsum("nk,nkd->kd", lj_bar, -0.5 + 0.5 * diff**2 / var[None]),
        "X": -np.einsum("nk,nkd->nd", lj_bar, diff / var[None]),
    }
