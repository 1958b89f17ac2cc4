"""Circular convolution through the real FFT. Correct.

y = irfft(rfft(x) · rfft(k))      L = ½ Σ (y − t)²
x̄ = irfft(rfft(ȳ) · conj(rfft(k)))   k̄ = irfft(rfft(ȳ) · conj(rfft(x)))
"""

import numpy as np

EXPECT = None
TARGETS = ["t"]
n = 8


def init(rng):
    return {"x": rng.standard_normal(n), "k": rng.standard_normal(n), "t": rng.standard_normal(n)}


def forward(p, tap):
    y = tap("y", np.fft.irfft(np.fft.rfft(p["x"]) * np.fft.rfft(p["k"]), n))
    return 0.5 * np.sum((y - p["t"]) ** 2)


def backward(v):
    y_bar = v["y"] - v["t"]
    Y = np.fft.rfft(y_bar)
    x_bar = np.fft.irfft(Y * np.conj(np.fft.rfft(v["k"])), n)
    k_bar = np.fft.irfft(Y * np.conj(np.fft.rfft(v["x"])), n)
    return {"y": y_bar, "x": x_bar, "k": k_bar}
