"""ReLU-family kinks: a finite difference straddling the kink is KINK, never FAIL."""

import numpy as np
import pytest

from gradcheck_cli.models import BUILDERS
from gradcheck_cli.models.model import Formula
from gradcheck_cli.pipeline import Settings, run_check
from gradcheck_cli.result import FAIL, KINK


def _on_kink(act):
    """d = 2 with z1[0] = 0 exactly."""
    m = BUILDERS["residual"](d=2, activation=act)
    m.values.update(
        W1=np.array([[1.0, -1.0], [1.0, 1.0]]),
        x=np.array([[1.0], [1.0]]),
        W2=np.array([[2.0, 1.0]]),
        t=np.array([[0.0]]),
    )
    return m


@pytest.mark.parametrize("method", ["central", "richardson"])
def test_exact_zero_pre_activation_is_reported_as_kink(method):
    report = run_check(_on_kink("relu"), Settings.of(method=method))
    statuses = {r.id: r.comparison.status for r in report.gradients}
    assert report.count(FAIL) == 0, statuses
    assert statuses["z1"] == KINK  # z1[0] = 0 exactly
    assert statuses["W1"] == KINK and statuses["x"] == KINK
    assert report.exit_code == 0


@pytest.mark.parametrize("method", ["richardson", "central"])
def test_a_kinks_stated_resolution_is_a_promise_at_its_side(method):
    """leaky relu at z1 = 0 exactly: A = 0.1 sits on the left one-sided derivative. The
    tolerance A is held to there is the row's resolution; ten times it, planted outward
    (below 0.1), FAILs; as far inward, A is still a subgradient (KINK)."""
    from gradcheck_cli.testing import plant_error

    z1 = run_check(_on_kink("leaky_relu"), Settings.of(method=method)).row("z1").comparison
    assert z1.status == KINK and z1.resolution_index == (0, 0) and z1.kink_sides[2] == 0.1
    for delta, status in ((-10 * z1.resolution, FAIL), (10 * z1.resolution, KINK)):
        wrong = plant_error(_on_kink("leaky_relu"), "z1", (0, 0), delta)
        got = run_check(wrong, Settings.of(method=method)).row("z1").comparison.status
        assert got == status, (delta, got)


def test_a_kink_side_under_a_classic_rtol_is_held_to_it():
    """The same under central, whose rtol 1e-5 is its allowance for the reference's
    error: the sides, known within it, hold A to it (KINK at a resolution of 1e-5); ten
    times that off the left side, 0.1 · (1 − 1e-4), FAILs; as far inside, a subgradient."""
    from gradcheck_cli.testing import plant_error

    z1 = run_check(_on_kink("leaky_relu"), Settings.of(method="central")).row("z1").comparison
    assert z1.status == KINK and z1.resolution <= 1.01e-5
    for delta, status in ((-1e-4, FAIL), (1e-4, KINK)):
        wrong = plant_error(_on_kink("leaky_relu"), "z1", (0, 0), delta)
        assert run_check(wrong, Settings.of(method="central")).row("z1").comparison.status == status


def test_complex_step_agrees_with_the_forward_branch_at_the_kink():
    report = run_check(_on_kink("relu"))
    assert report.method == "complex"
    assert all(r.comparison.status == "PASS" for r in report.gradients)


def test_other_subgradient_convention_is_kink_under_complex_step():
    """relu'(0) = 1 in the backward while the forward branches as z > 0: a subgradient."""
    m = _on_kink("relu")
    m.overrides["z1"] = Formula("z1", "h̄ ∘ [z1 ≥ 0]", lambda v, g: g["h"] * (v["z1"] >= 0))
    report = run_check(m)
    statuses = {r.id: r.comparison.status for r in report.gradients}
    assert statuses["z1"] == KINK and report.count(FAIL) == 0


@pytest.mark.parametrize("method", ["central", "complex"])
def test_kink_does_not_hide_a_wrong_gradient_off_the_kink(method):
    """z1[0] = 0, but x[2] does not reach z1[0]: its entry of x̄ is smooth and must FAIL."""
    from gradcheck_cli.models.builtin import bugs

    m = BUILDERS["residual"](d=3, activation="relu")
    m.values.update(
        W1=np.array([[1.0, -1.0, 0.0], [1.0, 1.0, 1.0], [0.5, 0.0, 1.0]]),
        x=np.ones((3, 1)),
        W2=np.array([[2.0, 1.0, -1.0]]),
        t=np.zeros((1, 1)),
    )
    m = bugs.inject(m, bugs.find("residual", "x-skip-dropped"))
    rows = {r.id: r.comparison for r in run_check(m, Settings.of(method=method)).gradients}
    assert rows["x"].status == FAIL and rows["x"].worst_index == (2, 0)


@pytest.mark.parametrize("method", ["central", "complex"])
def test_integer_inputs_relu(method):
    """Integer weights and inputs put many pre-activations exactly on the kink (W x = 0).
    The complex step follows the forward's branch: no FAIL. A finite difference straddles
    the kinks: KINK where A lies between the one-sided derivatives; where several kinks
    meet along one entry, relu'(0) = 0 for all of them can lie outside them, and the
    complex step (the model is complex-safe) confirms A there."""
    fails, kinks = [], 0
    for seed in range(40):
        m = BUILDERS["residual"](d=4, activation="relu", batch=2, seed=seed)
        rng = np.random.default_rng(seed)
        m.values.update(
            W1=rng.choice([-2.0, -1.0, 1.0, 2.0], (4, 4)),
            x=rng.integers(-2, 3, (4, 2)).astype(float),
            W2=rng.choice([-2.0, -1.0, 1.0, 2.0], (1, 4)),
        )
        report = run_check(m, Settings.of(method=method))
        assert report.method == method
        fails += [r.comparison for r in report.gradients if r.comparison.status == FAIL]
        kinks += report.count(KINK)
    assert not fails
    assert kinks > 20 if method == "central" else kinks == 0


def test_a_wrong_relu_derivative_at_zero_fails_under_every_engine():
    """relu'(0) = −2 in the backward: outside the one-sided derivatives, and not the
    forward's branch either."""
    for method in ("complex", "central", "richardson"):
        m = _on_kink("relu")
        m.overrides["z1"] = Formula(
            "z1",
            "h̄ ∘ relu'(z1), relu'(0) = −2",
            lambda v, g: g["h"] * np.where(v["z1"] > 0, 1.0, np.where(v["z1"] == 0, -2.0, 0.0)),
        )
        row = run_check(m, Settings.of(method=method)).row("z1").comparison
        assert row.status == FAIL and row.worst_index == (0, 0), (method, row)


def _shared(share: float, x_too: bool):
    """The kink z1[0] = 0 with W̄1's row 0 given ``share`` of its jump, and x̄ (which
    the same kink passes through: x̄ = W1ᵀ z̄1 + …) the same share or its own."""
    m = _on_kink("relu")
    env = m.forward()
    good = m.backward(env)
    jump = float(good["h"][0, 0])  # (z̄1[0] on the kink's right side: relu' = 1)
    own = float(good["z1"][0, 0]) / jump  # (the backward's own share: relu'(0))
    W1 = good["W1"].copy()
    W1[0, :] = share * jump * env["x"][:, 0]
    x = good["x"] + (share - own) * jump * env["W1"][0, :, None] if x_too else good["x"]
    m.overrides["W1"] = Formula("W1", "planted", lambda v, g, W1=W1: W1.copy())
    m.overrides["x"] = Formula("x", "planted", lambda v, g, x=x: x.copy())
    return m


def test_a_value_outside_the_one_sided_derivatives_fails_at_a_kink():
    """z1[0] = 0: the one-sided derivatives of W1[0, 0] are 0 and z̄1-ish; A beyond both FAILs,
    and the failure names them; A between them is a subgradient (KINK) where W1[0, 1],
    on the same kink (x = [1, 1]), takes the same share of its jump."""
    for offset, status in ((3.0, FAIL), (-1.0, FAIL)):
        m = _on_kink("relu")
        env = m.forward()
        good = m.backward(env)
        lo, hi = sorted((0.0, float(good["h"][0, 0] * env["x"][0, 0])))
        W1 = good["W1"].copy()
        W1[0, 0] = lo + offset * (hi - lo)
        m.overrides["W1"] = Formula("W1", "planted", lambda v, g, W1=W1: W1.copy())
        row = run_check(m, Settings.of(method="central")).row("W1").comparison
        assert row.status == status, (offset, row)
        assert row.worst_index == (0, 0)
        assert sorted((row.left, row.right)) == pytest.approx([lo, hi], rel=1e-4, abs=1e-6)
    report = run_check(_shared(0.25, x_too=True), Settings.of(method="central"))
    row = report.row("W1").comparison
    assert row.status == KINK and report.row("x").comparison.status == KINK, row
    assert row.kinks == 2  # W1[0, 0] and W1[0, 1]: z1[0] = 0 moves with both


@pytest.mark.parametrize("method", ["central", "richardson"])
def test_one_kink_through_two_leaves_takes_one_share_in_both(method):
    """W̄1 takes a quarter of the kink z1[0] = 0's jump, x̄ its backward's own share (the
    masks `z > 0` and `z >= 0` written apart, one per adjoint): each row alone is a
    subgradient, the two together none. Moved along W1[0, j] ∓ x[j] together, the loss
    is smooth, and the rows FAIL with the diagnosis `together`; one share in both is
    KINK (above)."""
    report = run_check(_shared(0.25, x_too=False), Settings.of(method=method))
    for name in ("W1", "x"):
        row = report.row(name)
        assert row.comparison.status == FAIL, (name, row.comparison)
        assert "no subgradient together" in row.comparison.reason
    assert "together" in {report.row(n).diagnosis.kind for n in ("W1", "x")}
    assert report.exit_code == 1


def test_two_entries_on_one_kink_take_the_same_share_of_its_jump():
    """z1[0] = W1[0, 0] x0 + W1[0, 1] x1 = 0 with x = [1, 1]: moved along e_00 − e_01 the
    loss is smooth. Each A alone between its one-sided derivatives, but at different
    shares of the jump (a quarter, and none), is no subgradient: FAIL, and the line names
    the pair (together.py)."""
    for method in ("central", "richardson"):
        m = _on_kink("relu")
        env = m.forward()
        good = m.backward(env)
        lo, hi = sorted((0.0, float(good["h"][0, 0] * env["x"][0, 0])))
        W1 = good["W1"].copy()
        W1[0, 0] = lo + 0.25 * (hi - lo)
        m.overrides["W1"] = Formula("W1", "planted", lambda v, g, W1=W1: W1.copy())
        row = run_check(m, Settings.of(method=method)).row("W1").comparison
        assert row.status == FAIL, (method, row)
        assert "entries [0, 0] and [0, 1]" in row.reason, (method, row.reason)
