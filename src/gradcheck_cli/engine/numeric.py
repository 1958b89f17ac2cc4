"""Numerical derivatives, many perturbed copies of a variable per model call.

Four engines share one loop (perturb entries of ``wrt`` in stacked copies, re-run the
steps downstream of it, read ``out``):

- ``central``: (f(θ + h) − f(θ − h)) / 2h with h_i = rel · max(1, |θ_i|), rel = ∛eps by
  default, the step that balances truncation (∝ h²) against round-off (∝ eps / h). The
  steps taken are the representable differences (θ_i + h) − θ_i. The one-sided
  differences come for free and reveal kinks.
- ``forward``: (f(θ + h) − f(θ)) / h with h = √eps · max(1, |θ|): one evaluation per
  entry, error ~1e-8: the crude baseline.
- ``richardson``: the fallback for forwards that are not complex-safe. Per entry, central
  differences at 11 steps h_k = 0.1 · max(1, |θ|) · 4⁻ᵏ (0.1 … 1e-7; ``rel_step``, the
  user's --eps, replaces 0.1 as the largest), extrapolated twice along the sequence; the
  extrapolation with the smallest error estimate (disagreement with its neighbours +
  round-off ~eps·|f|/h) is kept, with that estimate and its step (a kink is the
  verdict's second look's to find). 24 evaluations per entry (both sides of 11 steps,
  and of one below them: a staircase's test), 48 for those retried below
  (benchmarks/accuracy.py counts them); error ~1e-12 where the function is smooth on
  the scale of the step, whatever that scale.
- ``complex``: Im f(θ + ih) / h with h = 1e-20 · min(1, |θ|) (no smaller than 1e-300; at
  θ = 0, relative to the tensor's median |θ|). No
  subtraction, so no cancellation: exact to machine precision for a forward pass that is
  complex-safe (analytic operations, branches on the real part). Its result has no
  one-sided differences; kinks are looked for with central differences on the entries
  that fail (see verdict.py).

An entry whose central or Richardson steps leave the function's domain (θ − h < 0 in the
log of a probability: NaN), or (richardson) whose estimate stays above 1e-8 of the value,
is done again with h relative to |θ| instead of max(1, |θ|) where |θ| < 1.
"""

import math
import time
import warnings
from collections.abc import Callable, Iterator
from functools import partial
from typing import TYPE_CHECKING, Any, NamedTuple, overload

import numpy as np

from gradcheck_cli.engine import workers
from gradcheck_cli.engine.audit import as_audited, audited
from gradcheck_cli.engine.engines import (
    COMPLEX_STEP,
    DEFAULT_REL_STEP,
    EPS,
    RICHARDSON_FIRST_STEP,
    RICHARDSON_STEPS,
    engine,
)
from gradcheck_cli.engine.policy import (
    C_AGREE,
    CLASSIC_ROUNDOFF,
    EXTENDED_FIRST,
    EXTENDED_PROBE,
    EXTENDED_REFEREE,
    EXTENDED_STEPS,
    JUMP_EXTRAPOLATED,
    JUMP_ROUNDOFF,
    KINK_RATIO,
    KINK_SHRINK,
    PROBE_CENTRAL_RTOL,
    PROBE_DOUBT,
    PROBE_FINEST,
    PROBE_MEASURED,
    PROBE_NOISE,
    PROBE_ROUNDOFF,
    PROBE_RTOL,
    PROBE_RTOL_EXTENDED,
    PROBE_UNIT_SCALES,
    RESTEP,
    RICHARDSON_OVERRULED,
    RICHARDSON_POOR,
    RICHARDSON_RESOLVED,
    TURN_LEVELS,
    TURN_MARGIN,
    TURN_ULPS,
)
from gradcheck_cli.errors import ModelError
from gradcheck_cli.models.model import Model, Values
from gradcheck_cli.records import frozen

if TYPE_CHECKING:  # (annotations only: numpy.typing is not imported at run time)
    from numpy.typing import DTypeLike

RICHARDSON_RATIO = 4.0  # between consecutive steps: 0.1 … 0.1 · 4⁻¹⁰ ≈ 1e-7
PLATEAU_STEP = 1e-3  # that step, times the smallest: where a staircase shows (_plateau)
STILL_MOVES = 64  # f moved by at most this × eps × the size its terms round at: still
CANCELLED = 64  # a loss whose measured rounding is above this × eps × |L|: it cancels
RICHARDSON_ROUNDOFF = 4.0  # a central difference's round-off, in units of eps · |f| / h
RICHARDSON_ARRAYS = 16  # arrays of RICHARDSON_STEPS numbers per entry it holds at once, about
PROBE_SEED = 2718  # the complex-safety probe's random directions
COMPLEX_WARNING = getattr(np, "exceptions", np).ComplexWarning  # np.exceptions: numpy ≥ 1.25
CHUNK_BYTES = 32 * 2**20

Progress = Callable[[int], object]  # called with a count of model evaluations as they are done
What = tuple[str, str, tuple[int, ...], "DTypeLike"]  # wrt, out, wrt's shape, dtype
Step = float | np.ndarray  # a relative step, or one per entry
Parts = list[Any]  # value, plus, minus, error, step, jump: each an array, or None (Derivative)


@frozen(eq=False)  # (eq=False: arrays: == by identity)
class Derivative:
    """d(out)/d(wrt) for the entries of wrt, shaped wrt.shape + out.shape.

    ``plus`` and ``minus`` are the one-sided differences (central only, else None);
    entries not differentiated (with ``indices``) are NaN.
    """

    value: np.ndarray
    plus: np.ndarray | None = None
    minus: np.ndarray | None = None
    error: np.ndarray | None = None  # the engine's own estimate of |value − exact| (richardson)
    step: np.ndarray | None = None  # the step h taken for each entry (central, richardson)
    jump: np.ndarray | None = None  # richardson: a kink's jump at θ_i, 0 where none, None
    # where no entry has one (_jumps)


def copy_bytes(model: Model, env: Values, wrt: str) -> int:
    """Bytes one perturbed copy of ``wrt`` costs: what the fast path computes for it where
    the model has one, else a copy of ``wrt`` and everything recomputed from it."""
    if model.sparse_for(wrt):
        return model.copy_bytes(env, wrt)
    return _dense_bytes(model, env, wrt)


def _dense_bytes(model: Model, env: Values, wrt: str) -> int:
    """Bytes one complex copy of ``wrt`` costs run through the forward as it is: the copy
    and everything recomputed from it."""
    names = [wrt] + [s.name for s in model.downstream(wrt)]
    return 16 * sum(int(np.size(env[n])) for n in names)


def _chunks(n: int, per_copy: int, chunk_bytes: int) -> Iterator[slice]:
    size = max(1, min(n, chunk_bytes // max(1, per_copy)))
    for start in range(0, n, size):
        yield slice(start, min(n, start + size))


def _evaluate(
    model: Model,
    env: Values,
    wrt: str,
    out: str,
    flat: np.ndarray,
    idx: np.ndarray,
    steps: np.ndarray,
    chunk_bytes: int,
    dtype: "DTypeLike",
    progress: Progress | None = None,
    pool: workers.Pool | None = None,
) -> np.ndarray:
    """f at θ + steps[j] e_idx[j] for every j, as an array (len(idx),) + out.shape.

    In chunks of ``chunk_bytes``; with a ``pool`` (workers.py), the chunks left once the
    first ones show they would take longer than PARALLEL_MIN_SECONDS go to its workers,
    each computed there exactly as here."""
    what = (wrt, out, np.shape(env[wrt]), dtype)
    result = np.empty((idx.size,) + np.shape(env[out]), dtype=dtype)
    parts = list(_chunks(idx.size, 2 * copy_bytes(model, env, wrt), chunk_bytes))
    start = time.perf_counter()
    for j, part in enumerate(parts):
        if j and pool is not None:
            left = (time.perf_counter() - start) / part.start * (idx.size - part.start)
            if left > workers.PARALLEL_MIN_SECONDS and pool.usable(model, wrt):
                _in_workers(pool, model, env, what, flat, idx, steps, parts[j:], result, progress)
                break
        values = copies(model, env, what, flat, idx[part], steps[part])
        # (a real step's copies of a forward that returns L complex-typed, its imaginary
        # part 0 as the loss's own check made sure: their real part, said so, no warning)
        result[part] = np.real(values) if result.dtype.kind == "f" else values
        if progress is not None:
            progress(part.stop - part.start)
    return result


def copies(
    model: Model, env: Values, what: What, flat: np.ndarray, idx: np.ndarray, steps: np.ndarray
) -> np.ndarray:
    """f at θ + steps[j] e_idx[j] for one chunk; ``what``: (wrt, out, wrt's shape, dtype)."""
    wrt, out, shape, dtype = what
    if model.sparse_for(wrt):
        return model.perturbed(env, wrt, idx, steps, upto=out)
    return _dense_copies(model, env, what, flat, idx, steps)


def _dense_copies(
    model: Model,
    env: Values,
    what: What,
    flat: np.ndarray,
    idx: np.ndarray,
    steps: np.ndarray,
    pinned: bool = True,
) -> np.ndarray:
    """copies() through the forward as it is, one whole copy of ``wrt`` each (``pinned``:
    Model.evaluate's)."""
    wrt, out, shape, dtype = what
    X = np.repeat(flat[None, :].astype(dtype), idx.size, axis=0)
    X[np.arange(idx.size), idx] += steps
    return model.evaluate(env, wrt, X.reshape((idx.size,) + shape), upto=out, pinned=pinned)


def _in_workers(
    pool: workers.Pool,
    model: Model,
    env: Values,
    what: What,
    flat: np.ndarray,
    idx: np.ndarray,
    steps: np.ndarray,
    parts: list[slice],
    result: np.ndarray,
    progress: Progress | None,
) -> None:
    """The chunks ``parts`` evaluated by the pool's workers, into ``result``."""
    count = min(len(parts), workers.TASKS_PER_WORKER * pool.size)
    spans, tasks = [], []
    for group in np.array_split(np.arange(len(parts)), count):
        lo, hi = parts[group[0]].start, parts[group[-1]].stop
        bounds = [(parts[k].start - lo, parts[k].stop - lo) for k in group]
        spans.append(slice(lo, hi))
        tasks.append((model.recipe, env, what, flat, idx[lo:hi], steps[lo:hi], bounds))
    for span, values in zip(spans, pool.map(_copies_in_worker, tasks), strict=True):
        result[span] = values
        if progress is not None:
            progress(span.stop - span.start)


def _copies_in_worker(
    recipe: workers.Recipe,
    env: Values,
    what: What,
    flat: np.ndarray,
    idx: np.ndarray,
    steps: np.ndarray,
    bounds: list[tuple[int, int]],
) -> np.ndarray:
    """In a worker: the chunks ``bounds`` of ``idx``, each as copies() computes it here."""
    model = workers.rebuilt(recipe)
    with np.errstate(all="ignore"), workers.one_blas_thread():
        return np.concatenate(
            [copies(model, env, what, flat, idx[a:b], steps[a:b]) for a, b in bounds]
        )


def differentiate(
    model: Model,
    env: Values,
    wrt: str,
    out: str | None = None,
    method: str = "central",
    rel_step: float | np.ndarray | None = None,
    indices: np.ndarray | None = None,
    chunk_bytes: int = CHUNK_BYTES,
    progress: Progress | None = None,
    pool: workers.Pool | None = None,
    complex_scale: float = 1.0,
) -> Derivative:
    """Numerical derivative of ``out`` (the loss by default) with respect to ``wrt``.

    ``indices`` (flat) limits the work to some entries; the others are NaN; ``rel_step``
    may then be an array, one step per index. ``progress``, if given, is called with the
    number of model evaluations after each chunk; ``pool`` (workers.Pool) spreads the
    copies over worker processes; ``complex_scale`` scales the complex step (a step that
    is no power of two rounds differently: the spread is the complex step's own rounding).
    """
    e = _Entries(model, env, wrt, out or model.loss, indices, chunk_bytes, progress, pool)
    how = engine(method)
    if e.idx.size == 0:  # an empty leaf, or no entry asked for: nothing to evaluate
        none = e.scatter(np.empty((0,) + e.f0.shape))
        if how.rule in ("complex", "forward"):
            return Derivative(none)
        return Derivative(none, none, none, none, none, none)
    rel = how.rel_step if rel_step is None else rel_step
    if how.rule == "complex":
        h = complex_scale * complex_steps(e.x, e.flat).reshape((-1,) + e.tail)
        f = e.at(1j * h.ravel(), complex)
        return Derivative(e.laid_out(f.imag / h))
    assert rel is not None, f"{how.name}: a finite-difference engine has a rel_step"
    if how.rule == "forward":
        hp, _ = e.taken(rel)
        return Derivative(e.scatter((e.at(hp.ravel()) - e.f0) / hp))
    if how.rule == "richardson":
        terms = rounding_size(model, env) if e.out == model.loss else 0.0  # (not a tap's)
        parts = _richardson(e.at, e.taken, rel, e.idx.size, e.f0, chunk_bytes, terms)
    else:
        parts = _central(e, rel)
    redo = _poorly_resolved(parts, method, e, rel_step)
    if redo.any():
        _again_relative_to_theta(parts, redo, method, e, rel_step)
    if parts[5] is not None and not parts[5].any():  # (no jump: no array the tensor's size)
        parts[5] = None
    return Derivative(*map(e.scatter, parts))


def complex_beside(
    model: Model,
    env: Values,
    wrt: str,
    indices: np.ndarray,
    offsets: np.ndarray,
    mirrored: bool = False,
) -> np.ndarray:
    """The complex step at θ_i + offsets[j] (a real move of entry i = indices[j] first):
    the derivative of L along entry i at a point beside θ, one per index; ``mirrored``:
    by −ih (a max, where or sort compares real parts, then imaginary ones: at a tie the
    step's sign picks the branch). Dense copies, unpinned: a built-in's fast path and pin
    keep the unmoved real parts, which would undo the move (and the branch it takes).
    With no real move (offsets all 0) they are the complex step's own copies: the pin
    keeps θ's ties exact, and a built-in's W1 is not copied whole per entry."""
    flat = np.asarray(env[wrt], dtype=np.float64).ravel()
    h = complex_steps(flat[indices], flat) * (-1.0 if mirrored else 1.0)
    offsets = np.asarray(offsets, dtype=float)
    steps = offsets + 1j * h
    what = (wrt, model.loss, np.shape(env[wrt]), complex)
    moved = bool(np.any(offsets))
    out = np.empty(indices.size)
    for part in _chunks(indices.size, 2 * _dense_bytes(model, env, wrt), CHUNK_BYTES):
        if moved:
            f = _dense_copies(model, env, what, flat, indices[part], steps[part], pinned=False)
        else:
            f = copies(model, env, what, flat, indices[part], steps[part])
        out[part] = np.asarray(f, dtype=complex).reshape(-1).imag / h[part]
    return out


class _Entries:
    """The entries of ``wrt`` being differentiated: f at θ moved along them, in chunks."""

    def __init__(
        self,
        model: Model,
        env: Values,
        wrt: str,
        out: str,
        indices: np.ndarray | None,
        chunk_bytes: int,
        progress: Progress | None,
        pool: workers.Pool | None,
    ) -> None:
        self.model, self.env, self.wrt, self.out = model, env, wrt, out
        self.chunk_bytes, self.progress, self.pool = chunk_bytes, progress, pool
        self.theta = np.asarray(env[wrt], dtype=np.float64)
        self.flat = self.theta.ravel()
        self.every = indices is None
        self.idx = np.arange(self.flat.size) if indices is None else np.asarray(indices, dtype=int)
        self.x = self.flat if indices is None else self.flat[self.idx]  # (read only)
        self.f0 = np.asarray(env[out], dtype=np.float64)
        self.tail = (1,) * self.f0.ndim

    @overload
    def scatter(self, values: np.ndarray) -> np.ndarray: ...
    @overload
    def scatter(self, values: None) -> None: ...
    def scatter(self, values: np.ndarray | None) -> np.ndarray | None:
        """Values for the entries idx, laid out as wrt.shape + out.shape (NaN elsewhere)."""
        if values is None:
            return None
        arr = np.full((self.flat.size,) + self.f0.shape, np.nan)
        arr[self.idx] = values
        return arr.reshape(self.theta.shape + self.f0.shape)

    def laid_out(self, values: np.ndarray) -> np.ndarray:
        """scatter(), with a new array of every entry's values reshaped, not copied."""
        if not self.every:
            return self.scatter(values)
        return values.reshape(self.theta.shape + self.f0.shape)

    def at(
        self, steps: np.ndarray, dtype: "DTypeLike" = np.float64, part: slice = slice(None)
    ) -> np.ndarray:
        """f(θ + steps[j] e_i[j]) for each of len(steps)/len(i) rounds, i = idx[part]."""
        sub = self.idx[part]
        rounds = len(steps) // sub.size if sub.size else 0
        return _evaluate(
            self.model,
            self.env,
            self.wrt,
            self.out,
            self.flat,
            sub if rounds == 1 else np.tile(sub, rounds),
            steps,
            self.chunk_bytes,
            dtype,
            self.progress,
            self.pool,
        )

    def taken(self, rel: Step, part: slice = slice(None)) -> list[np.ndarray]:
        """The representable steps (θ + h) − θ and θ − (θ − h) for the entries idx[part],
        shaped to broadcast."""
        x = self.flat[self.idx[part]]
        h = rel * np.maximum(1.0, np.abs(x))
        return [a.reshape((-1,) + self.tail) for a in ((x + h) - x, x - (x - h))]


_ROUNDED: dict[str, tuple] = {}  # "last": (model, env, |L in 80 bits − L|)
ROUNDING_DRAWS = 3  # loss_rounding's draws: the leaves as they are, and moved twice
NOISE_POINTS = 9  # loss_noise's evaluations of L, along one direction
NOISE_STEP = 1e-12  # their spacing, relative to max(1, |θ|)
NOISE_SEED = 1944  # loss_noise's direction


def loss_rounding(model: Model, env: Values) -> float:
    """How far float64's L is from L computed again with the forward in 80 bits, from the
    same leaves and from ROUNDING_DRAWS − 1 moves of them by 1e-9 (the largest): the
    loss's own rounding, which a loss that cancels (log Σ eᶻ − z₀ = 1e-8 from terms of
    16) carries far above eps · |L|. Draws, for one may be small by chance (an L that
    rounds to exactly 0, as its true 1e-17 does). Where 80 bits cannot be had (numpy
    without them; a forward that does not keep them: numpy's linalg), L's scatter in
    float64 (loss_noise). The answer for the last (model, env) is kept."""
    last = _ROUNDED.get("last")
    if last is not None and last[0] is model and last[1] is env:
        return float(last[2])
    most: float | None = 0.0
    if np.finfo(np.longdouble).nmant == 63:
        rng = np.random.default_rng(ROUNDING_DRAWS)
        for draw in range(ROUNDING_DRAWS):
            leaves = {}
            for leaf in model.leaves:
                v = env[leaf.name]
                if np.asarray(v).dtype.kind == "f" and draw:
                    v = v * (1 + 1e-9 * rng.standard_normal(np.shape(v)))
                leaves[leaf.name] = v
            once = _rounded_once(model, leaves)
            most = None if once is None or most is None else max(most, once)
    else:
        most = None
    rounded = loss_noise(model, env) if most is None else most
    _ROUNDED["last"] = (model, env, rounded)
    return rounded


def _rounded_once(model: Model, leaves: Values) -> float | None:
    """|L(leaves) − L(leaves) in 80 bits|, or None where that cannot be had."""
    wide = {
        k: np.asarray(v, np.longdouble) if np.asarray(v).dtype.kind == "f" else v
        for k, v in leaves.items()
    }
    L64, L = _loss_at(model, leaves), _loss_at(model, wide)
    if L is None or L64 is None or L.dtype != np.longdouble:
        return None
    diff = float(abs(L - np.longdouble(np.real(L64))))
    return diff if np.isfinite(diff) else 0.0  # (a move that left the domain: no measure)


def _loss_at(model: Model, leaves: Values) -> np.ndarray | None:
    """L (0-d) at ``leaves``, or None where the forward fails or gives no scalar."""
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            L = np.asarray(model.forward(dict(leaves))[model.loss])
    except (ModelError, TypeError, ValueError, ArithmeticError, IndexError):
        return None
    return L.reshape(()) if L.size == 1 else None


def loss_noise(model: Model, env: Values) -> float:
    """L's rounding as its scatter in float64 (Moré and Wild's ECnoise): L at NOISE_POINTS
    points NOISE_STEP · max(1, |θ|) apart along a seeded random direction over the float
    leaves; the k-th differences (k = 2 … 6), each normalised by k!² / (2k)! to the
    noise's own deviation; the least of them (at that spacing a smooth L's differences
    are far below its rounding). Near a close pair of eigenvalues np.linalg.eigh rounds L
    at 500 eps |L|, which 80 bits cannot measure. 0 where L is not had at every point."""
    rng = np.random.default_rng(NOISE_SEED)
    moves = {}
    for leaf in model.leaves:
        v = env[leaf.name]
        if np.asarray(v).dtype.kind == "f":
            moves[leaf.name] = _exact_move(np.asarray(v, dtype=np.float64), rng)
    values = []
    for t in range(-(NOISE_POINTS // 2), NOISE_POINTS - NOISE_POINTS // 2):
        leaves = {leaf.name: env[leaf.name] for leaf in model.leaves}
        leaves.update({name: leaves[name] + t * move for name, move in moves.items()})
        L = _loss_at(model, leaves)
        if L is None or not np.isfinite(L):
            return 0.0
        values.append(float(np.real(L)))
    table, least = np.array(values), np.inf
    for k in range(1, NOISE_POINTS - 2):
        table = np.diff(table)
        if k >= 2:
            gamma = math.factorial(k) ** 2 / math.factorial(2 * k)
            least = min(least, math.sqrt(gamma * float(np.mean(table**2))))
    return least if np.isfinite(least) else 0.0


def _exact_move(v: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A random move of about NOISE_STEP · max(1, |v|) per entry, a multiple of the float
    spacing at the largest |v + t · move| loss_noise reaches, so that every point is
    exactly v + t · move: points rounded off the line scatter L by L' times their rounding
    (sqrt(w − c) at w − c = 1e-5 of w = 1e4: 1e-10), which is no rounding of L's. 0 at
    entries where that does not hold (a move across a power of 2), or not finite."""
    finite = np.isfinite(v)
    a = np.where(finite, v, 0.0)
    move = NOISE_STEP * np.maximum(1.0, np.abs(a)) * rng.standard_normal(a.shape)
    reach = NOISE_POINTS // 2 + 1
    unit = np.spacing(np.abs(a) + reach * np.abs(move))
    move = np.round(move / unit) * unit
    exact = finite.copy()
    for t in range(-reach, reach + 1):
        exact &= (a + t * move) - a == t * move
    return np.where(exact, move, 0.0)


def largest_value(env: Values) -> float:
    """The largest finite |value| of the forward (leaves and computed values): the scale
    of the terms a loss that cancels (log Σ eˣ − x₀ of a confident prediction) is rounded
    at, where its own |L| says nothing of it."""
    most = 0.0
    for v in env.values():
        a = np.asarray(v)
        if a.size and a.dtype.kind in "fc":
            a = np.abs(a)
            most = max(most, float(np.max(a, where=np.isfinite(a), initial=0.0)))
    return most


def _central(e: _Entries, rel: Step) -> Parts:
    """Central differences with their one-sided halves: value, plus, minus, -, step."""
    hp, hm = e.taken(rel)
    f = e.at(np.concatenate([hp.ravel(), -hm.ravel()]))
    fp, fm = f[: e.idx.size], f[e.idx.size :]
    step = np.broadcast_to((hp + hm) / 2, fp.shape).copy()
    return [(fp - fm) / (hp + hm), (fp - e.f0) / hp, (e.f0 - fm) / hm, None, step, None]


def _poorly_resolved(parts: Parts, method: str, e: _Entries, rel_step: Step | None) -> np.ndarray:
    """Entries to try again with steps relative to |θ_i|: not finite, or (richardson) an
    estimate above RICHARDSON_POOR of the value; only where 0 < |θ_i| < 1."""
    n = e.idx.size
    redo = ~np.isfinite(parts[0]).reshape(n, -1).all(axis=1)
    if engine(method).extrapolated:
        redo |= (parts[3] > RICHARDSON_POOR * np.abs(parts[0])).reshape(n, -1).any(axis=1)
    scalar_step = rel_step is None or np.ndim(rel_step) == 0
    return redo & (e.x != 0) & (np.abs(e.x) < 1) & bool(np.all(np.isfinite(e.f0))) & scalar_step


def _again_relative_to_theta(
    parts: Parts, redo: np.ndarray, method: str, e: _Entries, rel_step: Step | None
) -> None:
    """The steps (θ_i − h) left the function's domain around a small θ_i (the log of a
    probability below h), or (richardson) did not resolve a function that turns on the
    scale of θ_i (a relu of inputs of 1e-6): again, with h relative to |θ_i| itself
    (any rel: the kink test's h, h/8, h/64 stay apart). Richardson keeps, per entry,
    the better estimate. Updates ``parts`` in place."""
    rel = engine(method).rel_step if rel_step is None else rel_step
    again = differentiate(
        e.model,
        e.env,
        e.wrt,
        e.out,
        method,
        rel * np.abs(e.x[redo]),
        e.idx[redo],
        e.chunk_bytes,
        e.progress,
        e.pool,
    )
    shape = (e.flat.size,) + e.f0.shape
    redone = [
        None if a is None else a.reshape(shape)[e.idx[redo]]
        for a in (again.value, again.plus, again.minus, again.error, again.step, again.jump)
    ]
    if engine(method).extrapolated:
        better = redone[3] < parts[3][redo]
    else:
        better = np.full(again.value.reshape(shape)[e.idx[redo]].shape, True)
    for k, new in enumerate(redone):
        if parts[k] is not None:
            parts[k][redo] = np.where(better, new, parts[k][redo])


def complex_steps(theta: np.ndarray | float, tensor: np.ndarray | None = None) -> np.ndarray:
    """The complex step for each θ_i: relative to a small |θ_i| (a probability of 1e-34
    needs a smaller step still), and never below 1e-300. An entry at exactly 0 (a
    zero-initialised bias) says nothing of its scale: it takes the median nonzero |θ| of
    its ``tensor`` (capped at 1), or 1; a step of 1e-300 there would flush Im L to zero
    through any saturated term (a BCE at logit −60)."""
    a = np.abs(np.asarray(theta, dtype=np.float64))
    zero = a == 0
    if zero.any():
        t = a if tensor is None else np.abs(np.asarray(tensor, dtype=np.float64))
        known = t[(t > 0) & np.isfinite(t)]
        fill = min(1.0, float(np.median(known))) if known.size else 1.0
        a = np.where(zero, fill, a)
    if a.ndim == 0:
        return COMPLEX_STEP * np.clip(a, 1e-280, 1.0)
    np.clip(a, 1e-280, 1.0, out=a)  # (in place: a is ours, and a leaf may hold 4 M entries)
    a *= COMPLEX_STEP
    return a


def _richardson(
    at: Callable[..., np.ndarray],
    taken: Callable[..., list[np.ndarray]],
    rel_step: Step | None,
    n: int,
    f0: np.ndarray,
    chunk_bytes: int,
    terms: float = 0.0,
) -> Parts:
    """Richardson's value, plus, minus, estimate and step for the n entries, by blocks of
    entries: its arrays hold RICHARDSON_STEPS numbers per entry (and per entry of f);
    ``terms``: the size a loss rounded far above eps |f| is rounded at (rounding_size),
    or 0."""
    first: Any = RICHARDSON_FIRST_STEP if rel_step is None else rel_step
    block = max(1, chunk_bytes // (8 * RICHARDSON_ARRAYS * RICHARDSON_STEPS * max(1, f0.size)))
    pieces = [
        _extrapolated(
            partial(at, part=b),
            partial(taken, part=b),
            first if np.ndim(first) == 0 else first[b],
            f0,
            terms=terms,
        )
        for b in (slice(i, min(n, i + block)) for i in range(0, n, block))
    ]
    if not pieces:
        empty = np.empty((0,) + f0.shape)
        return [empty, None, None, empty, empty, empty]
    return [
        None if part is None else np.concatenate([p[k] for p in pieces])
        for k, part in enumerate(pieces[0])
    ]


def _extrapolated(
    at: Callable[[np.ndarray], np.ndarray],
    taken: Callable[[Step], list[np.ndarray]],
    first: Step,
    f0: np.ndarray,
    eps: float = EPS,
    count: int = RICHARDSON_STEPS,
    terms: float = 0.0,
) -> Parts:
    """Per entry, the best of the Richardson extrapolations along a sequence of steps.

    Central differences D_k at h_k = first · max(1, |θ|) · RATIO⁻ᵏ (k < RICHARDSON_STEPS)
    are extrapolated twice along the sequence (error O(h⁶)); each extrapolation R_k is
    rated by its disagreement with its neighbours plus the round-off of its differences,
    ~eps · |f| / h_k. Per entry (and per entry of ``out``) the extrapolation rated best is
    kept: large steps where the function is smooth on a wide scale, small ones where it
    turns sharply (a saturating unit, a kink nearby), none that leaves the domain (a NaN
    there rates infinite). Returns value, None, None, estimate, step (the smallest of
    the three steps the kept extrapolation used), jump (_jumps).

    Where f's own rounding is known to be far above eps · |f| (``terms``, from
    rounding_size, 0 where it is not: a loss that cancels, log Σ eᶻ − z₀ = 1e-8 from terms
    of 16, rounded at 4e-15; or one that rounds to exactly 0), the round-off counts f at
    that size, and an entry whose f moved by no more than STILL_MOVES eps times it, at
    every step, has an estimate of at least eps · it / the largest step: below that, a
    derivative cannot move f at all.
    """
    steps = [taken(first * RICHARDSON_RATIO**-k) for k in range(count)]
    tiny = taken(first * RICHARDSON_RATIO ** -(count - 1) * PLATEAU_STEP)
    f = at(np.concatenate([a.ravel() for hp, hm in steps + [tiny] for a in (hp, -hm)]))
    f = f.reshape((len(steps) + 1, 2, -1) + f0.shape)
    f, f_tiny, h_tiny = f[:-1], f[-1], (tiny[0] + tiny[1]) / 2
    h = np.stack([(hp + hm) / 2 for hp, hm in steps])  # as taken
    D = (f[:, 0] - f[:, 1]) / (2 * h)
    q1, q2 = RICHARDSON_RATIO**2, RICHARDSON_RATIO**4
    R1 = (q1 * D[1:] - D[:-1]) / (q1 - 1)
    R = (q2 * R1[1:] - R1[:-1]) / (q2 - 1)  # R[k] ends at step k + 2
    gap = np.abs(np.diff(R, axis=0))
    nan = np.full((1,) + R.shape[1:], np.nan)
    left, right = np.concatenate([nan, gap]), np.concatenate([gap, nan])
    # |R_k − R_{k−1}| (toward the larger step) bounds R_k's error whether truncation
    # (smaller at h_k) or round-off (larger at h_k) dominates: R_k needs it. The gap
    # toward the smaller step counts too where there is one: one neighbour agreeing by
    # accident does not pass for accuracy.
    trunc = np.where(np.isfinite(left), np.fmax(left, right), np.inf)
    size = np.maximum(np.maximum(np.abs(f[2:, 0]), np.abs(f[2:, 1])), np.abs(f0))
    size = np.maximum(size, terms)
    roundoff = RICHARDSON_ROUNDOFF * eps * size / h[2:]
    estimate = np.where(np.isfinite(R) & np.isfinite(trunc), trunc + roundoff, np.inf)
    # (at a kink every step straddles, the central differences agree on the mean of the
    # two slopes and the estimate stays small: the verdict's second look finds the kink
    # and holds A to the one-sided slopes; an estimate that took half their spread would
    # excuse any A within four times the jump)
    # (a finer extrapolation that lies off is kept, but on a staircase, whose finest
    # steps are its quanta: a float32 tanh's, 0.3 apart, two of them agreeing by chance)
    f_all, h_all = np.concatenate([f, f_tiny[None]]), np.concatenate([h, h_tiny[None]])
    plain = np.argmin(estimate, axis=0)[None]
    stairs = _plateau(f_all, h_all, np.take_along_axis(R, plain, axis=0)[0], eps, terms)
    kept = np.argmin(np.where(_overruled(R, estimate), np.inf, estimate), axis=0)[None]
    best = np.where(stairs, plain, kept)

    def pick(a: np.ndarray) -> np.ndarray:
        return np.take_along_axis(np.broadcast_to(a, R.shape), best, axis=0)[0]

    # (the same as ``stairs`` where no extrapolation was overruled)
    flat = stairs if np.array_equal(best, plain) else _plateau(f_all, h_all, pick(R), eps, terms)
    error = pick(estimate)
    value = np.where(np.isfinite(error), pick(R), np.nan)
    with np.errstate(invalid="ignore"):  # on a staircase: as far as its slopes spread
        spread = np.fmax.reduce(np.abs(np.where(np.isfinite(D), D, np.nan) - value[None]), axis=0)
    error = np.where(flat, np.fmax(error, spread), error)
    if terms:  # (f's moves, at every step, within its terms' round-off)
        moved = np.max(np.abs(f_all - f0[None, None]), axis=(0, 1))
        still = moved <= STILL_MOVES * eps * terms
        error = np.where(still, np.fmax(error, RICHARDSON_ROUNDOFF * eps * terms / h[0]), error)
    jump = _jumps(f, f0, steps, best, pick(roundoff))
    return [value, None, None, error, pick(h[2:]), jump]


def _overruled(R: np.ndarray, estimate: np.ndarray) -> np.ndarray:
    """Where an extrapolation R_k (levels × entries) lies off a finer one R_j by more than
    RICHARDSON_OVERRULED times the two estimates, R_j resolved (its estimate within
    RICHARDSON_RESOLVED of it): not a value of the derivative, which the finer steps
    approach. On a smooth loss the neighbours that rate R_k bound its gaps, and R_j two
    levels on lies within both estimates by construction. A ripple finer than the
    coarse steps (1e-12 sin(2e6 x) beside a quadratic) leaves them agreeing to 1e-11 on
    the quadratic alone, 1.6e-6 off the finest steps' value; and coarse steps that
    straddle a kink beside θ agree on the wrong side's mix."""
    out = np.zeros(R.shape, bool)
    with np.errstate(invalid="ignore"):
        resolved = estimate < RICHARDSON_RESOLVED * np.abs(R)  # (a plateau's 0 ± 0: no)
        for k in range(R.shape[0] - 1):
            gap = np.abs(R[k + 1 :] - R[k])
            off = gap > RICHARDSON_OVERRULED * (estimate[k + 1 :] + estimate[k])
            out[k] = (off & resolved[k + 1 :]).any(axis=0)
    return out


def _jumps(
    f: np.ndarray, f0: np.ndarray, steps: list, best: np.ndarray, roundoff: np.ndarray
) -> np.ndarray:
    """Per entry, the spread of the one-sided differences |(f₊ − f₀)/h − (f₀ − f₋)/h| at the
    finest step of the kept extrapolation, where it did not shrink from the step before
    (by KINK_SHRINK; on a smooth loss it is h f'', and shrinks by RICHARDSON_RATIO) and
    stands JUMP_ROUNDOFF times above the differences' round-off; 0 elsewhere. A kink at
    θ_i: every central difference there is the mean of its two slopes, and an A equal to
    that mean agrees with N though the entry sits on a kink (the verdict looks at it as
    at a failing one, and together.kinks_apart moves it with the others). And where it
    shrank, its first-order term (h f'') extrapolated away from the two finest steps,
    where that agrees with the same from the two coarser ones within 1 / KINK_SHRINK of
    it and stands JUMP_EXTRAPOLATED times higher above the round-off: a tie's jump of 5
    beside a quadratic of 1e5, whose curvature spreads each step's sides by far more
    (a red team's strict max 2⁻³⁰ above its neighbour, whose backward split the jump
    between them: every central difference is the sides' mean, and it PASSed at 5e-10
    with an error of 8e-5). On a smooth loss the spread has no term in h², and what is
    left of it shrinks by RICHARDSON_RATIO³ from one step to the next."""
    hp, hm = (np.stack([s[j] for s in steps]) for j in (0, 1))
    signed = (f[:, 0] - f0) / hp - (f0 - f[:, 1]) / hm

    def kept(k: int) -> np.ndarray:  # the spread at the kept extrapolation's step b + k
        return np.take_along_axis(signed[k : signed.shape[0] - 2 + k], best, axis=0)[0]

    coarsest, before, finest = kept(0), kept(1), kept(2)
    with np.errstate(invalid="ignore"):
        found = (np.abs(finest) > np.abs(before) / KINK_SHRINK) & (
            np.abs(finest) > JUMP_ROUNDOFF * roundoff
        )
        # (the spread less its first-order term, h f'': a tie's jump of 5 beside a
        # quadratic of 1e5, whose curvature spreads every step's sides by far more)
        r = RICHARDSON_RATIO - 1.0
        jump, wider = finest + (finest - before) / r, before + (before - coarsest) / r
        hidden = (np.abs(jump - wider) < np.abs(jump) / KINK_SHRINK) & (
            np.abs(jump) > JUMP_ROUNDOFF * JUMP_EXTRAPOLATED * roundoff
        )
    return np.where(found, np.abs(finest), np.where(hidden, np.abs(jump), 0.0))


EXTENDED_EPS = float(np.finfo(np.longdouble).eps)  # 1.1e-19 where longdouble is x87's 80 bits


class _Extended:
    """The forward in 80-bit extended precision (round-off 2¹¹ times below float64's):
    Richardson there needs no large steps to beat round-off (EXTENDED_STEPS from
    EXTENDED_FIRST), and tells apart what float64's cannot (an abs of a near fit whose
    derivative is 1e-13 of the gradient, dropped by the complex step). Its cost is
    counted in values computed (every value of the forward, once per evaluation), not
    timed: the same check decides the same on a busy machine. Raises TypeError where
    numpy has no 80-bit longdouble, or the forward does not return one."""

    def __init__(self, model: Model, env: Values, wrt: str) -> None:
        if np.finfo(np.longdouble).nmant != 63:
            raise TypeError("no 80-bit longdouble here")
        self.model, self.wrt, self.f0 = model, wrt, np.asarray(env[model.loss], np.float64)
        self.env = {
            k: np.asarray(v, np.longdouble) if np.asarray(v).dtype.kind == "f" else v
            for k, v in env.items()
        }
        self.theta = np.asarray(self.env[wrt])
        self.size = sum(int(np.size(v)) for v in env.values())  # values one evaluation makes

    def run(self, copies: np.ndarray, kind: type) -> np.ndarray:
        """L for each copy of θ (leading axis), where the forward kept ``kind``."""
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            f = np.asarray(self.model.evaluate(self.env, self.wrt, copies))
        if f.dtype != kind or f.size != copies.shape[0]:
            raise TypeError("the forward did not run in extended precision")
        return f.reshape(-1)

    def fit(self, values: float) -> int:
        """How many Richardson derivatives fit in computing ``values`` values."""
        return int(values // (self.size * 2 * (EXTENDED_STEPS + 1)))

    def each_moved(self, idx: np.ndarray, steps: np.ndarray) -> np.ndarray:
        """L with one entry of θ moved at a time: the flat entry idx[j % len(idx)] by
        steps[j] (blocks of len(idx) steps, one per entry, as _extrapolated lays them)."""
        base = self.theta.ravel()
        rows = max(1, CHUNK_BYTES // (16 * max(1, base.size)))
        which, out = np.tile(idx, steps.size // idx.size), []
        for lo in range(0, steps.size, rows):
            X = np.repeat(base[None], min(rows, steps.size - lo), axis=0)
            X[np.arange(X.shape[0]), which[lo : lo + rows]] += steps[lo : lo + rows]
            out.append(self.run(X.reshape(X.shape[:1] + self.theta.shape), np.longdouble))
        return np.concatenate(out)

    def richardson(self, at: Callable[[np.ndarray], np.ndarray], taken: Callable) -> Parts:
        """_extrapolated at EXTENDED_STEPS steps from EXTENDED_FIRST, 80 bits' round-off."""
        with np.errstate(all="ignore"):
            return _extrapolated(at, taken, EXTENDED_FIRST, self.f0, EXTENDED_EPS, EXTENDED_STEPS)


def richardson_extended(
    model: Model, env: Values, wrt: str, indices: np.ndarray
) -> tuple[np.ndarray, np.ndarray] | None:
    """Richardson's value and estimate at the flat entries ``indices`` of ``wrt`` with the
    forward in 80 bits (_Extended), as many as fit in EXTENDED_REFEREE values computed
    (NaN for the rest), or None where that cannot be had."""
    try:
        e = _Extended(model, env, wrt)
        idx = indices[: e.fit(EXTENDED_REFEREE)]
        if idx.size == 0:
            return None
        x = e.theta.ravel()[idx].astype(np.float64)

        def taken(rel: Step) -> list[np.ndarray]:
            h = rel * np.maximum(1.0, np.abs(x))
            return [(x + h) - x, x - (x - h)]

        value, _, _, error, *_ = e.richardson(partial(e.each_moved, idx), taken)
    except (ModelError, TypeError, ValueError, ArithmeticError, IndexError):
        return None
    full = np.full((2, indices.size), np.nan)
    full[:, : idx.size] = value, error
    return full[0], full[1]


def sides_extended(
    model: Model, env: Values, wrt: str, indices: np.ndarray, steps: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """With the forward in 80 bits (_Extended), at the flat entries ``indices`` of ``wrt``
    and the steps ``steps`` (levels × entries, absolute): the one-sided differences
    (f(θ + h) − f(θ)) / h and (f(θ) − f(θ − h)) / h, h as taken in 80 bits, and the
    largest |f| of the three; for as many entries as fit in EXTENDED_REFEREE values
    computed (NaN for the rest), or None where 80 bits cannot be had."""
    levels = steps.shape[0]
    try:
        e = _Extended(model, env, wrt)
        idx = indices[: int(EXTENDED_REFEREE // (e.size * (2 * levels + 1)))]
        if idx.size == 0:
            return None
        x, h = e.theta.ravel()[idx], steps[:, : idx.size].astype(np.longdouble)
        hp, hm = (x + h) - x, x - (x - h)
        f0 = e.run(e.theta[None], np.longdouble)[0]
        f = e.each_moved(
            idx, np.concatenate([a.ravel() for k in range(levels) for a in (hp[k], -hm[k])])
        )
    except (ModelError, TypeError, ValueError, ArithmeticError, IndexError):
        return None
    f = f.reshape(levels, 2, idx.size)
    with np.errstate(all="ignore"):
        plus, minus = (f[:, 0] - f0) / hp, (f0 - f[:, 1]) / hm
        size = np.maximum(np.maximum(np.abs(f[:, 0]), np.abs(f[:, 1])), abs(f0))
    full = np.full((3,) + steps.shape, np.nan)
    full[:, :, : idx.size] = plus, minus, size
    return full[0], full[1], full[2]


def extended_roundoff(size: np.ndarray, steps: np.ndarray) -> np.ndarray:
    """The round-off of a difference of L with the forward in 80 bits at ``steps``:
    CLASSIC_ROUNDOFF eps₈₀ |L| / h (``size``: the largest |L| it took)."""
    return CLASSIC_ROUNDOFF * EXTENDED_EPS * size / steps


def finest_beyond(
    D: np.ndarray,
    usable: np.ndarray,
    size: np.ndarray,
    steps: np.ndarray,
    off: np.ndarray,
    room: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Of central differences D with the forward in 80 bits at a ladder of steps finer
    than float64's (levels × entries; ``usable`` where the step is far enough above θ's
    ulp), per entry the one whose own error is least among those that lie beyond ``off``
    (an N, or Richardson's value) by more than ``room`` and TURN_MARGIN times that error:
    (D, its own error, whether it does). Its own error: its larger change to the steps
    either side (one agreeing by chance is no accuracy where the loss is wild) plus
    CLASSIC_ROUNDOFF eps₈₀ |L| / h. Only by far more than that error: a step whose
    round-off grows past its estimate misses ``off`` by about that error, by chance."""
    with np.errstate(invalid="ignore", divide="ignore"):
        D = np.where(usable, D, np.nan)
        gap = np.abs(np.diff(D, axis=0))
        own = np.fmax(gap[:-1], gap[1:]) + extended_roundoff(size, steps)[1:-1]
        D = D[1:-1]
        beyond = np.abs(off - D) > room + TURN_MARGIN * own
        best = np.argmin(np.where(beyond, own, np.inf), axis=0)[None]
        picked = (np.take_along_axis(a, best, axis=0)[0] for a in (D, own, beyond))
    return tuple(picked)  # type: ignore[return-value]


def rounding_size(model: Model, env: Values) -> float:
    """The size at which the loss is rounded, where that is known to be far above |L|
    (else 0: eps · |L| is its round-off): its measured rounding over eps, where that is
    above CANCELLED eps |L| (the loss cancels); the forward's largest value where L is
    exactly 0 (rounded to 0: nothing else tells its terms' size); |L| times the ratio of
    the epsilons where the forward returns L in a coarser float (np.float32(loss): a
    float64 step's difference of it is 0 or a quantum of 6e-8 |L|). A few ulps of an
    ordinary loss are RICHARDSON_ROUNDOFF's to count."""
    given = np.asarray(env[model.loss])
    loss = given.astype(np.float64)
    if loss.size != 1:
        return 0.0
    size = abs(float(loss.reshape(())))
    if given.dtype.kind == "f" and np.finfo(given.dtype).eps > EPS and np.isfinite(size):
        return max(size, largest_value(env) if size == 0 else 0.0) * (
            float(np.finfo(given.dtype).eps) / EPS
        )
    if size == 0:
        return largest_value(env)
    q = loss_rounding(model, env)
    return q / EPS if q > CANCELLED * EPS * size else 0.0


def _plateau(
    f: np.ndarray, h: np.ndarray, value: np.ndarray, eps: float = EPS, terms: float = 0.0
) -> np.ndarray:
    """Where the function is piecewise constant on the steps' scale (a float32 round-trip
    inside a float64 forward): f(θ + h) = f(θ − h) exactly at a step, the sequence's
    or one PLATEAU_STEP below its smallest, although ``value`` times the step stands
    64 eps |f| above round-off (eps ``terms`` where f is known to round at that size: a
    float32 loss's steps that move it by less than its quantum are its round-off, no
    staircase), and at every finer step that stands so: a staircase is flat below its
    quantum. A smooth function cannot do that; the entry's estimate is then the spread
    of all its slopes, rather than Richardson's trust in a staircase. Not where only
    coarse steps agree: both ends in the tails of a bump far narrower than the step (a
    Gaussian of σ = 0.018 at steps of 0.2), which the finer steps resolve."""
    size = np.maximum(np.maximum(np.abs(f[:, 0]), np.abs(f[:, 1])), terms)
    visible = np.abs(value)[None] * 2 * h > 64 * eps * size
    apart = (f[:, 0] != f[:, 1]) & visible  # (steps coarsest first; the tiny one last)
    finer_apart = np.flip(np.logical_or.accumulate(np.flip(apart, axis=0), axis=0), axis=0)
    finer_apart = np.concatenate([finer_apart[1:], np.zeros_like(finer_apart[:1])])
    return np.any((f[:, 0] == f[:, 1]) & visible & ~finer_apart, axis=0)


def complex_safe(model: Model, env: Values) -> bool:
    """Whether complex steps give true derivatives through the model's forward.

    A model may declare it (``complex_safe`` True or False). Otherwise every checked
    variable (leaves and intermediates) is probed twice: on its largest entry, the
    complex step must agree with a central difference (see _entry_agrees), and along a
    seeded random direction over all of its entries, with Richardson along that
    direction (see _direction_agrees), so that an abs() applied to entries other than
    the largest (an L1 penalty on W[:, 1:]) is seen. An exception, a non-finite value, a
    ComplexWarning (an imaginary part cast away) or a disagreement means not safe; at
    least one probe must carry a nonzero imaginary part.

    Why intermediates too: a direction over a leaf reaches every operation downstream of
    it, but only through entries that depend on the leaf. An intermediate entry that
    does not (a relu's dead unit, a saturated sigmoid whose derivative underflows, a
    value built from constants) carries no imaginary part from the leaves, yet the
    complex step puts one on it when that intermediate's own adjoint is checked.

    The answer for the last (model, env) asked is kept: a check asks once for its engine
    and again for every row a finite difference fails (verdict._referee).
    """
    if model.complex_safe is not None:
        return model.complex_safe
    return _probed(model, env).safe


def not_complex_safe(model: Model, env: Values) -> str | None:
    """Why the forward is not complex-safe, in a few words (None where it is, or where
    the model declares it): what complex_safe's probes met, first."""
    if model.complex_safe is not None:
        return None
    return _probed(model, env).why


def complex_unsafe(model: Model, env: Values) -> dict[str, str]:
    """The checked variables whose own probes failed, each with why, where the forward is
    not complex-safe but the complex step moved L and some variables' probes all agree:
    a complex step on any other variable meets nothing its probes did not pass (an L1
    term on W leaves x's steps exact), so their rows may take it (checking._engine).
    Empty where the model declares its answer, or where no variable may."""
    if model.complex_safe is not None:
        return {}
    return _probed(model, env).unsafe


class Probed(NamedTuple):
    """complex_safe's answer, why not (the first failing variable's), and every failing
    variable with why (empty where the answer holds for none: no step moved L)."""

    safe: bool
    why: str | None
    unsafe: dict[str, str]


_PROBED: dict[str, tuple] = {}  # "last": (model, env, Probed)
_DROPPED: list[str] = []  # the non-analytic operations the last audited probe met


def _probed(model: Model, env: Values) -> Probed:
    """_probe's answer for the last (model, env) asked, kept (complex_safe)."""
    last = _PROBED.get("last")
    if last is not None and last[0] is model and last[1] is env:
        return last[2]
    answer = _probe(model, env)
    _PROBED["last"] = (model, env, answer)
    return answer


def _probe(model: Model, env: Values) -> Probed:
    """complex_safe's probes of every checked variable (see there), and why not; each
    variable probed alone (its ComplexWarnings its own), every one of them."""
    rng = np.random.default_rng(PROBE_SEED)
    seen, unsafe = False, {}
    with warnings.catch_warnings(record=True) as caught:  # a ComplexWarning is the answer
        warnings.simplefilter("always")
        with np.errstate(all="ignore"):
            for name in model.checked():
                theta = np.asarray(env[name], dtype=np.float64)
                if theta.size == 0:
                    continue
                _DROPPED.clear()
                before = len(caught)
                try:
                    probes = [
                        _entry_agrees(model, env, name, theta),
                        _direction_agrees(model, env, name, theta, rng),
                    ]
                except (ModelError, TypeError, ValueError, ArithmeticError) as e:  # it refuses
                    said = f": {e}" if isinstance(e, ModelError) else f" ({type(e).__name__})"
                    unsafe[name] = f"a complex step on {name} stopped the forward{said}"
                    continue
                if not all(ok for ok, _ in probes):
                    unsafe[name] = _disagrees(name)
                elif any(issubclass(w.category, COMPLEX_WARNING) for w in caught[before:]):
                    unsafe[name] = (
                        f"a complex step on {name} had its imaginary part cast away "
                        "(a ComplexWarning)"
                    )
                seen = seen or any(moved for _, moved in probes)
    if not seen:
        return Probed(False, next(iter(unsafe.values()), "no complex step moved L"), {})
    return Probed(not unsafe, next(iter(unsafe.values()), None), unsafe)


def _disagrees(name: str) -> str:
    """Why a variable's probe failed: the non-analytic operations its complex step met
    (the audit's), or a disagreement with finite differences."""
    if _DROPPED:
        ops = list(dict.fromkeys(_DROPPED))
        which = "which is" if len(ops) == 1 else "which are"
        return f"a complex step on {name} meets {', '.join(ops)}, {which} not analytic"
    return f"the complex step on {name} disagrees with finite differences"


def _entry_agrees(model: Model, env: Values, name: str, theta: np.ndarray) -> tuple[bool, bool]:
    """On the largest entry, the complex step runs, is finite and agrees with a central
    difference (or with one of its one-sided differences: on a kink the complex step
    follows one branch) at one of three steps, each within its own round-off: a step
    relative to |θ| misjudges a value with a large offset (a timestamp of 1.7e9 s in a
    bump 600 s wide). Where all three are round-off (eps |L| / h above PROBE_NOISE of
    the values), steps of 6e-2, 3e-2 and 1.5e-2 |θ| are taken, extrapolated, their
    changes measuring their error: informative there, they must agree too (abs() of a tap
    of 1e-7 inside a loss of 1e4 drops its derivative, 0.75, from the complex step:
    tests/holes/abs_tiny.py). Returns (agrees, nonzero)."""
    i = int(np.argmax(np.abs(theta)))
    at = np.array([i])
    cs = np.ravel(differentiate(model, env, name, method="complex", indices=at).value)[i]
    size = abs(float(theta.flat[i]))
    # (relative to θ itself where it is small: a rate of 1e-8 /s is not moved by 6e-6)
    first = DEFAULT_REL_STEP * min(1.0, size) if size > 0 else DEFAULT_REL_STEP
    roundoff = EPS * max(1.0, abs(float(env[model.loss]))) / max(1.0, size)

    def central(rel: float) -> tuple[list[float], float]:
        real = differentiate(
            model, env, name, method="central", indices=at, rel_step=np.array([rel])
        )
        sides = [np.ravel(a)[i] for a in (real.value, real.plus, real.minus) if a is not None]
        return sides, roundoff / rel  # eps·|L|/h: the unit of central's round-off

    ok, told, rel = False, False, first
    # three steps, and finer ones while they are informative (|θ| of 1e6 in a bump 1e-3
    # wide: no step relative to |θ| resolves it), until one agrees
    while rel >= first * 1e-4 or (not ok and rel >= first * PROBE_FINEST):
        sides, unit = central(rel)
        noise = PROBE_ROUNDOFF * unit
        cd = min(sides, key=lambda v: abs(v - cs))
        informative = noise <= PROBE_NOISE * max(abs(cs), abs(cd))
        if rel < first * 1e-4 and not informative:
            break
        # truncation well inside PROBE_CENTRAL_RTOL; round-off as above
        ok = ok or abs(cs - cd) <= PROBE_CENTRAL_RTOL * max(abs(cs), abs(cd)) + noise
        told = told or informative
        rel *= 1e-2
    if not told:  # every step round-off: larger ones, their error measured
        (d1, *_), _ = central(first * 1e4)
        (d2, *_), _ = central(first * 5e3)
        (d3, *halves), unit = central(first * 2.5e3)
        ext = (4 * d3 - d2) / 3
        # twice the change between the steps (truncation and round-off, as they came),
        # and a few eps·|L| / h of round-off beside it
        slack = 2 * max(abs(d1 - d2), abs(d2 - d3)) + PROBE_MEASURED * unit
        cd = min([ext, *halves], key=lambda v: abs(v - cs))
        if slack <= PROBE_NOISE * max(abs(cs), abs(cd)):
            ok = abs(cs - cd) <= PROBE_CENTRAL_RTOL * max(abs(cs), abs(cd)) + slack
    return bool(ok and np.isfinite(cs)), bool(cs != 0)


def _scales(theta: np.ndarray) -> np.ndarray:
    """Each entry's own scale for a probe direction: |θ_i|, or (at 0) the tensor's median
    nonzero |θ|, or 1: a rate of 1e-8 is probed on its own scale, not moved by 1."""
    a = np.abs(theta)
    known = a[(a > 0) & np.isfinite(a)]
    return np.where((a > 0) & np.isfinite(a), a, float(np.median(known)) if known.size else 1.0)


def _direction_agrees(
    model: Model, env: Values, name: str, theta: np.ndarray, rng: np.random.Generator
) -> tuple[bool, bool]:
    """Along v (Gaussian, times |θ_i|: every entry moves on its own scale, _scales),
    Im L(θ + i h v) / h agrees with Richardson's dL(θ + s v)/ds within PROBE_RTOL plus
    C_AGREE estimates, and that estimate is within PROBE_DOUBT of the value (else: in doubt).
    Returns (agrees, nonzero). Where |θ| > 1 the direction is tried again on unit scales
    (1, 1e-3, 1e-6: a value with a large offset, a timestamp, does not vary on the scale
    of its size): every informative one must agree (a resolved disagreement on any scale
    is a derivative the complex step drops: λ|W| with λ = 1e-9 is resolved on |θ|'s
    scale, not on 1e-6's, where Richardson's error is larger than λ), and where none is
    informative, every one."""
    g = rng.standard_normal(theta.shape)
    tries = [_along(model, env, name, theta, g * _scales(theta), extended=True)]
    if np.any(np.abs(theta) > 1):  # (and finer: a bump 1e-3 wide at θ of 1e6)
        tries += [_along(model, env, name, theta, g * s) for s in PROBE_UNIT_SCALES]
    informative = [ok for ok, told in tries if told]
    return (all(informative) if informative else all(ok for ok, _ in tries)), bool(informative)


def _along(
    model: Model, env: Values, name: str, theta: np.ndarray, v: np.ndarray, extended: bool = False
) -> tuple[bool, bool]:
    """One direction of _direction_agrees: (agrees, informative); taken again in 80 bits
    (_along_extended) where float64's complex step and Richardson disagree, and, with
    ``extended`` (each entry's own scale), where float64's estimate is above PROBE_RTOL."""
    moved = np.abs(theta[theta != 0])
    h = COMPLEX_STEP * float(np.clip(moved.min() if moved.size else 1.0, 1e-280, 1.0))
    h /= float(np.abs(v).max())
    with audited() as dropped:  # (an abs on the step's values drops a derivative unseen)
        f = model.evaluate(env, name, as_audited((theta + 1j * h * v)[None]))
    if dropped:
        _DROPPED.extend(dropped)
        return False, True
    cs = float(np.imag(np.asarray(f).view(np.ndarray))[0]) / h
    f0 = np.asarray(env[model.loss], dtype=np.float64)

    def at(steps: np.ndarray) -> np.ndarray:
        copies = theta[None] + steps.reshape((-1,) + (1,) * theta.ndim) * v[None]
        return np.asarray(model.evaluate(env, name, copies), dtype=np.float64)

    value, _, _, error, *_ = _extrapolated(
        at, lambda s: [np.array([s])] * 2, RICHARDSON_FIRST_STEP, f0
    )
    value, error = float(value[0]), float(error[0])
    if value == 0 and cs != 0:  # L the same at every step (a plateau: steps far wider
        return True, False  # than a bump, or below θ's ulp): no evidence either way
    ok = _agree(cs, value, error)
    # a Richardson that cannot resolve the direction (a saturated tanh) is no evidence
    # either way: it does not count towards the one informative probe complex_safe needs
    told = bool(cs != 0 and np.isfinite(error) and error <= PROBE_DOUBT * abs(cs))
    coarse = C_AGREE * error > PROBE_RTOL * abs(cs)
    # (or, on any scale, where float64's complex step and Richardson disagree: a near fit's
    # r = y − t rounds at eps |y| / |r| in both, and 80 bits tell whether that was all)
    if told and ((extended and ok and coarse) or not ok):
        finer = _along_extended(model, env, name, theta, v, h)
        # (80 bits decide only where they resolve finer: their Richardson starts at 1e-2,
        # whose steps may alias a period float64's finer ones resolve, and an agreement
        # within its wider estimate is no answer to float64's resolved disagreement)
        if finer is not None and finer[1] != 0 and (ok or finer[2] < error):
            ok = _agree(*finer, rtol=PROBE_RTOL_EXTENDED)
            value, error = finer[1:]  # (the one that disagrees, where it does)
    if told and not ok:
        ok = _turn_along(model, env, name, v, cs, value, error)
    return bool(ok), told


def _agree(cs: float, value: float, error: float, rtol: float = PROBE_RTOL) -> bool:
    """The complex step agrees with Richardson's value, within its estimate (and the
    complex step's own, in ``error`` where measured) and ``rtol``."""
    finite = np.isfinite(cs) and np.isfinite(value) and np.isfinite(error)
    return bool(finite and abs(cs - value) <= C_AGREE * error + rtol * abs(cs))


def _turn_along(
    model: Model, env: Values, name: str, v: np.ndarray, cs: float, value: float, error: float
) -> bool:
    """Whether, where the complex step and Richardson (float64's and 80 bits') disagree
    along v, central differences with the forward in 80 bits at finer steps,
    EXTENDED_FIRST · KINK_RATIO⁻ᵏ (k < TURN_LEVELS), resolve a derivative beyond
    Richardson's value that agrees with the complex step (finest_beyond, within its own
    error and PROBE_RTOL): a turn finer than every step of theirs, no evidence against the
    complex step (1e-12 sin(1e6 x) beside a smooth loss: a ripple whose derivative of 1e-6
    Richardson's steps average away; with Richardson in its place, a backward without
    it PASSed at 2.7e-8, a red team's). An abs the complex step drops agrees with
    Richardson at those steps too."""
    try:
        e = _Extended(model, env, name)
        if e.size * (2 * TURN_LEVELS + 1) > EXTENDED_PROBE:
            return False
        steps = EXTENDED_FIRST * float(KINK_RATIO) ** -np.arange(TURN_LEVELS)
        both = np.concatenate([steps, -steps]).astype(np.longdouble)
        move = np.asarray(v, np.longdouble)
        f = e.run(e.theta[None] + both.reshape((-1,) + (1,) * v.ndim) * move[None], np.longdouble)
        f0 = e.run(e.theta[None], np.longdouble)[0]
    except (ModelError, TypeError, ValueError, ArithmeticError, IndexError):
        return False
    with np.errstate(all="ignore"):
        D = np.asarray((f[:TURN_LEVELS] - f[TURN_LEVELS:]) / (2 * both[:TURN_LEVELS]), float)
        size = np.asarray(
            np.maximum(np.maximum(np.abs(f[:TURN_LEVELS]), np.abs(f[TURN_LEVELS:])), abs(f0)), float
        )
        ulps = np.spacing(e.theta.astype(np.longdouble)).astype(float)
        nearest = float(np.max(np.where(v != 0, ulps / np.abs(v), 0.0)))
    usable = steps >= TURN_ULPS * nearest
    found = finest_beyond(
        D[:, None],
        usable[:, None],
        size[:, None],
        steps[:, None],
        np.array([value]),
        np.array([C_AGREE * error]),
    )
    D_best, own, beyond = (float(a[0]) for a in found)
    return bool(beyond) and abs(cs - D_best) <= own + PROBE_RTOL * abs(cs)


def _along_extended(
    model: Model, env: Values, name: str, theta: np.ndarray, v: np.ndarray, h: float
) -> tuple[float, float, float] | None:
    """_along's complex step and Richardson again with the forward in 80 bits (cs, value,
    estimate: Richardson's plus the complex step's spread between h and 3/4 h, its own
    rounding; _Extended), or None where that cannot be had or would compute more than
    EXTENDED_PROBE values: where float64's steps cannot resolve the direction to
    PROBE_RTOL (a loss of 2e5 from other terms), an abs of a near fit whose derivative
    is 1e-8 of the gradient hides below their estimate."""
    try:
        e = _Extended(model, env, name)
        if e.fit(EXTENDED_PROBE) < 1:
            return None
        move = np.asarray(v, np.longdouble)

        def at(steps: np.ndarray) -> np.ndarray:
            shaped = np.asarray(steps, np.longdouble).reshape((-1,) + (1,) * theta.ndim)
            return e.run(e.theta[None] + shaped * move[None], np.longdouble)

        steps = np.array([h, RESTEP * h])
        stepped = e.theta[None] + 1j * steps.reshape((-1,) + (1,) * theta.ndim) * move[None]
        cs, again = np.imag(e.run(stepped, np.clongdouble)) / steps
        value, _, _, error, *_ = e.richardson(at, lambda s: [np.array([s])] * 2)
    except (ModelError, TypeError, ValueError, ArithmeticError, IndexError):
        return None
    return float(cs), float(value[0]), float(error[0]) + abs(float(cs - again))
