"""One row's verdict: the numeric reference, the bound, kinks and round-off.

The comparison of compare.py decides entry by entry; this module gives it the numbers:
the numeric reference laid out as the analytic value, the per-entry bound (bounds.py),
and a second look at failing entries, which may sit on a kink or be round-off.
"""

import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

import numpy as np

from gradcheck_cli.engine.bounds import Sampled, classic, loss_floor, per_entry, uses_estimates
from gradcheck_cli.engine.compare import compare, taken
from gradcheck_cli.engine.decide import carrying, unresolved
from gradcheck_cli.engine.engines import DEFAULT_REL_STEP, RICHARDSON_FIRST_STEP, engine
from gradcheck_cli.engine.numeric import (
    Derivative,
    complex_beside,
    complex_steps,
    differentiate,
    extended_roundoff,
    finest_beyond,
    largest_value,
    loss_rounding,
    richardson_extended,
    rounding_size,
    sides_extended,
)
from gradcheck_cli.engine.policy import (
    CLASSIC_ROUNDOFF,
    DIFFERENCE_ROUNDOFF,
    EPS,
    FAR_WIDER,
    INFORMATIVE,
    JUMP_ROUNDOFF,
    KINK_BESIDE,
    KINK_FAR,
    KINK_FINER,
    KINK_JUMP,
    KINK_RATIO,
    KINK_SAME,
    KINK_SHRINK,
    KINK_WIDER,
    LADDER_FIRST,
    LEAF_CREDIBLE,
    LEAF_DRAWS,
    LIMIT_MARGIN,
    MOVED_MATTERS,
    NEAR_KINK_THETA,
    POLICY,
    REFERENCE,
    REGION_ENTRIES,
    RESTEP,
    STAIR_GROWTH,
    STRADDLE_AGREE,
    STRADDLE_ESTIMATE,
    STRADDLE_FLOOR,
    TURN_LEVELS,
    TURN_MARGIN,
    TURN_ULPS,
    UNSTRADDLED_AGAIN,
    WIDENED_APART,
)
from gradcheck_cli.engine.regions import Region, kept_apart, region_of, turns_both_ways
from gradcheck_cli.engine.sides import Central, OneSided, differ, one_sided
from gradcheck_cli.engine.together import (
    Apart,
    Joint,
    Kinks,
    kinks_apart,
    roundoff,
    tied,
    ties_apart,
)
from gradcheck_cli.errors import GradcheckError
from gradcheck_cli.models.model import Jacobian, Model, Values, adjoint_label
from gradcheck_cli.records import frozen
from gradcheck_cli.result import FAIL, KINK, PASS, TOGETHER, WEAK, Comparison, Tolerance

if TYPE_CHECKING:
    from numpy.typing import DTypeLike

    from gradcheck_cli.engine.checking import Settings

T = TypeVar("T")
Reference = tuple[np.ndarray, np.ndarray]  # N and its bound, per entry
Level = tuple["Central", np.ndarray, np.ndarray, np.ndarray]  # the kink test's, at one step


def as_dtype(env: Values, dtype: "DTypeLike") -> dict[str, np.ndarray]:
    """``env`` with its real-valued arrays in ``dtype`` (integer data, an embedding's
    index array, stays as it is)."""
    return {
        k: np.asarray(v, dtype=dtype) if np.asarray(v).dtype.kind == "f" else v
        for k, v in env.items()
    }


def _in_dtype(env: Values, dtype: str) -> Values:
    return env if dtype != "float32" else as_dtype(env, np.float32)


def _as_float64(value: Any) -> Any:
    return value.astype(np.float64) if isinstance(value, np.ndarray) else value


def backward_at(model: Model, env: Values, dtype: str) -> dict[str, Any]:
    """Every hand-derived adjoint at ``env``, computed in ``dtype`` (returned as float64)."""
    return {k: _as_float64(v) for k, v in model.backward(_in_dtype(env, dtype)).items()}


def analytic_at(model: Model, env: Values, p: "Pending", dtype: str) -> Any:
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


def numeric_reference(
    model: Model,
    env: Values,
    name: str,
    method: str,
    settings: "Settings",
    jac: Jacobian | None = None,
    rel_step: float | None = None,
    indices: np.ndarray | None = None,
) -> Derivative:
    """The numeric reference for one row, laid out as its analytic value."""
    der = differentiate(
        model,
        env,
        jac.wrt if jac else name,
        out=jac.of if jac else None,
        method=method,
        rel_step=rel_step or settings.check.eps,
        indices=indices,
        progress=settings.runtime.progress,
        pool=settings.runtime.pool,
    )
    if jac is None:
        return der
    return Derivative(
        *(
            None if a is None else _jacobian_layout(a, jac)  # type: ignore[arg-type]
            for a in (der.value, der.plus, der.minus, der.error)
        )
    )


def _kinks(
    model: Model,
    env: Values,
    p: "Pending",
    method: str,
    settings: "Settings",
    row: "Measured",
) -> tuple[
    np.ndarray,
    np.ndarray,
    OneSided,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
]:
    """Look again at the failing entries of row ``p`` for kinks; returns (numeric,
    candidate kink mask, OneSided, the candidates no step resolves under a finite
    difference: 0 < |θ_i| below the finest step, θ's own scale not telling, or on a
    staircase with A among what the steps saw (_stairs, _among_stairs); the round-off of
    a finer step's difference where that replaced N, which the entry's bound is widened
    to; the kinks only steps wider than h see (FAR_WIDER, KINK_WIDER), where L's
    round-off hides the kink test's own: a kink within those steps of θ, at θ or beside
    it, which cannot be told; the entries whose N central's h/64, which straddles
    nothing h and h/8 did, replaced, or θ's own scale, where it shows the loss smooth
    and A off it: that N, with its error, decides them, no referee;
    the entries whose N h/8 and h/64 confirm, _steady; under Richardson, the failing
    entries whose N h/8 or h/64 contradicts, _contradicted).

    One-sided differences at the steps h/k (policy.kink_steps): where the loss is smooth
    their spread shrinks with the step (∝ h f''); where it stops shrinking, θ sits on a
    kink and no single derivative exists. Where it vanishes at a finer step, the step h
    straddled a kink nearby: the central difference at h/8 replaces the one at h (central
    engine only; the complex step never straddles). Spreads must stand well above the
    round-off of a one-sided difference (about eps·|L|/h), and above the bound less
    Richardson's own estimate (which a stencil across a kink inflates), to count. A
    candidate is excused only where A lies between its one-sided derivatives (OneSided).
    ``row.suspect``: entries that agree with N but sit on a kink (_on_a_kink), looked at
    as failing ones are: a proved kink there is one the row's kinks move with.
    """
    assert p.derivative is not None
    name, jac, error = p.id, p.jac, p.derivative.error
    analytic, numeric, bound, suspect = row.A, row.numeric, row.bound, row.suspect
    policy = POLICY[REFERENCE]
    failing = np.abs(analytic - numeric) > bound
    bad = failing if suspect is None else failing | suspect
    significant = (
        bound
        if error is None
        else np.maximum(bound - policy.est * np.nan_to_num(error, posinf=0.0), 0.0)
    )
    indices = None if jac else np.flatnonzero(bad)
    rel = settings.check.eps or DEFAULT_REL_STEP
    theta = np.abs(np.asarray(env[jac.wrt if jac else name], dtype=float))
    loss_size = (
        max(_loss_size(env, model, theta, numeric), rounding_size(model, env) / 2)
        if jac is None
        else 0.0
    )
    blind, settled = np.zeros(bad.shape, bool), np.zeros(bad.shape, bool)
    widen = np.zeros(bad.shape)

    def at(k: float) -> tuple[Central, np.ndarray]:
        """Central differences at the step rel / k, and their round-off."""
        der = numeric_reference(model, env, name, "central", settings, jac, rel / k, indices)
        if jac is None:  # (the step taken: smaller than rel · max(1, θ) where that left the domain)
            step = der.step if der.step is not None else rel / k * np.maximum(1.0, theta)
            noise = roundoff(loss_size) / step
        else:
            noise = np.full(numeric.shape, DIFFERENCE_ROUNDOFF * policy.eps * k / rel)
        assert der.plus is not None and der.minus is not None  # (central has both sides)
        return Central(der.value, der.plus, der.minus, der.step), noise

    levels = []
    for k in policy.kink_steps:
        level, noise = at(k)
        spread = np.abs(level.plus - level.minus)
        levels.append((level, spread, spread > np.maximum(significant, noise), noise))
    (coarse, s1, r1, _), (fine, s8, r8, _), (finest, s64, r64, _) = levels
    kink = bad & ((r1 & r8 & (s8 > s1 / KINK_SHRINK)) | (r8 & r64 & (s64 > s8 / KINK_SHRINK)))
    hidden = bad & ~kink & ~(r1 & r8)  # (round-off hides the steps that would tell)
    stairs = _stairs(levels)
    told = (kink, hidden)
    kink, far, far_ladder, wider = _wider_steps(at, levels, bad, told, significant, method)
    nearer = None  # (the finer steps' one-sided derivatives: _smooth_on_its_own_scale)
    finest_step = rel / policy.kink_steps[-1] * np.maximum(1.0, theta)
    below = (  # (a pole or a kink at 0 every step straddles; none for a Jacobian's layout)
        (theta > 0) & (theta < finest_step) if jac is None else np.zeros(bad.shape, bool)
    )
    if jac is None:
        saw = Seen(significant, _jump_seen(wider, levels, s1), loss_size, finest_step)
        smooth, own, floor, nearer = _smooth_on_its_own_scale(model, env, name, theta, kink, saw)
        smooth &= ~stairs  # (a staircase's own-scale sides may agree by chance: one quantum each)
        kink &= ~smooth
        if not engine(method).complex:  # a kink, or a pole, nearer θ than any step: θ's
            # own scale, where it does not show the loss smooth, does not tell which; nor
            # on a staircase, where the sides are quanta (or a pole nearer than the steps:
            # the inverse of a matrix at cond 1e7, whose sides straddle it)
            blind = kink & (below | (stairs & _among_stairs(levels, analytic)))
        if engine(method).complex:
            scale = _row_scale(analytic, numeric)
            seen, left, right, exact_slack = _both_sides(model, env, name, theta, bad, scale)
            left, right = _on_a_branch(numeric, left, right)
            # where the complex step's own sides were had, they alone decide
            kink = (kink & ~seen) | (bad & differ(left, right))
        if not engine(method).complex:  # the difference straddled a kink near θ: at θ's
            # own scale the loss is smooth, and that difference is the reference there
            # (no slack but that difference's own round-off, which then shows in the
            # row's resolution; only where N itself is off it, having straddled the
            # kink: where N agrees with it, N is the finer reference and stands). An A
            # off it beyond that, where it moved L beyond its round-off, is decided
            # there: no coarser referee or second ladder (whose steps straddle the kink
            # too) overrules it (a float32 staircase's 0 ± 0 decides nothing)
            astray = smooth & ~(np.abs(numeric - own) <= floor)  # (N off it)
            missed = np.abs(analytic - own) > np.fmax(bound, floor)
            settled = astray & missed & (np.abs(own) > floor)
            near = (astray & ~missed) | settled
            numeric = np.where(near, own, numeric)
            widen = np.where(near, floor, widen)
    if engine(method).extrapolated and error is not None:
        kink |= failing & _straddled_by_richardson(levels, analytic, numeric, error)
    if engine(method).rule == "central":  # (where a finer step showed it smooth, that stands)
        straddled = failing & ~kink & ~far & r1 & ~(widen > 0) & ~stairs
        value, off, deeper = _unstraddled(levels)
        aliased = _aliased(at, (value, off), bound, significant, straddled & deeper)
        straddled, blind = straddled & ~aliased, blind | aliased
        numeric, unstraddled = np.where(straddled, value, numeric), straddled & deeper
        widen, settled = np.where(unstraddled, off, widen), settled | unstraddled
        kink |= straddled & (np.abs(analytic - value) <= np.fmax(bound, off))
    wider = wider or ([at(k) for k in KINK_WIDER] if kink.any() else [])
    ladder = [(level, noise) for level, _, _, noise in levels]
    found = _found_sides(ladder, wider, far_ladder, far, (kink, nearer))
    if jac is None and engine(method).complex:  # the complex step's own sides, where it has
        found = found.exact_where(left, right, exact_slack)  # them: no finite step's round-off
    steady = _steady(levels, numeric, bound) & ~below
    contradicted = failing & ~settled & _contradicted(levels, analytic, numeric, bound, method)
    return numeric, kink, found, blind, widen, far, settled, steady, contradicted


def _stairs(levels: list) -> np.ndarray:
    """Where the loss is a staircase on the kink test's scales (a float32 round-trip
    inside a float64 forward), told two ways, from a step to the next finer one:
    - the one-sided differences' spread grows STAIR_GROWTH times or more and stands
      above round-off: the staircase's quanta, a round-off far above float64's that
      grows as 1 / h (a kink's spread does not grow as the step shrinks; a smooth
      loss's shrinks);
    - the central difference moves by more than STAIR_GROWTH times both steps' spreads
      and round-off: a quantum on either side moves it and not the spread (a kink a
      step straddles moves it by half the spread it makes; a smooth loss's truncation is
      below its spread but at an inflection).
    On a staircase no agreement between steps means anything, nor between the sides of
    one step: three central differences of f32_hidden's z̄ agreed bit for bit at 0.3393,
    0.4 % off the true 0.3408, and a round-trip's sides at h/64 to 9e-8, 6 % off."""
    out = np.zeros(levels[0][1].shape, bool)
    for (before, before_spread, _, before_noise), (level, spread, resolved, noise) in zip(
        levels, levels[1:], strict=False
    ):
        out |= resolved & (spread > STAIR_GROWTH * before_spread)
        with np.errstate(invalid="ignore"):
            scatter = spread + before_spread + noise + before_noise
            out |= np.abs(level.value - before.value) > STAIR_GROWTH * scatter
    return out


def _among_stairs(levels: list, A: np.ndarray) -> np.ndarray:
    """Where A lies among what the kink test's steps saw on a staircase (_stairs): within
    their one-sided differences, widened by the most a central difference moved from a
    step to the next. There their sides tell nothing of A (the inverse at cond 1e7 beside
    its pole: A of 1.1e5 where the sides at h are −4881 and 4524, and h/64's reach 1.9e5);
    beyond that even a staircase's steps show A wrong (a float32 layer's W̄1 of −20.4,
    whose steps all lie near −3.5: FAIL)."""
    sides = [side for level, _, _, _ in levels for side in (level.plus, level.minus)]
    values = [level.value for level, _, _, _ in levels]
    with np.errstate(invalid="ignore"):
        moved = np.max([np.abs(b - a) for a, b in zip(values, values[1:], strict=False)], axis=0)
        return (A >= np.min(sides, axis=0) - moved) & (A <= np.max(sides, axis=0) + moved)


def _steady(levels: list, numeric: np.ndarray, bound: np.ndarray) -> np.ndarray:
    """Where the kink test's central difference at h/8 agrees with N within the entry's
    bound, its round-off (CLASSIC_ROUNDOFF eps S / h_k) is within that bound too, and the
    one at h/64 agrees within the bound and its own round-off: an N finer steps confirm,
    which a coarser referee that N lies within does not overrule (_informs). Where L's
    round-off or kinks nearer than any step make the loss wild on those scales (an N at
    h/8 whose round-off is 8 times its bound), they do not; nor where 0 < |θ_i| is below
    the finest step (_kinks: x0 / x1 at x1 = 1e-8, whose pole every step straddled and
    agreed on N = 0.9 where A is −1.4e15)."""
    _, (fine, _, _, n8), (finest, _, _, n64) = levels
    with np.errstate(invalid="ignore"):
        near8 = (np.abs(numeric - fine.value) <= bound) & (_classic(n8) <= bound)
        return near8 & (np.abs(numeric - finest.value) <= bound + _classic(n64))


def _classic(noise: np.ndarray) -> np.ndarray:
    """A kink-test level's central difference's round-off, CLASSIC_ROUNDOFF eps S / h_k,
    from its one-sided differences' (``noise``, DIFFERENCE_ROUNDOFF eps S / h_k)."""
    return noise * (CLASSIC_ROUNDOFF / DIFFERENCE_ROUNDOFF)


def _own_error(spread: np.ndarray, noise: np.ndarray) -> np.ndarray:
    """A kink-test level's central difference's own error: the larger of its halves'
    spread (which bounds its truncation on a smooth loss) and its round-off (_classic)."""
    return np.fmax(spread, _classic(noise))


def _contradicted(
    levels: list, A: np.ndarray, numeric: np.ndarray, bound: np.ndarray, method: str
) -> Any:
    """Under Richardson, where the kink test's central difference at h/8 or h/64 agrees
    with A within its own error (_own_error) and lies beyond that error and the bound
    from N: Richardson's steps, all wider, straddled a
    kink nearer θ than they are (|x| at x = 6.4e-7 beside 0: N off A by 3e-5 of it,
    within an estimate of 3e-7; h/64 agreed with A to 1e-8). Neither settles the entry.
    On a smooth loss the finer step agrees with N within that error: no wrong A is
    excused but by a truncation that happens to equal its slip."""
    out = np.zeros(np.shape(A), bool)
    if not engine(method).extrapolated:
        return out
    for level, spread, _, noise in levels[1:]:
        off = _own_error(spread, noise)
        with np.errstate(invalid="ignore"):
            out |= (np.abs(A - level.value) <= off) & (np.abs(numeric - level.value) > bound + off)
    return out


def _unstraddled(levels: list) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Where the kink test's step h straddled a kink beside θ (its spread stands out), the
    central difference at h/8; at h/64 where h/8's spread stands out too and h/64's does
    not (ties 5e-7 from θ under a step of 6e-6), with its own error there (_own_error; 0
    elsewhere); and where h/64 was taken."""
    _, (fine, _, r8, _), (finest, s64, r64, n64) = levels
    deeper = r8 & ~r64
    off = np.where(deeper, _own_error(s64, n64), 0.0)
    return np.where(deeper, finest.value, fine.value), off, deeper


def _aliased(
    at: Callable[[float], tuple[Central, np.ndarray]],
    unstraddled: tuple[np.ndarray, np.ndarray],
    bound: np.ndarray,
    significant: np.ndarray,
    deeper: np.ndarray,
) -> np.ndarray:
    """Where h/64 would stand as the unstraddled N (``deeper``; ``unstraddled``: its value
    and own error, _unstraddled) and the central difference at h / UNSTRADDLED_AGAIN, a
    step no multiple of it, is spread as h/64's is not (as the kink test counts spreads),
    or disagrees with it beyond both their own errors and the bound: no step of the
    ladder resolves the loss there (sin of 1e8: a period of 0.0086 in θ under steps of
    0.55 down to 0.0086, whose one-sided differences alias to a slope of −0.03 where it
    is −25); not a kink beside θ, which both finer steps pass by. Those entries are no
    finite difference's to settle."""
    if not deeper.any():
        return deeper
    value, off = unstraddled
    again, noise = at(UNSTRADDLED_AGAIN)
    spread = np.abs(again.plus - again.minus)
    with np.errstate(invalid="ignore"):
        agree = np.abs(again.value - value) <= bound + off + _own_error(spread, noise)
        return deeper & ((spread > np.maximum(significant, noise)) | ~agree)


def _found_sides(
    ladder: list,
    wider: list,
    far_ladder: list,
    far: np.ndarray,
    finer: tuple[np.ndarray, OneSided | None],
) -> OneSided:
    """The one-sided derivatives from the kink test's steps and the wider ones; where a
    kink only the far ladder sees (``far``), from that whole ladder: the finer steps are
    round-off there; at the kinks ``finer[0]`` where the finer steps' (``finer[1]``)
    moved (_moved_nearer), theirs."""
    found = one_sided(wider + ladder)
    found = found.where(far, one_sided(far_ladder + ladder)) if far.any() else found
    at, nearer = finer
    return found if nearer is None else found.where(at & _moved_nearer(found, nearer), nearer)


def _wider_steps(
    at: Callable[[float], tuple[Central, np.ndarray]],
    levels: list,
    bad: np.ndarray,
    seen: tuple[np.ndarray, np.ndarray],
    significant: np.ndarray,
    method: str,
) -> tuple[np.ndarray, np.ndarray, list, list]:
    """What the steps wider than h tell of the failing entries ``bad``, given the kink
    test's kinks and the entries its round-off hides (``seen``): (kinks, with those
    _jumped finds where h/8 and h/64 tell; the kinks only wider steps see, _kink_seen's
    and _jumped's; the far ladder, FAR_WIDER + KINK_WIDER, taken where any entry is
    hidden; the KINK_WIDER steps, where taken). Where L's round-off at h/8 is above the
    bound (h/8 and h/64 can tell nothing), _jumped extrapolates the sides from the far
    ladder too: a sort's ties 1e-9 from θ, their jumps of 1e-8 under L's round-off at
    h · 64 (7e-9 of a loss of 47) and under the curvature's spread at the far steps,
    whose sides it resolves to 1e-10. Not where h/8 can tell: ties 5e-7 beside θ, which
    h/8 or h/64 passes by, lie within the far steps, whose sides are not θ's."""
    kink, hidden = seen
    far, far_ladder = np.zeros(bad.shape, bool), []
    if hidden.any() and not engine(method).complex:  # (the complex step never straddles)
        far_ladder = [at(k) for k in FAR_WIDER + KINK_WIDER]
        far = hidden & _kink_seen(far_ladder + [(levels[0][0], levels[0][3])], significant)
    wider = far_ladder[len(FAR_WIDER) :]
    if not engine(method).complex and (bad & ~kink & ~far).any():
        wider = wider or [at(k) for k in KINK_WIDER]
        jumped = _jumped(wider, levels)
        deaf = hidden & (levels[1][3] > significant)  # (h/8's round-off: above the bound)
        if far_ladder and deaf.any():  # (where it hides the kink test's finer steps)
            idx = np.flatnonzero(deaf)
            jumped.reshape(-1)[idx] |= _jumped(far_ladder[: len(FAR_WIDER)] + wider, levels, idx)
        jumped &= bad & ~kink & ~far
        kink, far = kink | (jumped & ~hidden), far | (jumped & hidden)
    return kink, far, far_ladder, wider


def _at_entries(ladder: list, at: np.ndarray) -> list[tuple[Central, np.ndarray]]:
    """A ladder of (Central, round-off) at the flat entries ``at`` only."""

    def taken(a: Any) -> Any:
        return a if a is None or np.ndim(a) == 0 else np.ravel(a)[at]

    return [
        (Central(taken(c.value), taken(c.plus), taken(c.minus), taken(c.step)), taken(noise))
        for c, noise in ladder
    ]


def _jumped(wider: list, levels: list, at: np.ndarray | None = None) -> np.ndarray:
    """Under a finite-difference engine, where the one-sided derivatives from the kink
    test's steps and the wider ones (extrapolated, OneSided) are resolved: a kink whose
    jump the raw spreads hide behind the curvature's (a tie's jump of 3 beside a term of
    1e8, whose spread is 305, 41 and 8 at h, h/8 and h/64; the sides 3.002 apart within
    0.05). N is the sides' mean there, no derivative: Richardson's bound is far finer
    than what the raw spreads tell, and central's referee held a tie of three maxima
    beside a quadratic of 1e7 to Richardson's mean, within 2e-4, and FAILed the true A
    (a red team's model). ``at``: at those flat entries only, an array their size."""
    ladder = wider + [(level, noise) for level, _, _, noise in levels]
    return one_sided(ladder if at is None else _at_entries(ladder, at)).resolved()


def _jump_seen(wider: list, levels: list, s1: np.ndarray) -> np.ndarray:
    """The spread a kink keeps at every step: where the extrapolated one-sided
    derivatives (_jumped's) are resolved, their gap, if below the spread at h; else that
    spread. A tie's jump of 1 beside a loss of 7e5 whose curvature spreads h's sides by
    117: at θ's own scale a round-off of 1.2 hid the jump, and was told from the 117"""
    sides = one_sided(wider + [(level, noise) for level, _, _, noise in levels])
    with np.errstate(invalid="ignore"):
        return np.where(sides.resolved(), np.fmin(s1, np.abs(sides.right - sides.left)), s1)


def _kink_seen(ladder: list[tuple[Central, np.ndarray]], significant: np.ndarray) -> np.ndarray:
    """Where the finest two steps of ``ladder`` (coarsest first, each with its round-off)
    whose spreads stand above that round-off and ``significant`` show a kink: a spread
    that does not shrink by KINK_SHRINK from the one step to the next."""
    seen = np.zeros(np.shape(significant), bool)
    before = None
    for level, noise in ladder:
        spread = np.abs(level.plus - level.minus)
        with np.errstate(invalid="ignore"):
            told = spread > np.maximum(significant, noise)
            if before is not None:
                pair = before[1] & told
                seen = np.where(pair, spread > before[0] / KINK_SHRINK, seen)
        before = spread, told
    return seen


def _loss_size(env: Values, model: Model, theta: np.ndarray, numeric: np.ndarray) -> float:
    """The size by which a one-sided difference's round-off is measured: |L|, or the sum
    of the row's first-order terms Σ|θ_j N_j| where that is larger. A loss that is the
    cancellation of larger terms (sum(x) + r² summing to 0) carries their rounding, not
    eps·|L| = 0; its linear terms are the least of them that can be seen from outside."""
    with np.errstate(over="ignore", invalid="ignore"):
        first = np.abs(theta * numeric)
        terms = float(np.sum(first, where=np.isfinite(first)))
    return max(abs(float(env[model.loss])), terms if np.isfinite(terms) else 0.0)


def _rounded_at(env: Values, model: Model, theta: np.ndarray, numeric: np.ndarray) -> float:
    """The size L's moved copies round at: _loss_size, or the size it is rounded at where
    it cancels (numeric.rounding_size), the larger: a loss of 2e32 whose terms round at
    far more cannot show a slope of 1e24 along a tie."""
    return max(_loss_size(env, model, theta, numeric), rounding_size(model, env))


def _both_sides(
    model: Model,
    env: Values,
    name: str,
    theta: np.ndarray,
    bad: np.ndarray,
    scale: float,
    mirror: bool = True,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The complex step at the failing entries moved by ±KINK_BESIDE |θ_i| (by
    ±KINK_BESIDE where θ_i = 0, on the unit scale the kink test's steps take there):
    (where both were had, left, right where they jump; NaN elsewhere). Agreeing, or
    differing by more the further they are moved, the loss is smooth across
    θ_i, so a kink the one-sided differences straddled lies near θ_i (a leaky relu's at
    0, seen from θ_i = −6e-9), not at it, and the complex step at θ_i is exact there.
    At a kink exactly at θ_i (integer data: W x = 0) they differ by the jump, and they
    are its one-sided derivatives, free of any finite step's round-off; their own error
    (the fourth array) is what the loss's curvature moved them by over the move: twice
    their change from there to KINK_FAR times further, over KINK_FAR − 1, plus
    DIFFERENCE_ROUNDOFF eps of their size.

    Where a move is lost to the forward's rounding (a tie of x² inside the complex
    log1p's 1 + z, whose ulp is far above the move), the sides agree whatever lies at
    θ_i; where it moves the loss off a near fit (a tie of two leaves whose jump, 2e-12,
    is far below what a move of 1e-10 |θ_i| adds), they drift. Wherever the complex step
    at θ_i by +ih and by −ih differ (a tie at θ_i), those decide, exact (_mirrored; not
    with ``mirror`` False, for a caller that takes it over more entries itself): a tie
    of four zeros beside values 1.8e-9 away, which the far move crossed, extrapolated
    the moved sides off both branches, and autograd's side FAILed (fuzzer p15000175)."""
    beside = bad & np.isfinite(theta)
    flat = np.full((2, 2, bad.size), np.nan)  # (near, far) × (left, right) × entries
    if beside.any():
        idx = np.flatnonzero(beside)
        try:
            with np.errstate(all="ignore"):
                own = theta.ravel()[idx]
                unit = np.where(own > 0, own, 1.0)  # (θ_i = 0: the unit scale)
                for k, scale in enumerate((KINK_BESIDE, KINK_BESIDE * KINK_FAR)):
                    move = scale * unit
                    flat[k, 1, idx] = complex_beside(model, env, name, idx, move)
                    flat[k, 0, idx] = complex_beside(model, env, name, idx, -move)
        except (GradcheckError, TypeError, ValueError, ArithmeticError, IndexError):
            flat[:] = np.nan
    (left, right), (far_left, far_right) = flat.reshape((2, 2) + bad.shape)
    size = np.maximum(np.abs(right), np.abs(left))
    gap, far_gap = np.abs(right - left), np.abs(far_right - far_left)
    with np.errstate(invalid="ignore"):
        seen = np.isfinite(size)
        same = seen & (gap <= KINK_SAME * size)
        # a kink's jump is the same seen from KINK_FAR times further; a smooth loss's
        # difference grows with the distance (near a minimum it can match f' itself)
        jump = ~same & np.isfinite(far_gap) & (far_gap < KINK_JUMP * gap)
        jump &= _shown(gap, scale)
        change = np.maximum(np.abs(far_left - left), np.abs(far_right - right))
    slack = 2 * change / (KINK_FAR - 1) + DIFFERENCE_ROUNDOFF * EPS * size
    # (at θ_i itself: the curvature's move over the step extrapolated away, as the slack
    # measures it; a near fit's derivative of 1e-5 moves by 1 % over a move of 1e-7)
    with np.errstate(invalid="ignore"):
        left = left - (far_left - left) / (KINK_FAR - 1)
        right = right - (far_right - right) / (KINK_FAR - 1)
    left, right = np.where(jump, left, np.nan), np.where(jump, right, np.nan)
    tied = _mirrored(model, env, name, beside & mirror, scale)
    exact = ~np.isnan(tied.left)  # (a tie at θ_i: its sides exact, whatever the moves saw)
    left, right = np.where(exact, tied.left, left), np.where(exact, tied.right, right)
    return seen, left, right, np.where(exact, tied.slack, slack)


def _shown(jump: np.ndarray, scale: float) -> np.ndarray:
    """Where a jump between the complex step's two sides stands above its own rounding at
    the row's scale (DIFFERENCE_ROUNDOFF eps of the row's largest |A| or |N|): Im L sums
    terms of the size of the partials on the way. Below it, the sides are the complex
    step's own h² (a smoothstep's joint: 0 and −3e-41 beside slopes of 0.4) and prove no
    kink. Not eps |L|: the complex step resolves slopes far below it (a tie's jump of
    0.28 beside a loss of 5e32 is a kink)."""
    with np.errstate(invalid="ignore"):
        return jump > DIFFERENCE_ROUNDOFF * EPS * scale


def _row_scale(*rows: Any) -> float:
    """The largest finite |entry| of the arrays given (0 where there is none): the
    forward's largest_value, over a row's A and N."""
    arrays = [np.asarray(r, dtype=float) for r in rows if isinstance(r, np.ndarray)]
    return largest_value({str(k): a for k, a in enumerate(arrays)})


class Mirrored(NamedTuple):
    left: np.ndarray
    right: np.ndarray
    slack: np.ndarray


def _mirrored(model: Model, env: Values, name: str, at: np.ndarray, scale: float) -> Mirrored:
    """The complex step at θ_i by −ih and by +ih, at the entries ``at``, where the two
    differ (NaN elsewhere): (left, right, their slack). Through analytic operations they
    mirror each other (f(z̄) = f(z)̄, to the last bit but for rounding); a comparison
    (max, where, maximum, sort) of real parts that tie orders by imaginary parts, so
    there each takes the branch a real move of its own sign would: the left and right
    derivatives, exact. Their slack: DIFFERENCE_ROUNDOFF eps of their size, and they
    differ where they differ by more (not KINK_SAME: a tie whose jump is 2e-12 of the
    derivative, a max of two equal leaves beside a near fit, is no less a kink), and by
    more than their rounding at the row's ``scale`` (_shown: a smoothstep's joint at 0,
    whose +ih side is 2h² of the slope, −3e-41 beside the −ih side's 0, was a KINK)."""
    none = np.full(at.shape, np.nan)
    if not at.any():
        return Mirrored(none, none, none)
    idx, flat = np.flatnonzero(at), np.full((2, at.size), np.nan)
    try:
        with np.errstate(all="ignore"):
            zero = np.zeros(idx.size)
            flat[0, idx] = complex_beside(model, env, name, idx, zero, mirrored=True)
            flat[1, idx] = complex_beside(model, env, name, idx, zero)
    except (GradcheckError, TypeError, ValueError, ArithmeticError, IndexError):
        return Mirrored(none, none, none)
    left, right = flat.reshape((2,) + at.shape)
    slack = DIFFERENCE_ROUNDOFF * EPS * np.maximum(np.abs(left), np.abs(right))
    apart = differ(left, right) & _shown(np.abs(right - left), scale)
    return Mirrored(np.where(apart, left, np.nan), np.where(apart, right, np.nan), slack)


class Across(NamedTuple):
    """What the complex step told of a finite-difference engine's entries: where the
    loss is smooth across θ_i, and the exact one-sided derivatives at a tie (_mirrored;
    NaN elsewhere), with their slack."""

    smooth: np.ndarray
    left: np.ndarray
    right: np.ndarray
    slack: np.ndarray


def _smooth_across(
    model: Model,
    env: Values,
    p: "Pending",
    method: str,
    settings: "Settings",
    at: np.ndarray,
    failing: np.ndarray,
) -> Across:
    """The complex step at a finite-difference engine's kink candidates ``at`` and
    ``failing`` entries, where the forward is complex-safe (float64). Smooth where, moved
    beside θ_i, it agrees with itself on both sides (candidates only: _both_sides): a
    finite step sees a kink anywhere within it (the max of values 9e-8 apart, seen from
    θ_i = 0); the complex step's moves see one only within ±KINK_BESIDE |θ_i|. There the
    entry is a failing one, which the complex step referees (_referee), never a KINK.
    At a tie (_mirrored, at both), the kink's exact sides, which no finite step's
    round-off blurs (values 1e-5 apart beside a loss of 1700, whose one-sided
    differences round at the size of its jump)."""
    none = np.full(at.shape, np.nan)
    nothing = Across(np.zeros(at.shape, bool), none, none, none)
    if not (at | failing).any() or engine(method).complex or p.jac is not None:
        return nothing
    from gradcheck_cli.engine.numeric import complex_safe

    if settings.check.dtype != "float64" or not complex_safe(model, env):
        return nothing
    theta = np.abs(np.asarray(env[p.id], dtype=float))
    scale = _row_scale(p.analytic, None if p.derivative is None else p.derivative.value)
    seen, left, _, _ = _both_sides(model, env, p.id, theta, at, scale, mirror=False)
    tied = _mirrored(model, env, p.id, at | failing, scale)  # (a tie is no smooth loss either)
    smooth = at & seen & np.isnan(left) & np.isnan(tied.left)
    return Across(smooth, tied.left, tied.right, tied.slack)


def _on_a_branch(
    N: np.ndarray, left: np.ndarray, right: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The sides (_both_sides) only where the complex step at θ_i itself follows one of
    them (NaN elsewhere). At a kink exactly at θ_i the forward takes one branch for θ_i +
    ih (max, where and maximum compare real parts, then imaginary), so N_i is that side's
    derivative; a smooth loss that turns on a scale below the move (a log-sum-exp of
    columns 1e8 apart tied at θ_i) has N_i strictly between its sides: no kink there."""
    size = np.maximum(np.abs(right), np.abs(left))
    with np.errstate(invalid="ignore"):
        near = np.minimum(np.abs(N - left), np.abs(N - right)) <= KINK_SAME * size
    return np.where(near, left, np.nan), np.where(near, right, np.nan)


class Seen(NamedTuple):
    """What the kink test's steps saw of a row: the bound less Richardson's estimate, the
    largest step's spread, the size its round-off is measured by, the finest step."""

    significant: np.ndarray
    s1: np.ndarray
    loss_size: float
    finest: np.ndarray


def _smooth_on_its_own_scale(
    model: Model,
    env: Values,
    name: str,
    theta: np.ndarray,
    kink: np.ndarray,
    seen: "Seen",
) -> tuple[np.ndarray, np.ndarray, np.ndarray, OneSided | None]:
    """Kink candidates whose one-sided derivatives, at a step finer than the kink test's,
    agree within their round-off while that round-off is well below the spread the larger
    steps saw: the kink lies near θ_i, not at it (a relu's at 0 seen from θ_i = 5e-9; a
    Huber loss of width 1e-8 whose residual is 3e-9), or the larger steps only saw the loss
    turn (a softmax of columns 5e7 apart, turning within 1), and at θ_i the loss is
    smooth: no KINK to excuse an error there. The steps, the first that shows it smooth
    decides: DEFAULT_REL_STEP · |θ_i| where 0 < |θ_i| < 1, else the least step whose
    round-off is below the spread seen at the largest (/ 2 INFORMATIVE, and at least
    DEFAULT_REL_STEP), where that is below the kink test's ``finest``; then ``finest`` /
    KINK_RATIOʲ (j = 1 … KINK_FINER) down to that least step. A kink at θ_i keeps its
    jump at every step. Returns (that mask, the central difference at that step, its
    round-off CLASSIC_ROUNDOFF eps S / h, and the one-sided derivatives from the finer
    steps, where three or more were taken: _moved_nearer)."""
    significant, s1, loss_size, finest = seen
    eps = POLICY[REFERENCE].eps
    # (the floor of the difference that then decides: L's measured rounding where that is
    # larger, a loss of 0.26 whose terms of 7 round at 4 eps: below CANCELLED, yet 4× the
    # floor eps |L| gives, and a correct entry 4e-5 off at θ_i = 6e-9 FAILed)
    rounded = max(loss_size, loss_rounding(model, env) / eps)
    with np.errstate(divide="ignore", invalid="ignore"):
        least = 2 * INFORMATIVE * DIFFERENCE_ROUNDOFF * eps * loss_size / s1
    first = np.where(
        theta < NEAR_KINK_THETA, DEFAULT_REL_STEP * theta, np.maximum(DEFAULT_REL_STEP, least)
    )
    useful = (theta > 0) & ((theta < NEAR_KINK_THETA) | (first < finest))
    tries = [np.where(useful, first, np.nan)]
    for j in range(1, KINK_FINER + 1):
        step = finest / float(KINK_RATIO) ** j
        tries.append(np.where(step >= least, step, np.nan))
    smooth = np.zeros(kink.shape, bool)
    own, floor = np.full(kink.shape, np.nan), np.zeros(kink.shape)
    ladder: list[tuple[Central, np.ndarray]] = []  # (the finer steps, KINK_RATIO apart)
    for j, step in enumerate(tries):
        look = kink & ~smooth & np.isfinite(step)
        if not look.any():
            continue
        idx = np.flatnonzero(look)
        rel = (step / np.maximum(1.0, theta)).ravel()[idx]  # (differentiate's: rel · max(1, |θ|))
        der = differentiate(model, env, name, method="central", rel_step=rel, indices=idx)
        taken = der.step if der.step is not None else step
        noise = roundoff(loss_size) / taken
        assert der.plus is not None and der.minus is not None
        spread = np.abs(der.plus - der.minus)
        told = noise < np.where(np.isfinite(s1), s1, 0.0) / INFORMATIVE  # (informative there)
        held = CLASSIC_ROUNDOFF * eps * rounded / taken  # (the floor the difference then has)
        # (a step as wide as |θ_i| crosses 0, where a relu or an abs of the value itself
        # puts a kink: there the halves must agree within that floor, not within the wider
        # noise allowance. A leaky relu's kink 1.4e-9 beside a tap of softplus(−20.4) was
        # taken for smooth at a step of 1.5e-9, its halves 6 % apart within the allowance
        # and 60 times the floor, and its difference, 3 % off, settled the true v̄1 as FAIL)
        across = (theta > 0) & (taken >= theta)
        allowed = np.where(across, held, np.maximum(significant, noise))
        now = look & told & (spread <= allowed)
        smooth |= now
        own = np.where(now, der.value, own)
        floor = np.where(now, held, floor)
        if j:
            level = Central(der.value, der.plus, der.minus, der.step)
            ladder.append((level, np.broadcast_to(noise, kink.shape)))
    nearer = one_sided(ladder) if len(ladder) >= 3 else None
    return smooth, own, floor, nearer


def _moved_nearer(found: OneSided, nearer: OneSided) -> np.ndarray:
    """Where the one-sided derivatives from the finer steps (_smooth_on_its_own_scale)
    are resolved and differ from the kink test's by more than both their errors: kinks
    beside θ, nearer than the kink test's steps, that every one of them straddled (|w|
    at w = 0 beside a max at −1e-8 and a min at 1e-9, where the kink test's steps all
    measured the slopes beyond them, −0.8 and 0.7, and θ's own are 0 and 0.2: a red
    team's slip, 0.6, was KINK). The finer steps' are θ's there."""
    slack = found.slack + nearer.slack
    with np.errstate(invalid="ignore"):
        moved = (np.abs(nearer.left - found.left) > slack) | (
            np.abs(nearer.right - found.right) > slack
        )
    return moved & nearer.resolved()


def _straddled_by_richardson(
    levels: list[Level], analytic: np.ndarray, numeric: np.ndarray, error: np.ndarray
) -> np.ndarray:
    """Where Richardson's wide stencil straddled a kink that a narrow central one does not:
    its extrapolations disagree (a large estimate) while a central difference, at the
    narrowest step that agrees, agrees with A. A smooth loss keeps the estimate tiny, so
    a wrong A is never excused this way."""
    floor = STRADDLE_FLOOR * np.abs(numeric).max()
    central_ok = np.zeros(np.shape(analytic), dtype=bool)
    for der, *_ in levels:
        size = np.maximum(np.maximum(np.abs(analytic), np.abs(der.value)), floor)
        central_ok |= np.abs(analytic - der.value) <= STRADDLE_AGREE * size
    return (error > STRADDLE_ESTIMATE * np.maximum(np.abs(numeric), floor)) & central_ok


@dataclass(eq=False)  # (eq=False: arrays: == by identity, quicker to define)
class Pending:
    """One row between its numeric reference and its verdict."""

    id: str
    label: str
    kind: str
    formula: str
    shape: str
    analytic: Any  # an array, or what a formula gave instead (compare says what is wrong)
    derivative: Derivative | None  # None until computed (--directions: only if it fails)
    jac: Jacobian | None = None
    indices: np.ndarray | None = None  # the flat entries sampled (--sample), or all
    method: str | None = None  # the row's own engine, where not the check's (complex_unsafe)
    rounding: np.ndarray | None = None  # A from an extended-precision run − A (signed), if any
    moved: np.ndarray | None = None  # |Δ(A − N)| under forward values moved by ulps (measured)
    moved_at: list[dict[str, Any]] | None = None  # A at those moved forwards (moved_backwards)
    kink: np.ndarray | None = None  # after the verdict: the entries proved kinks
    bound: np.ndarray | None = None  # after the verdict: each entry's bound (--plot)
    # after a second look: what the row was compared with, and how (kinks_together)
    looked: "tuple[Looked, Tolerance, np.ndarray | None, float] | None" = None
    sides: OneSided | None = None  # a failing row's one-sided derivatives (in_a_region)
    # entries WEAK on what the kink test's steps could not resolve: a finer step's
    # round-off, or a kink only wider steps see (the region of θ may measure them finer)
    coarse: np.ndarray | None = None

    @property
    def rho(self) -> np.ndarray | None:
        """ρ = |A_ext − A| + Δ: A's own rounding and what its formula makes of the forward
        values' rounding, both measured per entry, or None (bounds.py)."""
        return self.rho_at(None)

    def rho_at(self, at: np.ndarray | None) -> np.ndarray | None:
        """ρ at the flat entries ``at`` of the row (bounds.Sampled), or everywhere."""
        shape = np.shape(self.analytic)
        parts = [taken(a, at, shape) for a in (self.rounding, self.moved) if a is not None]
        if not parts:
            return None
        out = np.abs(parts[0])
        for a in parts[1:]:
            out = _add_abs(out, a)
        return out


def _add_abs(out: np.ndarray, a: np.ndarray) -> np.ndarray:
    """out + |a|, into out where its shape and dtype hold the sum."""
    if np.shape(a) != out.shape or np.result_type(out, a) != out.dtype:
        return out + np.abs(a)
    out += np.abs(a)
    return out


def _analytic_all(
    model: Model, env: Values, jacobians: list[Jacobian], dtype: str
) -> dict[str, Any]:
    """Every hand-derived adjoint and Jacobian at ``env`` in ``dtype``, by row id."""
    out = backward_at(model, env, dtype)
    for jac in jacobians:
        out[jac.id] = _as_float64(model.jacobian(jac, _in_dtype(env, dtype)))
    return out


def _extended(model: Model, env: Values, jacobians: list[Jacobian]) -> dict[str, np.ndarray]:
    """The adjoints again in 80-bit extended precision, from the same forward values, by
    row id: those that kept it (a formula that falls back to float64 is left out). Empty
    where longdouble is not 80-bit (aarch64's software quad would be far too slow), or
    where the formulas refuse longdouble values."""
    if np.finfo(np.longdouble).nmant != 63:
        return {}
    env_x = as_dtype(env, np.longdouble)
    try:
        with np.errstate(all="ignore"):
            out = dict(model.backward(env_x))
            out.update({j.id: model.jacobian(j, env_x) for j in jacobians})
    except (GradcheckError, TypeError, ValueError, ArithmeticError, IndexError):  # refused
        return {}
    return {k: v for k, v in out.items() if isinstance(v, np.ndarray) and v.dtype == np.longdouble}


def analytic_rounding(
    model: Model, env: Values, analytic: dict, jacobians: list[Jacobian], dtype: str
) -> dict[str, np.ndarray]:
    """Each adjoint's own rounding, measured: {row id: A_ext − A}, where A_ext is the
    same formula in a wider precision on the same forward values: 80-bit extended for a
    float64 check (nothing where it cannot be had), float64 for a float32 one (there the
    float32 casts of the forward values are A's alone: N is taken in float64, and y − t
    of a near fit rounds to 1e-7 of y in float32).

    A float64 forward's own rounding is not counted here: the numeric derivative is
    taken of the same forward (the complex step's real parts are pinned to it), so y − t
    of a near fit is shared by A and N; where a formula amplifies it without N sharing it
    (1 − h² of a saturated tanh), forward_rounding measures it."""
    if dtype == "float32":
        ext = dict(backward_at(model, env, "float64"))
        ext.update({j.id: _as_float64(model.jacobian(j, env)) for j in jacobians})
    elif dtype != "float64":
        return {}
    else:
        ext = _extended(model, env, jacobians)
    out = {}
    for k, A in analytic.items():
        if (
            isinstance(A, np.ndarray)
            and np.all(np.isfinite(A))
            and k in ext
            and ext[k].shape == A.shape
        ):
            # (in extended precision, rounded to float64 chunk by chunk as numpy casts
            # into out=: no array of the difference in 80 bits)
            gap = np.subtract(ext[k], A, out=np.empty(A.shape), casting="same_kind")
            out[k] = _finite(gap)
    return out


def sampled_mask(p: "Pending") -> np.ndarray | None:
    if p.indices is None or p.derivative is None:
        return None
    mask = np.zeros(p.derivative.value.size, dtype=bool)
    mask[p.indices] = True
    return mask.reshape(p.derivative.value.shape)


def at_jittered(
    model: Model, env: Values, settings: "Settings", compute: Callable[[Values], T], draw: int = 0
) -> T:
    """``compute(env2)``, env2 the forward at ``env``'s leaves with every checked leaf
    moved by a relative policy.jitter (random, seeded).

    Data that is not checked (one-hot targets) stays put: moving it could break what the
    derivation assumes of it (Σ t = 1)."""
    rng = np.random.default_rng(draw)
    jitter = POLICY[settings.check.dtype].jitter
    moved = {leaf.name for leaf in model.leaves if leaf.checked}
    values = {
        n: v * (1 + jitter * rng.standard_normal(np.shape(v))) if n in moved else v
        for n, v in ((leaf.name, env[leaf.name]) for leaf in model.leaves)
    }
    return compute(model.forward(values))


def _rounded(
    model: Model,
    env: Values,
    p: Pending,
    method: str,
    settings: "Settings",
    indices: np.ndarray,
    draw: int,
    A: np.ndarray,
) -> np.ndarray:
    """A − N again with every forward value (leaves and intermediates) moved by a few
    ulps, at random (``A``: the row at those values, as moved_backwards computed it for
    this draw): how much of A − N the rounding of those values decides. The numeric
    side sees the moved values too (its real parts are pinned to them), so rounding that
    A and N share (y − t of a near fit) cancels, and rounding that only A's formula
    amplifies (1 − h² of a saturated tanh, y(1 − y) for y near 1) shows."""
    moved = ulps_moved(model, env, settings.check.dtype, draw)
    N = numeric_reference(
        model, moved, p.id, method, settings, p.jac, indices=None if p.jac else indices
    ).value
    return np.asarray(A, dtype=float) - N


MOVED_DRAWS = 3  # ulp-moved forwards A is computed at (moved_backwards) ...
TOWARD_80_BITS = 2  # ... this one moved by the signs of the rounding each value carries


_MOVED: dict[str, tuple] = {}  # "last": (model, env, dtype, {draw: moved env})
MOVED_KEPT = 2**24  # bytes of a draw's moved values kept for the next call, at the most


def ulps_moved(model: Model, env: Values, dtype: str, draw: int) -> dict[str, np.ndarray]:
    """_moved_by_ulps, kept per draw for the last (model, env, dtype) where its moved
    values are few (MOVED_KEPT): moved_backwards computes A at each draw, and _rounded N
    at the same draw's values for the rows whose A moved (2 ms of a 20 ms check at
    d = 256, computed again)."""
    last = _MOVED.get("last")
    if last is None or last[0] is not model or last[1] is not env or last[2] != dtype:
        last = _MOVED["last"] = (model, env, dtype, {})
    if draw in last[3]:
        return last[3][draw]
    moved = _moved_by_ulps(model, env, dtype, draw)
    held = (v for n, v in moved.items() if isinstance(v, np.ndarray) and v is not env.get(n))
    if sum(v.nbytes for v in held) <= MOVED_KEPT:  # (a leaf, unmoved, is env's own)
        last[3][draw] = moved
    return moved


def _moved_by_ulps(model: Model, env: Values, dtype: str, draw: int) -> dict[str, np.ndarray]:
    """``env`` with its rounded values moved by 1 to 4 units in the last place, at random:
    the computed values' entries that were rounded. Draw TOWARD_80_BITS moves each by
    twice the rounding it carries, in its own sign (past the value in 80 bits): the
    rounding of a row's mean shifts each x − mean(x) of the row the same way, which
    moves of random signs cancel in the row's sums (a layer norm's x̄ over rows near 100
    moved by 2.2 times what they measured). Leaves (parameters, labels, masks),
    an exact 0 (a relu's dead unit) and values computed exactly (_exact_values) carry no
    rounding, and moving them would flip a decision the forward or backward makes on them
    (x != 0, y == 1, y.astype(int), x == max(x)), which is no rounding at all. A 0 that
    is not 0 in 80 bits is rounded (x − c where x rounds to c: a near fit's residual of
    6e-9) and moves by what it carries."""
    rng = np.random.default_rng([draw, 99])
    leaves = {leaf.name for leaf in model.leaves}
    exact, carried = _exact_values(model, env), _carried_rounding(model, env)
    spacing_dtype = np.dtype(dtype)

    def move(name: str, v: np.ndarray) -> np.ndarray:
        v = np.asarray(v, dtype=float)
        k = _ulps_drawn(rng, v.shape)
        zero, keep = v == 0, ~np.isfinite(v)
        if name in exact and exact[name].shape == v.shape:
            keep |= exact[name]
        step = np.spacing(np.abs(v).astype(spacing_dtype)).astype(float)
        if dtype == "float64" and name in carried and carried[name].shape == v.shape:
            gap = carried[name]
            step = np.fmax(step, np.abs(gap))  # (a difference's: its operands' ulps)
            zero &= gap == 0  # (a 0 that is not 0 in 80 bits: a cancellation, rounded)
            if draw == TOWARD_80_BITS:  # (twice the rounding, past the 80-bit value)
                k = np.where(gap != 0, 2 * np.sign(gap), k)
        return np.where(keep | zero, v, v + k * step)

    return {
        n: move(n, v) if n not in leaves and np.size(v) and np.asarray(v).dtype.kind == "f" else v
        for n, v in env.items()
    }


def _ulps_drawn(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    """1 to 4, of either sign, at random per entry: a move in units in the last place."""
    return rng.integers(1, 5, shape) * rng.choice([-1, 1], shape)


_EXACT: dict[str, tuple] = {}  # "last": (model, env, masks, carried rounding)


def _carried_rounding(model: Model, env: Values) -> dict[str, np.ndarray]:
    """Per computed value, the rounding it carries, measured: v in 80 bits − v from
    the same leaves (_exact_values computes both). A value is rounded by more than its
    own ulps where it is the difference of larger ones (x − mean(x) over a near-constant
    row: 1e-4 that carries the ulps of 3, 2e-12 of itself), and a formula that divides
    by it amplifies that; ulps_moved moves each value by at least this much. Empty where
    80 bits are not to be had."""
    _exact_values(model, env)
    return _EXACT["last"][3]


def _exact_values(model: Model, env: Values) -> dict[str, np.ndarray]:
    """Per computed value, the entries that are copies of the leaves, not rounded: equal
    to the same value computed from the same leaves in 80-bit extended precision (a max,
    a reshape, a copy), and moving with the leaves when they are nudged by 2⁻⁵⁸, below
    float64's resolution (a saturated y = 1 − 1e-40 is 1 in both precisions, but does not
    move: it was rounded). They are not moved: a backward may test them for equality with
    others (x == m to route a max-pool's gradient), and they carry no rounding to amplify.
    Empty where extended precision is not to be had (every computed value counts as
    rounded). The answer for the last (model, env) is kept."""
    last = _EXACT.get("last")
    if last is not None and last[0] is model and last[1] is env:
        return last[2]
    masks: dict = {}
    carried: dict = {}  # (v in 80 bits − v: _carried_rounding)
    if np.finfo(np.longdouble).nmant == 63:
        leaves = as_dtype({leaf.name: env[leaf.name] for leaf in model.leaves}, np.longdouble)
        nudged = {k: v * (1 + np.longdouble(2.0**-58)) for k, v in leaves.items()}
        try:
            with np.errstate(all="ignore"):
                ext, ext_nudged = model.forward(leaves), model.forward(nudged)
        except (GradcheckError, TypeError, ValueError, ArithmeticError, IndexError):
            ext, ext_nudged = {}, {}
        for name, v in ext.items():
            v64, w = env.get(name), ext_nudged.get(name)
            if name in leaves or not isinstance(v, np.ndarray) or v.dtype != np.longdouble:
                continue
            if (
                isinstance(v64, np.ndarray)
                and isinstance(w, np.ndarray)
                and v64.shape == v.shape == w.shape
            ):
                wide = np.asarray(v64, dtype=np.longdouble)
                masks[name] = (v == wide) & (w != v)
                with np.errstate(all="ignore"):
                    gap = (v - wide).astype(np.float64)  # (signed: toward 80 bits)
                carried[name] = np.where(np.isfinite(gap), gap, 0.0)
    _EXACT["last"] = (model, env, masks, carried)
    return masks


def forward_rounding(
    model: Model,
    env: Values,
    p: "Pending",
    method: str,
    settings: "Settings",
    moved: list[dict[str, Any]],
) -> np.ndarray | None:
    """Δ_i, measured for every entry: how far A − N moves when the forward values move
    by a few ulps (``moved``: A at each moved env, computed once per check). Where A's
    own move is below a quarter of the entry's other bound, it stands for Δ (an upper
    estimate); elsewhere N is recomputed at the moved values for those entries, so that
    rounding A and N share (y − t of a near fit) cancels, and rounding only A's formula
    amplifies (1 − h² of a saturated tanh) stays. Max over the draws."""
    A, der = p.analytic, p.derivative
    if (
        der is None
        or not isinstance(A, np.ndarray)
        or A.shape != der.value.shape
        or np.iscomplexobj(A)
    ):
        return None
    A = A.astype(np.float64, copy=False)
    theta = _differentiated(env, p)
    compared = sampled_mask(p)  # (the budget's sample: only its entries are compared,
    # and only there is Δ measured, in arrays the sample's size)
    at = None if compared is None else np.flatnonzero(compared)
    del compared
    base = per_entry(  # (a sample: its entries alone, in arrays the sample's size)
        method,
        settings.tolerance,
        A,
        der.value,
        der.error,
        p.rho_at(at),
        settings.check.dtype,
        theta if at is None else Sampled(theta, at),
    )
    limit = MOVED_MATTERS * _finite(base, posinf=np.inf)
    del base
    A_c, N_c = taken(A, at, A.shape), taken(der.value, at, A.shape)
    delta, own = np.zeros(A_c.shape), np.empty(A_c.shape)  # (own: each draw's, in place)
    for draw, at_draw in enumerate(moved):
        a_moved = at_draw.get(p.id)
        if not isinstance(a_moved, np.ndarray) or a_moved.shape != A.shape:
            continue
        np.subtract(taken(a_moved, at, A.shape), A_c, out=own)  # |A moved − A|
        np.abs(own, out=own)
        np.copyto(own, 0.0, where=~np.isfinite(own))
        matters = own * POLICY[REFERENCE].rounding > limit
        if matters.any():
            which = np.flatnonzero(matters)
            flat = which if at is None else at[which]
            d_moved = _rounded(model, env, p, method, settings, flat, draw, a_moved)
            differ = A_c.ravel()[which] - N_c.ravel()[which]
            shared = np.abs(differ - d_moved.ravel()[flat])
            own.ravel()[which] = np.nan_to_num(shared, nan=np.inf)
        np.maximum(delta, own, out=delta)
    if at is None:
        return delta
    whole = np.zeros(A.shape)
    whole.ravel()[at] = delta
    return whole


def _finite(x: np.ndarray, **replace_with: Any) -> np.ndarray:
    """np.nan_to_num(x, **replace_with), without the copy where every entry is finite."""
    return x if np.isfinite(x).all() else np.nan_to_num(x, **replace_with)


def moved_backwards(
    model: Model, env: Values, jacobians: list[Jacobian], dtype: str, draws: int = MOVED_DRAWS
) -> list[dict[str, Any]]:
    """Every adjoint and Jacobian at ``draws`` ulp-moved forwards (forward_rounding), the
    ulps those of ``dtype`` (float32's for a float32 check: y − t of a near fit rounds
    to 1e-7 of y there, and only A's formula sees it)."""
    out = []
    for draw in range(draws):
        try:
            with np.errstate(all="ignore"):
                out.append(
                    _analytic_all(model, ulps_moved(model, env, dtype, draw), jacobians, dtype)
                )
        except (GradcheckError, TypeError, ValueError, ArithmeticError, IndexError):
            return []
    return out


def limit(method: str, tol: Tolerance | None, dtype: str) -> float:
    """The coarsest resolution a PASS may have: the policy's for ``dtype``, or (float64)
    the classic rtol in force (with LIMIT_MARGIN for the max(|A|, |N|) it takes)."""
    weak = POLICY[dtype].weak
    if dtype != "float64" or uses_estimates(method, tol):
        return weak
    return max(weak, LIMIT_MARGIN * classic(method, tol).rtol)


def _referee(
    model: Model,
    env: Values,
    p: Pending,
    method: str,
    settings: "Settings",
    A: np.ndarray,
    entries: np.ndarray,
) -> Reference:
    """A referee's N and bound at ``entries`` (NaN, 0 elsewhere). For a finite-difference
    engine's failing entries, the complex step's where the forward is complex-safe: there the
    complex step is exact, and it follows the forward's own branch at a kink. Where
    several kinks meet along one entry (integer data on relu units) a finite difference
    straddles them all and the one-sided derivatives along the entry do not span the
    subgradient relu'(0) = 0 gives for each; the complex step does, and a relu'(0) of
    any other value still disagrees. Where float64's complex step carries the forward's
    rounding (r = y − t of a near fit), it is taken again in 80 bits. A model that is not
    complex-safe is referred to Richardson under central or forward differences: their
    truncation, h² f‴ / 6 or h f″ / 2, can pass a classic bound of a small gradient
    (a near fit, |A| ~ 1e-10 of curvature 1), which Richardson's ladder extrapolates away
    and states as its own bound. Nothing for the complex step itself or float32."""
    nothing = np.full(A.shape, np.nan), np.zeros(A.shape)
    if settings.check.dtype != "float64":
        return nothing
    if engine(method).complex:
        if not uses_estimates(method, settings.tolerance):
            return nothing
        return _richardson_reference(model, env, p, settings, A, entries)
    from gradcheck_cli.engine.numeric import complex_safe

    if not complex_safe(model, env):
        if engine(method).extrapolated:
            return nothing
        return _reference(model, env, p, "richardson", settings, A, entries)
    N, bound = _reference(model, env, p, "complex", settings, A, entries)
    with np.errstate(invalid="ignore"):  # (in 80 bits where float64's rounding is N's own)
        off = entries & np.isfinite(N) & (np.abs(A - N) > bound)
    N, bound = _extended_reference(model, env, p, A, N, bound, off)
    with np.errstate(invalid="ignore"):  # (and the rounding from the leaves: a solve's)
        off = entries & np.isfinite(N) & (np.abs(A - N) > bound)
    if off.any():
        theta = _differentiated(env, p)
        bound = _leaf_rounding(model, env, p, settings, Measured(A, N, bound, theta), off)
    return N, bound


def _central_refereed_by_richardson(model: Model, env: Values, method: str, dtype: str) -> bool:
    """Whether ``method`` is central differences whose failing entries _referee gives to
    Richardson: a float64 check of a forward that is not complex-safe."""
    from gradcheck_cli.engine.numeric import complex_safe

    central = engine(method).rule == "central" and dtype == "float64"
    return central and not complex_safe(model, env)


def _reference(
    model: Model,
    env: Values,
    p: Pending,
    method: str,
    settings: "Settings",
    A: np.ndarray,
    entries: np.ndarray,
) -> Reference:
    """``method``'s N and bound at ``entries`` (NaN, 0 elsewhere)."""
    indices = None if p.jac else np.flatnonzero(entries)
    der = numeric_reference(model, env, p.id, method, settings, p.jac, indices=indices)
    N = der.value
    bound = per_entry(
        method, None, A, np.nan_to_num(N), der.error, p.rho, "float64", _differentiated(env, p)
    )
    return N, np.where(np.isfinite(N) & np.isfinite(bound), bound, 0.0)


def _richardson_reference(
    model: Model, env: Values, p: Pending, settings: "Settings", A: np.ndarray, entries: np.ndarray
) -> Reference:
    """Richardson's N and bound at the complex step's failing entries, for a model file
    the probe found complex-safe (a model that declares it is taken at its word): a
    non-analytic operation too small for the probe to see (an L1 term λ|W| with λ below
    its 1e-12) drops its derivative from the complex step only. Only where Richardson
    tells A from the complex step (they differ by more than its own, coarser bound) and
    agrees with A is the entry judged against Richardson, whose bound then shows in the
    row's resolution; where float64's steps cannot tell, Richardson in 80 bits is asked
    (a term of 1e-13 of the gradient dropped by an abs of a near fit); where neither
    can, the exact complex step stands."""
    nothing = np.full(A.shape, np.nan), np.zeros(A.shape)
    if model.complex_safe is not None:
        return nothing
    N, bound = _reference(model, env, p, "richardson", settings, A, entries)
    der = p.derivative
    assert der is not None
    with np.errstate(invalid="ignore"):
        resolves = np.abs(A - der.value) > bound
        # (not where finer steps in 80 bits side with the complex step: a ripple of 1e-12
        # sin(1e6 x), whose derivative Richardson's steps average away; a backward without
        # it agreed with Richardson and PASSed at 2.7e-8, a red team's)
        rich = Measured(der.value, np.nan_to_num(N), bound, _differentiated(env, p))
        turned = _turned(model, env, p, settings, rich, entries & resolves)
        resolves &= ~turned
        x_N, x_bound = _extended_richardson(model, env, p, A, entries & ~resolves & ~turned)
        x_tells = np.isfinite(x_N) & (np.abs(A - der.value) > x_bound)
    N = np.where(resolves, N, np.where(x_tells, x_N, np.nan))
    bound = np.where(resolves, bound, np.where(x_tells, x_bound, 0.0))
    return N, bound


def _extended_richardson(
    model: Model, env: Values, p: Pending, A: np.ndarray, entries: np.ndarray
) -> Reference:
    """Richardson in 80 bits at ``entries`` (numeric.richardson_extended; NaN where not
    had), with the complex step's own bound plus its estimate."""
    N, bound = np.full(A.shape, np.nan), np.full(A.shape, np.nan)
    if p.jac is not None or not entries.any():
        return N, bound
    idx = np.flatnonzero(entries)
    found = richardson_extended(model, env, p.id, idx)
    if found is None:
        return N, bound
    value, error = found
    rho = None if p.rho is None else np.broadcast_to(p.rho, A.shape).ravel()[idx]
    theta = np.asarray(env[p.id], dtype=float).ravel()[idx]
    a = A.ravel()[idx]
    with np.errstate(invalid="ignore"):
        b = per_entry("complex", None, a, np.nan_to_num(value), error, rho, "float64", theta)
    N.flat[idx], bound.flat[idx] = value, np.where(np.isfinite(value), b, np.nan)
    return N, bound


def _differentiated(env: Values, p: Pending) -> np.ndarray:
    """The value each entry of the row moves: θ itself, or for a Jacobian entry the entry
    of ``wrt`` it differentiates by (laid out as _jacobian_layout lays out the row)."""
    wrt = np.asarray(env[p.jac.wrt if p.jac else p.id], dtype=float)
    if p.jac is None:
        return wrt
    if not p.jac.per_column:
        return wrt.reshape((1,) * np.ndim(env[p.jac.of]) + wrt.shape)
    blocks = wrt.T[:, None, :]  # (B, 1, rows of wrt)
    return blocks[0] if blocks.shape[0] == 1 else blocks


def verdict(
    model: Model, env: Values, p: Pending, method: str, settings: "Settings"
) -> tuple[np.ndarray, Comparison]:
    """Compare one row: bound, compare, and a second look at its failing entries. An
    entry whose N is not finite (θ ± h left L's domain: a log, a sqrt) is unresolved:
    it says nothing of A, so the row is WEAK with the reason unless another entry FAILs."""
    N = None if p.derivative is None else p.derivative.value
    A = p.analytic
    lost = None
    if N is not None and _comparable(A, N):
        mask = _differentiable(env, p, N.shape, sampled_mask(p))  # (checked entries)
        lost = ~np.isfinite(N) if mask is None else mask & ~np.isfinite(N)
    if lost is None or not lost.any():
        return _verdict(model, env, p, method, settings)
    assert p.derivative is not None and N is not None
    p.derivative = replace(p.derivative, value=np.where(lost, A, N))
    numeric, comparison = _verdict(model, env, p, method, settings, lost)
    p.derivative = replace(p.derivative, value=N)
    p.looked = None  # (its unresolved entries are marked here: kinks_together leaves it)
    why = "N is not finite at {index}: L is not finite at θ ± h there"
    return np.where(lost, N, numeric), unresolved(comparison, lost, A, N, why)


def kinks_together(
    model: Model,
    env: Values,
    pending: list[Pending],
    judged: list[tuple[np.ndarray, Comparison]],
    settings: "Settings",
) -> list[tuple[np.ndarray, Comparison]]:
    """The rows' verdicts once the kinks of every leaf are moved together (together.py):
    each leaf's kinks may be a subgradient, within its own tensor too, and none taken
    with another's (relu(w · x) with w̄'s mask `u >= 0` and x̄'s `u > 0`). A direction
    that shows them none FAILs each row it moves; the others stand."""
    leaves = {leaf.name for leaf in model.leaves}
    rows = [
        k
        for k, (p, (_, c)) in enumerate(zip(pending, judged, strict=True))
        if p.id in leaves
        and p.jac is None
        and p.looked is not None
        and p.kink is not None
        and p.kink.any()
        and c.status != FAIL
    ]
    if len(rows) < 2:
        return judged
    joint = Joint(model, env, tuple(pending[k].id for k in rows))
    parts, starts, size = [], joint.starts, 0.0
    for t, k in enumerate(rows):
        p = pending[k]
        looked = p.looked
        assert looked is not None and p.kink is not None
        A = np.asarray(p.analytic, dtype=np.float64)
        parts.append(Kinks.of(A, looked[0].sides, p.kink, int(starts[t]), t))
        theta = np.asarray(env[p.id], dtype=float)
        size += _rounded_at(env, model, theta, judged[k][0])  # (their terms summed: more)
    apart = kinks_apart(joint, Kinks.joined(parts), size, settings, across=True)
    if apart is None:
        return judged
    out = list(judged)
    for t, k in enumerate(rows):
        p = pending[k]
        here = apart.at[(apart.at >= starts[t]) & (apart.at < starts[t + 1])] - starts[t]
        if here.size == 0:
            continue
        assert p.looked is not None and p.kink is not None
        first, tol, mask, weak = p.looked
        kink = p.kink.copy()
        kink.ravel()[here] = False
        again = replace(first, kink=kink, apart=Apart(apart.why, here))
        out[k] = _looked_at(p, np.asarray(p.analytic, dtype=np.float64), tol, mask, weak, again)
    return out


def in_a_region(
    model: Model,
    env: Values,
    pending: list[Pending],
    judged: list[tuple[np.ndarray, Comparison]],
    method: str,
    settings: "Settings",
) -> list[tuple[np.ndarray, Comparison]]:
    """The rows' verdicts where a row FAILs at a θ on kinks or ties: if A is the
    gradient of a region beside θ (regions.py), over every leaf at once (one backward
    gives them all), or over an intermediate alone (its adjoint is the gradient of the
    loss downstream of it), or, where a leaf still FAILs, over that leaf alone, the rows
    are compared with that gradient within its measured error, and a failing row is KINK
    (or PASS, or WEAK) with the region named. Elsewhere, and where no region is found,
    the verdicts stand."""
    leaves = {leaf.name for leaf in model.leaves}
    rows = [
        k
        for k, (p, (n, _)) in enumerate(zip(pending, judged, strict=True))
        if p.jac is None and p.bound is not None and _comparable(p.analytic, n)
    ]
    if any(sampled_mask(pending[k]) is not None for k in rows):
        return judged
    together = [k for k in rows if pending[k].id in leaves]
    groups = [together] + [[k] for k in rows if pending[k].id not in leaves]
    for group in groups:
        judged = _regions_tried(model, env, pending, judged, group, method, settings)
    if len(together) > 1:  # (a leaf that still FAILs on its own values, alone: the
        # others' A may be no region's gradient, a tie's half shares, though each is a
        # subgradient of its own; not one that FAILs with the others, TOGETHER: shares of
        # one kink through two leaves, which each leaf's own region would hold)
        for k in together:
            if judged[k][1].status == FAIL and judged[k][1].problem == "values":
                alone = _Alone(k, together)
                judged = _regions_tried(model, env, pending, judged, [k], method, settings, alone)
    return judged


def _regions_tried(
    model: Model,
    env: Values,
    pending: list[Pending],
    judged: list[tuple[np.ndarray, Comparison]],
    rows: list[int],
    method: str,
    settings: "Settings",
    alone: "_Alone | None" = None,
) -> list[tuple[np.ndarray, Comparison]]:
    """in_a_region for the tensors of ``rows`` moved together, where one of them FAILs,
    or where their proved kinks turn both ways (the loss is not convex at θ: A between
    each kink's sides proves no subgradient, and a KINK must be a region's gradient, else
    it is WEAK), or where a row is WEAK on what the kink test's steps could not resolve
    (kinks 1e-9 beside θ, seen at a finer step's round-off, or only at wider steps under
    a large L: the region of θ, entered away from them, measures finer)."""
    failing = [k for k in rows if judged[k][1].status == FAIL and judged[k][1].problem in FAILS]
    kinked = [k for k in rows if judged[k][1].status == KINK and pending[k].looked is not None]
    coarse = [k for k in rows if judged[k][1].status == WEAK and pending[k].coarse is not None]
    if not failing and not kinked and not coarse:
        return judged
    joint = Joint(model, env, tuple(pending[k].id for k in rows))
    sizes = _sizes_of(env, model, pending, judged, rows)
    size = (sum(sizes), max(sizes))  # (every tensor moved: their terms summed; one entry)
    both = bool(kinked) and (
        _both_ways(pending, kinked)
        or turns_both_ways(joint, _kinks_in(joint, pending, rows), size[0], settings)
    )
    unproved = kinked if both else []
    if not failing and not unproved and not coarse:
        return judged
    if (
        not unproved
        and not coarse
        and not _on_kinks(env, [pending[k] for k in rows], [judged[k][1] for k in failing])
    ):
        return judged
    A = np.concatenate([np.asarray(pending[k].analytic, dtype=float).ravel() for k in rows])
    flagged = []
    for t, k in enumerate(rows):
        p, numeric = pending[k], judged[k][0]
        assert p.bound is not None
        if k in failing or k in unproved:
            flagged.append(np.flatnonzero(_off_partials(p, numeric)) + joint.starts[t])
        elif k in coarse and p.coarse is not None:
            flagged.append(np.flatnonzero(p.coarse) + joint.starts[t])
    leaves = {leaf.name for leaf in model.leaves}
    guided = all(pending[k].id in leaves for k in rows)
    found = region_of(joint, A, np.concatenate(flagged), size, settings, guided)
    if found is not None and alone is not None:  # (one leaf's region, whatever the rest do)
        found = found if _kept_apart(model, env, pending, judged, alone, found, settings) else None
    if found is not None:
        out = _in_region(pending, judged, rows, failing + unproved, found, joint, method, settings)
        if out is not judged:
            return out
    out = list(judged)
    for k in unproved:
        p, (numeric, c) = pending[k], judged[k]
        assert p.kink is not None
        A_k = np.asarray(p.analytic, dtype=np.float64)
        why = BOTH_WAYS + _beside_failing([adjoint_label(pending[j].id) for j in failing])
        out[k] = (numeric, unresolved(c, p.kink, A_k, numeric, why))
    return out


def _beside_failing(names: list[str]) -> str:
    """What a row left unproved beside rows that FAIL may do: a region's gradient is
    every moved tensor's A at once, and a wrong one matches none (red teams 15 and 17: a
    correct KINK row WEAK beside a buggy one)."""
    if not names:
        return ""
    which = ", ".join(names)
    return (
        f" ({which} {'FAILs' if len(names) == 1 else 'FAIL'} too, and a region's gradient "
        f"must be every tensor's A at once: fix {which}, then check again)"
    )


class _Alone(NamedTuple):
    """A leaf's row (``row``) tried alone, and every leaf's (``leaves``, its among them)."""

    row: int
    leaves: list[int]


def _kept_apart(
    model: Model,
    env: Values,
    pending: list[Pending],
    judged: list[tuple[np.ndarray, Comparison]],
    alone: _Alone,
    found: Region,
    settings: "Settings",
) -> bool:
    """Whether the region ``found`` over one leaf alone keeps its gradient whatever the
    other leaves do (regions.kept_apart)."""
    full = Joint(model, env, tuple(pending[k].id for k in alone.leaves))
    t = alone.leaves.index(alone.row)
    span = (int(full.starts[t]), int(full.starts[t + 1]))
    size = sum(_sizes_of(env, model, pending, judged, alone.leaves))
    return kept_apart(full, span, found, size, settings)


def _sizes_of(
    env: Values,
    model: Model,
    pending: list[Pending],
    judged: list[tuple[np.ndarray, Comparison]],
    rows: list[int],
) -> list[float]:
    """The size each of ``rows``' tensor's moved copies round L at (_rounded_at)."""
    return [
        _rounded_at(env, model, np.asarray(env[pending[k].id], dtype=float), judged[k][0])
        for k in rows
    ]


BOTH_WAYS = (
    "A lies between the one-sided derivatives at {index}, but kinks turn both ways here (the "
    "loss is not convex at θ), and no region beside θ has A for its gradient: not shown to "
    "be a subgradient"
)


def _off_partials(p: Pending, N: np.ndarray) -> np.ndarray:
    """The entries of a row where A is not its partial derivative N within the row's
    bound, or sits on a proved kink: where a region's gradient is what explains it."""
    assert p.bound is not None
    off = ~(np.abs(p.analytic - N) <= p.bound)
    return off | p.kink if p.kink is not None else off


def _kinks_in(joint: Joint, pending: list[Pending], rows: list[int]) -> np.ndarray:
    """The flat positions in the Joint's θ of the rows' proved kinks."""
    at = [
        np.flatnonzero(pending[k].kink) + joint.starts[t]  # type: ignore[arg-type]
        for t, k in enumerate(rows)
        if pending[k].kink is not None
    ]
    return np.concatenate(at) if at else np.zeros(0, dtype=int)


def _both_ways(pending: list[Pending], kinked: list[int]) -> bool:
    """Whether the proved kinks of the rows ``kinked`` turn both ways: jumps (right −
    left) of both signs, each resolved."""
    jumps = []
    for k in kinked:
        p = pending[k]
        assert p.looked is not None and p.kink is not None
        sides = p.looked[0].sides
        jumps.append((sides.right - sides.left)[p.kink])
    every = np.concatenate(jumps)
    return bool(np.any(every > 0) and np.any(every < 0))


def _in_region(
    pending: list[Pending],
    judged: list[tuple[np.ndarray, Comparison]],
    rows: list[int],
    failing: list[int],
    found: Region,
    joint: Joint,
    method: str,
    settings: "Settings",
) -> list[tuple[np.ndarray, Comparison]]:
    """The rows' verdicts against one region's gradient (in_a_region): as they were
    where an entry FAILs against it (no other region is tried: a coarser one would
    excuse it). A row that is not failing keeps its own verdict, unless it is WEAK and
    the region resolves it, or states a resolution where the row could state none."""
    out, changed = list(judged), []
    for t, k in enumerate(rows):
        p, own = pending[k], judged[k][1]
        a, b = int(joint.starts[t]), int(joint.starts[t + 1])
        G, c, bound = _against_region(
            joint.env, p, judged[k][0], found, (a, b), p.method or method, settings
        )
        if c.status == FAIL:
            return judged
        finer = c.status != WEAK or (own.resolution is None and c.resolution is not None)
        if k not in failing and (own.status != WEAK or not finer):
            continue
        kink = _off_partials(p, judged[k][0])
        first = None if not kink.any() else tuple(int(j) for j in np.argwhere(kink)[0])
        status = KINK if c.status == PASS and kink.any() else c.status
        region = _region_named(found.along, joint.names)
        c = replace(c, status=status, kinks=int(kink.sum()), kink_index=first, region=region)
        out[k] = (G, c)
        changed.append((p, bound, kink))
    for p, bound, kink in changed:  # (only once every row holds)
        p.bound, p.kink = bound, kink
    return out


UNTILTED = ("a random direction", "a direction the backward took")  # (regions.py's names)


def _region_named(along: str, names: Sequence[str]) -> str:
    """The direction that entered a region, in words, with the tensors it moves: each
    named direction but UNTILTED is tilted at random over every leaf (regions.py), and
    that tilt, not the named move alone, may take an entry off its kink ("fp scaled up,
    over fp, q, u, s" read as fp moved alone, which leaves q on its knot: red team 17)."""
    over = ", ".join(names)
    if any(u in along for u in UNTILTED):
        return f"{along} over {over}"
    return f"{along}, tilted a little at random over {over}"


def _against_region(
    env: Values,
    p: Pending,
    N: np.ndarray,
    found: Region,
    span: tuple[int, int],
    method: str,
    settings: "Settings",
) -> tuple[np.ndarray, Comparison, np.ndarray]:
    """One row compared with a region's gradient (its entries ``span`` of the Joint's
    θ): (reference, comparison, bound). An entry whose partial derivative N (with the
    row's bound), or one of its one-sided derivatives (with their tolerance), is the
    region's, within both bounds, is held to the finer of the two: a region's coarser
    bound excuses nothing the row proved. (Which is finer is told by the measurements'
    errors alone: A's rounding under moved forward values, a mask that flips at the
    kink, is in the region's bound but not in a classic one's.)"""
    assert p.bound is not None
    shape = np.shape(p.analytic)
    G, error = (x[span[0] : span[1]].reshape(shape) for x in (found.G, found.error))
    A = np.asarray(p.analytic, dtype=np.float64)
    theta = np.asarray(env[p.id], dtype=float)
    bound = per_entry("richardson", settings.tolerance, A, G, error, p.rho, REFERENCE, theta)
    alone = per_entry("richardson", settings.tolerance, A, G, error, None, REFERENCE, theta)
    measured = [(N, p.bound)]
    if p.sides is not None and p.sides.tol is not None:
        measured += [(p.sides.left, p.sides.tol), (p.sides.right, p.sides.tol)]
    region, coarse = G, bound
    took, clash = np.zeros(shape, bool), np.zeros(shape, bool)
    held = np.zeros(shape, bool)  # (A within one of them that is the region's)
    for value, own in measured:  # (N, and a failing entry's one-sided derivatives)
        with np.errstate(invalid="ignore"):
            finer = (np.abs(region - value) <= alone + own) & (own < alone)
            clash |= finer & took & ~(np.abs(G - value) <= bound + own)
            held |= finer & (np.abs(A - value) <= own)
        G, bound = np.where(finer & ~took, value, G), np.where(finer & ~took, own, bound)
        took |= finer
    # (where two of them are the region's and not each other's, the region cannot tell
    # which: the left and right slots of a tie's entry 4e-10 apart, both within the
    # region's 1e-9. Where A is within one of them, the region's own gradient and bound
    # stand there; where within none, the first, finer, decides: an A outside a tie's
    # exact sides FAILs on them, not WEAK on a region's 1e1 of round-off)
    clash &= held
    G, bound = np.where(clash, region, G), np.where(clash, coarse, bound)
    tol, weak = (
        classic(method, settings.tolerance),
        limit(method, settings.tolerance, settings.check.dtype),
    )
    return G, compare(A, G, tol, bound=bound, weak=weak), bound


FAILS = ("values", TOGETHER)  # a row's FAIL that a region's gradient may answer


def _on_kinks(env: Values, pending: list[Pending], failed: list[Comparison]) -> bool:
    """Whether θ sits on a kink or a tie: a row's proved kink, a failing entry's
    one-sided derivatives that differ, or two equal entries of a leaf."""
    if any(p.kink is not None and p.kink.any() for p in pending):
        return True
    if any(c.left is not None and c.right is not None and c.left != c.right for c in failed):
        return True
    return any(tied(np.asarray(env[p.id], dtype=float)) for p in pending)


def _comparable(A: Any, N: np.ndarray) -> bool:
    """Whether A can be compared with N entry by entry: a real array of N's shape, every
    entry finite (else compare says what is wrong with it)."""
    return bool(
        isinstance(A, np.ndarray)
        and A.shape == N.shape
        and not np.iscomplexobj(A)
        and np.all(np.isfinite(A))
    )


def _verdict(
    model: Model,
    env: Values,
    p: Pending,
    method: str,
    settings: "Settings",
    lost: np.ndarray | None = None,
) -> tuple[np.ndarray, Comparison]:
    tol = classic(method, settings.tolerance)
    weak = limit(method, settings.tolerance, settings.check.dtype)
    der = p.derivative
    assert der is not None, "the numeric reference is computed before the verdict"
    if p.moved is None:  # (a row --directions flagged, or
        # the budget's sample: A's rounding under moved forward values, measured here)
        moved = p.moved_at or moved_backwards(model, env, model.jacobians, settings.check.dtype)
        p.moved = forward_rounding(model, env, p, method, settings, moved)
        for at_draw in moved:  # (this row's moved adjoints, arrays the tensor's size: used
            at_draw.pop(p.id, None)  # once, and not held through its verdict)
        del moved
    numeric, A, mask = der.value, p.analytic, sampled_mask(p)
    mask = _differentiable(env, p, numeric.shape, mask)
    comparable = _comparable(A, numeric)
    if comparable and mask is not None:
        numeric = np.where(mask, numeric, A)  # unsampled entries: nothing to compare
    if not comparable or not np.all(np.isfinite(numeric)):
        return numeric, compare(A, numeric, tol, sampled=mask)
    A = A.astype(np.float64, copy=False)
    theta = _differentiated(env, p)
    bound = per_entry(
        method, settings.tolerance, A, numeric, der.error, p.rho, settings.check.dtype, theta
    )
    if lost is not None:  # (verdict: an N that is not finite decides nothing there)
        bound = np.where(lost, np.inf, bound)
    bound = _with_roundoff(model, env, p, method, settings, numeric, bound)
    comparison = compare(A, numeric, tol, bound=bound, sampled=mask, weak=weak)
    p.bound = bound
    first = Measured(A, numeric, bound, theta)
    suspect = _on_a_kink(model, env, p, settings, first)
    first = replace(first, suspect=suspect)
    if comparison.status != FAIL:
        looked = _passed_looked(model, env, p, method, settings, first)
        if looked is not None:
            return _looked_at(p, A, tol, mask, weak, looked)
        loss = float(np.real(env[model.loss]))
        comparison = _nothing_moved(method, loss, A, numeric, mask, comparison)
        return numeric, _zeros_below(model, env, p, method, A, numeric, mask, comparison)
    bad = np.abs(A - numeric) > bound
    few = _a_sample_of(bad, settings) if p.jac is None else None
    if few is not None:  # thousands wrong: a sample confirmed is enough (a formula's slip)
        again = _second_look(model, env, p, method, settings, replace(first, suspect=None), few)
        if np.all((np.abs(A - again.numeric) > again.bound)[few] & ~again.kink[few]):
            bound2 = np.where(few, again.bound, bound)
            p.kink, p.bound = again.kink, bound2
            numeric2 = np.where(few, again.numeric, numeric)
            c = compare(A, numeric2, tol, again.kink, bound2, mask, weak=weak, sides=again.sides)
            note = f"; a second look at {int(few.sum())} of them, drawn at random, confirmed each"
            return numeric, replace(c, reason=(c.reason or "") + note)
    return _looked_at(
        p, A, tol, mask, weak, _second_look(model, env, p, method, settings, first, None)
    )


def _looked_at(
    p: Pending,
    A: np.ndarray,
    tol: Tolerance,
    mask: np.ndarray | None,
    weak: float,
    looked: "Looked",
) -> tuple[np.ndarray, Comparison]:
    """The row compared again after a second look at every failing (or suspect) entry:
    its kinks, its bounds, its unresolved entries with their reasons."""
    p.kink, p.bound = looked.kink, looked.bound
    against = None
    if looked.apart is not None:  # (each of the direction's kinks fails, whatever its A − N)
        against = np.zeros(A.shape, bool)
        against.ravel()[looked.apart.at] = True
    sides = replace(looked.sides, together=against)
    c = compare(A, looked.numeric, tol, looked.kink, looked.bound, mask, weak=weak, sides=sides)
    for where, why in looked.undecided():
        c = unresolved(c, where, A, looked.numeric, why)
    if looked.apart is not None:  # (where only kinks fail, each alone a subgradient: the
        # diagnosis is theirs, not a pattern of A − N, whose N there is the sides' mean)
        only = against is not None and not np.any(
            (np.abs(A - looked.numeric) > looked.bound) & ~looked.kink & ~against
        )
        c = replace(
            c, reason=f"{c.reason}; {looked.apart.why}", problem=TOGETHER if only else c.problem
        )
    # (kept only where kinks_together may move them, or in_a_region: arrays the
    # tensor's size each)
    p.looked = (looked, tol, mask, weak) if looked.kink.any() and c.status != FAIL else None
    p.sides = sides if c.status == FAIL and A.size <= REGION_ENTRIES else None
    p.coarse = looked.coarse if looked.coarse is not None and looked.coarse.any() else None
    return looked.numeric, c


def _on_a_kink(
    model: Model, env: Values, p: Pending, settings: "Settings", row: "Measured"
) -> np.ndarray | None:
    """The entries that agree with N though a kink at θ shows, wider than their bound:
    N there is the mean of the two slopes, which proves nothing of A. Richardson measures
    the kink (Derivative.jump); a central difference's one-sided halves spread by it,
    above JUMP_ROUNDOFF eps S / h (on a smooth loss they spread by h f'': the kink test
    tells which). At most policy.second_look of them, drawn by the seed; None where
    there are none."""
    der, A, numeric, bound = p.derivative, row.A, row.numeric, row.bound
    assert der is not None
    if der.jump is not None:
        jump = np.nan_to_num(der.jump)
    elif der.plus is not None and der.minus is not None and p.jac is None:
        spread = np.abs(der.plus - der.minus)
        noise = _difference_roundoff(model, env, p, numeric) * (JUMP_ROUNDOFF / CLASSIC_ROUNDOFF)
        with np.errstate(invalid="ignore"):
            jump = np.where(spread > noise, spread, 0.0)
    else:
        return None
    if jump.shape != A.shape:
        return None
    with np.errstate(invalid="ignore"):
        suspect = (jump > bound) & (np.abs(A - numeric) <= bound)
    mask = sampled_mask(p)
    if mask is not None:
        suspect &= mask
    few = _a_sample_of(suspect, settings)
    suspect = suspect if few is None else few
    return suspect if suspect.any() else None


NOTHING_MOVED = (
    "A = N = 0 at every entry, and no step moved L: a derivative below the differences' "
    "round-off (eps · |L| / h) cannot be told from 0"
)


def _nothing_moved(
    method: str, loss: float, A: np.ndarray, N: np.ndarray, mask: np.ndarray | None, c: Comparison
) -> Comparison:
    """A passing row of zeros only, under a finite-difference engine: N = 0 exactly says
    only that L(θ + h) = L(θ − h), that no step moved L by its rounding, not that the
    derivative is 0 (a dropped term of 1e-8 beside a loss of 6e4, under central's step of
    6e-6; under Richardson's steps of up to 0.1 max(1, |θ|), an RNN's first state's
    adjoint of 1.8e-16 beside a loss of 4.6, returned as 0). There is nothing carrying to
    state a resolution over, so the row is unresolved (WEAK), not PASS. The complex
    step's exact 0 is a derivative, and stands."""
    if engine(method).exact:
        return c
    if c.status != PASS or c.resolution is not None or c.unresolved:
        return c
    where = np.ones(A.shape, bool) if mask is None else mask
    if loss == 0 or not np.isfinite(loss) or not where.any():
        return c
    if np.any(A[where] != 0) or np.any(N[where] != 0):
        return c
    return unresolved(c, where, A, N, NOTHING_MOVED)


# the reasons a row is WEAK where an entry could not be resolved: a kink candidate its
# one-sided differences cannot resolve; an N of 0 no step could have moved from A;
# Richardson's two ladders contradicting each other, or its N a finer central difference
VAGUE = (
    "a kink candidate at {index} that one-sided differences cannot resolve (round-off, or "
    "a kink nearer θ than the finest step): whether A is a subgradient there cannot be told"
)
STILL = (
    "N = 0 at {index}, where A times the step (the complex step's: times max(|θ|, 1)) would "
    "not have moved L past its round-off: that entry cannot be told"
)
TORN = (
    "the reference and a second ladder of Richardson steps disagree at {index} by more "
    "than their estimates, and the second agrees with A (a kink or a turn between their "
    "steps): neither settles it"
)
ACROSS = (
    "every step of the reference crosses 0 at {index}, and Richardson steps from θ's own "
    "scale agree with A (a kink at 0, or a turn nearer θ than the steps): neither "
    "settles it"
)
CONTRADICTED = (
    "a central difference at a step finer than Richardson's agrees with A at {index}, not "
    "with N (a kink or a turn nearer θ than Richardson's steps, in 80 bits where float64 "
    "rounds off): neither settles it"
)

ROUNDED = (
    "A − N at {index} passes only within a bound measured at that entry alone (in 80 "
    "bits, with the leaves moved by ulps, or by Richardson as referee), more than "
    f"{WIDENED_APART:g}× the resolution of the row's other entries: an error that size "
    "there cannot be told"
)


def _differentiable(
    env: Values, p: Pending, shape: tuple[int, ...], mask: np.ndarray | None
) -> np.ndarray | None:
    """``mask`` less the entries whose θ is not finite (a −inf in a mask fed to a
    log-sum-exp): no derivative exists there to compare, so they are not checked (the
    row's `checked` says so), rather than failed on a NaN the step made."""
    finite = np.isfinite(_differentiated(env, p))
    if finite.all():
        return mask
    finite = np.broadcast_to(finite, shape)
    return finite if mask is None else mask & finite


def _a_sample_of(bad: np.ndarray, settings: "Settings") -> np.ndarray | None:
    """A seeded random sample of the failing entries, when there are more than
    policy.second_look of them; else None (every failing entry is looked at again)."""
    k = POLICY[settings.check.dtype].second_look
    flat = np.flatnonzero(bad)
    if flat.size <= k:
        return None
    rng = np.random.default_rng([settings.options.seed, 31])
    few = np.zeros(bad.size, dtype=bool)
    few[rng.choice(flat, size=k, replace=False)] = True
    return few.reshape(bad.shape)


@frozen(eq=False)  # (eq=False: arrays: == by identity)
class Looked:
    """What a row is compared with after a second look: N (a reference taken again where
    one agreed), each entry's bound (only ever wider, or a referee's), the proved kinks
    and the one-sided derivatives."""

    numeric: np.ndarray
    bound: np.ndarray
    kink: np.ndarray
    sides: OneSided
    torn: np.ndarray | None = None  # unresolved: two Richardson ladders disagree there
    vague: np.ndarray | None = None  # unresolved: a kink candidate its sides do not resolve
    apart: Apart | None = None  # why the kinks, each a subgradient alone, are none together
    still: np.ndarray | None = None  # unresolved: N = 0 where A could not have moved L
    coarse: np.ndarray | None = None  # a finer step's N (its round-off the bound), or vague
    # at a kink only wider steps see: what the region of θ may measure finer
    contradicted: np.ndarray | None = None  # unresolved: a finer central difference
    # agrees with A, not with Richardson's N (_contradicted)
    across: np.ndarray | None = None  # unresolved: N's steps all cross 0 and a ladder
    # from θ's own scale agrees with A (_straddles_zero), which no finer step holds off
    rounded: np.ndarray | None = None  # unresolved: within a widened bound the row's
    # other entries do not back (_unbacked)

    def undecided(self) -> list[tuple[np.ndarray, str]]:
        """The entries left unresolved, each kind that holds anywhere with its reason
        (the row WEAK, unless another entry FAILs)."""
        kinds = (
            (self.vague, VAGUE),
            (self.torn, TORN),
            (self.across, ACROSS),
            (self.contradicted, CONTRADICTED),
            (self.rounded, ROUNDED),
            (self.still, STILL),
        )
        return [(where, why) for where, why in kinds if where is not None and where.any()]


@frozen(eq=False)  # (eq=False: arrays: == by identity)
class Measured:
    """One row as first compared: A, N (where unsampled, A), each entry's bound, and θ."""

    A: np.ndarray
    numeric: np.ndarray
    bound: np.ndarray
    theta: np.ndarray
    suspect: np.ndarray | None = None  # passing entries on a kink at θ (Derivative.jump)


def _second_look(
    model: Model,
    env: Values,
    p: Pending,
    method: str,
    settings: "Settings",
    row: Measured,
    focus: np.ndarray | None,
) -> Looked:
    """The failing entries looked at again (only those in ``focus``, if given). What it
    learns may only widen an entry's bound by what it measured, or prove a kink (A
    between resolved one-sided derivatives); it never skips an entry. A finite difference
    is referred to the complex step where the forward is complex-safe."""
    der = p.derivative
    assert der is not None
    A, numeric, bound, theta = row.A, row.numeric, row.bound, row.theta

    def only(b: np.ndarray) -> np.ndarray:
        return b if focus is None else np.where(focus, b, np.inf)

    numeric, kink, sides, blind, finer, far, settled, steady, contradicted = _kinks(
        model, env, p, method, settings, replace(row, bound=only(bound))
    )
    error = _complex_rounding(model, env, p, method, A, numeric, only(bound))
    widened = per_entry(
        method, settings.tolerance, A, numeric, error, p.rho, settings.check.dtype, theta
    )
    widened = np.where(finer > 0, np.fmax(widened, finer), widened)
    widened = _with_roundoff(model, env, p, method, settings, numeric, widened)
    now = Measured(A, numeric, only(bound), theta)
    numeric, bound = _rounding_refereed(model, env, p, method, settings, now, widened)
    bound = _below_the_loss(model, env, p, method, settings, A, numeric, bound)
    failing = np.abs(A - numeric) > bound
    # (and the passing entries on a kink at θ: a tie whose mean N passed, which the
    # complex step would referee on one branch alone)
    suspect = row.suspect if row.suspect is not None else np.zeros_like(failing)
    across = _smooth_across(model, env, p, method, settings, kink | far, failing | suspect)
    jumps = differ(across.left, across.right)
    kink, far = (kink & ~across.smooth) | jumps, far & ~across.smooth & ~jumps
    sides = sides.only(kink | far).exact_where(across.left, across.right, across.slack)
    near = sides.nearer(A, numeric)
    dtype = settings.check.dtype
    at_side = per_entry(method, settings.tolerance, A, near, None, p.rho, dtype, theta)
    sides = sides.at_sides(at_side, classic=not uses_estimates(method, settings.tolerance))
    proved = kink & sides.resolved() & sides.holds(A) & ~blind
    # a kink candidate whose one-sided derivatives are not resolved (round-off, drift, or
    # a kink nearer θ than the finest step), which no referee below settles: unresolved
    # (the row WEAK, with the reason), never passed on a bound widened here only, which
    # the correct model's resolution would not have shown
    vague = kink & ~proved & (~sides.resolved() | blind)
    outside = kink & ~proved & ~vague
    if outside.any() and not engine(method).exact:  # (sides seen, A outside: finer ones?)
        now = Measured(A, numeric, bound, theta)
        vague |= outside & _among_finer_sides(model, env, p, settings, now, sides, outside)
    # a kink the wider steps alone resolve: at θ, or beside it nearer than any step L's
    # round-off allows; where A is a subgradient of it (a side's derivative: the loss at
    # θ, if the kink is beside it), unresolved; elsewhere A is none, and the FAIL stands
    vague |= far & sides.resolved() & sides.holds(A)
    if engine(method).exact:  # (an exact N, the complex step's: there it stays a FAIL)
        vague = np.zeros_like(vague)
    apart = _row_apart(model, env, p, settings, numeric, Kinks.of(A, sides, proved))
    kink = proved if apart is None else np.zeros_like(proved)
    failing = (np.abs(A - numeric) > bound) & ~kink
    if failing.any() and engine(method).complex and settings.check.dtype == "float64":
        numeric, bound = _extended_reference(model, env, p, A, numeric, bound, failing)
        failing = (np.abs(A - numeric) > bound) & ~kink
    if failing.any() and engine(method).complex:
        now = Measured(A, numeric, bound, theta)
        bound = _leaf_rounding(model, env, p, settings, now, failing)
    failing = (np.abs(A - numeric) > bound) & ~kink
    # (and the entries that agreed with N on no kink the kink test proves: a difference
    # whose halves spread by curvature on a scale below its step carries its truncation,
    # log v at v = 3.4e-4 under central's 6e-6, 1e-4 of N, which a classic rtol does not
    # measure: an A as far off agrees with N. The referee's N holds them)
    curved = ~kink & row.suspect if row.suspect is not None else np.zeros_like(kink)
    referred = (failing | curved) & ~settled
    richardson = _central_refereed_by_richardson(model, env, method, settings.check.dtype)
    decided = np.zeros_like(failing)  # (the complex step as a finite difference's referee)
    if referred.any():  # a finite difference that straddled kinks, or lost its digits; or a
        # complex step that lost a non-analytic term
        now = Measured(A, numeric, bound, theta)
        exact, tight, agree = _refereed(model, env, p, method, settings, now, referred, curved)
        if not engine(method).complex:  # (the complex step's referee: _richardson_reference)
            agree &= _informs(numeric, bound, exact, tight) | ~steady
            decided = referred & np.isfinite(exact) & (not richardson)
        held = agree | (curved & np.isfinite(exact))
        # (and where A disagrees with a referee finer than N: the FAIL is measured, and
        # shown, against the finer N; central's at c = 1e-6 under its step of 6e-6 was
        # 3.1e14 where the complex step's is -4.2e13, a slip of 6e-12 shown as 113 %)
        with np.errstate(invalid="ignore"):
            held |= referred & ~agree & np.isfinite(exact) & (tight < bound)
        numeric, bound = np.where(held, exact, numeric), np.where(held, tight, bound)
        failing = (failing | held) & ~agree
    # (unresolved: a bound the second look widened, the complex step's by what its 80-bit
    # reference, the leaves moved by ulps or its Richardson referee measured, that the
    # row's other entries do not back. A finite difference's widening stays: its first
    # bounds are already coarse, and held to this, correct rows went WEAK:
    # benchmarks/wild/rbf_tiny.py)
    rounded = np.zeros_like(failing)
    if engine(method).complex:
        rounded = _unbacked(A, numeric, row.bound, bound) & (np.abs(A - numeric) <= bound)
        rounded &= ~kink & (bound <= np.where(A != 0, np.abs(A), np.abs(numeric)))
        failing &= ~rounded
    across = np.zeros_like(failing)  # (unresolved: _another_ladder's blind entries)
    torn = np.zeros_like(failing)  # (a central difference's too, where Richardson is its
    # referee, against Richardson's second ladder: from θ's own scale it may agree with
    # A where central's step straddled kinks beside θ, a sort's of values 2e-9 apart, and
    # took their sides for a kink at θ: then neither settles it. Where the complex step
    # referees, its exact N has decided: a strict max 2⁻³¹ above its neighbour, whose
    # split backward both ladders' straddling steps agree with, FAILs)
    ladder = "richardson" if richardson else method
    unsettled = failing & ~settled & ~decided
    if unsettled.any() and engine(ladder).extrapolated and p.jac is None:
        now = Measured(A, numeric, bound, theta)
        torn, blind = _another_ladder(model, env, p, ladder, settings, now, unsettled)
        looked = unsettled & ~torn & ~contradicted & ~vague
        turned = looked & _turned(model, env, p, settings, now, looked)
        contradicted |= turned
        # (an N whose steps all straddled 0, which no finer step in 80 bits holds A off
        # either: unresolved; where those steps resolve A off, the FAIL stands)
        blind &= looked & ~turned
        if blind.any():
            across = blind & ~_held_off(model, env, p, settings, now, blind)
    contradicted &= failing & ~torn & ~across
    # (wherever A lies: sides that are round-off, or drift with the step, tell neither
    # that A is a subgradient nor that it is not)
    vague &= failing & ~torn & ~across & ~contradicted
    still = failing & ~torn & ~across & ~contradicted & ~vague
    still &= _unmoved(model, env, p, method, A, numeric)
    bound = np.where(torn | across | contradicted | vague | still | rounded, np.inf, bound)
    if focus is not None:
        bound = np.where(focus, bound, np.inf)
    coarse = (finer > 0) | (vague & far)
    return Looked(
        numeric,
        bound,
        kink,
        sides,
        torn,
        vague,
        apart,
        still,
        coarse,
        contradicted,
        across,
        rounded,
    )


def _refereed(
    model: Model,
    env: Values,
    p: Pending,
    method: str,
    settings: "Settings",
    row: Measured,
    referred: np.ndarray,
    curved: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The referee's N and bound (_referee) at the ``referred`` entries, and where A agrees
    with it. Where more than FIRST_LOOKED of them fail, first at that many (_first_looked,
    with every ``curved`` one): where A agrees with none of those, the others keep
    N, and the row FAILs on those (a slip in every entry of a 100×100 W: Richardson's
    ladder at 256 of them cost 27 s, the complex step in 80 bits 50 s). Where it agrees
    with one, at every referred entry."""
    A = row.A

    def judged(entries: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        exact, tight = _referee(model, env, p, method, settings, A, entries)
        with np.errstate(invalid="ignore"):
            return exact, tight, entries & (np.abs(A - exact) <= tight)

    failing = np.flatnonzero(referred & ~curved)
    if failing.size > FIRST_LOOKED:
        first = referred & curved
        first.flat[_first_looked(failing)] = True
        exact, tight, agree = judged(first)
        if not np.any(agree & ~curved):
            return exact, tight, agree
    return judged(referred)


def _informs(numeric: np.ndarray, bound: np.ndarray, exact: np.ndarray, tight: np.ndarray) -> Any:
    """Where a referee's N (``exact``, within ``tight``) may overrule N (within ``bound``)
    that the finer steps confirm (_steady): where it is as fine, or disagrees with N
    beyond both bounds. A coarser referee that N lies within tells nothing against N,
    whose bound a passing entry was held to: a planted error N resolves stays a FAIL
    (Richardson's ladder across a sort's ties 5e-7 from θ agreed with 10x the row's
    stated resolution within its own 4e-3). A finite difference's N only: the complex
    step's referee tells only where it resolves A from N (_richardson_reference)."""
    with np.errstate(invalid="ignore"):
        return (tight <= bound) | (np.abs(numeric - exact) > bound + tight)


def _passed_looked(
    model: Model, env: Values, p: Pending, method: str, settings: "Settings", first: "Measured"
) -> "Looked | None":
    """A second look at a row that passed, where it finds something; else None. Entries
    that agree with N on a kink (Measured.suspect) are proved kinks, the row KINK, and
    the kinks moved together may still show A no subgradient; entries tied at one value,
    moved together, may too (_ties_apart)."""
    looked = None
    if first.suspect is not None:
        looked = _second_look(model, env, p, method, settings, first, None)
        off = np.abs(first.A - looked.numeric) > looked.bound
        # (a referee's N, or entries it left unresolved: never a quiet PASS)
        if looked.apart is not None or np.any(off & ~looked.kink) or looked.undecided():
            return looked
    ties = _ties_apart(model, env, p, settings, first)
    if ties is not None:
        none = np.zeros(first.A.shape, bool)
        sides = OneSided(*(np.full(first.A.shape, np.nan) for _ in range(5)))
        return replace(
            looked or Looked(first.numeric, first.bound, none, sides), kink=none, apart=ties
        )
    return looked if looked is not None and looked.kink.any() else None


def _ties_apart(
    model: Model, env: Values, p: Pending, settings: "Settings", row: "Measured"
) -> Apart | None:
    """Whether the row's entries tied at one value are no subgradient together
    (together.ties_apart), each held to its bound; not for a sample or a Jacobian."""
    if p.jac is not None or sampled_mask(p) is not None or not tied(row.theta):
        return None
    size = _rounded_at(env, model, row.theta, row.numeric)
    return ties_apart(Joint(model, env, (p.id,)), row.A.ravel(), row.bound.ravel(), size, settings)


def _row_apart(
    model: Model, env: Values, p: Pending, settings: "Settings", numeric: np.ndarray, kinks: Kinks
) -> Apart | None:
    """Whether the row's proved kinks are no subgradient together (together.py), moved
    through its own tensor."""
    if p.jac is not None or kinks.at.size < 2:
        return None
    theta = np.asarray(env[p.id], dtype=float)
    size = _rounded_at(env, model, theta, numeric)
    return kinks_apart(Joint(model, env, (p.id,)), kinks, size, settings)


def _with_roundoff(
    model: Model,
    env: Values,
    p: Pending,
    method: str,
    settings: "Settings",
    numeric: np.ndarray,
    bound: np.ndarray,
) -> np.ndarray:
    """``bound``, at least a finite difference's own round-off (_difference_roundoff) and
    A's own rounding, measured (policy rounding × ρ), where a classic rtol makes it (the
    estimates' bounds carry both): the first look's and the second look's alike, which
    may widen it, never drop it. A near fit's r = v − t of 3e-10 beside v of 438 rounds
    at 8.5e-4 of itself, which the forward's values moved by ulps show (a fuzzer's
    p7000133: the true A FAILed central's rtol of 1e-5 against an N steps confirm)."""
    if uses_estimates(method, settings.tolerance) or engine(method).exact:
        return bound
    bound = np.fmax(bound, _difference_roundoff(model, env, p, numeric))
    rho = p.rho
    if rho is None or np.shape(rho) != np.shape(bound):
        return bound
    return np.fmax(bound, POLICY[REFERENCE].rounding * rho)


def _difference_roundoff(model: Model, env: Values, p: Pending, numeric: np.ndarray) -> Any:
    """A finite difference's own round-off per entry, CLASSIC_ROUNDOFF eps S / h, where its
    steps are known (NaN elsewhere; 0 for a Jacobian). S is |L|, Σ_j |θ_j N_j|, or the
    size L is rounded at where it cancels (numeric.rounding_size), the largest. A classic
    rtol holds A to N as if N were exact; its bound is at least this, so that the row's
    resolution shows what the difference could not see (a PASS at 1e-5 over entries
    whose N rounds off at 1e-4 is WEAK)."""
    taken = _steps_taken(model, env, p, numeric)
    if taken is None:
        return 0.0
    step, size = taken
    size = max(size, rounding_size(model, env))
    with np.errstate(divide="ignore", invalid="ignore"):
        return CLASSIC_ROUNDOFF * EPS * size / step


def _unmoved(
    model: Model, env: Values, p: Pending, method: str, A: np.ndarray, numeric: np.ndarray
) -> np.ndarray:
    """Where a finite difference's N is exactly 0 and A, times the step both ways, would
    not have moved L past the difference's round-off (DIFFERENCE_ROUNDOFF eps S, S = |L|
    or Σ|θ_j N_j|): L(θ + h) = L(θ − h) is all that was seen (a 1e-8 term beside a loss
    of 6e4 under central's step of 6e-6). Neither a FAIL of A nor a PASS
    (_nothing_moved). A "mask forgotten" (A = 0.5 where N = 0) moves L by far more, and
    FAILs. Under the complex step, where A moving θ_i by max(|θ_i|, 1) would not move L
    past eps S (loss_floor): Im L sums terms of the size of every partial on the way, and
    cancels as they do (log Σ eᵛ − v₁ of a prediction confident by 132 has a derivative of
    1e-58, which Im L loses beside its terms of 1, in 80 bits too: a fuzzer's p7000055,
    whose true A FAILed against N = 0)."""
    if engine(method).exact and p.jac is None:
        with np.errstate(invalid="ignore"):
            return (numeric == 0) & (A != 0) & (np.abs(A) <= _exact_floor(model, env, p, numeric))
    taken = None if engine(method).exact else _steps_taken(model, env, p, numeric)
    if taken is None:
        return np.zeros(A.shape, bool)
    step, size = taken
    with np.errstate(invalid="ignore", over="ignore"):
        return (
            (numeric == 0) & (A != 0) & (np.abs(A) * 2 * step <= DIFFERENCE_ROUNDOFF * EPS * size)
        )


def _exact_floor(model: Model, env: Values, p: Pending, numeric: np.ndarray) -> np.ndarray:
    """loss_floor per entry of row ``p``, L's size the one it is rounded at (_rounded_at:
    a loss that cancels, log Σ eᶻ − z₀ of a confident prediction, is 0 or 1e-22 from
    terms of 950): what the complex step's Im L, rounded as those terms are, cannot show."""
    theta = np.asarray(env[p.id], dtype=float)
    return loss_floor(theta, _rounded_at(env, model, np.abs(theta), numeric), REFERENCE)


ZEROS_BELOW = (
    "N = 0 at {index} under the complex step, and the whole row lies below what L's "
    "rounding shows (eps · S / max(|θ|, 1)): Im L may have cancelled there, so a 0 cannot "
    "be told from a value of the row's own size"
)


def _zeros_below(
    model: Model,
    env: Values,
    p: Pending,
    method: str,
    A: np.ndarray,
    N: np.ndarray,
    mask: np.ndarray | None,
    c: Comparison,
) -> Comparison:
    """A passing row under the complex step whose every entry lies below the floor
    (loss_floor, L's size at least the forward's largest value: a loss that cancels is
    rounded at its terms', and every passing row asks, so no 80-bit measurement), with
    entries where A = N = 0: unresolved there (the row WEAK). Its exact 0 may be Im L
    cancelled: z̄ of a cross-entropy confident by 50 holds 1.9e-22 at the other classes,
    and its true class's −1.9e-22 is 0 in Im L, where a backward that rounds 1 − p_y to
    0 PASSed at 2e-13 (a red team's). A dead unit in a row whose other entries carry
    more than the floor stands."""
    if not engine(method).exact or p.jac is not None or c.status not in (PASS, KINK):
        return c
    where = np.ones(A.shape, bool) if mask is None else mask
    zeros = where & (N == 0) & (A == 0)
    if not zeros.any():
        return c
    with np.errstate(invalid="ignore"):
        top = float(np.max(np.maximum(np.abs(A), np.abs(N)), where=where, initial=0.0))
        if top == 0:  # (a row of zeros: the complex step's exact 0 stands)
            return c
        theta = np.asarray(env[p.id], dtype=float)
        size = max(_loss_size(env, model, np.abs(theta), N), largest_value(env))
        if top > POLICY[REFERENCE].eps * size:  # (above the floor anywhere: max(|θ|, 1) ≥ 1)
            return c
        zeros &= top <= loss_floor(theta, size, REFERENCE)
    return unresolved(c, zeros, A, N, ZEROS_BELOW) if zeros.any() else c


def _steps_taken(
    model: Model, env: Values, p: Pending, numeric: np.ndarray
) -> tuple[np.ndarray, float] | None:
    """The step a finite difference took for each entry of row ``p`` and the size S its
    round-off is measured by (_loss_size), or None where they are not known (a Jacobian,
    an engine that records no steps)."""
    der = p.derivative
    if p.jac is not None or der is None or der.step is None:
        return None
    step = np.asarray(der.step, dtype=float)
    if step.shape != numeric.shape:
        return None
    theta = np.abs(np.asarray(env[p.id], dtype=float))
    return step, _loss_size(env, model, theta, numeric)


def _another_ladder(
    model: Model,
    env: Values,
    p: Pending,
    method: str,
    settings: "Settings",
    row: Measured,
    failing: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Where the failing entries (Richardson's, or central's it referees) are torn between
    the reference and a second ladder of Richardson steps (a mask): taken again from
    0.1 |θ_i| where 0 < |θ_i| < 1 (θ's own scale), else from LADDER_FIRST · max(1, |θ_i|)
    (a curvature far below the first ladder's steps), and where |θ_i| > 1 once more on
    unit scale (_torn_at), the entry agrees with A within such a ladder's bound while
    the two differ by more than both their bounds:
    neither settles it, and the entry is unresolved (the row WEAK, with the reason),
    never passed. Where they agree with each other, or both disagree with A, the FAIL
    stands. Returns that mask, and the entries blind to both (_torn_at): where the
    reference's steps all straddle 0 and A agrees with the second ladder."""
    idx = np.flatnonzero(failing)
    t = np.abs(row.theta.ravel()[idx])
    first = np.where((t > 0) & (t < 1), RICHARDSON_FIRST_STEP * t, LADDER_FIRST)
    torn, blind = _torn_at(model, env, p, method, settings, row, idx, first)
    big = t > 1
    if big.any():
        unit = RICHARDSON_FIRST_STEP / t[big]
        torn |= _torn_at(model, env, p, method, settings, row, idx[big], unit)[0]
    return torn, blind & ~torn


def _torn_at(
    model: Model,
    env: Values,
    p: Pending,
    method: str,
    settings: "Settings",
    row: Measured,
    idx: np.ndarray,
    rel: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """_another_ladder for one second ladder, from the relative steps ``rel`` (per entry
    of ``idx``): the second from θ's own scale or LADDER_FIRST; the third, where |θ_i| > 1,
    on unit scale (sin of θ = 2e8, whose period no step relative to |θ| resolves). And
    where the ladders agree but the reference's steps straddle 0 and A agrees with the
    second: blind."""
    torn = np.zeros(row.A.shape, dtype=bool)
    t = np.abs(row.theta.ravel()[idx])
    try:
        der = differentiate(model, env, p.id, method=method, rel_step=rel, indices=idx)
    except (GradcheckError, TypeError, ValueError, ArithmeticError, IndexError):
        return torn, torn.copy()
    A, N2, error2 = row.A.ravel()[idx], der.value.ravel()[idx], der.error
    error2 = None if error2 is None else error2.ravel()[idx]
    rho = None if p.rho is None else np.broadcast_to(p.rho, row.A.shape).ravel()[idx]
    N1, bound1 = row.numeric.ravel()[idx], row.bound.ravel()[idx]
    with np.errstate(invalid="ignore"):
        bound2 = per_entry(method, settings.tolerance, A, N2, error2, rho, settings.check.dtype, t)
        agree = np.isfinite(N2) & np.isfinite(bound2) & (np.abs(A - N2) <= bound2)
        # only where the ladders contradict each other: two that agree on N settle it,
        # but where the first one's steps all straddle 0 (_straddles_zero: blind)
        blind = agree & _straddles_zero(model, env, p, idx, t, row.A.size)
        agree &= np.abs(N1 - N2) > bound1 + bound2
    torn.reshape(-1)[idx] = agree
    blinded = np.zeros(row.A.shape, dtype=bool)
    blinded.reshape(-1)[idx] = blind & ~agree
    return torn, blinded


def _straddles_zero(
    model: Model, env: Values, p: Pending, idx: np.ndarray, t: np.ndarray, size: int
) -> np.ndarray:
    """Where 0 < |θ_i| is below the step behind Richardson's N (the row's own, or the
    referee's of a central difference): every step of it moved θ_i across 0, where an
    abs or a relu of the leaf puts a kink whose jump may hide under the curvature from
    every step of the kink test (a jump of 1.8e-9 beside a slope of 8.7e-6 and a loss
    of 17, fuzzer 10000037); N there is the mean of that kink's sides, as at a kink at
    θ_i, whatever its estimate says."""
    der = p.derivative
    if der is None or der.error is None:  # (a central difference's: its referee's steps)
        try:
            der = differentiate(model, env, p.id, method="richardson", indices=idx)
        except (GradcheckError, TypeError, ValueError, ArithmeticError, IndexError):
            return np.zeros(idx.size, bool)
    if der.step is None or np.size(der.step) != size:
        return np.zeros(idx.size, bool)
    reach = np.asarray(der.step, dtype=float).ravel()[idx]
    with np.errstate(invalid="ignore"):
        return (t > 0) & (t < reach)


def _turned(
    model: Model, env: Values, p: Pending, settings: "Settings", row: Measured, failing: np.ndarray
) -> np.ndarray:
    """Where the loss turns on a scale below every float64 step (a mask; FIRST_LOOKED of
    the failing entries): central differences with the forward in 80 bits, at the kink
    test's h / KINK_RATIOᵏ (1 ≤ k ≤ TURN_LEVELS, TURN_ULPS of θ's ulps at least), lie
    beyond the bound from N, and the one of those whose own error is least agrees with
    A within that error and A's ρ (numeric.finest_beyond). N is the mean slope across
    the turn there, and neither settles the entry (sin(θ²) at θ = 6.5e7, a fuzzer's:
    every float64 step moves θ² by a radian, and N was the slope of the loss's other
    terms, 1.29, where the derivative is −2.4e6). On a smooth loss the finer steps agree
    with N; where A is off the finer steps' value, the FAIL stands."""
    out = np.zeros(row.A.shape, bool)
    finer = _finer_steps(model, env, p, settings, row, failing) if failing.any() else None
    if finer is None:
        return out
    idx, rho = finer.idx, finer.rho
    A, N, bound = (a.ravel()[idx] for a in (row.A, row.numeric, row.bound))
    D, own, beyond = finer.finest_beyond(N, bound)
    with np.errstate(invalid="ignore"):
        # (A's formula in 80 bits differs from A by ρ: the 80-bit loss is that formula's)
        out.reshape(-1)[idx] = beyond & (np.abs(A - D) <= own + POLICY[REFERENCE].rounding * rho)
    return out


class Finer(NamedTuple):
    """Central differences with the forward in 80 bits at finer steps (_finer_steps)."""

    idx: np.ndarray  # the flat entries taken
    D: np.ndarray  # levels × entries
    usable: np.ndarray  # where the step is far enough above θ's ulp
    size: np.ndarray  # L's size, for their round-off
    steps: np.ndarray  # levels × entries
    rho: Any  # A's measured rounding there (0 where none)
    plus: np.ndarray  # the one-sided differences whose mean D is, levels × entries
    minus: np.ndarray

    def finest_beyond(
        self, off: np.ndarray, room: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """numeric.finest_beyond over these steps: per entry, the D whose own error is
        least among those beyond ``off`` by more than ``room``; (D, error, whether)."""
        return finest_beyond(self.D, self.usable, self.size, self.steps, off, room)


def _finer_steps(
    model: Model, env: Values, p: Pending, settings: "Settings", row: Measured, at: np.ndarray
) -> Finer | None:
    """Central differences with the forward in 80 bits at the kink test's h / KINK_RATIOᵏ
    (1 ≤ k ≤ TURN_LEVELS), at FIRST_LOOKED of the entries ``at``; usable where the step
    is TURN_ULPS of θ's ulps at least (within a few ulps of θ the moves and L's values
    there round alike, and two such steps agree by that: sin(x²) at x = 3.1e6, whose
    argument L rounds at 1e-6 in 80 bits). None where 80 bits cannot be had."""
    idx = _first_looked(np.flatnonzero(at))
    theta = np.abs(row.theta.ravel()[idx])
    rel = (settings.check.eps or DEFAULT_REL_STEP) * np.maximum(1.0, theta)
    steps = rel[None] * float(KINK_RATIO) ** -np.arange(1.0, TURN_LEVELS + 1)[:, None]
    found = sides_extended(model, env, p.id, idx, steps)
    if found is None:
        return None
    plus, minus, size = found
    usable = steps >= TURN_ULPS * np.spacing(theta.astype(np.longdouble)).astype(float)
    rho = 0.0 if p.rho is None else np.abs(np.broadcast_to(p.rho, row.A.shape).ravel()[idx])
    return Finer(idx, (plus + minus) / 2, usable, size, steps, rho, plus, minus)


def _held_off(
    model: Model, env: Values, p: Pending, settings: "Settings", row: Measured, at: np.ndarray
) -> np.ndarray:
    """Where central differences with the forward in 80 bits at the kink test's finer
    steps (as _turned takes them) hold A off, a mask: the one whose own error is least
    differs from A by more than TURN_MARGIN times that error and A's ρ. Finer than |θ_i|,
    they straddle no kink at 0: a sign flipped beside an L1 term (an error of 1.8 beside
    a loss of 3e8) FAILs there, where Richardson's steps all crossed 0."""
    out = np.zeros(row.A.shape, bool)
    finer = _finer_steps(model, env, p, settings, row, at)
    if finer is None:
        return out
    idx, rho = finer.idx, finer.rho
    A = row.A.ravel()[idx]
    # (finest_beyond with nothing to lie beyond: the least own error of them all)
    D, own, _ = finer.finest_beyond(A, np.full_like(A, -np.inf))
    with np.errstate(invalid="ignore"):
        room = TURN_MARGIN * own + POLICY[REFERENCE].rounding * rho
        out.reshape(-1)[idx] = np.isfinite(own) & (np.abs(A - D) > room)
    return out


def _among_finer_sides(
    model: Model,
    env: Values,
    p: Pending,
    settings: "Settings",
    row: Measured,
    sides: OneSided,
    outside: np.ndarray,
) -> np.ndarray:
    """Of the entries whose A lies outside a kink's resolved sides (``outside``), where
    one-sided differences with the forward in 80 bits at the kink test's finer steps (as
    _turned takes them), at the finest step that tells A from those sides (its own
    error, its round-off and its sides' change to the next step, TURN_MARGIN times below
    A's distance from them), have A between them: a kink nearer θ than the kink test's
    finest step changes the sides below it, and the sides the steps saw are not θ's.
    Four values tied at 0 with others 5e-10 and 1.4e-7 away (a sort and a max beside a
    leaky relu, fuzzer 11000182): the steps saw sides of −0.95 and −1.77, and A = 2.72,
    a side at θ, FAILed under every engine."""
    out = np.zeros(row.A.shape, bool)
    finer = _finer_steps(model, env, p, settings, row, outside)
    if finer is None:
        return out
    idx, steps = finer.idx, finer.steps
    A, lo, hi = (a.ravel()[idx] for a in (row.A, sides.lo, sides.hi))
    with np.errstate(invalid="ignore"):
        # (a level's own error: its round-off, and its sides' change to the next finer
        # level, which bounds what the curvature moves them by; none for the finest)
        plus, minus = (np.where(finer.usable, a, np.nan) for a in (finer.plus, finer.minus))
        change = np.fmax(np.abs(np.diff(plus, axis=0)), np.abs(np.diff(minus, axis=0)))
        change = np.concatenate([change, np.full((1, idx.size), np.inf)])
        err = extended_roundoff(finer.size, steps) + change
        told = TURN_MARGIN * err < np.fmax(lo - A, A - hi)
        low, high = np.fmin(plus, minus) - err, np.fmax(plus, minus) + err
        within = told & (A >= low) & (A <= high)
    # (the finest step that tells: coarser ones may reach kinks beyond θ's own)
    finest = told.shape[0] - 1 - np.argmax(told[::-1], axis=0)
    out.reshape(-1)[idx] = told.any(axis=0) & np.take_along_axis(within, finest[None], 0)[0]
    return out


def _complex_rounding(
    model: Model,
    env: Values,
    p: Pending,
    method: str,
    A: np.ndarray,
    numeric: np.ndarray,
    bound: np.ndarray,
) -> np.ndarray | None:
    """The complex step's own rounding at the failing entries, measured: the step again
    at 3/4 of h (no power of two, so its rounding differs), |N − N'| (0 elsewhere). A
    derivative that is the cancellation of larger terms (W1ᵀ z̄1 + z̄2 summing to 1e-20)
    keeps their rounding, which a bound relative to N alone does not see. Returns the
    richardson-style error estimate for per_entry (None for other engines)."""
    der = p.derivative
    assert der is not None
    if not engine(method).complex:
        return der.error
    failing = np.abs(A - numeric) > bound
    if not failing.any():
        return None
    indices = None if p.jac else np.flatnonzero(failing)
    again = differentiate(
        model,
        env,
        p.jac.wrt if p.jac else p.id,
        out=p.jac.of if p.jac else None,
        method="complex",
        indices=indices,
        complex_scale=RESTEP,
    ).value
    if p.jac:
        again = _jacobian_layout(again, p.jac)
    return np.where(failing, np.abs(np.nan_to_num(again, nan=np.inf) - numeric), 0.0)


def _rounding_refereed(
    model: Model,
    env: Values,
    p: Pending,
    method: str,
    settings: "Settings",
    row: Measured,
    widened: np.ndarray,
) -> Reference:
    """N and the bounds after the complex step's rounding widened them, refereed: where
    that widening alone passes an entry, the same two steps with the forward in 80 bits
    are the reference there, their spread its error. Their N carries 2¹¹ times less of
    float64's rounding, and their spread shows what is left (a forward that drops to
    float64 inside keeps it). A spread at 3/4 h that happens to be large (that step lost
    digits the step h kept) cannot pass an error N resolves: the correct model's bound
    had no widening, and its resolution promised to see it."""
    A, N = row.A, row.numeric
    err = np.abs(A - N)
    rescued = (err > row.bound) & (err <= widened)
    exact = engine(method).complex and settings.check.dtype == "float64"
    if p.jac is not None or not exact or not rescued.any():
        return N, widened
    idx = np.flatnonzero(rescued)
    at_h = _complex_in_extended(model, env, p.id, idx)
    at_restep = _complex_in_extended(model, env, p.id, idx, RESTEP)
    if at_h is None or at_restep is None:
        return N, widened
    known = np.isfinite(at_h) & np.isfinite(at_restep)
    idx, at_h, spread = idx[known], at_h[known], np.abs(at_h - at_restep)[known]
    numeric, error = N.copy(), np.zeros(N.shape)
    numeric.flat[idx], error.flat[idx] = at_h, spread
    dtype = settings.check.dtype
    bound = per_entry(method, settings.tolerance, A, numeric, error, p.rho, dtype, row.theta)
    refereed = np.zeros(N.shape, dtype=bool)
    refereed.flat[idx] = True
    return np.where(refereed, numeric, N), np.where(refereed, bound, widened)


def _extended_reference(
    model: Model,
    env: Values,
    p: Pending,
    A: np.ndarray,
    numeric: np.ndarray,
    bound: np.ndarray,
    failing: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """(N, bound) with the complex step taken again at the failing entries, its forward
    in 80 bits: where A agrees with it, it is the reference there, within the entry's
    bound widened to what float64's complex step moved from it (float64's N is off by
    that much, measured: numpy's complex log1p rounds its real part at eps / |z|, 8e-8
    of a log1p(x²) of 1e-10, and a near fit downstream carried it into every entry of
    x̄, fuzzer 10000125). Near a least-squares minimum the forward's r = y − t carries a
    relative rounding of eps |y| / |r| into Im L the same way. A wrong A agrees with
    neither, beyond that move (which the row's resolution then shows). First at
    FIRST_LOOKED of them (_first_looked): where A agrees with none of those, the rest
    are not taken (in 80 bits, numpy's matmul has no BLAS: a slip in a 100×100 W cost
    50 s there)."""
    if p.jac is not None or not failing.any():
        return numeric, bound
    idx = np.flatnonzero(failing)
    first = _first_looked(idx)
    extended = _complex_in_extended(model, env, p.id, first)
    if extended is None:
        return numeric, bound
    if not _agrees_in_extended(A, numeric, bound, first, extended).any():
        return numeric, bound
    if first.size < idx.size:
        extended = _complex_in_extended(model, env, p.id, idx)
        if extended is None:
            return numeric, bound
    else:
        idx = first
    agree = _agrees_in_extended(A, numeric, bound, idx, extended)
    moved = np.abs(extended - numeric.ravel()[idx])
    out, wide = numeric.copy().ravel(), bound.astype(float, copy=True).ravel()
    out[idx[agree]] = extended[agree]
    wide[idx[agree]] = np.fmax(wide[idx[agree]], moved[agree])
    return out.reshape(numeric.shape), wide.reshape(bound.shape)


def _agrees_in_extended(
    A: np.ndarray, numeric: np.ndarray, bound: np.ndarray, idx: np.ndarray, extended: np.ndarray
) -> np.ndarray:
    """Where A at the flat entries ``idx`` agrees with the 80-bit complex step within the
    entry's bound, or within what float64's complex step moved from it (its own error)."""
    moved = np.abs(extended - numeric.ravel()[idx])
    with np.errstate(invalid="ignore"):
        return np.abs(A.ravel()[idx] - extended) <= np.fmax(bound.ravel()[idx], moved)


def _complex_in_extended(
    model: Model, env: Values, name: str, idx: np.ndarray, times: float = 1.0
) -> np.ndarray | None:
    """The complex step at the flat entries ``idx`` of ``name`` with the forward run in
    80-bit extended precision (complex longdouble), or None where that cannot be had. A
    loss near its minimum computes r = y − t with a relative rounding of eps |y| / |r|,
    which Im L carries as N's own error: A (from the same values) can be the closer."""
    if np.finfo(np.longdouble).nmant != 63 or idx.size == 0 or idx.size > EXTENDED_MOST:
        return None
    env_x = as_dtype(env, np.longdouble)
    theta = np.asarray(env_x[name]).ravel()
    h = complex_steps(np.asarray(env[name], dtype=float).ravel()[idx], np.asarray(env[name]))
    h = h * times
    X = np.repeat(theta[None, :].astype(np.clongdouble), idx.size, axis=0)
    X[np.arange(idx.size), idx] += 1j * h
    try:
        with np.errstate(all="ignore"):
            f = model.evaluate(env_x, name, X.reshape((idx.size,) + np.shape(env[name])))
    except (GradcheckError, TypeError, ValueError, ArithmeticError, IndexError):
        return None
    f = np.asarray(f)
    if f.dtype != np.clongdouble or f.shape[0] != idx.size:
        return None
    return np.asarray(f.reshape(idx.size).imag / h, dtype=np.float64)


EXTENDED_MOST = 4096  # failing entries the extended complex step looks at, at the most
FIRST_LOOKED = 16  # failing entries a costly reference looks at first (_first_looked)


def _leaf_rounding(
    model: Model, env: Values, p: Pending, settings: "Settings", row: Measured, failing: np.ndarray
) -> np.ndarray:
    """The complex step's failing entries' bounds, widened by the rounding A and N carry
    from the leaves: A − N again at leaves moved by 1 to 4 of their ulps (LEAF_DRAWS
    seeded draws), the complex step there too; ROUNDING times its largest move, where
    that is within LEAF_CREDIBLE of the entry. A solve's backward (np.linalg: no 80 bits,
    so no ρ) carries cond · eps of the factorisation, which moves of the forward's values
    do not change: a red team's correct Ā and b̄ through A⁻¹ b at cond 3e4 FAILed at
    7e-13. Exact integers, zeros and non-finite entries stay put (y == 1, y.astype(int),
    x != 0 decide on them), and a decision that flips anyway moves A − N by far more than
    LEAF_CREDIBLE: no widening. The complex step's only: a finite difference's own
    scatter is in its estimate already, and counted twice it passed 10 times the
    resolution a correct row had stated (fuzzer p2008947). First at FIRST_LOOKED
    entries: where it passes none of those, the rest keep their bounds."""
    if p.jac is not None:
        return row.bound
    idx = np.flatnonzero(failing)
    first = _first_looked(idx)
    widened = _widened_by_leaves(model, env, p, settings, row, first)
    if widened is None or not np.any(np.abs(row.A - row.numeric).flat[first] <= widened):
        return row.bound
    out = row.bound.copy()
    out.flat[first] = widened
    rest = np.setdiff1d(idx, first)
    if rest.size:
        again = _widened_by_leaves(model, env, p, settings, row, rest)
        if again is not None:
            out.flat[rest] = again
    return out


def _unbacked(A: np.ndarray, N: np.ndarray, before: np.ndarray, after: np.ndarray) -> np.ndarray:
    """The carrying entries whose bound a second look widened (``before`` → ``after``)
    past WIDENED_APART times the resolution the row's other carrying entries have (with
    their widening, where that is backed in turn). A correct row whose entries all pass
    the first look is never widened, so a widening no other entry shares is one its
    stated resolution does not show: ten times p13000173's 1.1e-13, planted, was widened
    alone to 6e-13 and 9e-12 of the entry, and PASSed. A single carrying entry has no
    other to back it."""
    live = carrying(A, N, np.ones(A.shape, bool))
    widened = live & (after > before)
    unbacked = np.zeros(A.shape, bool)
    if not widened.any():
        return unbacked
    size = np.where(A != 0, np.abs(A), np.abs(N))
    with np.errstate(divide="ignore", invalid="ignore"):
        q_before, q_after = before / size, after / size
    while True:
        q = np.where(live, np.where(unbacked, q_before, q_after), -np.inf).ravel()
        first = int(np.argmax(q))
        others = np.full(q.shape, q[first])  # (the largest of the others: the second
        others[first] = np.max(np.delete(q, first), initial=-np.inf)  # at the largest)
        with np.errstate(invalid="ignore"):
            newly = widened & ~unbacked & ~(q_after <= WIDENED_APART * others.reshape(A.shape))
        if not newly.any():
            return unbacked
        unbacked |= newly


def _widened_by_leaves(
    model: Model, env: Values, p: Pending, settings: "Settings", row: Measured, idx: np.ndarray
) -> np.ndarray | None:
    """_leaf_rounding's bounds at the flat entries ``idx`` (None where the moved leaves
    cannot be had: a forward or backward that refuses them)."""
    A, numeric = row.A, row.numeric
    d0 = (A - numeric).flat[idx]
    spread = np.zeros(idx.size)
    try:
        for draw in range(LEAF_DRAWS):
            with np.errstate(all="ignore"):
                env2 = model.forward(_leaves_moved(model, env, draw))
                a2 = analytic_at(model, env2, p, settings.check.dtype)
                n2 = differentiate(model, env2, p.id, method="complex", indices=idx).value
            if not isinstance(a2, np.ndarray) or a2.shape != A.shape:
                return None
            d2 = np.asarray(a2, float).flat[idx] - np.asarray(n2, float).flat[idx]
            spread = np.fmax(spread, np.abs(d2 - d0))
    except (GradcheckError, TypeError, ValueError, ArithmeticError, IndexError):
        return None
    size = np.maximum(np.abs(A.flat[idx]), np.abs(numeric.flat[idx]))
    credible = np.isfinite(spread) & (spread <= LEAF_CREDIBLE * size)
    rounding = POLICY[REFERENCE].rounding * np.where(credible, spread, 0.0)
    return row.bound.flat[idx] + rounding


def _leaves_moved(model: Model, env: Values, draw: int) -> dict[str, Any]:
    """The leaves of ``env``, each float entry moved by 1 to 4 of its ulps at random
    (seeded by ``draw``), but exact integers, zeros and non-finite entries."""
    rng = np.random.default_rng([draw, 77])
    out: dict[str, Any] = {}
    for leaf in model.leaves:
        v = env[leaf.name]
        if not isinstance(v, np.ndarray) or v.dtype.kind != "f" or v.size == 0:
            out[leaf.name] = v
            continue
        k = _ulps_drawn(rng, v.shape)
        keep = ~np.isfinite(v) | (v == np.round(v))
        out[leaf.name] = np.where(keep, v, v + k * np.spacing(np.abs(v)))
    return out


def _first_looked(idx: np.ndarray) -> np.ndarray:
    """At most FIRST_LOOKED of the flat indices ``idx``, evenly spaced, the first among
    them: the entries a costly reference (_refereed's, the 80-bit complex step's) is
    taken at first, the rest only where A agrees with one of those."""
    return idx[:: -(-idx.size // FIRST_LOOKED)]


def _below_the_loss(
    model: Model,
    env: Values,
    p: Pending,
    method: str,
    settings: "Settings",
    A: np.ndarray,
    numeric: np.ndarray,
    bound: np.ndarray,
) -> np.ndarray:
    """No computation of L in float64 sees an error in A_i below eps · |L| / max(|θ_i|, 1):
    a failing entry's bound is widened to that (finite; shown in the resolution where the
    entry carries the gradient). A finite difference of L loses those digits everywhere;
    the complex step has no difference to lose them in, so there only entries that do not
    carry the gradient, or where A is 0, are widened (1 − σ of a sigmoid saturated at
    z = 57 is 0 in float64 and in 80 bits where σ' is 1e-25: a carrying one then leaves
    the row unresolved, WEAK), and a loss of 1e12 in raw units does not hide a 1e-3 error
    in a carrying entry; for those, |L| is at least the forward's largest value (a loss
    that cancels, log Σ eˣ − x₀ of a confident prediction at 1e-9, is rounded at the size
    of its terms). Not for the classic bound (the user's contract)."""
    if p.jac or not uses_estimates(method, settings.tolerance):
        return bound
    loss = abs(float(env[model.loss]))
    err = np.abs(A - numeric)
    if engine(method).exact and np.any(err > bound):  # (its terms: a loss that cancels)
        loss = max(loss, largest_value(env))
    floor = loss_floor(np.asarray(env[p.id], float), loss, settings.check.dtype)
    widen = (err > bound) & (err <= floor)
    if engine(method).exact:
        widen &= ~carrying(A, numeric, np.ones(A.shape, bool)) | (A == 0)
    return np.where(widen, floor, bound)


def sample_indices(
    A: object, shape: tuple[int, ...], settings: "Settings", name: str
) -> np.ndarray | None:
    """Flat indices of the entries to check with --sample K, or None for all.

    Stratified by |A| (random order when A is unusable): always the largest and the
    smallest, then one drawn from each of K − 2 equal strata between; seeded per tensor.
    """
    n = int(np.prod(shape))
    k = settings.check.sample
    if k is None or k >= n:
        return None
    rng = np.random.default_rng([settings.options.seed, zlib.crc32(name.encode())])
    if isinstance(A, np.ndarray) and A.shape == tuple(shape) and np.all(np.isfinite(A)):
        order = np.argsort(np.abs(A).ravel(), kind="stable")
    else:
        order = rng.permutation(n)
    return np.unique(order[drawn_ranks(n, k, rng)])


def drawn_ranks(n: int, k: int, rng: np.random.Generator) -> np.ndarray:
    """The ranks sample_indices draws: 0, n − 1, and one from each of k − 2 equal strata
    of the ranks between (np.array_split's sizes), all in one draw (the same numbers as
    rng.choice over one stratum after another: rng.integers(0, size) each)."""
    if k <= 2 or n <= 2:
        return np.unique(np.array([0, n - 1], dtype=np.int64))
    size, extra = divmod(n - 2, k - 2)
    sizes = np.full(k - 2, size, dtype=np.int64)
    sizes[:extra] += 1
    sizes = sizes[sizes > 0]  # (an empty stratum draws nothing)
    starts = 1 + np.cumsum(sizes) - sizes
    picks = starts + rng.integers(0, sizes, dtype=np.int64)
    return np.concatenate([[0], picks, [n - 1]])
