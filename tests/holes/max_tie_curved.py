"""Three maxima tied at 2 beside a quadratic of 1e7 (the max's jump, 6, is 1e-6 of the
entries): the curvature spreads each step's one-sided differences by far more than the
jump, and L's round-off hides h/8's. Under central a tied entry whose A (one side)
agreed with N within the rtol went to its referee, Richardson, whose N is the sides'
mean within 2e-4, and the correct backward FAILed (a red team's model); the kink
test's one-sided derivatives, extrapolated from 64h down, resolve the jump
(verdict._jumped), at θ or within those steps of it: not FAIL."""

import numpy as np

C = 1e7
TARGETS = ["c"]


def init(rng):
    return {
        "u": np.array([2.0, 0.5, 2.0, 1.0, -0.5, 2.0, 1.5]),
        "c": np.array([1.6, 0.2, 1.3, 0.9, -0.1, 1.8, 0.7]),
    }


def forward(p, tap):
    u = p["u"]
    return 0.5 * C * np.sum((u - p["c"]) ** 2) + 6.0 * np.max(u)


def backward(v):
    u = v["u"]
    first = np.zeros_like(u)
    first[np.argmax(u)] = 1.0
    return {"u": C * (u - v["c"]) + 6.0 * first}
