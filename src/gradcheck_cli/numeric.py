"""Numerical derivatives, many perturbed copies of a variable per model call.

Four engines share one loop (perturb entries of ``wrt`` in stacked copies, re-run the
steps downstream of it, read ``out``):

- ``central``: (f(θ + h) − f(θ − h)) / 2h with h_i = rel · max(1, |θ_i|), rel = ∛eps by
  default, the step that balances truncation (∝ h²) against round-off (∝ eps / h). The
  steps taken are the representable differences (θ_i + h) − θ_i. The one-sided
  differences come for free and reveal kinks.
- ``forward``: (f(θ + h) − f(θ)) / h with h = √eps · max(1, |θ|): one evaluation per
  entry, error ~1e-8: the crude baseline.
- ``richardson``: central differences at h, h/2, h/4 (h = 0.003 · max(1, |θ|))
  extrapolated twice, with a per-entry error estimate: ~1e-12 for 6 evaluations.
- ``complex``: Im f(θ + ih) / h with h = 1e-20 · min(1, |θ|) (no smaller than 1e-300). No
  subtraction, so no cancellation: exact to machine precision for a forward pass that is
  complex-safe (analytic operations, branches on the real part). Its result has no
  one-sided differences; kinks are looked for with central differences on the entries
  that fail (see verdict.py).

An entry whose central or Richardson stencil leaves the function's domain (θ − h < 0 in
the log of a probability: NaN) is done again with h relative to |θ| instead of
max(1, |θ|).
"""

import warnings
from dataclasses import dataclass

import numpy as np

from gradcheck_cli.model import Model, Values

DEFAULT_REL_STEP = float(np.cbrt(np.finfo(np.float64).eps))  # central: balances h² against eps/h
FORWARD_REL_STEP = float(np.sqrt(np.finfo(np.float64).eps))  # forward: balances h against eps/h
RICHARDSON_REL_STEP = 3e-3  # h⁶ against eps/h at h/4, and a stencil narrow enough to miss most kinks
COMPLEX_STEP = 1e-20
CHUNK_BYTES = 32 * 2**20
METHODS = ("auto", "complex", "richardson", "central", "forward")


@dataclass(frozen=True)
class Derivative:
    """d(out)/d(wrt) for the entries of wrt, shaped wrt.shape + out.shape.

    ``plus`` and ``minus`` are the one-sided differences (central only, else None);
    entries not differentiated (with ``indices``) are NaN.
    """

    value: np.ndarray
    plus: np.ndarray | None = None
    minus: np.ndarray | None = None
    error: np.ndarray | None = None  # the engine's own estimate of |value − exact| (richardson)
    step: np.ndarray | None = None  # central: the step h taken for each entry


def copy_bytes(model: Model, env: Values, wrt: str) -> int:
    """Bytes one perturbed copy of ``wrt`` costs: what the fast path computes for it where
    the model has one, else a copy of ``wrt`` and everything recomputed from it."""
    if model.sparse_for(wrt):
        return model.copy_bytes(env, wrt)
    names = [wrt] + [s.name for s in model.downstream(wrt)]
    return 16 * sum(np.size(env[n]) for n in names)


def _chunks(n: int, per_copy: int, chunk_bytes: int):
    size = max(1, min(n, chunk_bytes // max(1, per_copy)))
    for start in range(0, n, size):
        yield slice(start, min(n, start + size))


def _evaluate(model, env, wrt, out, flat, idx, steps, chunk_bytes, dtype, progress=None):
    """f at θ + steps[j] e_idx[j] for every j, as an array (len(idx),) + out.shape."""
    shape = np.shape(env[wrt])
    f0 = np.asarray(env[out])
    result = np.empty((idx.size,) + f0.shape, dtype=dtype)
    sparse = model.sparse_for(wrt)
    for part in _chunks(idx.size, 2 * copy_bytes(model, env, wrt), chunk_bytes):
        k = part.stop - part.start
        if sparse:
            result[part] = model.perturbed(env, wrt, idx[part], steps[part], upto=out)
        else:
            X = np.repeat(flat[None, :].astype(dtype), k, axis=0)
            X[np.arange(k), idx[part]] += steps[part]
            result[part] = model.evaluate(env, wrt, X.reshape((k,) + shape), upto=out)
        if progress is not None:
            progress(k)
    return result


def differentiate(model: Model, env: Values, wrt: str, out: str | None = None,
                  method: str = "central", rel_step: float | np.ndarray | None = None,
                  indices: np.ndarray | None = None, chunk_bytes: int = CHUNK_BYTES,
                  progress=None) -> Derivative:
    """Numerical derivative of ``out`` (the loss by default) with respect to ``wrt``.

    ``indices`` (flat) limits the work to some entries; the others are NaN; ``rel_step``
    may then be an array, one step per index. ``progress``,
    if given, is called with the number of model evaluations after each chunk.
    """
    out = out or model.loss
    theta = np.asarray(env[wrt], dtype=np.float64)
    flat = theta.ravel()
    idx = np.arange(flat.size) if indices is None else np.asarray(indices, dtype=int)
    f0 = np.asarray(env[out], dtype=np.float64)
    tail = (1,) * f0.ndim

    def scatter(values):
        if values is None:
            return None
        arr = np.full((flat.size,) + f0.shape, np.nan)
        arr[idx] = values
        return arr.reshape(theta.shape + f0.shape)

    def at(steps, dtype=np.float64):
        """f(θ + steps[j] e_idx[j]) for each of len(steps)/len(idx) rounds of steps."""
        rounds = len(steps) // idx.size if idx.size else 0
        return _evaluate(model, env, wrt, out, flat, np.tile(idx, rounds), steps, chunk_bytes, dtype, progress)

    def taken(rel):
        """The representable steps (θ + h) − θ and θ − (θ − h), shaped to broadcast."""
        h = rel * np.maximum(1.0, np.abs(flat[idx]))
        return [(a.reshape((-1,) + tail)) for a in ((flat[idx] + h) - flat[idx], flat[idx] - (flat[idx] - h))]

    if method == "complex":
        h = complex_steps(flat[idx]).reshape((-1,) + tail)
        f = at(1j * h.ravel(), complex)
        return Derivative(scatter(f.imag / h))
    if method == "forward":
        hp, _ = taken(FORWARD_REL_STEP if rel_step is None else rel_step)
        return Derivative(scatter((at(hp.ravel()) - f0) / hp))
    if method == "richardson":
        parts = list(_richardson(at, taken, rel_step, idx.size)) + [None]
    else:
        hp, hm = taken(DEFAULT_REL_STEP if rel_step is None else rel_step)
        f = at(np.concatenate([hp.ravel(), -hm.ravel()]))
        fp, fm = f[: idx.size], f[idx.size:]
        step = np.broadcast_to((hp + hm) / 2, fp.shape).copy()
        parts = [(fp - fm) / (hp + hm), (fp - f0) / hp, (f0 - fm) / hm, None, step]
    lost = (~np.isfinite(parts[0]).reshape(idx.size, -1).all(axis=1) & (flat[idx] != 0)
            & bool(np.all(np.isfinite(f0))) & (np.ndim(rel_step) == 0))
    if lost.any():
        # The stencil (θ_i − h) left the function's domain around a small θ_i (the log of
        # a probability below h): again, with h relative to |θ_i| itself rather than to
        # max(1, |θ_i|): rel · |θ_i| (any rel: the kink test's h, h/8, h/64 stay apart).
        small = np.abs(flat[idx[lost]])
        rel = (RICHARDSON_REL_STEP if method == "richardson" else DEFAULT_REL_STEP) if rel_step is None else rel_step
        rel = rel * np.minimum(1.0, small)
        again = differentiate(model, env, wrt, out, method, rel, idx[lost], chunk_bytes, progress)
        for k, redone in enumerate([again.value, again.plus, again.minus, again.error, again.step]):
            if parts[k] is not None:
                parts[k][lost] = redone.reshape((flat.size,) + f0.shape)[idx[lost]]
    return Derivative(*map(scatter, parts))


def complex_steps(theta):
    """The complex step for each θ_i: relative to a small |θ_i| (a probability of 1e-34
    needs a smaller step still), and never below 1e-300."""
    return COMPLEX_STEP * np.clip(np.abs(theta), 1e-280, 1.0)


def _richardson(at, taken, rel_step, n):
    """Central differences at h, h/2 and h/4, extrapolated twice (error O(h⁶)).

    The error estimate is the disagreement of the two first-level extrapolations, an
    overestimate of the final value's error that also carries the round-off noise.
    """
    rel = RICHARDSON_REL_STEP if rel_step is None else rel_step
    steps = [taken(rel / k) for k in (1, 2, 4)]
    f = at(np.concatenate([a.ravel() for hp, hm in steps for a in (hp, -hm)]))
    D = [(f[(2 * j) * n:(2 * j + 1) * n] - f[(2 * j + 1) * n:(2 * j + 2) * n]) / (hp + hm)
         for j, (hp, hm) in enumerate(steps)]
    R1, R2 = (4 * D[1] - D[0]) / 3, (4 * D[2] - D[1]) / 3
    return (16 * R2 - R1) / 15, None, None, np.abs(R2 - R1)


def complex_safe(model: Model, env: Values) -> bool:
    """Whether complex steps give true derivatives through the model's forward.

    A model may declare it (``complex_safe`` True or False). Otherwise, on the
    largest entry of each leaf, the complex step must run, return a finite complex loss,
    and agree with a central difference (an abs(), a cast to float or a comparison on a
    complex value would drop or bend the imaginary part); at least one leaf must carry a
    nonzero imaginary part.
    """
    declared = getattr(model, "complex_safe", None)
    if declared is not None:
        return declared
    seen = False
    for leaf in model.leaves:
        theta = np.asarray(env[leaf.name], dtype=np.float64)
        if theta.size == 0:
            continue
        i = int(np.argmax(np.abs(theta)))
        try:
            with warnings.catch_warnings():  # a ComplexWarning here is the answer, not news
                warnings.simplefilter("ignore")
                cs = differentiate(model, env, leaf.name, method="complex", indices=[i]).value
            real = differentiate(model, env, leaf.name, method="central", indices=[i])
        except Exception:  # the forward refuses complex numbers
            return False
        cs = np.ravel(cs)[i]
        # on a kink the complex step follows one branch: one of the one-sided differences
        cd = min((np.ravel(a)[i] for a in (real.value, real.plus, real.minus)), key=lambda v: abs(v - cs))
        # central's own error: truncation well inside 1e-5 relative, round-off ~ eps·|L|/h
        noise = 100 * np.finfo(float).eps * max(1.0, abs(float(env[model.loss]))) / (
            DEFAULT_REL_STEP * max(1.0, abs(theta.flat[i])))
        if not np.isfinite(cs) or abs(cs - cd) > 1e-5 * max(abs(cs), abs(cd)) + noise:
            return False
        seen = seen or cs != 0
    return seen
