"""Run a whole check: forward, hand-derived backward, numerical reference, verdicts.

Knows nothing model-specific: it asks the model for its steps, leaves, adjoints and
Jacobians by name and returns plain dataclasses. Never prints.
"""

from collections.abc import Callable
from dataclasses import field, replace
from typing import Any

import numpy as np

from gradcheck_cli.engine.compare import NotCheckable
from gradcheck_cli.engine.engines import AUTO, engine
from gradcheck_cli.engine.numeric import (
    Derivative,
    complex_safe,
    complex_unsafe,
    not_complex_safe,
)
from gradcheck_cli.engine.strata import stratified
from gradcheck_cli.engine.verdict import (
    Pending,
    analytic_at,
    analytic_rounding,
    as_dtype,
    backward_at,
    forward_rounding,
    in_a_region,
    kinks_together,
    moved_backwards,
    numeric_reference,
    verdict,
)
from gradcheck_cli.engine.workers import Pool
from gradcheck_cli.errors import ModelError, UsageError
from gradcheck_cli.models.model import Jacobian, Model, Values
from gradcheck_cli.options.declared import (
    CLASSIC_ATOL,
    CLASSIC_RTOL,
    CheckOptions,
    FileOptions,
    ModelOptions,
)
from gradcheck_cli.options.size import parse_size
from gradcheck_cli.records import frozen
from gradcheck_cli.result import (
    FAIL,
    NOT_CHECKED,
    Comparison,
    ForwardRow,
    GradientRow,
    Report,
    Tolerance,
    bar,
)


@frozen
class Runtime:
    """What a check runs with that is not an option: the caller's, and the budget's."""

    # called with a count of model evaluations as they are done
    progress: Callable[[int], object] | None = None
    pool: Pool | None = field(default=None, compare=False, repr=False)  # --jobs' workers
    fill: float | None = None  # over the budget: this fraction of entries beside directions


@frozen
class Settings:
    """What the engine reads: the check's options and the model's (its seed) as
    options/declared.py declares them, read from there, and the Runtime. What is derived
    from an option (the bound from --rtol/--atol, --max-memory in bytes) is a property
    below, derived here only."""

    check: CheckOptions = CheckOptions()
    options: ModelOptions = FileOptions()  # the model's: its seed seeds the sampling
    runtime: Runtime = Runtime()

    @classmethod
    def of(cls, seed: int = FileOptions.seed, **check: Any) -> "Settings":
        """Settings by the check options' names, and the seed: ``Settings.of(method="central",
        directions=4)``, for a model built already (pipeline.run_check's callers)."""
        return cls(CheckOptions(**check), FileOptions(seed=seed))

    def __post_init__(self) -> None:
        if self.check.sample is not None and self.check.directions is not None:
            raise UsageError(
                "--sample and --directions both choose what is checked of each "
                "tensor (entries, or directional sums): give one of them"
            )
        eps = self.check.eps
        if eps is not None and not MIN_REL_STEP <= eps <= 1:
            raise UsageError(
                f"--eps must be between {MIN_REL_STEP:g} and 1, got {eps:g}: "
                "a smaller step is below the resolution of θ ((θ + h) − θ is 0 "
                "or a few units in the last place)"
            )

    @property
    def tolerance(self) -> Tolerance | None:
        """The classic rtol/atol bound if either is given; None: the engine's
        error-estimate bound (bounds.py)."""
        rtol, atol = self.check.rtol, self.check.atol
        if rtol is None and atol is None:
            return None
        return Tolerance(
            rtol=CLASSIC_RTOL if rtol is None else rtol, atol=CLASSIC_ATOL if atol is None else atol
        )

    @property
    def max_memory(self) -> int:
        """--max-memory in bytes (its default: half the RAM)."""
        return parse_size(self.check.max_memory)

    def over_budget(self, directions: int, fill: float) -> "Settings":
        """These settings as the budget's fallback checks: ``directions`` directional
        derivatives per tensor, and ``fill`` of its entries beside them."""
        return replace(
            self,
            check=replace(self.check, directions=directions),
            runtime=replace(self.runtime, fill=fill),
        )


MIN_REL_STEP = 1e-14  # 50 units in the last place of θ


def display_shape(shape: str, symbols: dict[str, int]) -> str:
    """The symbolic shape as the derivation writes it: with one example, d×B is d×1."""
    if symbols.get("B") != 1:
        return shape
    return "×".join("1" if part == "B" else part for part in shape.split("×"))


def estimate_bytes(model: Model, fallback: bool = False) -> int:
    """Memory a full check needs at its peak (``fallback``: one by directions and a
    sample), from symbolic shapes only (no values drawn): estimate.held_bytes, measured
    against whole processes' peak resident set."""
    from gradcheck_cli.engine.estimate import held_bytes

    return held_bytes(model, fallback)


@frozen(eq=False)  # (eq=False: arrays: == by identity)
class Checked:
    """A check before its diagnoses: the report (every row's verdict), and what the
    diagnoses need of the run (pipeline.run_check hands them on to diagnose/)."""

    report: Report
    env: dict  # the forward's values
    analytic: dict  # row id -> A as the backward gave it
    kinks: dict  # row id -> the mask of entries excused as kinks, where any is


def check_rows(
    model: Model,
    settings: Settings = Settings(),
    options: dict | None = None,
    notes: list[str] | None = None,
) -> Checked:
    """Check every adjoint and Jacobian of ``model``; never prints. The rows are not yet
    diagnosed: pipeline.run_check is the whole check.

    Floating-point warnings are silenced: a NaN or Inf they would announce is caught by
    the comparison and reported as a FAIL with its reason instead.
    """
    with np.errstate(all="ignore"):
        return _run_check(model, settings, options, notes)


def _engine(model: Model, env: Values, method: str, notes: list[str]) -> tuple[str, dict[str, str]]:
    """The engine to use, and the rows that take another: auto is the complex step where
    the forward allows it, else Richardson, but for the rows of variables whose own
    probes all agree (complex_unsafe: an abs on W leaves x's complex steps exact)."""
    needs_complex = method == AUTO or engine(method).complex
    if needs_complex and not complex_safe(model, env):
        if method != AUTO:
            raise ModelError(
                f"the {model.name} model's forward is not complex-safe; "
                "use --method richardson or central"
            )
        why = not_complex_safe(model, env)
        said = " (COMPLEX_SAFE = False)" if model.complex_safe is False else f" ({why})"
        unsafe = complex_unsafe(model, env)
        safe = [name for name in model.checked() if name not in unsafe] if unsafe else []
        if not safe:
            notes.append(
                f"the forward pass is not complex-safe{said}: checked with Richardson extrapolation"
            )
            return "richardson", {}
        notes.append(
            f"the forward pass is not complex-safe along {_listed(list(unsafe))}{said}: "
            f"{_listed(list(unsafe), bar)} checked with Richardson extrapolation; "
            f"{_listed(safe, bar)} with the complex step, which meets nothing on their "
            "steps that the probes did not pass"
        )
        return "richardson", dict.fromkeys(safe, "complex")
    return ("complex" if method == AUTO else method), {}


def _listed(names: list[str], label: Callable[[str], str] = str, most: int = 6) -> str:
    """Names (or their labels), the first ``most`` of them: x, W1 and b."""
    shown = [label(n) for n in names[:most]]
    shown += [f"{len(names) - most} more"] if len(names) > most else []
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} and {shown[-1]}"


def _run_check(
    model: Model, settings: Settings, options: dict | None, notes: list[str] | None
) -> Checked:
    notes = list(notes or [])
    raised = len(model.outside)  # (a model checked again: only this check's errors)
    _check_memory(model, settings, fallback=_may_fall_back(settings))
    values = None
    if settings.check.dtype == "float32":  # both sides at the same point: θ rounded to float32
        values = as_dtype(as_dtype(model.values, np.float32), np.float64)
    env = model.forward(values)
    loss = env[model.loss]
    if not np.all(np.isfinite(loss)):
        raise ModelError(_not_finite(model, env, float(loss)))
    notes += _coarse_loss(loss, settings.check.dtype) + _coarse_data(model, env)
    method, engines = _engine(model, env, settings.check.method, notes)
    settings = _within_budget(model, env, method, settings, notes)
    _check_memory(model, settings, fallback=settings.check.directions is not None)
    pending = _pending(model, env, method, settings, notes, engines)
    rows, arrays = _judged(model, env, pending, method, settings)
    notes += _outside(model.outside[raised:])
    kinks = {p.id: p.kink for p in pending if p.kink is not None and p.kink.any()}
    analytic = {p.id: p.analytic for p in pending}
    report = Report(
        model.name,
        model.title,
        dict(options or {}),
        dict(model.symbols),
        model.parameters,
        settings,
        method,
        float(loss),
        _forward_rows(model, env),
        rows,
        notes,
        arrays,
    )
    return Checked(report, env, analytic, kinks)


def _outside(raised: list[str]) -> list[str]:
    """A note where the forward raised a numeric error at leaves a step moved (a model
    file's: Model.outside): those steps were taken as outside the loss's domain, NaN, as
    a log of a negative number is (an entry none of whose steps stayed inside is
    unresolved, and says so). The first error, with the move that met it."""
    if not raised:
        return []
    many = f" (and at {len(raised) - 1} more)" if len(raised) > 1 else ""
    return [
        f"forward() raised at a step off the point checked{many}, taken as outside the "
        f"loss's domain (NaN): {raised[0]}"
    ]


def _not_finite(model: Model, env: Values, loss: float) -> str:
    """Why nothing can be checked: the loss is not finite at this point; and where the
    forward first holds a value that is not (a leaf, or the first step that makes one)."""
    where = "forward() returns it"
    for name in [leaf.name for leaf in model.leaves] + [s.name for s in model.steps]:
        value = np.asarray(env[name])
        bad = ~np.isfinite(value) if value.dtype.kind in "fc" else np.zeros(value.shape, bool)
        if bad.any():
            first = tuple(int(i) for i in np.argwhere(bad)[0])
            leaf = name in {leaf.name for leaf in model.leaves}
            at = f" at {list(first)}" if first else ""
            where = (
                f"the leaf {name} holds {value[first]}{at}"
                if leaf
                else f"{name} is {value[first]}{at}, computed from finite values: an "
                "overflow, or 0/0?"
            )
            break
    return (
        f"the loss is {loss} at the point checked: no gradient can be checked where the "
        f"loss is not finite ({where})"
    )


def _coarse_loss(loss: object, dtype: str) -> list[str]:
    """A note where the forward returns the loss in a float coarser than the check's
    (np.float32(loss) in a float64 check): every numerical derivative is of a loss
    rounded at that float's epsilon (numeric.rounding_size counts it), so the rows say
    how little they resolve; the note says why."""
    given = np.asarray(loss).dtype
    if given.kind != "f" or np.finfo(given).eps <= np.finfo(dtype).eps:
        return []
    return [
        f"the loss is {given}: it rounds at {float(np.finfo(given).eps):.1e} of itself, and "
        "a numerical derivative resolves only what moves it by more; return it as "
        f"{dtype} to check finely"
    ]


def _coarse_data(model: Model, env: Values) -> list[str]:
    """A note for each target (data) the model gives in a float coarser than float64: it
    is kept so (as ints are), and forward and backward compute with it as the user's code
    does; a backward that sums it in that float rounds at its epsilon, which A's measured
    rounding carries into the bound (the rows say how little they resolve)."""
    out = []
    for leaf in model.leaves:
        given = np.asarray(env[leaf.name]).dtype
        if leaf.role == "target" and given.kind == "f" and given.itemsize < 8:
            out.append(
                f"{leaf.name} is {given} data, kept so: where the backward computes with it "
                f"in {given}, A rounds at {float(np.finfo(given).eps):.1e} of its terms and "
                "the rows resolve no finer; give it as float64 to check finely"
            )
    return out


BUDGET_DIRECTIONS = 4  # directional derivatives per tensor when every entry is too slow
BUDGET_SAMPLE = 0.2  # ... and entries checked one by one beside them: this part of the budget
NO_FASTER = 1.25  # every entry, over the budget, where the fallback would take ≥ 1/this of it
NO_FASTER_FROM = 1.0  # ... and every entry takes at least this many seconds (else: as asked)
# every entry only where its estimate is this far within the budget: the estimate is held
# to 2x of the time taken (benchmarks/estimates.py), and a check estimated at 9 s of a
# budget of 10 took 14.6 s (softmax --n 100 --d 1000 --batch 8)
BUDGET_MARGIN = 1.5


def _within_budget(
    model: Model, env: Values, method: str, settings: Settings, notes: list[str]
) -> Settings:
    """``settings``, or where checking every entry would take longer than the budget
    (estimate.seconds: measured, with the verdict's own passes counted): --directions 4
    and, in BUDGET_SAMPLE of the budget, a stratified sample of entries. Where that
    fallback would itself take nearly as long (it still reads every entry) and the
    difference is seconds, every entry is checked; either way a note says how long it
    is expected to take. Where every entry would need more than --max-memory (and the
    fallback less: _check_memory), the fallback is taken whatever the time."""
    if settings.check.directions is not None or settings.check.sample is not None:
        return settings
    if settings.check.budget == float("inf"):  # nothing to estimate against
        return settings
    from gradcheck_cli.engine.estimate import clearly_within, seconds

    need = _need_bytes(model, settings, fallback=False)
    fits = need <= settings.max_memory  # (else the fallback, whose estimate fitted)
    if fits and clearly_within(model, env, method, settings.check.budget):
        return settings
    cost = seconds(model, env, method, settings.runtime.pool)
    every, budget = cost.every_entry, settings.check.budget
    if fits and every * BUDGET_MARGIN <= budget:
        return settings
    from gradcheck_cli.engine.directional import FILL_LEAST, LOCATE_FILE

    sample = max(0.0, min(BUDGET_SAMPLE * budget, budget - cost.fallback(0.0)))
    fill = min(1.0, sample / cost.sampled) if cost.sampled > 0 else 1.0
    fill = min(1.0, max(fill, FILL_LEAST / max(cost.entries, 1)))  # (at least FILL_LEAST)
    over = "more than" if every > budget else "too near"
    if fits and every >= NO_FASTER_FROM and cost.fallback(fill) * NO_FASTER >= every:
        notes.append(
            f"every entry takes about {_seconds(every)}, {over} the budget of "
            f"{budget:g} s, but 4 directional derivatives and a sample would take about as "
            f"long ({_seconds(cost.fallback(fill))}: they too read every entry): every entry "
            "is checked"
        )
        return settings
    why = f"take about {_seconds(every)}, {over} the budget of {budget:g} s"
    instead = "--budget inf checks every entry"
    if not fits:
        why = f"need about {_gib(need)}, more than the memory budget of "
        why += f"{_gib(settings.max_memory)} (--max-memory)"
        instead = f"--max-memory {-(-need // 2**20)}M checks every entry"
    notes.append(
        f"every entry would {why}: each tensor is checked by {BUDGET_DIRECTIONS} directional "
        f"derivatives and {_share(fill, FILL_LEAST)}, about "
        f"{_seconds(cost.fallback(fill))}; a flagged tensor is located entry by entry (by "
        f"bisection beyond {LOCATE_FILE:,} entries). {instead}"
    )
    return settings.over_budget(BUDGET_DIRECTIONS, fill)


def _share(fill: float, least: int) -> str:
    """The fallback's sample as the note names it."""
    if fill >= 1:
        return "every one of its entries"
    return (
        f"{fill:.1%} of its entries (at least {least}: the largest, the smallest and a "
        "stratified sample)"
    )


def _seconds(s: float) -> str:
    """A duration as the notes print it: 0.003 s, 0.4 s, 12 s, 1766 s (never 0.0 s beside
    a budget of 0.01 s)."""
    return f"{s:.1g} s" if s < 0.1 else f"{s:.1f} s" if s < 10 else f"{s:.0f} s"


def _need_bytes(model: Model, settings: Settings, fallback: bool) -> int:
    """estimate_bytes (by directions and a sample where ``fallback``), and each worker's
    own copy of the values where workers would start (estimate.worker_bytes)."""
    from gradcheck_cli.engine.estimate import worker_bytes

    return estimate_bytes(model, fallback) + worker_bytes(model, settings.runtime.pool)


def _may_fall_back(settings: Settings) -> bool:
    """Whether the check may be made by directions: asked for, or the time budget's
    fallback (a finite budget, no --sample)."""
    check = settings.check
    return check.directions is not None or (check.sample is None and check.budget < float("inf"))


def _check_memory(model: Model, settings: Settings, fallback: bool) -> None:
    """Refuse a check that would need more than --max-memory (_need_bytes). Called
    before anything is computed, with the fallback's estimate where the budget may
    choose it, and again once the budget has chosen (after one forward pass)."""
    need = _need_bytes(model, settings, fallback)
    if need > settings.max_memory:
        how = " by directional derivatives and a sample" if fallback else ""
        if fallback and settings.check.directions is None:  # (the least the budget may pick)
            how = " even" + how
        raise ModelError(
            f"a check of this {model.name} model needs about {_gib(need)}{how}, more than the "
            f"memory budget of {_gib(settings.max_memory)} (--max-memory): its tensors alone "
            "are too big; choose smaller sizes"
        )


def _forward_rows(model: Model, env: Values) -> list[ForwardRow]:
    """The forward table: every leaf, then every step, with its symbolic and real shape."""
    sym = model.symbols
    rows = [
        ForwardRow(leaf.name, leaf.role, "", display_shape(leaf.shape, sym), env[leaf.name].shape)
        for leaf in model.leaves
    ]
    rows += [
        ForwardRow(
            s.name,
            "loss" if s.name == model.loss else "intermediate",
            s.formula,
            display_shape(s.shape, sym),
            np.shape(env[s.name]),
        )
        for s in model.steps
    ]
    return rows


def _pending(
    model: Model,
    env: Values,
    method: str,
    settings: Settings,
    notes: list[str],
    engines: dict[str, str] | None = None,
) -> list[Pending]:
    """One Pending per checked adjoint (and per Jacobian, after its variable), in backward
    order, with its hand-derived value and (unless --directions) its numeric reference:
    by ``method``, or by the row's own in ``engines`` (_engine)."""
    analytic = backward_at(model, env, settings.check.dtype)
    roles = {leaf.name: leaf.role for leaf in model.leaves}
    checked = set(model.checked())
    pending = []
    for f in (f for f in model.formulas if f.name in checked):
        head = (
            f.name,
            bar(f.name),
            roles.get(f.name, "intermediate"),
            model.formula_text(f.name),
            display_shape(model.shape_of(f.name), model.symbols),
        )
        why = f.unrepresentable(env) if f.unrepresentable else None
        if why:
            notes.append(f"{bar(f.name)} is not checked: {why}")
            nothing = Derivative(np.full(np.shape(env[f.name]), np.nan))
            pending.append(Pending(*head, NotCheckable(why), nothing))
        else:
            indices = stratified(analytic.get(f.name), np.shape(env[f.name]), settings, f.name)
            own = (engines or {}).get(f.name)
            der = None
            if not settings.check.directions:
                der = numeric_reference(
                    model, env, f.name, own or method, settings, indices=indices
                )
            pending.append(Pending(*head, analytic.get(f.name), der, indices=indices, method=own))
        pending += [
            _jacobian_row(model, env, jac, method, settings)
            for jac in model.jacobians
            if jac.of == f.name
        ]
    return pending


def _jacobian_row(
    model: Model, env: Values, jac: Jacobian, method: str, settings: Settings
) -> Pending:
    row = Pending(
        jac.id,
        f"∂{jac.of}/∂{jac.wrt}",
        "jacobian",
        model.formula_text(jac.id),
        display_shape(jac.shape, model.symbols),
        None,
        numeric_reference(model, env, jac.id, method, settings, jac),
        jac,
    )
    row.analytic = analytic_at(model, env, row, settings.check.dtype)
    return row


def _judged(
    model: Model, env: Values, pending: list[Pending], method: str, settings: Settings
) -> tuple[list[GradientRow], dict[str, np.ndarray]]:
    """Each row's verdict (per entry, or --directions), and the arrays --save writes."""
    arrays = {f"value/{leaf.name}": np.asarray(env[leaf.name]) for leaf in model.leaves}
    rounding = analytic_rounding(
        model, env, {p.id: p.analytic for p in pending}, model.jacobians, settings.check.dtype
    )
    moved = moved_backwards(model, env, model.jacobians, settings.check.dtype)
    judged = []
    for p in pending:
        p.rounding = rounding.get(p.id)
        p.moved = forward_rounding(model, env, p, p.method or method, settings, moved)
        p.moved_at = moved if p.moved is None else None  # (the verdict's, once it has an N)
        if p.derivative is None:  # --directions: no per-entry reference unless it fails
            from gradcheck_cli.engine.directional import directional_verdict

            judged.append(directional_verdict(model, env, p, p.method or method, settings))
        else:
            judged.append(verdict(model, env, p, p.method or method, settings))
    rows = []
    judged = kinks_together(model, env, pending, judged, settings)
    judged = in_a_region(model, env, pending, judged, method, settings)
    for p, (numeric, comparison) in zip(pending, judged, strict=True):
        comparison = _unchecked(model, p, comparison, settings.check.strict)
        # sampled: the reference itself, NaN where not sampled
        sampled = p.indices is not None and p.derivative is not None
        arrays[f"numeric/{p.id}"] = p.derivative.value if sampled else numeric  # type: ignore[union-attr]
        if isinstance(p.analytic, np.ndarray):
            arrays[f"analytic/{p.id}"] = p.analytic
        if p.bound is not None:  # each entry's bound and kinks, as the verdict took them
            excused = comparison.kinks > 0
            arrays[f"bound/{p.id}"] = p.bound
            arrays[f"kink/{p.id}"] = (
                p.kink if p.kink is not None and excused else np.zeros(p.bound.shape, bool)
            )
        rows.append(
            GradientRow(
                p.id,
                p.label,
                p.kind,
                p.formula,
                p.shape,
                numeric.shape,
                comparison,
                model.origins.get(p.id),
                method=p.method,
            )
        )
    return rows, arrays


def _unchecked(model: Model, p: Pending, comparison: Comparison, strict: bool) -> Comparison:
    """A NOT CHECKED row as a FAIL where it must not pass unseen: a checked leaf the
    backward gave no adjoint for (model.missing says why), and, with --strict, any."""
    if comparison.status != NOT_CHECKED:
        return comparison
    why = model.missing(p.id) if p.analytic is None and p.kind != "jacobian" else None
    if why is None and not strict:
        return comparison
    reason = why or f"not checked (--strict): {comparison.reason}"
    return replace(comparison, status=FAIL, reason=reason, problem="missing")


def _gib(n: int) -> str:
    if n >= 2**30:
        return f"{n / 2**30:.1f} GiB"
    return f"{n / 2**20:.0f} MiB" if n >= 2**20 else f"{n / 2**10:.0f} KiB"


def method_description(method: str, settings: Settings) -> str:
    return engine(method).describe(settings.check.eps)


__all__ = ["Checked", "Runtime", "Settings", "check_rows"]
