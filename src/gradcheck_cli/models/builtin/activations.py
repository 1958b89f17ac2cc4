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


def _tanh(z: np.ndarray) -> np.ndarray:
    """tanh, for a complex step's z = x + iy (|y| ≤ 1) from real functions: tanh(z) =
    (T (1 + t²) + i t / cosh²x) / (1 + T² t²), T = tanh x, t = tan y; within 8 ulps of
    numpy's complex tanh (whose own formula rounds as often). Where |y| < TINY_Y (every
    complex step), tan y = y and both 1 + t² and 1 + T² t² are 1 in float64: T + i y /
    cosh²x (0.4 ms against numpy's 1.9 for the 65,536 copies of W1 at d = 256).
    1/cosh²x, not 1 − T², where T rounds to ±1 (saturation): the complex step keeps the
    slope 1.7e-17 at x = 20 to its last bits, as A's 1 − h² does not; cosh x beyond 710
    overflows to a slope of 0, as it rounds."""
    if not np.iscomplexobj(z):
        return np.tanh(z)
    x, y = z.real, z.imag
    largest = np.abs(y).max(initial=0.0)
    if not largest <= 1.0:  # (also NaN: numpy's own)
        return np.tanh(z)
    out = np.empty(np.shape(z), dtype=np.result_type(z))
    with np.errstate(over="ignore"):
        c = np.cosh(x)
        c *= c
        if largest < TINY_Y:
            np.tanh(x, out=out.real)
            np.divide(y, c, out=out.imag)
            return out
        T, t = np.tanh(x), np.tan(y)
        den = T * t
        den *= den
        den += 1.0
        out.real = T * (1.0 + t * t) / den
        c *= den
        np.divide(t, c, out=out.imag)
    return out


TINY_Y = 2.0**-27  # |y| below it: tan y rounds to y, and 1 + y² to 1


def _pos(z: np.ndarray) -> np.ndarray:
    return z.real > 0


def _sigmoid(z: np.ndarray) -> np.ndarray:
    # 1/(1+e^-z) overflows for very negative z; the tanh form does not.
    return 0.5 * (1.0 + _tanh(0.5 * z))


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
    return 0.5 * z * (1 + _tanh(_GELU_C * (z + _GELU_A * z**3)))


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
        Activation("tanh", _tanh, lambda z: 1 - np.tanh(z) ** 2),
        Activation("sigmoid", _sigmoid, lambda z: _sigmoid(z) * (1 - _sigmoid(z))),
        Activation("softplus", _softplus, _sigmoid),
        Activation("elu", _elu, _delu),
        Activation("silu", _silu, _dsilu),
        Activation("gelu", _gelu, _dgelu),
    ]
}
