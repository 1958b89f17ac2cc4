"""Circular convolution through the FFT, with np.real to drop the round-off imaginary part.

    y = real(ifft(fft(x) · fft(k)))      L = ½ Σ (y − t)²
    x̄ = real(ifft(fft(ȳ) · conj(fft(k))))   (a correlation: the adjoint of a convolution)

np.real discards a complex step's imaginary part: the complex step sees no derivative.
"""

import numpy as np

CATEGORY = "complex-unsafe"
EXPECT = []
n = 8
TARGETS = ["t"]


def init(rng):
    return {"x": rng.standard_normal(n), "k": rng.standard_normal(n), "t": rng.standard_normal(n)}


def forward(p, tap):
    y = tap("y", np.real(np.fft.ifft(np.fft.fft(p["x"]) * np.fft.fft(p["k"]))))
    return 0.5 * np.sum((y - p["t"]) ** 2)


def backward(v):
    y_bar = v["y"] - v["t"]
    Y = np.fft.fft(y_bar)
    x_bar = np.real(np.fft.ifft(Y * np.conj(np.fft.fft(v["k"]))))
    k_bar = np.real(np.fft.ifft(Y * np.conj(np.fft.fft(v["x"]))))
    return {"y": y_bar, "x": x_bar, "k": k_bar}
