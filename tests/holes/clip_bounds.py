"""A linear layer clipped to [−1, 1] over integer data, nine pre-activations exactly on
the bounds (and some at 0), the backward passing the gradient only strictly inside
(one region's gradient). Its kinks turn both ways (a bound's kink is convex or concave
by the sign of the gradient beyond it), and the regions beside θ number 2⁹: the region
of A was not among the 16 points beside θ whose hull proposes a direction, and A·v lay
beyond the loss's one-sided derivatives along it by 0.14 %: z̄ and W̄ FAILed. Kinks of
both orientations, or A·v beyond by less than 5 % of Σ |v_i J_i|, decide nothing: no
row FAILs."""

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
    z_bar = (y_bar @ v["V"]) * ((z > -1.0) & (z < 1.0))
    return {"V": y_bar.T @ a, "z": z_bar, "W": z_bar.T @ v["x"], "b": z_bar.sum(axis=0)}
