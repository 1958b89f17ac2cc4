"""A pytest helper: put gradient checks in your own test suite.

    from gradcheck_cli.testing import assert_gradients

    def test_my_layer():
        assert_gradients("path/to/model.py")      # or a module with init/forward/backward

On a FAIL it raises AssertionError whose message is the error table, diagnoses included.
"""

import os

import numpy as np

from gradcheck_cli.api import check
from gradcheck_cli.engine.checking import Report
from gradcheck_cli.models.model import Formula


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
    from gradcheck_cli.models.files import from_module, load
    from gradcheck_cli.models.model import Model

    if isinstance(model, Model):
        return model
    if isinstance(model, str) and model in BUILDERS:
        return BUILDERS[model]()
    if isinstance(model, (str, os.PathLike)):
        return load(str(model), 0)
    return from_module(model, getattr(model, "__file__", None) or type(model).__name__, 0)
