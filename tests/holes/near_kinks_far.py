"""near_kinks.py with its four units 1e-7 from their kinks: the gradient of θ's own
region (mask z > 0): PASS or KINK, never FAIL."""

import numpy as np

TARGETS = ["t"]


def init(rng):
    return {
        "W1": np.array([[2.0, -1.0, -2.0], [-1.0, 0.0, 2.0], [0.0, -2.0, -1.0], [1.0, 2.0, 1.0]]),
        "b1": np.array([[-6.9999999], [-2.0000001], [-2.9999999], [0.9999999]]),
        "x": np.array([[2.0, -2.0, 2.0, -2.0], [0.0, -1.0, -1.0, 1.0], [-1.0, 0.0, -1.0, -2.0]]),
        "W2": np.array(
            [
                [
                    0.45495807124085547,
                    -0.09919805171738795,
                    0.5452887139646817,
                    -0.6071856998706371,
                ],
                [0.12682784711186987, -0.8922740434297903, 0.8414649723701431, 0.18803508698068597],
            ]
        ),
        "t": np.array(
            [
                [0.33057100813532614, 0.41050391297026284, -1.0107575001533344, 0.7831809961440773],
                [2.0567028183423686, -1.6384425032355252, -1.7294114671544816, -1.50483141386432],
            ]
        ),
    }


def forward(p, tap):
    z = p["W1"] @ p["x"] + p["b1"]
    h = tap("h", np.maximum(z, 0.0))
    return 0.5 * np.sum((p["W2"] @ h - p["t"]) ** 2)


def backward(v):
    z = v["W1"] @ v["x"] + v["b1"]
    mask = z > 0
    r = v["W2"] @ v["h"] - v["t"]
    h_bar = v["W2"].T @ r
    z_bar = h_bar * mask
    return {
        "W2": r @ v["h"].T,
        "h": h_bar,
        "W1": z_bar @ v["x"].T,
        "b1": z_bar.sum(axis=1, keepdims=True),
        "x": v["W1"].T @ z_bar,
    }
