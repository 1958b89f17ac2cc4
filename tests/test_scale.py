"""Scale: sampling and directional checks find wrong entries in large tensors."""

import json
from unittest.mock import patch

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from gradcheck_cli.cli import app
from gradcheck_cli.engine import strata
from gradcheck_cli.engine.strata import stratified
from gradcheck_cli.engine.verdict import sample_indices
from gradcheck_cli.models import BUILDERS
from gradcheck_cli.pipeline import Settings, run_check
from gradcheck_cli.result import FAIL, PASS, WEAK
from gradcheck_cli.testing import plant_error

EPS = float(np.finfo(float).eps)

runner = CliRunner()


def test_sample_always_takes_the_largest_and_smallest_and_is_seeded():
    A = np.random.default_rng(0).standard_normal((20, 30))
    idx = sample_indices(A, A.shape, Settings.of(sample=10, seed=4), "W1")
    assert len(idx) == 10 and len(set(idx)) == 10
    assert np.argmax(np.abs(A)) in idx and np.argmin(np.abs(A)) in idx
    assert list(idx) == list(sample_indices(A, A.shape, Settings.of(sample=10, seed=4), "W1"))
    assert list(idx) != list(sample_indices(A, A.shape, Settings.of(sample=10, seed=5), "W1"))
    assert sample_indices(A, A.shape, Settings.of(sample=1000), "W1") is None


@settings(max_examples=200, deadline=None)
@given(
    n=st.integers(3, 3000),
    fill=st.floats(0.0, 0.25),
    kind=st.sampled_from(["normal", "integers", "wide", "subnormal", "constant"]),
    seed=st.integers(0, 2**16),
)
def test_the_budget_sample_selects_the_entries_sample_indices_sorts_for(n, fill, kind, seed):
    """strata.stratified finds sample_indices's entries without sorting every |A|: the
    same, entry for entry, ties (in index order) and exponents of every size included."""
    rng = np.random.default_rng(seed)
    A = {
        "normal": lambda: rng.standard_normal(n),
        "integers": lambda: rng.integers(-3, 4, n).astype(float),
        "wide": lambda: rng.standard_normal(n) * 10.0 ** rng.integers(-300, 300, n),
        "subnormal": lambda: np.where(rng.random(n) < 0.5, 0.0, rng.standard_normal(n) * 1e-310),
        "constant": lambda: np.full(n, -2.5),
    }[kind]()
    at = Settings.of(sample=max(3, round(fill * n)), seed=seed % 7)
    with patch.object(strata, "SELECT_SORTED", 16):  # (select at these sizes, not sort)
        want, got = sample_indices(A, A.shape, at, "W1"), stratified(A, A.shape, at, "W1")
    assert (want is None and got is None) or list(want) == list(got)


def test_sampled_check_says_how_many_and_catches_a_bug_in_the_sample():
    r = runner.invoke(app, ["residual", "--d", "32", "--sample", "16", "--format", "json"])
    rows = {g["id"]: g for g in json.loads(r.stdout)["gradients"]}
    assert r.exit_code == 0 and rows["W1"]["checked"] == 16 and rows["W1"]["entries"] == 1024
    assert "16 of 1,024" in runner.invoke(app, ["residual", "--d", "32", "--sample", "16"]).stdout
    bad = runner.invoke(
        app, ["residual", "--d", "32", "--sample", "16", "--inject", "W1-transposed"]
    )
    assert bad.exit_code == 1 and "checked entries differ" in bad.stdout


def test_planted_error_on_the_largest_entry_is_always_in_the_sample():
    m = BUILDERS["residual"](d=40, seed=2)
    g = np.abs(m.backward(m.forward())["W1"])
    m = plant_error(m, "W1", np.unravel_index(np.argmax(g), g.shape), 1e-6)
    assert run_check(m, Settings.of(sample=8)).row("W1").comparison.status == FAIL


@pytest.mark.parametrize("seed", range(6))
def test_directions_pass_correct_models(seed):
    for name, opts in [
        ("residual", dict(d=64, activation=["tanh", "relu", "gelu"][seed % 3], batch=2, seed=seed)),
        ("softmax", dict(n=12, d=9, batch=3, seed=seed)),
    ]:
        report = run_check(BUILDERS[name](**opts), Settings.of(directions=3, seed=seed))
        assert report.status == PASS, report.failures()


def test_directions_catch_and_locate_a_single_wrong_entry():
    m = BUILDERS["residual"](d=96, seed=1)
    g = np.abs(m.backward(m.forward())["W1"])
    order = np.argsort(g.ravel())
    index = np.unravel_index(order[len(order) // 2], g.shape)  # a median entry
    m = plant_error(m, "W1", index, 1e-8)
    row = run_check(m, Settings.of(directions=4)).row("W1")
    assert row.comparison.status == FAIL
    assert row.comparison.worst_index == tuple(int(i) for i in index)


def test_measured_rounding_tightens_the_directional_bound_without_false_fails():
    # The adjoints' rounding, measured in extended precision, replaces the worst case
    # eps · S per entry: a 3e-10 error on a median entry of leaky_relu's W̄1 shows only
    # with it; saturated sigmoids (1 − σ rounds to 0) still pass.
    import numpy as np

    from gradcheck_cli.engine.directional import Known, check_directions
    from gradcheck_cli.engine.verdict import analytic_rounding

    m = BUILDERS["residual"](d=256, activation="leaky_relu", seed=2)
    env = m.forward()
    good = m.backward(env)
    signed = analytic_rounding(m, env, good, [], "float64").get("W1")
    if signed is None:
        pytest.skip("numpy has no extended precision here")
    A = good["W1"].copy()
    live = np.flatnonzero(A)
    flat = live[np.argsort(np.abs(A.ravel()[live]))[live.size // 2]]
    A.flat[flat] *= 1 + 3e-10
    scale = max(float(np.abs(v).max()) for v in good.values())
    spread = Known(spread=np.full(A.shape, EPS * scale))
    bounded = check_directions(m, env, "W1", A, "complex", 4, 0, spread)[0]
    measured = check_directions(m, env, "W1", A, "complex", 4, 0, Known(signed))[0]
    assert bounded.status == PASS and measured.status == FAIL, (bounded.ratio, measured.ratio)
    for opts in [
        dict(d=3, activation="sigmoid", seed=76, scale=487.9),
        dict(d=1, activation="sigmoid", batch=8, seed=2605, scale=698.9, integers=True),
        dict(d=40, activation="softplus", batch=3, seed=4055, scale=1.35e-6, integers=True),
    ]:
        report = run_check(BUILDERS["residual"](**opts), Settings.of(directions=4, seed=1))
        # (a sigmoid saturated to 1.0, where 1 − σ is 0 in float64 and in 80 bits, is WEAK)
        assert report.status in (PASS, WEAK), report.failures()


def test_directional_rows_name_a_direction_not_an_entry():
    r = runner.invoke(app, ["residual", "--d", "16", "--directions", "2"])
    row = next(line for line in r.stdout.splitlines() if line.startswith("│ W̄1"))
    assert r.exit_code == 0 and "2 directions" in row
    assert any(f" v{k} " in row for k in range(2)) and "[" not in row


def test_bisection_names_the_wrong_half_down_to_a_few_entries():
    # models without a one-entry fast path (model files) locate a culprit by bisection
    from gradcheck_cli.engine.directional import localize

    m = BUILDERS["residual"](d=96, seed=2)
    env = m.forward()
    A = m.backward(env)["W1"].copy()
    order = np.argsort(np.abs(A).ravel())
    flat = int(order[len(order) // 2])
    A.flat[flat] *= 1 + 1e-8
    found = localize(m, env, "W1", A, "complex", seed=0, keep=64)
    assert len(found) <= 64 and flat in found


def test_directions_from_the_cli():
    r = runner.invoke(app, ["residual", "--d", "64", "--directions", "2", "--format", "json"])
    rows = {g["id"]: g for g in json.loads(r.stdout)["gradients"]}
    assert r.exit_code == 0 and rows["W1"]["directions"] == 2 and rows["W1"]["checked"] == 0
    bad = runner.invoke(app, ["softmax", "--directions", "2", "--inject", "z-sign-flipped"])
    assert bad.exit_code == 1


def test_memory_guard_answers_fast_for_a_huge_model():
    r = runner.invoke(app, ["residual", "--d", "100000"])
    assert r.exit_code == 2 and "--max-memory" in r.stderr


def test_over_the_time_budget_each_tensor_is_checked_by_directions(pytestconfig):
    from gradcheck_cli import check
    from gradcheck_cli.testing import plant_error

    mlp = pytestconfig.rootpath / "examples" / "mlp.py"
    report = check(mlp, budget=1e-6)
    assert report.status == PASS and any(
        "--budget inf checks every entry" in n for n in report.notes
    )
    assert all(r.comparison.directions == 4 for r in report.gradients)
    W1 = np.abs(check(mlp).arrays["analytic/W1"])
    median = np.unravel_index(np.argsort(W1.ravel())[W1.size // 2], W1.shape)
    wrong = check(plant_error(mlp, "W1", median, 1e-8), budget=1e-6).row("W1").comparison
    assert wrong.status == FAIL and wrong.worst_index == tuple(int(i) for i in median)
    every = check(mlp, budget=float("inf"))
    assert not every.notes and all(r.comparison.directions == 0 for r in every.gradients)
