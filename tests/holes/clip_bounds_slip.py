"""clip_bounds.py with W̄'s mask inclusive (−1 <= z <= 1) where z̄ and b̄ pass the
gradient strictly inside: each row alone a subgradient, W̄ and b̄ together none (one
kink at each bound gates both): FAIL."""

import numpy as np

TARGETS = ["x", "t"]


def init(rng):
    return {
        "x": np.array([[1.0, -1.0, -1.0], [-1.0, 0.0, 1.0], [0.0, -1.0, 0.0], [0.0, 1.0, 1.0]]),
        "W": np.array([[1.0, -1.0, 1.0], [-1.0, 0.0, -1.0], [-1.0, 0.0, -1.0], [0.0, -1.0, -1.0]]),
        "b": np.array([0.0, -1.0, 1.0, 1.0]),
        "V": np.array(
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
                [0.33057100813532614, 0.41050391297026284],
                [-1.0107575001533344, 0.7831809961440773],
                [2.0567028183423686, -1.6384425032355252],
                [-1.7294114671544816, -1.50483141386432],
            ]
        ),
    }


def forward(p, tap):
    z = tap("z", p["x"] @ p["W"].T + p["b"])
    y = np.clip(z, -1.0, 1.0) @ p["V"].T
    return 0.5 * np.sum((y - p["t"]) ** 2)


def backward(v):
    z = v["z"]
    a = np.clip(z, -1.0, 1.0)
    y_bar = a @ v["V"].T - v["t"]
    a_bar = y_bar @ v["V"]
    z_bar = a_bar * ((z > -1.0) & (z < 1.0))
    w_bar = (a_bar * ((z >= -1.0) & (z <= 1.0))).T @ v["x"]
    return {"V": y_bar.T @ a, "z": z_bar, "W": w_bar, "b": z_bar.sum(axis=0)}
