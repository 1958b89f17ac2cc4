"""A pytest helper: put gradient checks in your own test suite.

    from gradcheck_cli.testing import assert_gradients

    def test_my_layer():
        assert_gradients("path/to/model.py")      # or a module with init/forward/backward

On a FAIL it raises AssertionError whose message is the error table, diagnoses included.
"""

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
    is worthless). The model given is left as it is."""
    original = next(f for f in model.formulas if f.name == target)

    def wrong(values, adjoints, fn=original.fn):
        out = np.asarray(fn(values, adjoints))
        out = out.astype(np.result_type(out, np.float64))  # a copy; float64, or wider if it is
        out[index] *= 1 + delta
        return out

    text = f"planted: entry {list(index)} × (1 + {delta:g})"
    return model.with_formulas({target: Formula(target, text, wrong, original.unrepresentable)})
