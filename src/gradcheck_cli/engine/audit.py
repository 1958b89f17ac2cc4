"""Which operations a complex step passes through: the complex-safety probe's audit.

The complex step Im L(θ + ih) / h is exact only through analytic operations. |z|, z̄ and
sign(z) are not: |x + ih| is real, so an L1 term or a stable softplus
(log1p(exp(−|x|))) drops its derivative from Im L, however small that derivative is,
and no difference of L can show it where it lies below L's round-off (a term of 1e-17
beside a loss of 30). The probe (numeric.complex_safe) runs the forward once on an
Audited array: every numpy ufunc reached through it is seen, and one of those applied
to a value whose imaginary part is not 0 is noted. Not noted: a comparison, max or
where, which follow one branch as the real forward does (the kink test's to judge),
and z.real, which complex-aware code takes on purpose (a softmax shifted by the real
part of its max: the shift cancels).

numpy functions that are not ufuncs (np.where, np.concatenate, np.einsum, linalg) return
plain arrays, and some take abs or a conjugate inside, out of the audit's sight: their
results are audited again (__array_function__), and those that are not analytic on a
value carrying the step (NON_ANALYTIC_FUNCTIONS: a norm, a Hermitian solver, slogdet's
log|det|, vdot's conjugate, a variance's |x − mean|²) are noted by name.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

NON_ANALYTIC_UFUNCS = {np.absolute: "abs", np.conjugate: "conj", np.sign: "sign"}
# not ufuncs, and not analytic in a complex argument: a modulus, a conjugate (a Hermitian
# or unitary factorisation), or an angle, taken inside (numpy 2's linalg names too)
NON_ANALYTIC_FUNCTIONS = {
    f: prefix + name
    for module, prefix, names in (
        (np, "", "vdot angle cov corrcoef nanvar nanstd"),
        (np.linalg, "linalg.", "norm vector_norm matrix_norm cond svd svdvals pinv lstsq qr"),
        (np.linalg, "linalg.", "eig eigh eigvalsh cholesky slogdet"),
    )
    for name in names.split()
    if (f := getattr(module, name, None)) is not None
}

_NOTED: list[list[str]] = []  # (a stack: the innermost audited() notes)


class Audited(np.ndarray):
    """An array whose ufuncs are audited (see the module)."""

    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        plain = tuple(_plain(x) for x in inputs)
        if ufunc in NON_ANALYTIC_UFUNCS and any(_carries(x) for x in plain):
            _note(NON_ANALYTIC_UFUNCS[ufunc])
        if "out" in kwargs:
            kwargs["out"] = tuple(_plain(x) for x in kwargs["out"])
        return _audited(getattr(ufunc, method)(*plain, **kwargs))

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        if func in NON_ANALYTIC_FUNCTIONS and any(
            _carries(_plain(x)) for x in (*args, *kwargs.values())
        ):
            _note(NON_ANALYTIC_FUNCTIONS[func])
        # (a real scalar carries no step: an argmax stays an integer, a dict's key)
        return _audited(super().__array_function__(func, types, args, kwargs), real=False)

    def var(self, *args: Any, **kwargs: Any) -> Any:  # (np.var too): mean |x − mean|²
        return _moment(self, "var", args, kwargs)

    def std(self, *args: Any, **kwargs: Any) -> Any:
        return _moment(self, "std", args, kwargs)


def _moment(a: Audited, name: str, args: Any, kwargs: Any) -> Any:
    plain = a.view(np.ndarray)
    if _carries(plain):
        _note(name)
    return _audited(getattr(plain, name)(*args, **kwargs))


@contextmanager
def audited() -> Iterator[list[str]]:
    """The operations noted while the block runs (names, in order)."""
    _NOTED.append([])
    try:
        yield _NOTED[-1]
    finally:
        _NOTED.pop()


def as_audited(a: np.ndarray) -> Audited:
    return np.asarray(a).view(Audited)


def _note(name: str) -> None:
    if _NOTED:
        _NOTED[-1].append(name)


def _plain(x: Any) -> Any:
    return x.view(np.ndarray) if isinstance(x, Audited) else x


def _carries(x: Any) -> bool:
    """Whether x holds a nonzero imaginary part (the complex step's)."""
    return bool(np.iscomplexobj(x) and np.any(np.imag(x) != 0))


def _audited(result: Any, real: bool = True) -> Any:
    """A numpy function's result, audited on: arrays and numpy scalars (as 0-d arrays;
    with ``real`` False, complex ones only), or each of a tuple or list of them."""
    if isinstance(result, tuple | list):  # (a named tuple too: linalg's results)
        items = [_audited(r, real) for r in result]
        return result._make(items) if hasattr(result, "_make") else type(result)(items)
    if isinstance(result, np.generic) and not (real or np.iscomplexobj(result)):
        return result
    if isinstance(result, np.ndarray | np.generic) and not isinstance(result, Audited):
        return np.asarray(result).view(Audited)
    return result
