"""Elementwise activations phi, each with its derivative dphi beside it.

Every function is complex-safe: branches test ``z.real`` and never call abs/max on a
complex value, so a complex-step derivative flows through them. Branches are taken with
masked inputs (``np.where`` evaluates both sides) so the unused side cannot overflow.
"""

from collections.abc import Callable

import numpy as np

from gradcheck_cli.records import frozen


@frozen
class Activation:
    """An activation φ by name, with its derivative φ′ (the residual net's h = φ(z1))."""

    name: str
    phi: Callable[[np.ndarray], np.ndarray]
    dphi: Callable[[np.ndarray], np.ndarray]


def _pos(z: np.ndarray) -> np.ndarray:
    return z.real > 0


def _sigmoid(z: np.ndarray) -> np.ndarray:
    # 1/(1+e^-z) overflows for very negative z; the tanh form does not.
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def _softplus(z: np.ndarray) -> np.ndarray:
    # log(1 + e^z) = max(z, 0) + log1p(e^-|z|), written without abs/max.
    zpos = np.where(_pos(z), z, 0)
    zabs = np.where(_pos(z), z, -z)
    return zpos + np.log1p(np.exp(-zabs))


def _elu(z: np.ndarray) -> np.ndarray:
    return np.where(_pos(z), z, np.expm1(np.where(_pos(z), 0, z)))


def _delu(z: np.ndarray) -> np.ndarray:
    return np.where(_pos(z), 1.0, np.exp(np.where(_pos(z), 0, z)))


def _silu(z: np.ndarray) -> np.ndarray:
    return z * _sigmoid(z)


def _dsilu(z: np.ndarray) -> np.ndarray:
    s = _sigmoid(z)
    return s + z * s * (1 - s)


_GELU_C = np.sqrt(2 / np.pi)
_GELU_A = 0.044715


def _gelu(z: np.ndarray) -> np.ndarray:
    return 0.5 * z * (1 + np.tanh(_GELU_C * (z + _GELU_A * z**3)))


def _dgelu(z: np.ndarray) -> np.ndarray:
    u = np.tanh(_GELU_C * (z + _GELU_A * z**3))
    return 0.5 * (1 + u) + 0.5 * z * (1 - u**2) * _GELU_C * (1 + 3 * _GELU_A * z**2)


LEAKY_SLOPE = 0.01

ACTIVATIONS = {
    a.name: a
    for a in [
        Activation("identity", lambda z: z, lambda z: np.ones_like(z)),
        Activation(
            "relu",
            lambda z: np.where(_pos(z), z, 0),
            lambda z: np.where(_pos(z), 1.0, 0.0),
        ),
        Activation(
            "leaky_relu",
            lambda z: np.where(_pos(z), z, LEAKY_SLOPE * z),
            lambda z: np.where(_pos(z), 1.0, LEAKY_SLOPE),
        ),
        Activation("tanh", np.tanh, lambda z: 1 - np.tanh(z) ** 2),
        Activation("sigmoid", _sigmoid, lambda z: _sigmoid(z) * (1 - _sigmoid(z))),
        Activation("softplus", _softplus, _sigmoid),
        Activation("elu", _elu, _delu),
        Activation("silu", _silu, _dsilu),
        Activation("gelu", _gelu, _dgelu),
    ]
}
