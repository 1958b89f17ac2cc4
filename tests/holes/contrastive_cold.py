"""InfoNCE at temperature 0.01 (a red team's model, its seed-5 draw written out): the
logits are ~100 apart, so rows of ū hold entries of 1e-24 beside others of 1e-8. The
complex step's imaginary part cancels them to exactly 0 (log Σ eˢ − s_ii), and the loss
of 7e-9 is rounded at the size of its terms, not its own: those entries do not carry
the gradient and are held to that rounding, not FAILed. (ū is WEAK: A and N differ by
3e-6 where it carries, rounding of the same cancellation.)"""

import numpy as np

B, D, TAU = 4, 5, 0.01
TARGETS = []
A0 = [
    [
        -0.8019314252534474,
        -1.324358995628145,
        -0.24836162209524854,
        0.4204452380655215,
        1.1360465324896427,
    ],
    [
        0.10970639932180819,
        -0.5526473205362324,
        -0.7847803553442784,
        0.7487457707345911,
        1.6347830429585775,
    ],
    [
        0.27276877584472176,
        -1.2333286640307717,
        -0.9582652054360887,
        1.6000190889991115,
        0.2028824405086084,
    ],
    [
        -1.7321348424395848,
        -0.08369619281702581,
        -1.1632259734447485,
        -0.6292880940615545,
        -0.48800582327685743,
    ],
]
B0 = [
    [
        -1.2299194482327935,
        -0.9923319134161712,
        -0.28621320525042204,
        0.06678648324595865,
        1.3818292284239129,
    ],
    [
        0.6076195835586025,
        -1.5384613433796386,
        -0.9388184311635748,
        0.1602973571081836,
        1.5308899080413583,
    ],
    [
        -0.5008824722075935,
        -1.220914427608217,
        -0.9809966500625297,
        1.4174164384240182,
        -0.4258734625635393,
    ],
    [
        -1.9698490407234404,
        -0.7384935338344512,
        -1.9763512211675922,
        -0.4944166545856186,
        -1.1536157860116771,
    ],
]


def init(rng):
    return {"a": np.array(A0), "b": np.array(B0)}


def forward(p, tap):
    u = tap("u", p["a"] / np.sqrt(np.sum(p["a"] ** 2, axis=1, keepdims=True)))
    w = tap("w", p["b"] / np.sqrt(np.sum(p["b"] ** 2, axis=1, keepdims=True)))
    S = tap("S", u @ w.T / TAU)
    m = S.real.max(axis=1, keepdims=True)
    lse = m + np.log(np.sum(np.exp(S - m), axis=1, keepdims=True))
    return np.mean(lse[:, 0] - np.diag(S))


def _normalised_back(x, y, y_bar):
    n = np.sqrt(np.sum(x**2, axis=1, keepdims=True))
    return (y_bar - y * np.sum(y_bar * y, axis=1, keepdims=True)) / n


def backward(v):
    S = v["S"]
    P = np.exp(S - S.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    S_bar = (P - np.eye(B)) / B
    u_bar = S_bar @ v["w"] / TAU
    w_bar = S_bar.T @ v["u"] / TAU
    return {
        "S": S_bar,
        "u": u_bar,
        "w": w_bar,
        "a": _normalised_back(v["a"], v["u"], u_bar),
        "b": _normalised_back(v["b"], v["w"], w_bar),
    }
