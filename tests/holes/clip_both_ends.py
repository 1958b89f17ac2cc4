"""A layer clipped to [0, 2] over integer data whose pre-activations z = W x + b sit at
both ends: 0 where W x = 0, 2 where W x = 2. The strict mask 0 < z < 2 is the gradient
of the region where every such unit is off at both ends: z below 0 and above 2 at once,
which only W scaled up with b moved down enters (each leaf alone, or all of them up,
moves one end the wrong way; a random direction does at some seeds, not at 2 or 7).
The read-out weights V are signed."""

import numpy as np

TARGETS = ["x", "V"]


def init(rng):
    return {
        "W": np.array([[2.0, 0.0, 0.0], [0.0, 1.0, 2.0], [1.0, 0.0, 1.0]]),
        "b": np.zeros((3, 1)),
        "x": np.array(
            [
                [0.0, 1.0, 1.0, 1.0, -1.0, 1.0],
                [-1.0, 0.0, -1.0, -1.0, 0.0, -1.0],
                [0.0, -1.0, -1.0, 1.0, 0.0, 1.0],
            ]
        ),
        "V": np.array(
            [
                [
                    0.18905338179353307,
                    -0.5227484414807474,
                    -0.41306354339189344,
                    -2.4414673826398556,
                    1.799707382720902,
                    1.1441658720372287,
                ],
                [
                    -0.32542283686782436,
                    0.7738065867276614,
                    0.28121066979764925,
                    -0.5538228364240524,
                    0.9775674511260357,
                    -0.31055654665915255,
                ],
                [
                    -0.3288239040579627,
                    -0.7921467553588982,
                    0.45495807124085547,
                    -0.09919805171738795,
                    0.5452887139646817,
                    -0.6071856998706371,
                ],
            ]
        ),
    }


def forward(p, tap):
    z = p["W"] @ p["x"] + p["b"]
    return np.sum(p["V"] * np.clip(z, 0.0, 2.0)) + 0.1 * np.sum(p["W"] ** 2)


def backward(v):
    z = v["W"] @ v["x"] + v["b"]
    zb = v["V"] * ((z > 0) & (z < 2))
    return {"W": zb @ v["x"].T + 0.2 * v["W"], "b": zb.sum(axis=1, keepdims=True)}
