"""The ENGINES table is the one place an engine is declared: --method offers what it
holds, the report describes each from it, and every entry checks as its attributes say."""

import json

import pytest
from typer.testing import CliRunner

from gradcheck_cli import check
from gradcheck_cli.cli import app
from gradcheck_cli.engine.engines import ENGINES, Engine, choices, method_help

runner = CliRunner()


def _json(*args: str):
    result = runner.invoke(app, [*args, "--format", "json"])
    return result.exit_code, (json.loads(result.stdout) if result.stdout.strip() else None)


def test_an_engine_added_to_the_table_is_offered_by_method(monkeypatch):
    coarse = Engine("central-coarse", rule="central", rtol=1e-3, rel_step=1e-4, step_name="1e-4")
    code, _ = _json("residual", "--d", "4", "--method", "central-coarse")
    assert code == 2  # not yet an engine
    monkeypatch.setitem(ENGINES, coarse.name, coarse)
    assert "central-coarse" in choices() and "central-coarse" in method_help()
    code, data = _json("residual", "--d", "4", "--method", "central-coarse")
    assert code == 0 and data["check"]["method"] == "central-coarse"
    assert "central differences, h = 1e-4" in data["check"]["description"]
    code, data = _json(
        "residual", "--d", "4", "--method", "central-coarse", "--inject", "x-skip-dropped"
    )
    assert code == 1  # its verdicts are real: a dropped term fails


@pytest.mark.parametrize("name", sorted(ENGINES))
def test_every_engine_passes_the_truth_and_fails_a_slip(name):
    assert check("residual", d=6, method=name).status == "PASS"
    wrong = check("residual", d=6, method=name, inject="x-skip-dropped")
    assert wrong.status == "FAIL" and wrong.row("x").comparison.status == "FAIL"


@pytest.mark.parametrize("name", sorted(ENGINES))
def test_every_engine_is_described_and_bounded_from_its_entry(name):
    e = ENGINES[name]
    report = check("residual", d=4, method=name)
    assert report.method == name
    assert e.describe(None) in report.to_dict()["check"]["description"]
    assert e.rtol > 0 and (e.rel_step is None) == e.complex
