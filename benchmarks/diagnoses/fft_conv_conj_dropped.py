"""BUG (one line changed from fft_conv.py):
x̄ without the conjugate: a convolution where the adjoint is a correlation.

Circular convolution through the real FFT.

y = irfft(rfft(x) · rfft(k))      L = ½ Σ (y − t)²
x̄ = irfft(rfft(ȳ) · conj(rfft(k)))   k̄ = irfft(rfft(ȳ) · conj(rfft(x)))
"""

import numpy as np

BUG = "x̄ without the conjugate: a convolution where the adjoint is a correlation"
EXPECT = "convolution"  # the diagnosis kind that names the cause
FIRST = "x"  # the first failing row, in backward order
SAYS = "correlation"  # in the diagnosis's message
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
    x_bar = np.fft.irfft(Y * np.fft.rfft(v["k"]), n)
    k_bar = np.fft.irfft(Y * np.conj(np.fft.rfft(v["x"])), n)
    return {"y": y_bar, "x": x_bar, "k": k_bar}
