"""The complex-safety probe's audit (engine/audit.py): a non-analytic operation on a value
that carries the complex step is noted, whatever its size; analytic ones, and any on
values without an imaginary part (data), are not."""

import numpy as np

from gradcheck_cli.engine.audit import as_audited, audited


def noted(f, x):
    with audited() as names:
        f(as_audited(x))
    return set(names)


def test_abs_conj_and_sign_of_the_step_are_noted():
    z = np.array([1.0 + 1e-20j, -2.0 + 1e-20j])
    assert noted(lambda a: np.log1p(np.exp(-np.abs(a))), z) == {"abs"}
    assert noted(lambda a: np.sum(abs(a @ a.T)), z) == {"abs"}
    assert noted(lambda a: a * np.conj(a), z) == {"conj"}
    assert noted(lambda a: np.sum(np.sign(a) * a), z) == {"sign"}


def test_analytic_operations_and_branches_are_not():
    z = np.array([1.0 + 1e-20j, -2.0 + 1e-20j])
    assert noted(lambda a: np.tanh(a) @ np.exp(a) + np.sqrt(a * a + 1), z) == set()
    # (the real part taken on purpose: a softmax shifted by it, a branch on it)
    assert noted(lambda a: np.exp(a - a.real.max()) + np.where(a.real > 0, a, 0.1 * a), z) == set()
    assert noted(lambda a: np.maximum(a, 0.0) + np.max(a), z) == set()


def test_values_without_an_imaginary_part_are_not_noted():
    assert noted(lambda a: np.abs(a) + np.real(a), np.array([1.0, -2.0 + 0j])) == set()


def test_functions_that_are_not_ufuncs_keep_the_audit():
    """np.where, concatenate, einsum, split return plain arrays: the abs after them is
    still seen (their results are audited again)."""
    z = np.array([1.0 + 1e-20j, -2.0 + 1e-20j])
    mask = np.array([True, False])
    assert noted(lambda a: np.abs(np.where(mask, a, 0.0)), z) == {"abs"}
    assert noted(lambda a: np.abs(np.concatenate([a, a])), z) == {"abs"}
    assert noted(lambda a: np.abs(np.einsum("i,i->i", a, a)), z) == {"abs"}
    assert noted(lambda a: np.abs(np.split(a, 2)[1]), z) == {"abs"}
    assert noted(lambda a: np.abs(np.stack([a, a]) @ a), z) == {"abs"}


def test_non_analytic_functions_are_noted_by_name():
    """A modulus, a conjugate or |x − mean|² taken inside a numpy function."""
    z = np.array([1.0 + 1e-20j, -2.0 + 1e-20j])
    square = np.array([[2.0 + 1e-20j, 0.5], [0.5, 3.0]])
    assert noted(np.linalg.norm, z) == {"linalg.norm"}
    assert noted(lambda a: np.vdot(a, a), z) == {"vdot"}
    assert noted(lambda a: np.linalg.slogdet(a)[1], square) == {"linalg.slogdet"}
    assert noted(lambda a: np.linalg.eigh(a)[0], square) == {"linalg.eigh"}
    assert noted(lambda a: np.linalg.cholesky(a), square) == {"linalg.cholesky"}
    assert noted(np.var, z) == {"var"}
    assert noted(lambda a: a.std(), z) == {"std"}


def test_analytic_functions_are_not():
    z = np.array([1.0 + 1e-20j, -2.0 + 1e-20j])
    square = np.array([[2.0 + 1e-20j, 0.5], [0.5, 3.0]])
    assert noted(lambda a: np.linalg.det(a) + np.linalg.inv(a)[0, 0], square) == set()
    assert noted(lambda a: np.linalg.solve(a, np.ones(2)), square) == set()
    assert noted(lambda a: np.dot(a, a) + np.mean(a) + np.cumsum(a)[-1], z) == set()
    # (data: no imaginary part, whatever the function)
    assert noted(lambda a: np.linalg.norm(a) + np.var(a), np.array([1.0, -2.0])) == set()
