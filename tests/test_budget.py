"""The budget's fallback (directions, a stratified sample, bisection) never passes what
a check of every entry fails: planted errors, kinks and ties, on every engine."""

import pytest

from gradcheck_cli import check
from gradcheck_cli.testing import plant_error

OVER = 1e-6  # a budget every check exceeds: the fallback, whatever the model
INF = float("inf")
ENGINES = ["auto", "richardson"]


def _rows(report) -> dict[str, str]:
    return {r.id: r.comparison.status for r in report.gradients}


@pytest.mark.parametrize("method", ENGINES)
@pytest.mark.parametrize(
    "name, expected",
    [
        ("maxpool_ties_overwrite", {"x": "FAIL"}),  # a tie written twice: moves when jittered
        ("relu_int_outside", {"z": "FAIL"}),  # relu'(0) = -1 on whole-number data
        ("maxpool_ties", {"x": "KINK"}),  # a tie split correctly
        # the sample measures A's rounding under moved forward values as every entry does
        ("tanh_saturated", {"z1": "WEAK", "W1": "WEAK", "b1": "WEAK", "x1": "WEAK"}),
        ("sigmoid_guarded", {"z": "PASS", "W": "PASS", "x": "PASS"}),
    ],
)
def test_a_tie_or_kink_the_fallback_meets_is_judged_as_every_entry_judges_it(
    pytestconfig, name, expected, method
):
    path = pytestconfig.rootpath / "benchmarks" / "trust" / f"{name}.py"
    fallback = _rows(check(path, budget=OVER, method=method))
    every = _rows(check(path, budget=INF, method=method))
    for row, status in expected.items():
        assert fallback[row] == every[row] == status, (row, fallback, every)


WIDE = """
import numpy as np

C = np.where(np.arange(5000) % 2, 1.0, -1.0)
C[0] = 1e-12  # one entry's gradient is 1e-12 of the others'


def init(rng):
    return {"w": 1e-3 * rng.standard_normal(5000)}


def forward(p, tap):
    return np.sum(C * p["w"])


def backward(v):
    return {"w": C + 0 * v["w"]}
"""


def test_the_sample_checks_the_smallest_entry_the_sums_cannot_see(tmp_path):
    path = tmp_path / "wide.py"
    path.write_text(WIDE)
    wrong = plant_error(str(path), "w", (0,), 0.1)  # 1e-13: below the sums' rounding
    row = check(wrong, budget=OVER).row("w").comparison
    assert row.status == "FAIL" and row.worst_index == (0,)
    assert row.directions == 4 and 64 <= row.checked < 5000
    fine = check(str(path), budget=OVER).row("w").comparison
    assert fine.status == "PASS" and fine.checked >= 64


KINKS = """
import numpy as np

C = np.random.default_rng(5).standard_normal(5000)


def init(rng):
    return {"x": rng.integers(-2, 3, 5000).astype(float)}


def forward(p, tap):
    return np.sum(C * np.maximum(p["x"], 0))


def backward(v):  # relu'(0) taken as -1: outside [0, 1]
    return {"x": C * np.where(v["x"] > 0, 1.0, np.where(v["x"] == 0, -1.0, 0.0))}
"""


@pytest.mark.parametrize("method", ENGINES)
def test_a_wrong_kink_in_a_tensor_too_large_for_every_entry_fails(tmp_path, method):
    path = tmp_path / "kinks.py"
    path.write_text(KINKS)
    row = check(str(path), budget=OVER, method=method).row("x").comparison
    assert row.status == "FAIL" and row.checked < 5000


def test_the_note_says_what_every_entry_would_take(pytestconfig):
    report = check(pytestconfig.rootpath / "examples" / "mlp.py", budget=OVER)
    (note,) = [n for n in report.notes if "budget" in n]
    assert "every entry would take about" in note and "--budget inf" in note
    assert "stratified sample" in note
    assert all(r.comparison.directions == 4 and r.comparison.checked > 0 for r in report.gradients)


def test_the_note_of_a_model_smaller_than_the_sample_says_what_it_does(pytestconfig):
    report = check(pytestconfig.rootpath / "tests" / "holes" / "max_tie.py", budget=OVER)
    (note,) = [n for n in report.notes if "budget" in n]
    assert "every one of its entries" in note and "%" not in note  # (never 355.6 % of them)
    assert "about 0.0 s" not in note  # (a duration below 0.1 s keeps a digit)


TIES = """
import numpy as np

C = np.random.default_rng(5).standard_normal(5000)


def init(rng):
    a = rng.integers(-2, 3, 5000).astype(float)
    return {"a": a, "b": np.where(rng.random(5000) < 0.3, a, a - 1)}


def forward(p, tap):
    z = tap("z", p["a"] - p["b"])  # exactly 0 on 30% of entries; not once the leaves move
    return np.sum(C * np.maximum(z, 0))


def backward(v):  # relu'(0) taken as -1: outside [0, 1]
    z_bar = C * np.where(v["z"] > 0, 1.0, np.where(v["z"] == 0, -1.0, 0.0))
    return {"z": z_bar, "a": z_bar, "b": -z_bar}
"""


@pytest.mark.parametrize("method", ENGINES)
def test_a_wrong_kink_that_jittering_moves_away_is_no_rounding(tmp_path, method):
    path = tmp_path / "ties.py"
    path.write_text(TIES)
    rows = check(str(path), budget=OVER, method=method)
    assert {r.id: r.comparison.status for r in rows.gradients} == {
        "z": "FAIL",
        "a": "FAIL",
        "b": "FAIL",
    }
