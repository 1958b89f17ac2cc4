"""Check a derivation's equations as --grad formulas are checked, in rounds.

Every translated step of an adjoint or a Jacobian is a typed formula (formulas.bind),
marked with its origin FILE:LINE. A model holds one formula per row, so the steps are
checked in rounds: round 0 holds each row's *result* (the last step of the last
equation for it: what the student concluded) and is the report; each further round
holds one other step per row. Rows are evaluated on the correct values of the others
(or on each other with --chain), so the steps of one round do not disturb each other.
A Jacobian written for one case (k = k', or k ≠ k') is checked on those entries, the
others being the model's own; both cases of one Jacobian make the report's row.
Forward definitions are evaluated on the model's forward values and compared.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from gradcheck_cli.derivation import reader
from gradcheck_cli.derivation.reader import ADJOINT, DIAG, FORWARD, JACOBIAN, OFF, UNREAD
from gradcheck_cli.engine.policy import TINY
from gradcheck_cli.errors import GradcheckError, UsageError
from gradcheck_cli.report.derivation import clean


@dataclass
class Candidate:
    """A step that can be checked: its equation, the step, and the formula to bind."""

    eq: reader.Equation
    step: reader.Step
    override: object  # a Formula or a Jacobian, bound
    path: str  # the document, for the origin FILE:LINE

    @property
    def key(self) -> tuple[str, str | None]:
        return (self.eq.target or "", self.eq.case)


def candidates(model, equations: list[reader.Equation], path: str) -> list[Candidate]:
    """Each translated adjoint or Jacobian step, bound as a typed formula; a step that
    does not bind (a name used before it is computed, a shape clash) says why."""
    from gradcheck_cli.models.formulas import bind

    out = []
    for eq in equations:
        if eq.kind not in (ADJOINT, JACOBIAN):
            continue
        for step in eq.steps:
            if step.formula is None:
                continue
            where = f"{path}:{step.line}"
            try:
                bound = bind(model, eq.target or "", step.formula, where)
                _trial(model, bound)
            except (GradcheckError, ValueError, TypeError) as e:
                step.status, step.reason = UNREAD, _first(str(e), where)
                continue
            text = f"line {step.line}: {clean(step.latex)}"
            out.append(Candidate(eq, step, replace(bound, text=text), path))
    return out


def _trial(model, bound) -> None:
    """Evaluate a bound formula once on the model's values: a formula that cannot be
    evaluated (a shape clash) is reported on its step, not as the check's error."""
    values = model.forward()
    if hasattr(bound, "of"):
        bound.fn(values)
    else:
        bound.fn(values, model.backward(values))


def _first(message: str, where: str) -> str:
    return message.splitlines()[0].removeprefix(where + ": ")


def rounds(found: list[Candidate]) -> list[dict[str, Candidate | tuple]]:
    """Round 0: each row's result; then the other steps, one per row and round."""
    by_key: dict[tuple, list[Candidate]] = {}
    for c in found:
        by_key.setdefault(c.key, []).append(c)
    first: dict[str, Candidate | tuple] = {}
    for (target, case), cs in by_key.items():
        cs[-1].step.main = True
        if case is None:
            first[target] = cs[-1]
    for target in {t for t, case in by_key if case is not None}:
        later_full = by_key.get((target, None))
        diag, off = by_key.get((target, DIAG)), by_key.get((target, OFF))
        if later_full and not _after_cases(later_full[-1], diag, off):
            for case in (diag, off):  # a Jacobian for every entry comes after the cases
                if case:
                    case[-1].step.main = False
            continue
        if later_full:
            later_full[-1].step.main = False
        first[target] = (diag[-1] if diag else None, off[-1] if off else None)
    out = [first]
    # both cases of one Jacobian are the report's row; each is also checked alone,
    # so that a wrong case is named and the right one is not
    alone = [c for item in first.values() if isinstance(item, tuple) for c in item if c]
    others = [c for c in found if not c.step.main]
    for c in [c for c in alone if _both(first, c)] + others:
        free = next((r for r in out[1:] if c.key[0] not in r), None)
        if free is None:
            free = {}
            out.append(free)
        free[c.key[0]] = c
    return out


def _both(first: dict, c: Candidate) -> bool:
    item = first.get(c.key[0])
    return isinstance(item, tuple) and None not in item


def _after_cases(full: Candidate, diag, off) -> bool:
    lines = [c[-1].step.line for c in (diag, off) if c]
    return bool(lines) and max(lines) > full.step.line


def override(model, item) -> tuple[str, object, str]:
    """(row id, formula or Jacobian, origin) for one item of a round."""
    if isinstance(item, Candidate) and item.eq.case is None:
        return item.eq.target or "", item.override, _origin(item)
    if isinstance(item, tuple):
        diag, off = item
    else:
        diag, off = (item, None) if item.eq.case == DIAG else (None, item)
    c = diag or off
    target = c.eq.target or ""
    original = next(j for j in model.jacobians if j.id == target)
    parts = [x for x in (diag, off) if x is not None]

    def fn(values, diag=diag, off=off, original=original):
        right = np.asarray(original.fn(values))
        eye = np.eye(right.shape[-1])
        out = right * (1 - eye) * (off is None) + right * eye * (diag is None)
        for part, mask in ((diag, eye), (off, 1 - eye)):
            if part is not None:
                mine = np.asarray(part.override.fn(values))
                if mine.shape != right.shape:
                    return mine  # the shape check reports it
                out = out + mine * mask
        return out

    text = "; ".join(p.override.text for p in parts)
    origin = ", ".join(_origin(p) for p in parts)
    return target, replace(c.override, fn=fn, text=text), origin


def _origin(c: Candidate) -> str:
    return f"{c.path}:{c.step.line}"


def check_forward(model, equations: list[reader.Equation], env: dict, rtol: float) -> None:
    """Each forward step evaluated on the model's values and compared with its own."""
    from gradcheck_cli.models.formulas import FUNCTIONS, evaluate, parse

    functions = {
        **FUNCTIONS,
        **{k: ((1,), f, k) for k, f in getattr(model, "functions", {}).items()},
    }
    names = {n: "value" for n in env}
    names.update({k: "size" for k in model.symbols})
    scope = {**env, **model.symbols}
    for eq in equations:
        if eq.kind != FORWARD:
            continue
        for step in eq.steps:
            if step.formula is None:
                continue
            try:
                typed = parse(eq.target or "", step.formula, f"line {step.line}", names, functions)
                got = evaluate(typed, scope, functions)
            except GradcheckError as e:
                step.status, step.reason = UNREAD, str(e).splitlines()[0]
                continue
            step.status, step.reason = _compare(got, np.asarray(env[eq.target]), rtol)


def _compare(got: np.ndarray, want: np.ndarray, rtol: float) -> tuple[str, str]:
    if got.shape != want.shape and got.size != want.size:
        return "differs", f"{_shape(got)} where the forward has {_shape(want)}"
    err = np.max(np.abs(got.reshape(want.shape) - want) / np.maximum(np.abs(want), TINY))
    if err <= rtol:
        return "matches", "equals the model's forward value"
    return "differs", f"differs from the model's forward value (max rel err {err:.1e})"


def _shape(a: np.ndarray) -> str:
    return "×".join(map(str, a.shape)) or "a number"


def run(model, equations, path: str, check: Callable, rtol: float):
    """The report of round 0, with every step's verdict filled in from its round."""
    check_forward(model, equations, model.forward(), rtol)
    found = candidates(model, equations, path)
    if not found:
        raise UsageError(_nothing(path, equations))
    report = None
    for number, chosen in enumerate(rounds(found)):
        built = model
        for item in chosen.values():
            target, formula, origin = override(model, item)
            built = built.with_formulas({target: formula}, origin)
        result = check(built)
        for item in chosen.values():
            for c in item if isinstance(item, tuple) else (item,):
                if c is not None:
                    _verdict(c, result.row(c.eq.target))
        if number == 0:
            report = result
    return report


def _verdict(c: Candidate, row) -> None:
    c.step.status = row.comparison.status
    c.step.reason = row.comparison.reason or ""
    c.step.diagnosis = row.diagnosis.message if row.diagnosis is not None else ""


def _nothing(path: str, equations) -> str:
    first = next((e for e in equations if e.kind == UNREAD or e.reason), None)
    if not equations:
        return f"{path}: no equation found (math in $...$, $$...$$, \\[...\\] or equation/align)"
    if first is None:
        return f"{path}: no equation defines an adjoint or a Jacobian of the model"
    return (
        f"{path}: nothing checkable is understood; first: line {first.line}: "
        f"{first.reason or first.kind}"
    )
