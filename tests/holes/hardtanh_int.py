"""A linear layer, hardtanh (clip to [−1, 1]) and squared error over integer inputs and
weights: pre-activations exactly at −1, 1 and 0. The backward passes the gradient
where −1 < z < 1 (strict), the gradient of one region of about 2^10 beside θ
(tests/test_holes.py: test_a_mask_that_flips_under_rounding_is_no_finer_measurement)."""

import numpy as np

B, D, H, C = 4, 3, 4, 2
TARGETS = ["x", "t"]


def init(rng):
    return {
        "x": np.array([[0.0, 0.0, 1.0], [1.0, -1.0, -1.0], [1.0, 1.0, -1.0], [-1.0, 1.0, 0.0]]),
        "W": np.array([[-1.0, 1.0, -1.0], [0.0, 0.0, 0.0], [-1.0, -1.0, 1.0], [1.0, 1.0, 0.0]]),
        "b": np.array([2.0, -1.0, 0.0, 1.0]),
        "V": np.array(
            [
                [
                    -0.48211931267997826,
                    0.5988462126346276,
                    0.03972210748165899,
                    -0.2924567509650886,
                ],
                [
                    -0.7819084623568421,
                    -0.2571922406188707,
                    0.008142180518343508,
                    -0.2756029052993704,
                ],
            ]
        ),
        "t": np.array(
            [
                [1.2940638143982073, 1.0067243153057943],
                [-2.7111624789659685, -1.8890132459676727],
                [-0.17477209205516195, -0.42219041157635356],
                [0.2136429974986111, 0.21732193102256359],
            ]
        ),
    }


def forward(p, tap):
    z = tap("z", p["x"] @ p["W"].T + p["b"])
    a = np.clip(z, -1.0, 1.0)
    y = a @ p["V"].T
    return 0.5 * np.sum((y - p["t"]) ** 2)


def backward(v):
    z = v["z"]
    a = np.clip(z, -1.0, 1.0)
    y_bar = a @ v["V"].T - v["t"]
    a_bar = y_bar @ v["V"]
    z_bar = a_bar * ((z > -1.0) & (z < 1.0))
    return {"V": y_bar.T @ a, "z": z_bar, "W": z_bar.T @ v["x"], "b": z_bar.sum(axis=0)}
