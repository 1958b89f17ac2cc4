"""The comparison itself: planted wrong gradients must fail, correct ones pass."""

from dataclasses import replace

import numpy as np
import pytest

from gradcheck_cli.engine.compare import compare
from gradcheck_cli.result import FAIL, KINK, PASS, WEAK, Tolerance

TOL = Tolerance()
rng = np.random.default_rng(0)
G = rng.standard_normal((4, 3))


def test_identical_passes():
    c = compare(G.copy(), G, TOL)
    assert c.status == PASS and c.max_abs == 0 and c.max_rel == 0


@pytest.mark.parametrize("factor", [2.001, 1.001, 1 + 1e-4, -1.0])
def test_planted_scale_fails(factor):
    c = compare(G * factor, G, TOL)
    assert c.status == FAIL
    assert c.max_rel > TOL.rtol


def test_single_entry_error_is_located():
    A = G.copy()
    A[2, 1] *= 1.01
    c = compare(A, G, TOL)
    assert c.status == FAIL and c.failed == 1
    assert c.worst_index == (2, 1)
    assert c.worst_analytic == A[2, 1] and c.worst_numeric == G[2, 1]


def test_error_below_rtol_passes():
    c = compare(G * (1 + 1e-7), G, TOL)
    assert c.status == PASS
    assert c.max_rel == pytest.approx(1e-7, rel=1e-3)


@pytest.mark.parametrize("shape", [(3, 4), (12,), (4, 3, 1), (1, 4, 3)])
def test_wrong_shape_fails_and_is_never_broadcast(shape):
    c = compare(G.reshape(-1)[: np.prod(shape)].reshape(shape), G, TOL)
    assert c.status == FAIL and c.reason.startswith("shape")


def test_column_for_row_fails_even_when_broadcastable():
    row = rng.standard_normal((1, 5))
    assert compare(row.T.copy(), row, TOL).status == FAIL
    assert compare(np.ones((1, 1)) * row[0, 0], row[:, :1], TOL).status == PASS


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_analytic_fails(bad):
    A = G.copy()
    A[0, 2] = bad
    c = compare(A, G, TOL)
    assert c.status == FAIL and "analytic" in c.reason and "[0, 2]" in c.reason


def test_non_finite_numeric_fails_even_if_analytic_agrees():
    N = G.copy()
    N[1, 1] = np.nan
    A = N.copy()  # equal NaN must never pass
    assert compare(A, N, TOL).status == FAIL


def test_not_an_array_fails():
    assert compare([1.0, 2.0], np.ones(2), TOL).status == FAIL


def test_floor_ignores_round_off_on_tiny_entries():
    N = np.array([1.0, 1e-9])
    A = N + np.array([0.0, 1e-12])  # 0.1 % off on an entry 1e-9 of the scale
    assert compare(A, N, TOL).status == PASS
    A = N + np.array([0.0, 1e-6])  # but an error of 1e-6 of the scale is real
    assert compare(A, N, TOL).status == FAIL


def test_all_zero_tensor_passes_when_both_zero():
    assert compare(np.zeros((2, 2)), np.zeros((2, 2)), TOL).status == PASS
    assert compare(np.zeros((2, 2)), np.full((2, 2), 1e-3), TOL).status == FAIL


def test_entries_marked_as_kinks_are_kink_not_fail():
    N = np.array([0.5, 2.0])
    A = np.array([0.0, 2.0])
    c = compare(A, N, TOL, kink=np.array([True, False]))
    assert c.status == KINK and c.kinks == 1 and c.failed == 0


def test_kink_mark_does_not_hide_another_wrong_entry():
    N = np.array([0.5, 2.0])
    A = np.array([0.0, 3.0])
    c = compare(A, N, TOL, kink=np.array([True, False]))
    assert c.status == FAIL and c.kinks == 1 and c.failed == 1 and c.worst_index == (1,)


def test_a_proved_kink_counts_where_A_agrees_with_N():
    """At a proved kink N is the mean of the sides, no derivative: an A that agrees
    with it is a subgradient there (KINK), not a PASS within N's bound."""
    kink = np.zeros(G.shape, bool)
    kink.flat[0] = True
    c = compare(G.copy(), G, TOL, kink=kink)
    assert c.status == KINK and c.kinks == 1


def test_atol_loosens_the_bound():
    assert compare(G + 1e-3, G, Tolerance(atol=1e-2)).status == PASS
    assert compare(G + 1e-3, G, Tolerance(atol=1e-4)).status == FAIL


def test_a_weak_reason_near_its_limit_shows_the_digits_that_tell_them_apart():
    """A classic rtol of 1e-5 needs 1.01e-5 (1 % for max(|A|, |N|)): a resolution of
    1.02e-5 printed as 1.0e-05 beside "needs 1e-05" read as a contradiction."""
    from gradcheck_cli.engine.decide import weak_reason

    assert "resolution 1.02e-05" in weak_reason(1.0204e-5, 1.01e-5)
    assert weak_reason(1.0204e-5, 1.01e-5).endswith("a PASS needs at most 1.01e-05")
    assert weak_reason(8.9e-5, 1e-6).startswith("resolution 8.9e-05")
    assert weak_reason(8.9e-5, 1e-6).endswith("a PASS needs at most 1e-06")


def test_a_bound_wider_than_the_entry_names_what_it_is_measured_against():
    """The resolution divides by |A_i|, or by |N_i| where A_i = 0: the reason says which."""
    from gradcheck_cli.engine.decide import resolution

    A, N = np.array([1.0, 0.0]), np.array([1.0, 0.5])
    counted = np.ones(2, bool)
    _, index, why = resolution(A, N, np.array([1e-12, 2.0]), counted)
    assert index == (1,) and why == "the bound at [1] is 4e+00 times |N| (A = 0) there"
    _, index, why = resolution(A, N, np.array([3.0, 1e-12]), counted)
    assert index == (0,) and why == "the bound at [0] is 3e+00 times |A| there"


def test_a_kink_whose_sides_are_coarse_says_so_where_it_leaves_no_resolution():
    """A at a proved kink, within the sides' error of one (pinball_svr.py's b̄ under
    Richardson, a red team's: sides −0.967 and −0.217 known to ±0.7, A = −0.633): what
    passes there reaches 2 |A|, and the reason names the kink and its sides' error, not
    only "the bound is 2 times |A|"."""
    from gradcheck_cli.engine.sides import OneSided

    A, N = np.array([-0.633, 2.0]), np.array([-0.5917, 2.0])
    full = (np.array([v, np.nan]) for v in (-0.967, -0.217, -0.967, -0.217, 0.1))
    sides = replace(OneSided(*full), tol=np.array([0.7, np.nan]))
    kink = np.array([True, False])
    c = compare(A, N, TOL, kink=kink, bound=np.array([0.1, 1e-12]), sides=sides)
    assert c.status == WEAK and c.resolution is None and c.resolution_index == (0,)
    assert c.unresolved.startswith("the bound at [0] is 2e+00 times |A| there: A sits on a kink")
    assert "-0.967 and -0.217, are known to ±0.7" in c.unresolved
    c = compare(A, N, TOL, kink=kink, bound=np.array([0.1, 1e-12]))  # (no sides: no kink told)
    assert c.status == KINK and c.unresolved is None
