"""The verdicts: engines' accuracy, error-estimate bounds, NaN, float32."""

from dataclasses import replace

import numpy as np
import pytest

from gradcheck_cli.engine.numeric import differentiate
from gradcheck_cli.errors import ModelError
from gradcheck_cli.models import BUILDERS
from gradcheck_cli.models.builtin.activations import ACTIVATIONS
from gradcheck_cli.models.model import Formula
from gradcheck_cli.pipeline import Settings, run_check
from gradcheck_cli.result import FAIL, PASS
from gradcheck_cli.testing import plant_error


def planted(model, target, delta, where="largest"):
    env = model.forward()
    g = np.abs(model.backward(env)[target])
    nonzero = np.flatnonzero(g > 0)
    order = nonzero[np.argsort(g.ravel()[nonzero])]
    index = np.unravel_index(order[-1] if where == "largest" else order[len(order) // 2], g.shape)
    return plant_error(model, target, index, delta)


@pytest.mark.parametrize("act", sorted(ACTIVATIONS))
def test_complex_step_matches_the_analytic_gradient_to_1e_14(act):
    m = BUILDERS["residual"](d=8, activation=act, batch=2, seed=3)
    env = m.forward()
    g = m.backward(env)
    for name in m.checked():
        N = differentiate(m, env, name, method="complex").value
        scale = np.abs(g[name]).max()
        assert np.max(np.abs(N - g[name])) <= 1e-14 * max(scale, 1e-300), name


def test_engine_accuracy_ranks_as_documented():
    m = BUILDERS["residual"](d=8)
    env = m.forward()
    g = m.backward(env)
    worst = {}
    for method in ("forward", "central", "richardson", "complex"):
        worst[method] = max(
            np.max(
                np.abs(differentiate(m, env, n, method=method).value - g[n]) / np.abs(g[n]).max()
            )
            for n in ("W1", "W2", "x")
        )
    assert worst["complex"] <= 3e-15
    assert worst["richardson"] <= 1e-12
    assert worst["central"] <= 1e-8
    assert worst["forward"] <= 1e-5
    assert worst["richardson"] < worst["central"] < worst["forward"]


def test_richardson_reports_an_error_estimate():
    m = BUILDERS["residual"](d=4)
    env = m.forward()
    der = differentiate(m, env, "W1", method="richardson")
    assert der.error.shape == (4, 4) and np.all(der.error >= 0)


@pytest.mark.parametrize(
    "model,targets",
    [("residual", ["W1", "W2", "x", "z1", "h", "y"]), ("softmax", ["W", "b", "x", "z"])],
)
@pytest.mark.parametrize("where", ["largest", "median"])
def test_planted_1e_minus_6_errors_are_caught_by_auto(model, targets, where):
    for seed in range(3):
        for target in targets:
            m = planted(BUILDERS[model](seed=seed), target, 1e-6, where)
            assert run_check(m).row(target).comparison.status == FAIL, (seed, target)


@pytest.mark.parametrize("method", ["auto", "richardson", "central"])
def test_correct_models_pass_under_every_engine(method):
    for seed in range(5):
        for name, opts in [
            ("residual", dict(d=6, activation="softplus", batch=2, seed=seed)),
            ("softmax", dict(n=7, d=3, batch=3, seed=seed)),
        ]:
            report = run_check(BUILDERS[name](**opts), Settings.of(method=method))
            assert report.status == PASS, (method, name, report.failures())


def test_verdict_agrees_with_err_over_bound():
    for bug_free in (True, False):
        m = BUILDERS["residual"](d=5, seed=1)
        if not bug_free:
            m = planted(m, "W1", 1e-3)
        for row in run_check(m).gradients:
            assert (row.comparison.status == FAIL) == (row.comparison.ratio > 1)


def test_nan_in_the_analytic_gradient_fails_with_its_reason():
    m = BUILDERS["residual"](d=3)
    m.overrides["z1"] = Formula("z1", "nan", lambda v, g: g["h"] * np.nan)
    row = run_check(m).row("z1")
    assert row.comparison.status == FAIL and "nan" in row.comparison.reason


def test_a_non_finite_loss_is_no_check_at_all():
    m = BUILDERS["residual"](d=3)
    m.values["t"] = np.array([[np.inf]])
    with pytest.raises(ModelError, match=r"the loss is inf .*the leaf t holds inf at \[0, 0\]"):
        run_check(m)


def test_float32_correct_passes_and_1e_minus_4_is_caught():
    for seed in range(10):
        for name, opts in [
            ("residual", dict(d=8, activation="tanh", batch=2, seed=seed)),
            ("softmax", dict(n=10, seed=seed)),
        ]:
            assert run_check(BUILDERS[name](**opts), Settings.of(dtype="float32")).status == PASS
        m = planted(BUILDERS["residual"](d=8, seed=seed), "W1", 1e-4)
        assert run_check(m, Settings.of(dtype="float32")).row("W1").comparison.status == FAIL


def test_stress_configurations_pass():
    for opts in [
        dict(d=16, activation="relu", batch=4, integers=True, seed=1),
        dict(d=16, activation="sigmoid", scale=1e-6, seed=2),
        dict(d=16, activation="gelu", scale=1e3, seed=3),
    ]:
        assert run_check(BUILDERS["residual"](**opts)).count(FAIL) == 0, opts
    assert run_check(BUILDERS["softmax"](n=20, d=8, scale=100.0, seed=4)).count(FAIL) == 0


def test_richardson_fallback_on_tiny_probabilities_and_tiny_inputs():
    # Its stencil (0.003 · max(1, |θ|)) once left log's domain for probabilities below
    # 0.003 (NaN) and crossed relu's kinks for inputs of 1e-6: retried within the domain,
    # and a kink straddled by the stencil is told from a wrong value by narrower steps.
    softmax = dict(n=12, d=7, batch=7, seed=33, scale=46.5)
    for method in ("richardson", "central"):  # central's stencil left the domain too
        row = run_check(BUILDERS["softmax"](**softmax), Settings.of(method=method)).row("y")
        # (central's classic bound judges probabilities below 1e-3 of the largest against
        # that floor; they do not carry the gradient, so the row PASSes at its rtol)
        assert row.comparison.status == PASS, (
            method,
            row.comparison.reason,
        )
    env = BUILDERS["softmax"](**softmax).forward()
    y = np.where(env["t"] != 0, env["y"], 1.0)  # ȳ = −t ⊘ y is nonzero on the targets only
    tiny = np.unravel_index(np.argmin(y), y.shape)
    assert y[tiny] < 1e-3
    wrong = plant_error(BUILDERS["softmax"](**softmax), "y", tiny, 1e-2)
    assert run_check(wrong, Settings.of(method="richardson")).row("y").comparison.status == FAIL
    relu = dict(d=18, activation="relu", batch=6, seed=10, scale=1.3e-6, integers=True)
    assert (
        run_check(BUILDERS["residual"](**relu), Settings.of(method="richardson")).count(FAIL) == 0
    )


def test_taylor_order_two_when_right_one_when_wrong():
    import json

    from typer.testing import CliRunner

    from gradcheck_cli.cli import app

    r = CliRunner().invoke(
        app, ["residual", "--taylor", "--inject", "x-skip-dropped", "--format", "json"]
    )
    rows = {t["name"]: t for t in json.loads(r.stdout)["taylor"]}
    assert abs(rows["W1"]["order"] - 2) < 0.2 and abs(rows["x"]["order"] - 1) < 0.2
    assert rows["x"]["verdict"].startswith("order 1")


def test_taylor_order_one_on_a_kink_row_is_not_called_wrong():
    """A KINK row's loss has no second-order remainder along a random direction whatever
    its subgradient: the reading says so, and a row the tie test FAILs is still wrong."""
    from pathlib import Path

    from gradcheck_cli import check

    holes = Path(__file__).parent / "holes"
    kink = {t.name: t.verdict for t in check(str(holes / "max_tie.py"), taylor=True).taylor}
    wrong = {t.name: t.verdict for t in check(str(holes / "max_tie_every.py"), taylor=True).taylor}
    assert kink["x"].startswith("order 1: expected on a kink")
    assert wrong["x"] == "order 1: the gradient is wrong"


def test_sweep_shows_the_v_and_marks_the_default_step():
    import json

    from typer.testing import CliRunner

    from gradcheck_cli.cli import app

    r = CliRunner().invoke(app, ["sweep", "residual", "--d", "6", "--format", "json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    central = data["errors"]["central"]
    best = min(range(len(central)), key=central.__getitem__)
    assert 0 < best < len(central) - 1  # a V: truncation on the left, round-off on the right
    assert central[best] < 1e-8 and data["complex"] < 1e-14
    table = CliRunner().invoke(app, ["sweep", "softmax"]).stdout
    assert "←" in table and "richardson" in table


def test_sweep_plot_without_matplotlib_is_a_clear_error(tmp_path, monkeypatch):
    import builtins

    from typer.testing import CliRunner

    from gradcheck_cli.cli import app

    real_import = builtins.__import__

    def no_matplotlib(name, *args, **kwargs):
        if name.startswith("matplotlib"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    r = CliRunner().invoke(app, ["sweep", "residual", "--plot", str(tmp_path / "v.png")])
    assert r.exit_code == 2 and "--plot needs matplotlib" in r.stderr


def test_a_float32_check_leaves_the_callers_arrays_alone():
    model = BUILDERS["residual"](d=6, seed=1)
    before = {n: v.copy() for n, v in model.values.items()}
    report = run_check(model, Settings.of(dtype="float32"))
    assert report.status == PASS
    assert all(np.array_equal(model.values[n], v) for n, v in before.items())
    rounded = report.arrays["value/W1"]
    assert np.array_equal(rounded, before["W1"].astype(np.float32).astype(np.float64))


@pytest.mark.parametrize(
    "args,message",
    [
        (["--directions", "4", "--sample", "3"], "--sample and --directions both choose"),
        (["--method", "central", "--eps", "1e-300"], "below the resolution of θ"),
    ],
)
def test_settings_that_cannot_work_together_are_one_line(args, message):
    from typer.testing import CliRunner

    from gradcheck_cli.cli import app

    r = CliRunner().invoke(app, ["residual", "--d", "8", *args])
    assert r.exit_code == 2 and message in r.stderr and len(r.stderr.splitlines()) == 1


def test_a_formula_wrong_in_thousands_of_entries_is_confirmed_on_a_sample():
    """A slip in every entry: the second look confirms 256 drawn at random instead of all
    (a failing check costs about what a passing one does); the rows and counts are those
    of the full second look."""
    from gradcheck_cli.engine import policy

    m = BUILDERS["residual"](d=40, batch=4, seed=3)
    wrong = plant_error(m, "W1", (slice(None), slice(None)), 1e-3)  # every entry of W̄1
    sampled = run_check(wrong).row("W1").comparison
    assert sampled.status == FAIL and sampled.failed == 1600
    assert "a second look at 256 of them, drawn at random, confirmed each" in sampled.reason
    full = {k: dict(second_look=10**9) for k in policy.POLICY}
    original = dict(policy.POLICY)
    try:
        for k, v in full.items():
            policy.POLICY[k] = replace(policy.POLICY[k], **v)
        everything = run_check(wrong).row("W1").comparison
    finally:
        policy.POLICY.update(original)
    assert everything.status == FAIL and everything.failed == sampled.failed
    assert "drawn at random" not in everything.reason


def test_the_80_bit_complex_step_looks_at_every_failing_entry_once_a_sample_agrees(monkeypatch):
    """_extended_reference takes at most FIRST_LOOKED failing entries first: where A
    agrees with the 80-bit complex step at one of them, every failing entry is taken
    and each that agrees is held to it, its bound widened to what float64's complex step
    moved from it; where at none, only those few were computed."""
    from types import SimpleNamespace

    from gradcheck_cli.engine import verdict as v

    A, bound = np.arange(40.0), np.full(40, 0.1)
    numeric, failing = A + 1.0, np.ones(40, bool)
    calls = []

    def agreeing(model, env, name, idx, times=1.0):
        calls.append(idx.size)
        return A[idx]

    monkeypatch.setattr(v, "_complex_in_extended", agreeing)
    p = SimpleNamespace(jac=None, id="x")
    N, wide = v._extended_reference(None, {}, p, A, numeric, bound, failing)
    assert np.array_equal(N, A) and np.array_equal(wide, np.ones(40))  # (|N − N80| = 1)
    assert calls[0] <= v.FIRST_LOOKED and calls[1:] == [40]

    calls.clear()

    def disagreeing(model, env, name, idx, times=1.0):  # (5 off A, 4 off float64's N)
        calls.append(idx.size)
        return A[idx] + 5.0

    monkeypatch.setattr(v, "_complex_in_extended", disagreeing)
    N, wide = v._extended_reference(None, {}, p, A, numeric, bound, failing)
    assert np.array_equal(N, numeric) and np.array_equal(wide, bound)
    assert len(calls) == 1 and calls[0] <= v.FIRST_LOOKED
