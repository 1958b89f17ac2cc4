"""The fuzzer's p8000138 (seed 8), written out by hand: sort_tie3_halves.py's tie of
three with slot weights x4 of 1e-9 beside A of 2, and a max of x1 with itself and with
x2, equal to it. The region over x3 alone has A for its gradient; its measurement
(1e-10) holds both slots of the last tied entry, 4e-10 apart, and cannot tell which is
its own: its gradient stands there, not the first of the two (x̄3 FAILed on the other
slot). Every row is correct: x̄3 KINK, no FAIL."""

import numpy as np

TARGETS = ["d5", "d6"]


def init(rng):
    a, b = 0.15418090585839028, 0.6260697154486905
    x0 = [-1.8983875002493098, 0.5040537943983712, -1.8983875002493098]
    x4 = [-1.2464008710949957e-09, -6.34488190553067e-09, -5.028908782897531e-10]
    return {
        "x0": np.array(x0).reshape(3, 1),
        "x1": np.array([[-2.0], [-1.0], [1.0]]),
        "x2": np.array([[-2.0], [-1.0], [1.0]]),
        "x3": np.array([[a, a, b, a]]),
        "x4": np.array(x4 + [-1.8788909396824855e-08]).reshape(4, 1),
        "d5": np.array([[1.2728201076656882], [-0.4750658858341673], [-0.4130244543540844]]),
        "d6": np.array([[-0.5456921109478203]]),
    }


def forward(p, tap):
    v1 = np.maximum(np.maximum(p["x1"], p["x1"]), p["x2"])
    ordered = np.maximum(np.reshape(np.sort(np.ravel(p["x3"])), (1, 4)), 0.0)
    v6 = tap("v6", np.sum(p["d5"] * p["x0"]))
    v7 = tap("v7", np.sum(v1 @ p["x3"]))
    return v6 + v7 + np.sum(p["d6"] * (ordered @ p["x4"]))


def backward(v):
    x1, x2, x3, d6 = v["x1"], v["x2"], v["x3"], v["d6"]
    v1 = np.maximum(x1, x2)
    g = np.sum(x3) * np.ones_like(v1)  # (dL/dv1)
    share = np.where(x1 > x2, 1.0, np.where(x1 == x2, 0.5, 0.0))
    order = np.argsort(x3.ravel(), kind="stable")
    slots = np.empty(x3.size)
    slots[order] = v["x4"].ravel() * d6.item()
    ordered = np.sort(x3.ravel())[:, None]
    return {
        "v6": np.array(1.0),
        "v7": np.array(1.0),
        "x0": v["d5"],
        "x1": g * share,
        "x2": g * (1.0 - share),
        "x3": np.sum(v1) + slots[None, :],
        "x4": d6.item() * np.maximum(ordered, 0.0),
    }
