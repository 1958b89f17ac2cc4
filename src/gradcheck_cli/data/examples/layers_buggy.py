"""The layers of layers.py, each with a slip students make; every check fails where it breaks.

    affine        db summed over the examples' features (axis 1), not the examples: b̄
    relu          the mask returned, not dout times the mask: x̄
    tanh          tanh′ taken as 1 − x², not 1 − tanh(x)²: x̄
    layernorm     the path through the mean dropped: x̄ (γ̄ and β̄ pass)
    softmax_loss  the 1/N of the mean forgotten in dx: x̄

    gradcheck layer examples/layers_buggy.py affine --shape x=4x5 --shape w=5x3 --shape b=3
"""

import numpy as np


def affine_forward(x, w, b):
    out = x.reshape(x.shape[0], -1) @ w + b
    return out, (x, w)


def affine_backward(dout, cache):
    x, w = cache
    dx = (dout @ w.T).reshape(x.shape)
    dw = x.reshape(x.shape[0], -1).T @ dout
    db = dout.sum(axis=1)  # bug: sums each example's outputs, not over the examples
    return dx, dw, db


def relu_forward(x):
    return np.maximum(0, x), x


def relu_backward(dout, cache):
    x = cache
    return (x > 0).astype(float)  # bug: the local derivative alone, dout forgotten


def tanh_forward(x):
    return np.tanh(x), x


def tanh_backward(dout, cache):
    x = cache
    return dout * (1 - x**2)  # bug: tanh′(x) = 1 − tanh(x)², not 1 − x²


def layernorm_forward(x, gamma, beta, ln_param):
    eps = ln_param.get("eps", 1e-5)
    mu = x.mean(axis=1, keepdims=True)
    xc = x - mu
    inv_std = 1 / np.sqrt((xc**2).mean(axis=1, keepdims=True) + eps)
    xhat = xc * inv_std
    return gamma * xhat + beta, (xhat, gamma, inv_std)


def layernorm_backward(dout, cache):
    xhat, gamma, inv_std = cache
    D = xhat.shape[1]
    dxhat = dout * gamma
    # bug: the term through the mean, − Σ dxhat, is dropped
    dx = inv_std / D * (D * dxhat - xhat * (dxhat * xhat).sum(axis=1, keepdims=True))
    return dx, (dout * xhat).sum(axis=0), dout.sum(axis=0)


def softmax_loss(x, y):
    N = x.shape[0]
    shifted = x - x.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -log_probs[np.arange(N), y].sum() / N
    dx = np.exp(log_probs)
    dx[np.arange(N), y] -= 1
    return loss, dx  # bug: the mean's 1/N forgotten
