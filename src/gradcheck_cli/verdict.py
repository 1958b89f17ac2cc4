"""One row's verdict: the numeric reference, the bound, kinks and round-off.

The comparison of compare.py decides entry by entry; this module gives it the numbers:
the numeric reference laid out as the analytic value, the per-entry bound (bounds.py),
and a second look at failing entries, which may sit on a kink or be round-off.
"""

import zlib
from dataclasses import dataclass

import numpy as np

from gradcheck_cli.bounds import C_EST, classic, per_entry, uses_estimates
from gradcheck_cli.compare import FAIL, Comparison, compare
from gradcheck_cli.model import Jacobian
from gradcheck_cli.numeric import DEFAULT_REL_STEP, differentiate


def _in_dtype(env, dtype):
    return env if dtype != "float32" else {k: np.asarray(v, dtype=np.float32) for k, v in env.items()}


def _as_float64(value):
    return value.astype(np.float64) if isinstance(value, np.ndarray) else value


def backward_at(model, env, dtype) -> dict:
    """Every hand-derived adjoint at ``env``, computed in ``dtype`` (returned as float64)."""
    return {k: _as_float64(v) for k, v in model.backward(_in_dtype(env, dtype)).items()}


def analytic_at(model, env, p, dtype):
    """The hand-derived value of one row at ``env``, computed in ``dtype``."""
    if p.jac:
        return _as_float64(model.jacobian(p.jac, _in_dtype(env, dtype)))
    return backward_at(model, env, dtype).get(p.id)


def _jacobian_layout(a: np.ndarray, jac: Jacobian) -> np.ndarray:
    """wrt.shape + of.shape (as differentiated) -> of.shape + wrt.shape, per column."""
    a = np.moveaxis(a, (0, 1), (2, 3))
    if not jac.per_column:
        return a
    B = a.shape[1]
    blocks = np.stack([a[:, b, :, b] for b in range(B)])
    return blocks[0] if B == 1 else blocks


def numeric_reference(model, env, name, method, settings, jac=None, rel_step=None, indices=None):
    """The numeric reference for one row, laid out as its analytic value."""
    der = differentiate(model, env, jac.wrt if jac else name, out=jac.of if jac else None,
                        method=method, rel_step=rel_step or settings.rel_step, indices=indices,
                        progress=settings.progress)
    if jac is None:
        return der
    return type(der)(*(None if a is None else _jacobian_layout(a, jac)
                       for a in (der.value, der.plus, der.minus, der.error)))


def _kinks(model, env, name, method, settings, analytic, numeric, bound, jac=None, error=None):
    """Look again at the failing entries of a row for kinks; returns (numeric, kink mask).

    One-sided differences at the steps h, h/8 and h/64: where the loss is smooth their
    spread shrinks with the step (∝ h f''); where it stops shrinking, θ sits on a kink and
    no single derivative exists (KINK). Where it vanishes at a finer step, the step h
    straddled a kink nearby: the central difference at h/8 replaces the one at h (central
    engine only; the complex step never straddles). Spreads must stand well above the
    round-off of a one-sided difference (about eps·|L|/h), and above the bound less
    Richardson's own estimate (which a stencil across a kink inflates), to count.
    """
    bad = np.abs(analytic - numeric) > bound
    significant = bound if error is None else np.maximum(bound - C_EST * np.nan_to_num(error, posinf=0.0), 0.0)
    indices = None if jac else np.flatnonzero(bad)
    rel = settings.rel_step or DEFAULT_REL_STEP
    theta = np.abs(np.asarray(env[jac.wrt if jac else name], dtype=float))
    levels = []
    for k in (1, 8, 64):
        der = numeric_reference(model, env, name, "central", settings, jac, rel / k, indices)
        if jac is None:  # (the step taken: smaller than rel · max(1, θ) where that left the domain)
            step = der.step if der.step is not None else rel / k * np.maximum(1.0, theta)
            noise = 256 * np.finfo(float).eps * abs(float(env[model.loss])) / step
        else:
            noise = np.full(numeric.shape, 256 * np.finfo(float).eps * k / rel)
        spread = np.abs(der.plus - der.minus)
        levels.append((der, spread, spread > np.maximum(significant, noise)))
    (coarse, s1, r1), (fine, s8, r8), (_, s64, r64) = levels
    kink = bad & ((r1 & r8 & (s8 > s1 / 2)) | (r8 & r64 & (s64 > s8 / 2)))
    if method == "richardson" and error is not None:
        # Richardson's wide stencil can straddle a kink that the narrow central one does
        # not: its extrapolations then disagree (a large estimate) while the central
        # difference agrees with A. A smooth loss keeps the estimate tiny, so a wrong A
        # is never excused this way.
        # (at the narrowest step that agrees: the central stencil may straddle it too)
        central_ok = np.zeros_like(bad)
        for der, _, _ in levels:
            central_ok |= np.abs(analytic - der.value) <= 1e-5 * np.maximum(
                np.maximum(np.abs(analytic), np.abs(der.value)), 1e-3 * np.abs(numeric).max())
        kink |= bad & (error > 1e-6 * np.maximum(np.abs(numeric), 1e-3 * np.abs(numeric).max())) & central_ok
    if method == "central":
        straddled = bad & ~kink & r1
        numeric = np.where(straddled, fine.value, numeric)
        kink |= straddled & (np.abs(analytic - fine.value) <= bound)
    return numeric, kink


@dataclass
class Pending:
    """One row between its numeric reference and its verdict."""

    id: str
    label: str
    kind: str
    formula: str
    shape: str
    analytic: object
    derivative: object
    jac: Jacobian | None = None
    indices: np.ndarray | None = None  # the flat entries sampled (--sample), or all
    rounding: np.ndarray | None = None  # --directions: A in extended precision − A (float64)


def rounding_of(model, env, analytic: dict) -> dict:
    """The float64 adjoints' own rounding, measured: the hand-derived adjoints once more in
    80-bit extended precision, minus ``analytic`` (x86-64; elsewhere, or for a formula
    that falls back to float64 or fails there: nothing, and directional.py bounds it).
    Not where longdouble is software quad precision (aarch64): far too slow."""
    if np.finfo(np.longdouble).nmant != 63 or not getattr(model, "extended_backward", True):
        return {}
    try:
        with np.errstate(all="ignore"):
            out = model.backward({k: np.asarray(v, dtype=np.longdouble) for k, v in env.items()})
    except Exception:
        return {}
    return {k: (v - analytic[k]).astype(np.float64) for k, v in out.items()
            if isinstance(v, np.ndarray) and v.dtype == np.longdouble
            and isinstance(analytic.get(k), np.ndarray) and analytic[k].shape == v.shape}


def model_scale(pending) -> float:
    """The largest |gradient| entry over the model (the analytic one where no numeric is
    computed yet, as with --directions)."""
    scales = []
    for p in pending:
        value = p.derivative.value if p.derivative is not None else p.analytic
        if isinstance(value, np.ndarray) and value.size and np.all(~np.isinf(value)) \
                and not np.all(np.isnan(value)):
            scales.append(np.nanmax(np.abs(value)))
    return float(max(scales, default=0.0))


def sampled_mask(p: "Pending"):
    if p.indices is None:
        return None
    mask = np.zeros(p.derivative.value.size, bool)
    mask[p.indices] = True
    return mask.reshape(p.derivative.value.shape)


JITTER = {"float64": 1e-8, "float32": 1e-4}  # far above the dtype's round-off, far below a bug


def at_jittered(model, settings, compute, seed: int = 0):
    """``compute(env)`` with every checked leaf moved by a relative JITTER (random, seeded).

    Data that is not checked (one-hot targets) stays put: moving it could break what the
    derivation assumes of it (Σ t = 1)."""
    rng = np.random.default_rng(seed)
    saved = model.values
    moved = {l.name for l in model.leaves if l.checked}
    jitter = JITTER[settings.dtype]
    model.__dict__["_values"] = {n: v * (1 + jitter * rng.standard_normal(np.shape(v))) if n in moved else v
                                 for n, v in saved.items()}
    try:
        return compute(model.forward())
    finally:
        model.__dict__["_values"] = saved


def _jittered(model, p: Pending, method, settings, indices, seed=0):
    """A − N again at jittered leaves (see at_jittered)."""
    def compute(env):
        A = analytic_at(model, env, p, settings.dtype)
        N = numeric_reference(model, env, p.id, method, settings, p.jac,
                              indices=None if p.jac else indices).value
        return np.asarray(A, dtype=float) - N
    return at_jittered(model, settings, compute, seed)


def _roundoff(model, p, method, settings, A, numeric, bound, kink):
    """Split the still-failing entries into real errors, round-off and kinks.

    A wrong formula makes A − N a smooth function of θ: moving every leaf by 1e-8
    (relative) changes it by about 1e-8 of itself. Round-off and branch flips do not
    survive that move: where A − N changes by more than a tenth under one of two such
    moves, the entry is not failing; where it also exceeds 1e-6 of the entry, a branch
    changed (a kink).
    """
    bad = (np.abs(A - numeric) > bound) & ~kink
    if not bad.any():
        return kink, np.zeros_like(bad)
    d = A - numeric
    unstable = np.zeros_like(bad)
    for seed in (0, 1):
        if (bad & ~unstable).any():
            moved = _jittered(model, p, method, settings, np.flatnonzero(bad & ~unstable), seed)
            unstable |= bad & (np.abs(d - moved) > 0.1 * np.abs(d))
    jump = unstable & (np.abs(d) > 1e-6 * np.maximum(np.abs(A), np.abs(numeric)))
    return kink | jump, unstable & ~jump


def verdict(model, env, p: Pending, method, settings, scale) -> tuple[np.ndarray, Comparison]:
    """Compare one row; its failing entries are looked at again for kinks."""
    tol = classic(method, settings.tolerance)
    numeric, A, mask = p.derivative.value, p.analytic, sampled_mask(p)
    comparable = (isinstance(A, np.ndarray) and A.shape == numeric.shape and not np.iscomplexobj(A)
                  and np.all(np.isfinite(A)))
    if comparable and mask is not None:
        numeric = np.where(mask, numeric, A)  # unsampled entries: nothing to compare
    if not comparable or not np.all(np.isfinite(numeric)):
        return numeric, compare(A, numeric, tol, sampled=mask)
    A = A.astype(np.float64)
    eps = float(np.finfo(settings.dtype).eps)
    bound = per_entry(method, settings.tolerance, A, numeric, p.derivative.error, scale, eps)
    comparison = compare(A, numeric, tol, bound=bound, sampled=mask)
    if comparison.status == FAIL:
        numeric, kink = _kinks(model, env, p.id, method, settings, A, numeric, bound, p.jac,
                               p.derivative.error)
        bound = per_entry(method, settings.tolerance, A, numeric, p.derivative.error, scale, eps)
        if uses_estimates(method, settings.tolerance):
            kink, noise = _roundoff(model, p, method, settings, A, numeric, bound, kink)
            bound = np.where(noise, np.inf, bound)
        comparison = compare(A, numeric, tol, kink, bound, mask)
    return numeric, comparison


def sample_indices(A, shape, settings, name: str) -> np.ndarray | None:
    """Flat indices of the entries to check with --sample K, or None for all.

    Stratified by |A| (random order when A is unusable): always the largest and the
    smallest, then one drawn from each of K − 2 equal strata between; seeded per tensor.
    """
    n = int(np.prod(shape))
    k = settings.sample
    if k is None or k >= n:
        return None
    rng = np.random.default_rng([settings.seed, zlib.crc32(name.encode())])
    if isinstance(A, np.ndarray) and A.shape == tuple(shape) and np.all(np.isfinite(A)):
        order = np.argsort(np.abs(A).ravel(), kind="stable")
    else:
        order = rng.permutation(n)
    picks = {int(order[0]), int(order[-1])}
    for stratum in np.array_split(order[1:-1], max(k - 2, 0)):
        if stratum.size:
            picks.add(int(rng.choice(stratum)))
    return np.array(sorted(picks))
