"""A pytest helper: put gradient checks in your own test suite.

    from gradcheck_cli.testing import assert_gradients

    def test_my_layer():
        assert_gradients("path/to/model.py")      # or a module with init/forward/backward

On a FAIL it raises AssertionError whose message is the error table, diagnoses included.
"""

import os

import numpy as np

from gradcheck_cli.api import check
from gradcheck_cli.models.model import Formula
from gradcheck_cli.result import Report


def report_text(report: Report, width: int = 140) -> str:
    """The report as plain text (no colour), as the CLI prints it to a pipe."""
    from rich.console import Console

    from gradcheck_cli.report.render import render_table

    console = Console(width=width, color_system=None, highlight=False)
    with console.capture() as cap:
        console.print(render_table(report, width))
    return "\n".join(line.rstrip() for line in cap.get().splitlines())


def assert_gradients(model, config: str | None = None, **options) -> Report:
    """Check ``model`` (as gradcheck_cli.check takes it); fail with the table if any gradient
    is wrong; return the Report otherwise."""
    report = check(model, config, **options)
    if report.status != "PASS":
        raise AssertionError(f"wrong gradients in {report.title}:\n{report_text(report)}")
    return report


def plant_error(model, target: str, index, delta: float):
    """``model`` with entry ``index`` of the hand-derived adjoint of ``target`` scaled by
    (1 + delta): a wrong gradient to test a checker with (a checker that passes everything
    is worthless). ``model``: a built model, a built-in's name, a model file's path or a
    module; what is given is left as it is. Check the result with gradcheck_cli.check."""
    model = _built(model)
    original = next(f for f in model.formulas if f.name == target)

    def wrong(values, adjoints, fn=original.fn):
        # (a model file's backward is one function: its adjoint of target, as it gave it)
        out = np.asarray(fn(values, adjoints) if fn is not None else adjoints[target])
        out = out.astype(np.result_type(out, np.float64))  # a copy; float64, or wider if it is
        out[index] *= 1 + delta
        return out

    text = f"planted: entry {index} × (1 + {delta:g})"
    return model.with_formulas({target: Formula(target, text, wrong, original.unrepresentable)})


def _built(model):
    """A model: as given if built, else a built-in by name, a model file, or a module."""
    from gradcheck_cli.models import BUILDERS
    from gradcheck_cli.models.model import Model
    from gradcheck_cli.models.user.files import from_module, load

    if isinstance(model, Model):
        return model
    if isinstance(model, str) and model in BUILDERS:
        return BUILDERS[model]()
    if isinstance(model, (str, os.PathLike)):
        return load(str(model), 0)
    return from_module(model, getattr(model, "__file__", None) or type(model).__name__, 0)


def broken_promises(model, settings=None, factor: float = 10.0) -> list[str]:
    """The stated resolution is a promise: for every row that PASSes or is KINK, a
    relative error ``factor`` × its resolution planted at an entry that carries the
    gradient (the entry that sets the resolution, and the largest-|A| one) must never
    pass: FAIL, or WEAK where the second look finds the planted row unresolvable; KINK
    only where the planted entry is itself a proved kink (A(1 + δ) is then still a
    subgradient). Returns one line per planted error that passed, [] when all held.
    ``model``: a built model (or a built-in's name); ``settings``: engine.checking.Settings."""
    from gradcheck_cli.engine.decide import carrying
    from gradcheck_cli.pipeline import Settings, run_check
    from gradcheck_cli.result import FAIL, KINK, PASS, WEAK

    model = _built(model)
    settings = settings or Settings()
    report = run_check(model, settings)
    broken = []
    for row in report.gradients:
        c = row.comparison
        A, N = report.arrays.get(f"analytic/{row.id}"), report.arrays.get(f"numeric/{row.id}")
        if c.status not in (PASS, KINK) or c.resolution is None or A is None or N is None:
            continue
        if row.kind == "jacobian":  # (plant_error plants in adjoints)
            continue
        live = carrying(A, N, np.isfinite(N)) & (A != 0)  # (a relative error of 0 is 0)
        largest = np.unravel_index(int(np.argmax(np.where(live, np.abs(A), -1.0))), A.shape)
        picks = {tuple(int(i) for i in largest)}
        if c.resolution_index is not None and A[tuple(c.resolution_index)] != 0:
            picks.add(tuple(c.resolution_index))
        for index in picks:
            planted = run_check(plant_error(model, row.id, index, factor * c.resolution), settings)
            status = planted.row(row.id).comparison.status
            on_kink = planted.arrays.get(f"kink/{row.id}")
            sides = planted.row(row.id).comparison.region is None  # (a region's: none)
            if status == KINK and sides and on_kink is not None and on_kink[index]:
                continue  # A(1 + δ) still lies between the one-sided derivatives there
            if status not in (FAIL, WEAK):
                broken.append(
                    f"{row.label} at {list(index)}: {factor:g} × resolution {c.resolution:.1e} "
                    f"planted, {status}"
                )
    return broken
