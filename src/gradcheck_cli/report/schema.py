"""The report as plain data: the JSON schema and the text both renderers share.

JSON schema "gradcheck/1" (stable; fields are only ever added):

    {
      "schema": "gradcheck/1", "version": "0.1.0",
      "model": {"name", "title", "options": {...}, "symbols": {"d": 8, "B": 1},
                "parameters": {"formula": "d² + d", "count": 72}},
      "check": {"method": "complex" | "central" (the engine used),
                "requested": "auto" | "complex" | "central", "description",
                "bound": "estimates" | "rtol", "bound_description", "rel_step",
                "rtol", "atol", "floor" (the classic bound's, also used by diagnoses),
                "inject": null | "bug-name", "dtype": "float64" | "float32",
                "sample", "directions", "strict": bool (NOT CHECKED fails)},
      "loss": float (a loss that is not finite is no check: exit status 2, no JSON),
      "forward":   [{"name", "role", "formula", "shape", "dims": [int, ...]}],
      "gradients": [{"id", "label", "kind", "formula", "shape", "dims": [int, ...],
                     "status": "PASS" | "FAIL" | "KINK" | "WEAK" | "NOT CHECKED",
                     "reason": null | str,
                     "max_abs_error", "max_rel_error", "error_over_bound" (PASS iff ≤ 1),
                     "resolution": null | float (the largest bound / |A| over the entries
                         that carry the gradient: ten times it there fails; WEAK when
                         coarser than 1e-6, float32 1e-2; null: none to state, or "why"),
                     "resolution_worst": null | {"value", "index"} (the same, and where),
                     "why": null | str (why a carrying entry's bound cannot be had),
                     "entries", "checked" (fewer with --sample, 0 with --directions;
                         over --budget, the sample checked beside the directions),
                     "directions", "failed", "kinks",
                     "replaced": bool, "origin": null | "injected" | "yours",
                     "worst": null | {"index": [int, ...], "analytic", "numeric",
                                      "left", "right" (one-sided derivatives, at a kink)},
                     "kink": null | {"index", "left", "right", "analytic"} (one excused entry),
                     "region": null | str, "method": null | "complex" (the row's own
                         engine, where not the check's),
                     "diagnosis": null | {"kind", "message", ...details}}],
      "notes": [str],
      "derivation": (only with --derivation) {"file", "section", "counts": {"equations",
                     "found", "understood", "checked", "right", "passed", "failed",
                     "forward_matches"},
                     "equations": [{"line", "origin" ("FILE:LINE"), "kind", "target",
                     "label", "case", "latex", "formula", "status", "reason", "result"}]},
      "taylor": null | [{"name", "order" (fitted; 2 right, 1 wrong), "points", "verdict"}],
      "summary": {"status": "PASS" | "FAIL" | "WEAK", "exit_status": 0 | 1 | 3, "total",
                  "passed", "failed", "weak", "kinks", "not_checked"}
    }

Errors that are not finite (a NaN gradient, a shape mismatch) are null.
"""

import math

import numpy as np

from gradcheck_cli import __version__
from gradcheck_cli.engine.bounds import classic, describe, uses_estimates
from gradcheck_cli.engine.checking import method_description
from gradcheck_cli.engine.engines import DEFAULT_REL_STEP
from gradcheck_cli.result import FAIL, KINK, NOT_CHECKED, PASS, WEAK, Report

SCHEMA = "gradcheck/1"


def _num(x):
    return x if x is None or math.isfinite(x) else None


def _res(x):
    """A resolution for JSON: null where it cannot be had (the row's ``why`` says why)."""
    return None if x is None or not np.isfinite(x) else x


def resolution_text(x) -> str:
    """A resolution as tables and lines state it: two digits, rounded up, so that ten times
    the number shown is at least ten times the promise (1.2006e-13 shows as 1.3e-13, not
    1e-13); "none" where it cannot be had."""
    if x is None or not np.isfinite(x):
        return "none"
    shown = f"{x:.1e}"
    if float(shown) < x:  # (one unit of the second digit up: 9.95e-13 → 1.0e-12)
        shown = f"{float(shown) + 10.0 ** (int(shown.split('e')[1]) - 1):.1e}"
    return shown


def tolerance_text(report: Report) -> str:
    return describe(report.method, report.settings.tolerance, report.settings.check.dtype)


def summary_text(report: Report) -> str:
    total = len(report.gradients)
    kinks = sum(r.comparison.kinks for r in report.gradients)
    region = any(r.comparison.region is not None for r in report.gradients)
    what = (
        "A the gradient of a region beside θ" if region else "A between the one-sided derivatives"
    )
    note = f"; {kinks} {'entry' if kinks == 1 else 'entries'} on a kink ({what})" if kinks else ""
    failed = [r.label for r in report.gradients if r.comparison.status == FAIL]
    weak = [r for r in report.gradients if r.comparison.status == WEAK]
    unchecked = [
        f"{r.label} ({r.comparison.reason})"
        for r in report.gradients
        if r.comparison.status == NOT_CHECKED
    ]
    if unchecked:
        note += f"; not checked: {', '.join(unchecked)}"
    if failed:
        return (
            f"FAIL: {len(failed)} of {total} derived gradients are wrong: {', '.join(failed)}"
            f"{_carried(report)}{note}"
        )
    if weak:
        coarse = ", ".join(f"{r.label} ({resolution_text(r.comparison.resolution)})" for r in weak)
        return (
            f"WEAK: nothing fails, but {len(weak)} of {total} derived gradients cannot be "
            f"checked finely enough to trust a PASS (resolution): {coarse}{note}"
        )
    checked = total - len(unchecked)
    if checked == 1:
        return f"PASS: the derived gradient matches the numerical one{note}"
    return f"PASS: all {checked} derived gradients match the numerical ones{note}"


def _carried(report: Report) -> str:
    """'; W̄1, b̄1, x̄ carry z̄1's error': FAIL rows whose own formulas are consistent."""
    by_source: dict[str, list[str]] = {}
    labels = {r.id: r.label for r in report.gradients}
    for r in report.gradients:
        if r.diagnosis is not None and r.diagnosis.kind == "carried":
            by_source.setdefault(labels[r.diagnosis.detail["from"]], []).append(r.label)
    return "".join(
        f"; {', '.join(rows)} {'carries' if len(rows) == 1 else 'carry'} {source}'s error"
        for source, rows in by_source.items()
    )


def options_text(report: Report) -> str:
    def text(v) -> str:
        if isinstance(v, bool):
            return str(v).lower()
        return ",".join(map(str, v)) if isinstance(v, tuple | list) else str(v)

    return "  ".join(f"{k}={text(v)}" for k, v in report.options.items() if v != ())


def to_json(report: Report) -> dict:
    """The report as the JSON object of schema gradcheck/1 (the module's docstring)."""
    return {
        "schema": SCHEMA,
        "version": __version__,
        "model": {
            "name": report.model,
            "title": report.title,
            "options": report.options,
            "symbols": report.symbols,
            "parameters": {"formula": report.parameters[0], "count": report.parameters[1]},
        },
        "check": _check(report),
        "loss": _num(report.loss),
        "forward": [
            {
                "name": f.name,
                "role": f.role,
                "formula": f.formula,
                "shape": f.shape,
                "dims": list(f.dims),
            }
            for f in report.forward
        ],
        "gradients": [_gradient(r) for r in report.gradients],
        "notes": list(report.notes),
        "taylor": None
        if report.taylor is None
        else [
            {"name": t.name, "order": _num(t.order), "points": t.points, "verdict": t.verdict}
            for t in report.taylor
        ],
        **({} if report.derivation is None else {"derivation": _derivation(report)}),
        "summary": {
            "status": report.status,
            "exit_status": int(report.exit_code),
            "total": len(report.gradients),
            "passed": report.count(PASS),
            "failed": report.count(FAIL),
            "weak": report.count(WEAK),
            "kinks": report.count(KINK),
            "not_checked": report.count(NOT_CHECKED),
        },
    }


def _derivation(report: Report) -> dict:
    from gradcheck_cli.report.derivation import to_json as listing

    return listing(report.derivation)


def _check(report: Report) -> dict:
    s, options = report.settings, report.settings.check
    classic_tol = classic(report.method, s.tolerance)
    return {
        "method": report.method,
        "requested": options.method,
        "description": method_description(report.method, s),
        "rel_step": DEFAULT_REL_STEP if options.eps is None else options.eps,
        "bound": "estimates" if uses_estimates(report.method, s.tolerance) else "rtol",
        "bound_description": describe(report.method, s.tolerance),
        "rtol": classic_tol.rtol,
        "atol": classic_tol.atol,
        "floor": classic_tol.floor,
        "inject": options.inject,
        "dtype": options.dtype,
        "sample": options.sample,
        "directions": options.directions,
        "strict": options.strict,
    }


def _gradient(r) -> dict:
    """One row of the backward table."""
    c = r.comparison
    return {
        "id": r.id,
        "label": r.label,
        "kind": r.kind,
        "formula": r.formula,
        "shape": r.shape,
        "dims": list(r.dims),
        "status": c.status,
        "reason": c.reason,
        "max_abs_error": _num(c.max_abs),
        "max_rel_error": _num(c.max_rel),
        "error_over_bound": _num(c.ratio),
        "resolution": _res(c.resolution),
        "resolution_worst": None
        if c.resolution_worst is None
        else {"value": _res(c.resolution_worst), "index": list(c.resolution_index or ())},
        "why": c.unresolved,
        "entries": c.entries,
        "checked": c.checked,
        "directions": c.directions,
        "failed": c.failed,
        "kinks": c.kinks,
        "replaced": r.replaced,
        "origin": r.origin,
        "worst": None
        if c.worst_index is None
        else {
            "index": list(c.worst_index),
            "analytic": _num(c.worst_analytic),
            "numeric": _num(c.worst_numeric),
            "left": c.left,
            "right": c.right,
        },
        "kink": None
        if c.kink_index is None or c.kink_sides is None
        else {
            "index": list(c.kink_index),
            "left": _num(c.kink_sides[0]),
            "right": _num(c.kink_sides[1]),
            "analytic": _num(c.kink_sides[2]),
        },
        "region": c.region,
        "method": r.method,
        "diagnosis": None
        if r.diagnosis is None
        else {"kind": r.diagnosis.kind, "message": r.diagnosis.message, **r.diagnosis.detail},
    }
