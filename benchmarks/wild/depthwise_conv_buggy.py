"""Depthwise 2-D convolution (cross-correlation, valid, stride 1), one 3×3 kernel per channel.

    y[c, i, j] = Σ_{a,b} K[c, a, b] x[c, i + a, j + b] + bias[c]      L = ½ Σ (y − t)²

Slip: x̄ scatters with the flipped kernel (convolution where the forward is a correlation).
"""

import numpy as np

EXPECT = ["x"]
TRUTH = "smooth everywhere"

C, H, W, KH, KW = 3, 5, 6, 3, 3
HO, WO = H - KH + 1, W - KW + 1
TARGETS = ["t"]


def init(rng):
    return {
        "x": rng.standard_normal((C, H, W)),
        "K": rng.standard_normal((C, KH, KW)) / 3,
        "bias": 0.1 * rng.standard_normal(C),
        "t": rng.standard_normal((C, HO, WO)),
    }


def forward(p, tap):
    y = p["bias"][:, None, None]
    for a in range(KH):
        for b in range(KW):
            y = y + p["K"][:, a, b][:, None, None] * p["x"][:, a : a + HO, b : b + WO]
    y = tap("y", y)
    return 0.5 * np.sum((y - p["t"]) ** 2)


def backward(v):
    y_bar = v["y"] - v["t"]
    x_bar = np.zeros((C, H, W))
    K_bar = np.zeros((C, KH, KW))
    for a in range(KH):
        for b in range(KW):
            K_bar[:, a, b] = (y_bar * v["x"][:, a : a + HO, b : b + WO]).sum(axis=(1, 2))
            x_bar[:, a : a + HO, b : b + WO] += (
                v["K"][:, KH - 1 - a, KW - 1 - b][:, None, None] * y_bar
            )  # slip
    return {"y": y_bar, "x": x_bar, "K": K_bar, "bias": y_bar.sum(axis=(1, 2))}
