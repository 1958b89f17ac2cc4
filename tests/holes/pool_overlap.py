"""Max pooling over overlapping windows (width 3, stride 1) of a signal with a plateau
of four equal values, read out by weights of both signs. The backward routes each
window's gradient to its first maximum: the gradient of the region where the plateau
falls left to right, which touches θ. A plateau entry in three windows has kinks of
both orientations along it, and that gradient lies outside its one-sided derivatives
there, as a region's may; a region beside θ (regions.py): KINK."""

import numpy as np

T, K = 10, 3
M = T - K + 1
TARGETS = ["t"]


def init(rng):
    x = np.array([1.0, -2.0, 2.0, 2.0, 2.0, 2.0, 1.0, 0.0, -1.0, 2.0])
    V = np.array(
        [[0.8, -1.2, 0.3, 1.1, -0.7, 0.5, -0.4, 0.9], [-0.6, 0.9, -1.3, 0.2, 1.4, -0.8, 0.6, 0.3]]
    )
    return {"x": x, "V": V, "t": np.array([0.5, -0.25])}


def windows(x):
    return np.stack([x[i : i + K] for i in range(M)])


def forward(p, tap):
    m = tap("m", windows(p["x"]).max(axis=1))
    y = tap("y", p["V"] @ m)
    return 0.5 * np.sum((y - p["t"]) ** 2)


def route(win):
    """Which entry of each window takes its gradient: the first maximum."""
    mask = np.zeros_like(win)
    mask[np.arange(M), win.argmax(axis=1)] = 1.0
    return mask


def backward(v):
    y_bar = v["y"] - v["t"]
    m_bar = v["V"].T @ y_bar
    mask = route(windows(v["x"]))
    x_bar = np.zeros(T)
    for i in range(M):
        x_bar[i : i + K] += mask[i] * m_bar[i]
    return {"y": y_bar, "m": m_bar, "V": np.outer(y_bar, v["m"]), "x": x_bar}
