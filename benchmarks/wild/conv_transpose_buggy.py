"""1-D transposed convolution, stride 2, Cin → Cout channels, kernel 3, plus a bias.

    y[o, s·i + j] += Σ_c x[c, i] W[c, o, j]    (output length (n − 1) s + k)
    L = ½ Σ (y − t)²
The forward scatters with constant 0/1 matrices S_j (n × Lout), S_j[i, s·i + j] = 1.

Slip: the adjoint gathers ȳ with stride 1 instead of the forward's stride 2.
"""

import numpy as np

EXPECT = ["x", "W"]
TRUTH = "smooth everywhere"

CI, CO, N, K, STRIDE = 2, 3, 4, 3, 2
LOUT = (N - 1) * STRIDE + K
SCAT = [np.zeros((N, LOUT)) for _ in range(K)]
for _j in range(K):
    SCAT[_j][np.arange(N), STRIDE * np.arange(N) + _j] = 1.0
TARGETS = ["t"]


def init(rng):
    return {
        "x": rng.standard_normal((CI, N)),
        "W": rng.standard_normal((CI, CO, K)),
        "bias": 0.1 * rng.standard_normal(CO),
        "t": rng.standard_normal((CO, LOUT)),
    }


def forward(p, tap):
    y = p["bias"][:, None]
    for j in range(K):
        y = y + p["W"][:, :, j].T @ p["x"] @ SCAT[j]
    y = tap("y", y)
    return 0.5 * np.sum((y - p["t"]) ** 2)


def backward(v):
    y_bar = v["y"] - v["t"]
    x_bar = np.zeros((CI, N))
    W_bar = np.zeros((CI, CO, K))
    for j in range(K):
        taps = y_bar[:, j : j + N]  # ȳ[o, s·i + j], CO × N  # slip
        x_bar += v["W"][:, :, j] @ taps
        W_bar[:, :, j] = v["x"] @ taps.T
    return {"y": y_bar, "x": x_bar, "W": W_bar, "bias": y_bar.sum(axis=1)}
