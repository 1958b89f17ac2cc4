"""One check, whole: the engine's verdicts, then a diagnosis for every FAIL.

config -> model (api.py) -> check (engine/checking.py) -> diagnose (diagnose/) -> report
(report/). api.py and the command line call this; so may a test or a benchmark that
builds its model itself.
"""

from dataclasses import replace

import numpy as np

from gradcheck_cli.engine.checking import Runtime, Settings, check_rows
from gradcheck_cli.models.model import Model
from gradcheck_cli.result import FAIL, Report

__all__ = ["Runtime", "Settings", "run_check"]


def run_check(
    model: Model,
    settings: Settings = Settings(),  # noqa: B008  (frozen: one shared default is safe)
    options: dict | None = None,
    notes: list[str] | None = None,
) -> Report:
    """Check every adjoint and Jacobian of ``model`` and diagnose every FAIL row; never
    prints. Floating-point warnings are silenced (engine/checking.py)."""
    checked = check_rows(model, settings, options, notes)
    report = checked.report
    if not any(row.comparison.status == FAIL for row in report.gradients):
        return report
    from gradcheck_cli.diagnose.rows import diagnose_rows  # (the rules: only a FAIL needs them)

    with np.errstate(all="ignore"):
        rows = diagnose_rows(
            report.gradients,
            checked.analytic,
            report.arrays,
            checked.env,
            model,
            report.settings,
            report.method,
            checked.kinks,
        )
    return replace(report, gradients=rows)
