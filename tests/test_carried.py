"""A FAIL that only carries an earlier adjoint's error names that adjoint (diagnose/carried.py)."""

import pytest

from gradcheck_cli import check
from gradcheck_cli.report.schema import summary_text


def _kinds(report) -> dict[str, str | None]:
    return {r.id: r.diagnosis.kind if r.diagnosis else None for r in report.gradients}


def _source(report, row: str) -> str:
    return report.row(row).diagnosis.detail["from"]


def test_rows_computed_from_a_wrong_adjoint_name_it(pytestconfig):
    report = check(pytestconfig.rootpath / "examples" / "mlp_buggy.py")
    kinds = _kinds(report)
    assert kinds["W1"] == kinds["x"] == "carried"
    assert _source(report, "W1") == _source(report, "x") == "z1"
    assert kinds["z1"] == "point" and kinds["b1"] not in (None, "carried")  # own bugs
    assert summary_text(report).endswith("z̄1, W̄1, b̄1, x̄; W̄1, x̄ carry z̄1's error")


def test_a_row_with_an_error_of_its_own_is_not_called_carried(pytestconfig, tmp_path):
    text = (pytestconfig.rootpath / "examples" / "mlp_buggy.py").read_text()
    twice = text.replace('"W1": z1_bar @ v["x"].T', '"W1": 1.001 * z1_bar @ v["x"].T')
    assert twice != text
    path = tmp_path / "two_bugs.py"
    path.write_text(twice)
    kinds = _kinds(check(str(path)))
    assert kinds["W1"] != "carried" and kinds["x"] == "carried"


def test_formulas_checked_on_correct_values_carry_nothing_but_chained_ones_do():
    alone = check("residual", inject="phi-for-dphi")
    assert "carried" not in _kinds(alone).values()
    chained = check("residual", inject="phi-for-dphi", chain=True)
    kinds = _kinds(chained)
    assert kinds["z1"] != "carried" and kinds["W1"] == "carried"
    assert _source(chained, "W1") == "z1"


@pytest.mark.parametrize("method", ["richardson", "central"])
def test_without_the_complex_step_no_row_is_called_carried(pytestconfig, method):
    report = check(pytestconfig.rootpath / "examples" / "mlp_buggy.py", method=method)
    assert report.status == "FAIL" and "carried" not in _kinds(report).values()
