import numpy as np

TARGETS = ["t"]                      # leaves that are data, not checked


def init(rng):                       # the leaves, by name
    return {"W": rng.standard_normal((3, 4)), "b": np.zeros((3, 1)),
            "x": rng.standard_normal((4, 2)), "t": rng.standard_normal((3, 2))}


def forward(p, tap):                 # the loss; tap() names an intermediate
    z = tap("z", p["W"] @ p["x"] + p["b"])
    h = tap("h", np.tanh(z))
    return 0.5 * np.sum((h - p["t"]) ** 2)


def backward(v):                     # hand-derived adjoints; v has leaves and taps
    h_bar = v["h"] - v["t"]
    z_bar = h_bar * (1 - v["h"] ** 2)
    return {"h": h_bar, "z": z_bar, "W": z_bar @ v["x"].T,
            "b": z_bar.sum(axis=1, keepdims=True), "x": v["W"].T @ z_bar}
