"""Perturbed copies that differ from the unperturbed values in one entry or one row.

Moving one entry of W in ``z = W @ x`` changes one row of z. Kept as that row alone
(``Rows``) through the elementwise steps after it (``h = phi(z)``, ``h + x``), a d×d
leaf costs O(d² · B) activations instead of O(d³ · B): the whole check of a d = 256
net then spends its time on the comparison, not on tanh of copies that equal the base.

The rules only ever compute what the dense forward would compute for the changed
entries, plus one linear update where a changed row meets a matrix product; the
complex step's imaginary part is the same either way (and its real part is pinned to
the unperturbed values after every step: ``pin``).
"""

from collections.abc import Mapping
from typing import Any

import numpy as np

from gradcheck_cli.records import frozen


@frozen(eq=False)  # (eq=False: arrays: == by identity)
class Rows:
    """Copies of ``base`` (m×n): copy p equals base with row rows[p] replaced by values[p]."""

    base: np.ndarray  # (m, n)
    rows: np.ndarray  # (P,)
    values: np.ndarray  # (P, n)

    def dense(self) -> np.ndarray:
        """The copies themselves, (P, m, n)."""
        base = np.asarray(self.base)
        copies = _stacked(base, len(self.rows), self.values)
        copies[np.arange(len(self.rows)), self.rows] = self.values
        return copies


def _stacked(base: np.ndarray, count: int, other: Any) -> np.ndarray:
    """``count`` copies of ``base`` along a new leading axis, in a dtype that holds ``other``
    too (complex for a complex step)."""
    return np.repeat(base[None].astype(np.result_type(base, other)), count, axis=0)


def dense(value: Any) -> Any:
    return value.dense() if isinstance(value, Rows) else value


def nbytes(value: Any) -> int:
    return value.values.nbytes if isinstance(value, Rows) else np.asarray(value).nbytes


def one_entry_rows(base: Any, idx: np.ndarray, steps: np.ndarray) -> Rows:
    """Copies of the matrix ``base`` with entry idx[k] (flat) moved by steps[k]."""
    base = np.asarray(base)
    i, c = np.divmod(idx, base.shape[1])
    values = base[i].astype(np.result_type(base, steps))
    values[np.arange(len(idx)), c] += steps
    return Rows(base, i, values)


class matmul_onehot:  # noqa: N801 (used like a function in model definitions)
    """The fast paths of ``out = left @ right (+ bias)``.

    One moved entry: moving left[i, j] by s changes row i of out by s · right[j, :]
    (returned as Rows); moving bias[i] changes row i by s; moving right[j, c] adds
    s · left[:, j] to column c (dense). A right operand changed in one row r per copy
    adds left[:, r] ⊗ (new row − old row) to out: O(P · size(out)) instead of P products.
    """

    def __init__(self, left: str, right: str, bias: str | None = None):
        self.left, self.right, self.bias = left, right, bias

    def __call__(
        self, env: Mapping[str, Any], wrt: str, idx: np.ndarray, steps: np.ndarray, out: str
    ) -> Any:
        base = np.asarray(env[out])
        if wrt in (self.left, self.bias):
            if wrt == self.left:
                i, j = np.divmod(idx, np.shape(env[self.left])[1])
                change = steps[:, None] * np.asarray(env[self.right])[j, :]
            else:
                i, change = idx, np.broadcast_to(steps[:, None], (len(idx), base.shape[1]))
            return Rows(base, i, base[i] + change)
        if wrt != self.right:
            raise ValueError(f"{wrt} is not an operand of {out}")
        copies = _stacked(base, len(idx), steps)
        j, c = np.divmod(idx, np.shape(env[self.right])[1])
        copies[np.arange(len(idx)), :, c] += steps[:, None] * np.asarray(env[self.left])[:, j].T
        return copies

    def rows(self, env: Mapping[str, Any], name: str, patch: Rows, out: str) -> Any:
        """``out`` for copies of the right operand ``name`` changed in one row each, or
        None when this step has no such rule for ``name``."""
        if name != self.right:
            return None
        r = patch.rows
        change = patch.values - np.asarray(patch.base)[r]  # (P, n)
        left = np.asarray(env[self.left])
        return np.asarray(env[out])[None] + left[:, r].T[:, :, None] * change[:, None, :]


def pin(value: Any, old: np.ndarray) -> Any:
    """A complex-stepped step output with its real part taken from the unperturbed one.

    Re f(θ + ih) = f(θ) − h² f''(θ)/2 + …: f(θ) to the last bit for steps h ≤ 1e-20 of
    θ, so this changes nothing but rounding: the rounding by which a complex
    implementation (of tanh, of a matrix product) differs from the real one that gave
    the forward values. Left in, a cancellation downstream (y − t) would magnify it
    into a bias of the derivative that the hand-derived adjoints, computed from the
    real forward values, do not share. Real values (finite differences) pass as they are.
    """
    if np.iscomplexobj(old):
        return value
    # In place: a step's output is its own array, or a view of an input whose unperturbed
    # value it then shares (an identity φ), so the write leaves that input as it was.
    if isinstance(value, Rows):
        if np.iscomplexobj(value.values):
            value.values.real[...] = np.asarray(old)[value.rows]
        return value
    if np.iscomplexobj(value):
        value.real[...] = old
    return value


def apply(step: Any, env: Mapping[str, Any], base: Mapping[str, Any], touched: Any) -> Any:
    """Run ``step`` on ``env``, whose ``touched`` names hold perturbed copies (dense or
    Rows) and the rest unperturbed values from ``base``; keeps Rows where it can."""
    args = [env[i] for i in step.inputs]
    patched = [i for i, a in zip(step.inputs, args, strict=True) if isinstance(a, Rows)]
    if not patched:
        return step.fn(*args)
    first = env[patched[0]]
    dense_copies = any(i in touched and not isinstance(env[i], Rows) for i in step.inputs)
    shape = np.shape(base[step.name])
    same_rows = all(env[i].rows is first.rows and np.shape(env[i].base) == shape for i in patched)
    if step.elementwise and same_rows and not dense_copies:
        rows = [
            a.values if isinstance(a, Rows) else np.broadcast_to(a, shape)[first.rows] for a in args
        ]
        return Rows(np.asarray(base[step.name]), first.rows, step.fn(*rows))
    rule = getattr(step.onehot, "rows", None)
    if rule is not None and len(patched) == 1 and not dense_copies:
        out = rule(base, patched[0], first, step.name)
        if out is not None:
            return out
    return step.fn(*(dense(a) for a in args))


def times_transposed(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a @ bᵀ, by broadcasting where the shared dimension is 1 (an outer product, batch
    1): one product an entry, as BLAS computes it, but numpy has no BLAS for the 80-bit
    extended precision A's rounding is measured in, where the outer product of two
    2,048-vectors took 0.1 s through matmul and takes 10 ms so."""
    if a.shape[-1] == 1 and b.shape[-1] == 1:
        return a * np.swapaxes(b, -1, -2)
    return a @ np.swapaxes(b, -1, -2)
