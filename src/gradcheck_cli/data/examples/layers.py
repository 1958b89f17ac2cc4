"""Layers as CS231n writes them: forward/backward pairs, and a loss returning (loss, dx).

Each pair is checked by its name, inputs drawn in the forward's order:

    gradcheck layer examples/layers.py affine --shape x=4x5 --shape w=5x3 --shape b=3
    gradcheck layer examples/layers.py relu --shape x=4x5
    gradcheck layer examples/layers.py tanh --shape x=4x5
    gradcheck layer examples/layers.py layernorm --shape x=4x6 --shape gamma=6 --shape beta=6
    gradcheck layer examples/layers.py softmax_loss --shape x=4x10 --labels y=4:10
"""

import numpy as np


def affine_forward(x, w, b):
    """out = x w + b, each row of x (flattened) one example."""
    out = x.reshape(x.shape[0], -1) @ w + b
    return out, (x, w)


def affine_backward(dout, cache):
    x, w = cache
    dx = (dout @ w.T).reshape(x.shape)
    dw = x.reshape(x.shape[0], -1).T @ dout
    db = dout.sum(axis=0)
    return dx, dw, db


def relu_forward(x):
    return np.maximum(0, x), x


def relu_backward(dout, cache):
    x = cache
    return dout * (x > 0)


def tanh_forward(x):
    out = np.tanh(x)
    return out, out


def tanh_backward(dout, cache):
    out = cache
    return dout * (1 - out**2)


def layernorm_forward(x, gamma, beta, ln_param):
    """Each row normalised over its features, then scaled and shifted."""
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
    dx = inv_std / D * (
        D * dxhat
        - dxhat.sum(axis=1, keepdims=True)
        - xhat * (dxhat * xhat).sum(axis=1, keepdims=True)
    )
    return dx, (dout * xhat).sum(axis=0), dout.sum(axis=0)


def softmax_loss(x, y):
    """Mean cross-entropy of the softmax of each row of x, y the right classes."""
    N = x.shape[0]
    shifted = x - x.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -log_probs[np.arange(N), y].sum() / N
    dx = np.exp(log_probs)
    dx[np.arange(N), y] -= 1
    return loss, dx / N
