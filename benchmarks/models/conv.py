"""A 2-D convolution layer (3→16 channels, 3×3 kernel, valid) on a batch of 8 RGB 16×16
images, tanh, squared-error loss; backward by hand (im2col: W is 16×27, one row a filter).

    cols = im2col(x)   8×27×196      z = W cols + b   8×16×196 (= 8×16×14×14)
    h = tanh(z)                      L = ½ Σ (h − t)² / B

31,680 checked entries (z 25,088, x 6,144, W 432, b 16).
Check it:  gradcheck check benchmarks/models/conv.py
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

B, C, F, K, S = 8, 3, 16, 3, 16  # batch, in channels, filters, kernel, image side
O = S - K + 1  # output side: 14

TARGETS = ["t"]


def init(rng):
    return {
        "W": rng.standard_normal((F, C * K * K)) / np.sqrt(C * K * K),
        "b": 0.1 * rng.standard_normal((F, 1)),
        "x": rng.standard_normal((B, C, S, S)),
        "t": 0.5 * rng.standard_normal((B, F, O, O)),
    }


def im2col(x):
    """B×C×S×S -> B×(C·K·K)×(O·O): column (i, j) holds the patch under output (i, j)."""
    win = sliding_window_view(x, (K, K), axis=(2, 3))  # B, C, O, O, K, K
    return win.transpose(0, 1, 4, 5, 2, 3).reshape(B, C * K * K, O * O)


def col2im(cols):
    """im2col's adjoint: every patch entry added back where it came from."""
    c = cols.reshape(B, C, K, K, O, O)
    x = np.zeros((B, C, S, S), dtype=cols.dtype)
    for i in range(K):
        for j in range(K):
            x[:, :, i : i + O, j : j + O] += c[:, :, i, j]
    return x


def forward(p, tap):
    z = tap("z", (p["W"] @ im2col(p["x"]) + p["b"]).reshape(B, F, O, O))
    h = np.tanh(z)
    return 0.5 * np.sum((h - p["t"]) ** 2) / B


def backward(v):
    h = np.tanh(v["z"])
    z_bar = (h - v["t"]) / B * (1 - h**2)
    zb = z_bar.reshape(B, F, O * O)
    cols = im2col(v["x"])
    return {
        "z": z_bar,
        "W": np.einsum("bfp,bkp->fk", zb, cols),
        "b": zb.sum(axis=(0, 2))[:, None],
        "x": col2im(v["W"].T @ zb),
    }
