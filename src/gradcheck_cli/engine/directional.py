"""Directional checks: ⟨A, v⟩ against the numerical derivative of L along v.

For R seeded random directions v per tensor, one model evaluation each: with the complex
step, Im L(θ + i h v) / h is ⟨∇L, v⟩ to machine precision, so the bound can be tight and
a single wrong entry shows even in a tensor of millions. A failing tensor is then checked
entry by entry to locate the culprit (after bisection, when it is too large for that).
"""

import math
import zlib
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from gradcheck_cli.engine.bounds import per_entry
from gradcheck_cli.engine.compare import abs_max
from gradcheck_cli.engine.decide import resolution, row_status, weak_reason
from gradcheck_cli.engine.engines import COMPLEX_STEP, RICHARDSON_REL_STEP, engine
from gradcheck_cli.engine.policy import (
    CORRECTION,
    DIRECTIONAL_ROUNDOFF,
    EPS,
    POLICY,
    REFERENCE,
    SCATTER_CHANGED,
    TINY,
)
from gradcheck_cli.engine.strata import stratified
from gradcheck_cli.engine.verdict import (
    Pending,
    analytic_at,
    analytic_rounding,
    at_jittered,
    numeric_reference,
    verdict,
)
from gradcheck_cli.models.model import Model, Values
from gradcheck_cli.records import frozen
from gradcheck_cli.result import FAIL, KINK, PASS, WEAK, Comparison

if TYPE_CHECKING:
    from gradcheck_cli.engine.checking import Settings


LEAST = 64  # a direction's entries are ±(LEAST … 2 LEAST − 1): int8, at least this in size


def directions(shape: tuple[int, ...], count: int, seed: int, name: str) -> np.ndarray:
    """``count`` seeded random directions (_entries): every entry moves by at least LEAST
    in every direction, so a wrong entry shows in each of them with that weight at the
    least (a Gaussian direction gives an entry |v_i| < 0.1 one time in twelve)."""
    rng = np.random.default_rng([seed, zlib.crc32(name.encode()), 7])
    return _entries(rng, (count,) + tuple(shape))


def _entries(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Random int8 entries ±(LEAST … 2 LEAST − 1), signs and sizes uniform: errors of
    opposite signs cancel along a direction only where their sizes match too, one time in
    2 LEAST (with ±1 entries one time in two: a gradient scattered to the wrong index, +g
    at one and −g at the other, passed 4 sign directions one time in 16). Each product
    with it is float64's, a byte an entry held. From one random byte an entry: its low
    bits the size, its top bit the sign (20 ms at 16 M entries; integers below 128
    drawn as int8 and negated where, 200 ms)."""
    drawn = rng.integers(0, 256, shape, dtype=np.uint8)
    v = (drawn & (LEAST - 1)).view(np.int8)
    v += LEAST
    sign = (drawn >> 7).view(np.int8)  # (0 or 1: then 1 or −1)
    sign *= -2
    sign += 1
    v *= sign
    return v


def complex_along(
    model: Model,
    env: Values,
    name: str,
    v: np.ndarray,
    upto: str | None = None,
    z: np.ndarray | None = None,
) -> np.ndarray:
    """d out(θ + s v)/ds at s = 0 by the complex step, out the loss or the tap ``upto``;
    the step small next to the smallest |θ_i| the direction moves. θ + i h v is made in
    one array (a leaf of 64 M entries: each temporary is 1 GiB): ``z``, complex and of
    θ's shape, where the caller reuses one over its directions."""
    theta = np.asarray(env[name], dtype=float)
    h = COMPLEX_STEP * float(np.clip(_least_moved(theta, v), 1e-280, 1.0))
    h /= max(float(np.abs(v).max()), TINY)
    z = np.empty(theta.shape, dtype=complex) if z is None else z
    z.real = theta  # (again each time: a forward may have written into its input)
    np.multiply(v, h, out=z.imag)
    f = model.evaluate(env, name, z[None], upto=upto)
    return np.imag(np.asarray(f)[0]) / h


def _least_moved(theta: np.ndarray, v: np.ndarray) -> float:
    """min |θ_i| over the nonzero θ_i that v moves (1 where there is none), a chunk at a
    time (no copy of θ)."""
    t, w = np.ravel(theta), np.ravel(v)
    least = np.inf
    for s in _chunks(t.size):
        a = np.abs(t[s])
        a = a[(w[s] != 0) & (a != 0)]
        if a.size:
            least = min(least, float(a.min()))
    return least if np.isfinite(least) else 1.0


def _derivative_along(
    model: Model, env: Values, name: str, V: np.ndarray, method: str
) -> tuple[np.ndarray, np.ndarray]:
    """d L(θ + s v)/ds at s = 0 for each v in V, with an error estimate for each."""
    theta = np.asarray(env[name], dtype=float)
    out, est = [], []
    z = np.empty(theta.shape, dtype=complex) if engine(method).complex else None
    for v in V:  # one direction at a time: a copy of a large tensor is large
        if z is not None:
            out.append(float(complex_along(model, env, name, v, z=z)))
            est.append(0.0)
        else:  # richardson along v, scaled to the tensor
            h = (
                RICHARDSON_REL_STEP
                * max(1.0, float(np.abs(theta).max()))
                / max(float(np.abs(v).max()), TINY)
            )
            steps = [h, h / 2, h / 4]
            copies = np.stack([theta + s * v for s in steps] + [theta - s * v for s in steps])
            f = np.asarray(model.evaluate(env, name, copies), dtype=float)
            D = [(f[k] - f[k + 3]) / (2 * s) for k, s in enumerate(steps)]
            R1, R2 = (4 * D[1] - D[0]) / 3, (4 * D[2] - D[1]) / 3
            out.append((16 * R2 - R1) / 15)
            est.append(abs(R2 - R1) + DIRECTIONAL_ROUNDOFF * EPS * abs(float(env[model.loss])) / h)
    return np.array(out), np.array(est)


CHUNK = 2**20  # entries a directional sum takes at a time (its products stay in cache)


def _inner(A: np.ndarray, V: np.ndarray) -> np.ndarray:
    """⟨A, v⟩ for each v in V, by pairwise summation (in A's precision) over chunks whose
    sums are added exactly (math.fsum): the rounding grows like log n, where a BLAS dot
    product's grows like √n."""
    a = np.ravel(A)
    return np.array(
        [math.fsum(float(np.sum(a[s] * v[s])) for s in _chunks(a.size)) for v in _flat(V)]
    )


def _norms(A: np.ndarray | None, V: np.ndarray) -> np.ndarray:
    """‖A ∘ v‖₂ for each v in V (‖v‖₂ where A is None), chunk by chunk."""
    a = None if A is None else np.ravel(A)
    out = []
    for v in _flat(V):
        squares = []
        for s in _chunks(v.size):
            x = v[s].astype(float) if a is None else a[s] * v[s]
            squares.append(float(np.dot(x, x)))
        out.append(math.sqrt(math.fsum(squares)))
    return np.array(out)


def _chunks(n: int) -> list[slice]:
    return [slice(k, min(k + CHUNK, n)) for k in range(0, n, CHUNK)]


def _flat(V: np.ndarray) -> list[np.ndarray]:
    """Each direction of V as a flat view."""
    return [np.ravel(v) for v in V]


def _bound(
    A: np.ndarray,
    V: np.ndarray,
    numeric: np.ndarray,
    estimate: np.ndarray,
    method: str,
    correction: np.ndarray | None = None,
    spread: np.ndarray | None = None,
) -> np.ndarray:
    """What |⟨A, v⟩ − numeric| may be for each direction v in V: rounding of the inner
    product and of L's imaginary part, plus 8× the estimate; divided by the relative step
    for the finite-difference engine (it divides the loss's round-off by the step).

    ``spread``: ρ, A's own rounding per entry (verdict.analytic_rounding), counted as
    ‖ρ ∘ v‖₂ (independent roundings add in quadrature). Where A was also computed in
    extended precision, ``correction`` = ⟨A_ext − A, v⟩ has been added to ⟨A, v⟩ and is
    counted twice (large only where A cancels, as 1 − σ does), ρ keeps only the rest, and
    the numeric side's own rounding is bounded by policy.directional · eps · (‖A ∘ v‖₂ +
    |⟨A, v⟩|), else by the worst case policy.directional_worst · eps ·
    (‖A ∘ v‖₂ + max|A| ‖v‖₂ + |⟨A, v⟩|), the tensor's own scale standing for the
    unmeasured rounding of its entries; the complex
    step's underflow (derivatives below tiny / h are 0) is added."""
    policy = POLICY[REFERENCE]
    terms = _norms(A, V)
    rho = 0.0 if spread is None else policy.rounding * _norms(spread, V)
    if correction is not None:
        floor = np.finfo(float).tiny / COMPLEX_STEP * _norms(None, V)
        bound = (
            policy.directional * EPS * (terms + np.abs(numeric))
            + CORRECTION * np.abs(correction)
            + rho
            + floor
            + policy.est * estimate
        )
    else:  # A's rounding unmeasured: up to eps · max|A| in any entry of this tensor
        spread_all = abs_max(A) * _norms(None, V)
        bound = (
            policy.directional_worst * EPS * (terms + spread_all + np.abs(numeric))
            + rho
            + policy.est * estimate
        )
    return bound if engine(method).complex else bound / RICHARDSON_REL_STEP


@frozen
class Known:
    """What a directional check knows of A's own rounding: ``rounding``, measured
    (extended precision − A), added to ⟨A, v⟩; without it, ``spread`` may bound it per
    entry (see _bound); ``entry``: each entry's own bound, which the resolution is never
    finer than (see _resolution)."""

    rounding: np.ndarray | None = None
    spread: np.ndarray | None = None
    entry: np.ndarray | None = None


def check_directions(
    model: Model,
    env: Values,
    name: str,
    A: np.ndarray,
    method: str,
    count: int,
    seed: int,
    known: Known = Known(),
) -> tuple[Comparison, np.ndarray, np.ndarray]:
    """The row's comparison from ``count`` directional derivatives, and the signed
    differences ⟨A, v⟩ − numeric (for the round-off test)."""
    rounding, spread, entry = known.rounding, known.spread, known.entry
    theta = np.asarray(env[name])
    n = theta.size
    V = directions(theta.shape, count, seed, name)
    numeric, estimate = _derivative_along(model, env, name, V, method)
    correction = None if rounding is None else _inner(rounding, V)
    analytic = _inner(A, V) + (0 if correction is None else correction)
    err = np.abs(analytic - numeric)
    bound = _bound(
        A, V, numeric, estimate, method, correction, spread if correction is None else None
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(err == 0, 0.0, err / bound)
        rel = err / np.maximum(np.maximum(np.abs(analytic), np.abs(numeric)), TINY)
    r = int(np.argmax(ratio))
    failed = int((err > bound).sum()) if np.all(np.isfinite(numeric)) else count
    res, res_index, why = _resolution(A, (bound + err) / LEAST, entry)
    status, reason = _pass_or_weak(res, why)
    if failed:
        status = FAIL
        reason = (
            f"{failed} of {count} directions disagree: ⟨A, v⟩ = {analytic[r]:.10g}, "
            f"numeric {numeric[r]:.10g}"
        )
    comparison = Comparison(
        status,
        reason,
        float(err.max()),
        float(rel.max()),
        (r,),
        float(analytic[r]),
        float(numeric[r]),
        n,
        0,
        failed,
        "values" if failed else None,
        float(ratio.max()),
        checked=0,
        directions=count,
        resolution=res,
        resolution_worst=res,
        resolution_index=res_index,
        unresolved=why,
    )
    return comparison, analytic - numeric, err > bound


def _pass_or_weak(res: float | None, why: str | None = None) -> tuple[str, str | None]:
    """A row no direction fails: its verdict by decide.row_status, and why if WEAK."""
    weak = POLICY[REFERENCE].weak
    status = row_status(False, False, res, weak, why)
    return status, weak_reason(res, weak, why) if status == WEAK else None


def _resolution(
    A: np.ndarray, room: np.ndarray, entry: np.ndarray | None = None
) -> tuple[float | None, tuple[int, ...] | None, str | None]:
    """(resolution, where, why) over the entries that carry A (decide.py): a direction
    moves ⟨A, v⟩ by at least δ|A_i| for an error δ in entry i, ``room`` in units of the
    least |v_i| (LEAST), which fails the direction with the least room (bound +
    |⟨A, v⟩ − numeric|, either sign). A failing direction is
    then settled entry by entry, so ``entry`` (each entry's own bound, if given) is room
    too: the resolution is never finer than what that check holds an entry to."""
    least = float(np.min(room)) if room.size else np.inf
    room_i = np.full(A.shape, least) if entry is None else np.maximum(entry, least)
    return resolution(A, A, room_i, np.ones(A.shape, bool))


def localize(
    model: Model,
    env: Values,
    name: str,
    A: np.ndarray,
    method: str,
    seed: int,
    spread: np.ndarray | None = None,
    keep: int = 64,
) -> np.ndarray:
    """Flat indices (at most ``keep``) that hold a wrong entry, found by bisection: of two
    directional checks, each restricted to one half of the candidates, the one further
    beyond its bound names the wrong half. 2 log2(n) model evaluations, however large the
    tensor."""
    theta = np.asarray(env[name])
    candidates = np.arange(theta.size)
    rng = np.random.default_rng([seed, zlib.crc32(name.encode()), 11])
    while candidates.size > keep:
        halves = np.array_split(candidates, 2)
        V = np.zeros((2, theta.size))
        for k, half in enumerate(halves):
            V[k, half] = _entries(rng, (half.size,))  # (as in directions())
        V = V.reshape((2,) + theta.shape)
        numeric, estimate = _derivative_along(model, env, name, V, method)
        off = np.abs(_inner(A, V) - numeric)
        candidates = halves[
            int(np.argmax(off / _bound(A, V, numeric, estimate, method, spread=spread)))
        ]
    return candidates


LOCATE_ALL = 2**22  # entries a per-entry check on the fast path takes in about a second
LOCATE_FILE = 4096  # ... and without it (model files): beyond, bisection locates


def directional_verdict(
    model: Model, env: Values, p: Pending, method: str, settings: "Settings"
) -> tuple[np.ndarray, Comparison]:
    """--directions: compare R directional derivatives. A disagreement that a 1e-8 move of
    the leaves scatters is round-off (PASS); a row the sums cannot resolve (WEAK) is
    checked entry by entry where that is affordable; otherwise a per-entry check locates the
    culprit, or finds kinks (KINK): of every entry where the model has a one-entry fast
    path (up to LOCATE_ALL entries), else of the few that bisection leaves. Where every
    entry was checked, that check's verdict is the row's."""
    A, shape = p.analytic, np.shape(env[p.id])
    usable = isinstance(A, np.ndarray) and A.shape == shape and np.all(np.isfinite(A))
    if not usable or A.size == 0 or not np.all(np.isfinite(env[p.id])):
        # (an empty tensor has no direction; a non-finite entry, no derivative to sum)
        return _entry_by_entry(model, env, p, method, settings, None)
    A = A.astype(float, copy=False)
    rho, measured = _own_move(A, p.id, p.moved_at), p.rho  # (p.rho: a new array each time)
    if measured is not None:
        rho = measured if rho is None else np.add(rho, measured, out=rho)
    del measured
    entry = per_entry(
        method, settings.tolerance, A, A, None, rho, settings.check.dtype, np.asarray(env[p.id])
    )
    del rho
    known = Known(p.rounding, entry=entry)
    comparison, d, failing = check_directions(
        model, env, p.id, A, method, _count(settings), settings.options.seed, known
    )
    del A, entry, known  # (arrays the tensor's size, not held through the sample's verdict)
    if comparison.status == WEAK and np.prod(shape) <= _affordable(model, p.id):
        # R sums over every entry cannot resolve its median one: check each entry
        p.indices = None
        p.derivative = numeric_reference(model, env, p.id, method, settings)
        numeric, entrywise = verdict(model, env, p, method, settings)
        return numeric, replace(entrywise, directions=_count(settings))
    if comparison.status != FAIL:
        return _sampled(model, env, p, method, settings, comparison)
    if np.prod(shape) > _affordable(model, p.id) and _scattered(
        model, env, p, method, settings, comparison, d, failing
    ):
        status, reason = _pass_or_weak(comparison.resolution, comparison.unresolved)
        return np.full(shape, np.nan), replace(
            comparison, status=status, reason=reason, failed=0, problem=None
        )
    return _entry_by_entry(model, env, p, method, settings, comparison)


def _own_move(A: np.ndarray, name: str, moved: list[dict] | None) -> np.ndarray | None:
    """max over the draws of |A − A at ulp-moved forward values| (verdict.moved_backwards),
    or None: an upper estimate of Δ, the part of ρ a per-entry check measures where A's
    move matters (verdict.forward_rounding). A failing direction is settled entry by entry
    at that ρ, so the resolution the directions state must not be finer."""
    delta, own = None, None
    for at_draw in moved or []:
        a = at_draw.get(name)
        if not isinstance(a, np.ndarray) or a.shape != A.shape or np.iscomplexobj(a):
            continue
        own = np.empty(A.shape) if own is None else own  # (in place: 64 M entries)
        np.subtract(a, A, out=own, dtype=np.float64, casting="same_kind")
        np.abs(own, out=own)
        own[~np.isfinite(own)] = 0.0
        if delta is None:
            delta, own = own, None
        else:
            np.maximum(delta, own, out=delta)
    return delta


def _count(settings: "Settings") -> int:
    """--directions' R: set wherever a row is judged by its directional derivatives."""
    assert settings.check.directions is not None
    return settings.check.directions


FILL_LEAST = 64  # entries of a tensor the budget's sample checks, at the least


def _sampled(
    model: Model,
    env: Values,
    p: Pending,
    method: str,
    settings: "Settings",
    comparison: Comparison,
) -> tuple[np.ndarray, Comparison]:
    """A passing directional check, and (over the budget: settings.runtime.fill) a stratified
    sample of entries checked one by one: a FAIL or KINK among them is the row's verdict,
    and so is WEAK where the directions PASS; else the row keeps the directions' verdict
    (they cover every entry), at the coarser of the two resolutions: a direction an error
    fails is settled entry by entry, at bounds like the sample's (A's rounding under moved
    forward values measured, which the directions' own estimate of them lacks)."""
    shape = np.shape(env[p.id])
    if not settings.runtime.fill:
        return np.full(shape, np.nan), comparison
    n = int(np.prod(shape))
    k = min(n, max(FILL_LEAST, round(settings.runtime.fill * n)))
    at_k = replace(settings, check=replace(settings.check, sample=k, directions=None))
    p.indices = stratified(p.analytic, shape, at_k, p.id)
    p.derivative = numeric_reference(model, env, p.id, method, settings, indices=p.indices)
    numeric, entrywise = verdict(model, env, p, method, settings)
    entrywise = replace(entrywise, directions=_count(settings))
    if entrywise.status in (FAIL, KINK) or (entrywise.status, comparison.status) == (WEAK, PASS):
        return numeric, entrywise  # (a sampled entry that cannot be resolved is no PASS)
    sample, sums = entrywise.resolution, comparison.resolution
    if sample is not None and sums is not None and sample > sums:  # (the sample's, coarser)
        status, reason = _pass_or_weak(sample, comparison.unresolved)
        return numeric, replace(entrywise, status=status, reason=reason)
    return numeric, replace(
        entrywise,
        status=comparison.status,
        reason=comparison.reason,
        resolution=comparison.resolution,
        resolution_worst=comparison.resolution_worst,
        resolution_index=comparison.resolution_index,
    )


def _affordable(model: Model, name: str) -> int:
    """Entries a per-entry check may take: the fast path's LOCATE_ALL, else LOCATE_FILE."""
    return LOCATE_ALL if model.sparse_for(name) else LOCATE_FILE


def _scattered(
    model: Model,
    env: Values,
    p: Pending,
    method: str,
    settings: "Settings",
    comparison: Comparison,
    d: np.ndarray,
    failing: np.ndarray,
) -> bool:
    """Whether the sums' rounding explains a failing directional check of a tensor too
    large to check entry by entry: it fails by less than policy.scatter times its bound,
    and at leaves moved by 1e-8 (at_jittered) every direction passes while each failing
    one's disagreement changes by more than a quarter. A real error stays (at a kink or a
    tie it moves too, but it does not pass)."""
    if not comparison.ratio <= POLICY[REFERENCE].scatter:
        return False

    def again(env2: Values) -> tuple[Comparison, np.ndarray]:
        A2 = np.asarray(analytic_at(model, env2, p, settings.check.dtype), dtype=float)
        measured = analytic_rounding(model, env2, {p.id: A2}, [], settings.check.dtype).get(p.id)
        rounding2 = measured if p.rounding is not None else None
        return check_directions(
            model, env2, p.id, A2, method, _count(settings), settings.options.seed, Known(rounding2)
        )[:2]

    moved, d2 = at_jittered(model, env, settings, again)
    changed = np.all(np.abs(d - d2)[failing] > SCATTER_CHANGED * np.abs(d)[failing])
    return moved.status != FAIL and bool(changed)


def _entry_by_entry(
    model: Model,
    env: Values,
    p: Pending,
    method: str,
    settings: "Settings",
    comparison: Comparison | None,
) -> tuple[np.ndarray, Comparison]:
    """The per-entry verdict of a row the directions flagged (``comparison``), or could not
    check (None): every entry where that is affordable, else the few bisection leaves."""
    shape = np.shape(env[p.id])
    p.indices = None
    if comparison is not None and np.prod(shape) > _affordable(model, p.id):
        keep = LOCATE_ALL if model.sparse_for(p.id) else 64
        p.indices = localize(
            model,
            env,
            p.id,
            p.analytic.astype(float),
            method,
            settings.options.seed,
            p.rho,
            keep=keep,
        )
    p.derivative = numeric_reference(model, env, p.id, method, settings, indices=p.indices)
    numeric, entrywise = verdict(model, env, p, method, settings)
    if comparison is None or entrywise.status == FAIL:
        return numeric, replace(entrywise, directions=_count(settings))
    if entrywise.status == KINK or p.indices is None:
        # Every entry passed a per-entry check, a finer instrument than R sums over all
        # of them: the directional disagreement was the sums' rounding.
        return numeric, replace(entrywise, directions=comparison.directions)
    found = f"the per-entry check of {entrywise.checked:,} entries found no culprit"
    reason = f"{comparison.reason}; {found}"
    return numeric, replace(comparison, reason=reason)
