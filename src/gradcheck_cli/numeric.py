"""Numerical derivatives by central differences, many perturbed copies per call.

For entry i of a variable θ the step is h_i = rel · max(1, |θ_i|), with rel = cbrt(eps)
by default: the step that balances truncation (∝ h²) against round-off (∝ eps/h).
The steps actually taken are the representable differences (θ_i + h) − θ_i, so no
rounding of θ ± h leaks into the quotient.
"""

from dataclasses import dataclass

import numpy as np

from gradcheck_cli.model import Model, Values

DEFAULT_REL_STEP = float(np.cbrt(np.finfo(np.float64).eps))
CHUNK_BYTES = 32 * 2**20


@dataclass(frozen=True)
class Derivative:
    """d(out)/d(wrt) for every entry of wrt, shaped wrt.shape + out.shape.

    ``plus`` and ``minus`` are the one-sided differences; where they disagree beyond
    smooth curvature the step straddled a kink.
    """

    central: np.ndarray
    plus: np.ndarray
    minus: np.ndarray
    step: np.ndarray  # the step taken for each entry, shaped like wrt


def copy_bytes(model: Model, env: Values, wrt: str, out: str | None = None) -> int:
    """Bytes one perturbed copy of ``wrt`` costs, with everything recomputed from it."""
    names = [wrt] + [s.name for s in model.downstream(wrt)]
    return 8 * sum(np.size(env[n]) for n in names) * 2


def differentiate(model: Model, env: Values, wrt: str, out: str | None = None,
                  rel_step: float | None = None, chunk_bytes: int = CHUNK_BYTES) -> Derivative:
    """Central differences of ``out`` (the loss by default) with respect to ``wrt``."""
    out = out or model.loss
    theta = np.asarray(env[wrt], dtype=np.float64)
    flat = theta.ravel()
    n = flat.size
    rel = DEFAULT_REL_STEP if rel_step is None else rel_step
    h = rel * np.maximum(1.0, np.abs(flat))
    h_plus = (flat + h) - flat
    h_minus = flat - (flat - h)
    f0 = np.asarray(env[out])
    per_copy = max(1, copy_bytes(model, env, wrt))
    size = max(1, min(n, chunk_bytes // per_copy))
    fp = np.empty((n,) + f0.shape)
    fm = np.empty((n,) + f0.shape)
    for start in range(0, n, size):
        idx = np.arange(start, min(n, start + size))
        k = idx.size
        X = np.repeat(flat[None, :], 2 * k, axis=0)
        X[np.arange(k), idx] += h[idx]
        X[k + np.arange(k), idx] -= h[idx]
        f = model.evaluate(env, wrt, X.reshape((2 * k,) + theta.shape), upto=out)
        fp[idx], fm[idx] = f[:k], f[k:]
    shape = (n,) + (1,) * f0.ndim
    hp, hm = h_plus.reshape(shape), h_minus.reshape(shape)
    central = (fp - fm) / (hp + hm)
    plus = (fp - f0) / hp
    minus = (f0 - fm) / hm
    full = theta.shape + f0.shape
    return Derivative(central.reshape(full), plus.reshape(full), minus.reshape(full),
                      h_plus.reshape(theta.shape))
