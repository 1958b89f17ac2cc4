"""Analytic against numeric: shapes first, then values, entry by entry.

For a tensor with analytic A and numeric N, entry i has

    err_i = |A_i − N_i|
    rel_i = err_i / max(|A_i|, |N_i|, floor · s),   s = max_j max(|A_j|, |N_j|)

and passes when err_i ≤ atol + rtol · max(|A_i|, |N_i|, floor · s). The floor ties the
relative error of entries near zero to the tensor's own scale, so round-off on a tiny
entry does not raise a false alarm. With atol = 0 an entry passes exactly when
rel_i ≤ rtol, the number the tables show.

Entries the caller marks as kinks (where the loss is not differentiable along that
entry and A lies between its one-sided derivatives, found by verdict.py) are counted as
KINK, never FAIL.

Every compared row also states its resolution, and gets its verdict, by the rule of
decide.py (the one place it is written).
"""

from collections.abc import Callable
from typing import Any

import numpy as np

from gradcheck_cli.engine.decide import kink_bounds, resolution, row_status, weak_reason
from gradcheck_cli.records import frozen
from gradcheck_cli.result import FAIL, NOT_CHECKED, WEAK, Comparison, Tolerance, dims


def _first_bad(mask: np.ndarray) -> tuple[int, ...]:
    return tuple(int(i) for i in np.argwhere(mask)[0])


def entry_bound(
    analytic: np.ndarray, numeric: np.ndarray, tol: Tolerance, scale: float | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(err, denominator, bound) for every entry, as in the module's formula (``scale``:
    max(|A|, |N|) of the whole tensor, where these are some of its entries)."""
    err, denom = _err_denom(analytic, numeric, tol, scale)
    return err, denom, np.asarray(tol.atol + tol.rtol * denom)


def _err_denom(
    analytic: np.ndarray, numeric: np.ndarray, tol: Tolerance, scale: float | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """|A − N| and max(|A|, |N|, floor · s) for every entry (arrays, also 0-d; in place
    where the arrays are ours: a leaf of 4 M entries pays for each new one); s is
    ``scale`` where given (a sample's tensor's), else the largest of the arrays."""
    err = np.asarray(np.abs(analytic - numeric))
    denom = np.abs(analytic)
    if not isinstance(denom, np.ndarray) or denom.dtype != np.result_type(denom, numeric, 0.5):
        denom = np.maximum(denom, np.abs(numeric))  # (another dtype: as numpy promotes)
    else:
        np.maximum(denom, np.abs(numeric), out=denom)
    if scale is None:
        scale = float(denom.max()) if denom.size else 0.0
    ours = isinstance(denom, np.ndarray) and denom.ndim and denom.dtype.kind == "f"
    denom = np.asarray(np.maximum(denom, tol.floor * scale, out=denom if ours else None))
    return err, denom


def _divided(err: np.ndarray, by: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """err / by, 0 where err is 0 (also where by is); into ``out`` where given (``by``
    itself: a leaf of 4 M entries pays for each new array)."""
    nonzero = err != 0
    if out is None:
        out = np.zeros(np.broadcast_shapes(err.shape, by.shape))
    else:  # (``by``'s values stand where they are not divided: 0 there)
        np.copyto(out, 0.0, where=~nonzero)
    with np.errstate(divide="ignore", invalid="ignore"):
        np.divide(err, by, out=out, where=nonzero)
    return out


def _copied(a: np.ndarray, into: np.ndarray | None) -> np.ndarray:
    """A copy of ``a``, made in ``into`` where given (an array of ours no longer needed)."""
    if into is None:
        return a.copy()
    np.copyto(into, a)
    return into


def _index(flat: int, shape: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(int(j) for j in np.unravel_index(flat, shape))


def _side(arr: np.ndarray | None, j: int) -> float | None:
    """arr at flat index j, where it is finite."""
    if arr is None:
        return None
    value = arr.ravel()[j]
    return None if not np.isfinite(value) else float(value)


def compare(
    analytic: Any,
    numeric: np.ndarray,
    tol: Tolerance,
    kink: np.ndarray | None = None,
    bound: np.ndarray | None = None,
    sampled: np.ndarray | None = None,
    weak: float = np.inf,
    sides: Any = None,
) -> Comparison:
    """Compare one analytic tensor with its numeric reference. ``bound`` replaces the
    rtol/atol bound entry by entry (bounds.py); ``sampled`` (a mask) limits the comparison
    to the entries checked; ``weak``: the coarsest resolution a PASS may have; ``sides``
    (sides.OneSided): the one-sided derivatives the kink test found, and the kinks that
    are no subgradient together (together.py), failed whatever |A − N| is (N at a kink
    is the mean of its sides)."""
    if sampled is not None and isinstance(analytic, np.ndarray) and analytic.shape == numeric.shape:
        numeric = np.where(sampled, numeric, analytic)
    checked = numeric.size if sampled is None else int(sampled.sum())
    unusable = _unusable(analytic, numeric, checked)
    if unusable is not None:
        return unusable
    A = analytic.astype(np.float64, copy=False)
    shape, size, of, scale = A.shape, A.size, None if sampled is None else checked, None
    flat: np.ndarray | None = None
    whole = bound is None or bound.shape in (shape, ())
    if sampled is not None and checked <= size // 2 and whole:
        flat = np.flatnonzero(sampled)  # (a sample: compared where it was taken, in no
        # array the tensor's size; the floor's scale is still the whole tensor's)
        scale = max(abs_max(A), abs_max(numeric.ravel()[flat]))
        A, numeric, kink, bound = _taken(flat, shape, A, numeric, kink, bound)
        sides = None if sides is None else sides.taken(flat)
        sampled = None

    def at(j: int) -> tuple[int, ...]:  # (flat index j of what is compared, in the tensor)
        return _index(j if flat is None else int(flat[j]), shape)

    err, denom = _err_denom(A, numeric, tol, scale)
    bound = np.asarray(tol.atol + tol.rtol * denom) if bound is None else bound
    ratio = _divided(err, bound)
    differs = err > bound
    against = None if sides is None else sides.together
    bad = differs if against is None else differs | against
    # (every proved kink, whether A − N is within the bound or not: N there is the mean
    # of its sides, and an A that agrees with it is a subgradient, not a derivative
    # within N's bound; a strict max 2⁻³⁰ above its neighbour whose backward split the
    # jump PASSed at 5e-10, the row KINK. A copy: it is changed in place below)
    kink = np.zeros_like(bad) if kink is None else np.broadcast_to(kink, bad.shape).copy()
    if against is not None:
        kink &= ~against
    failed = bad & ~kink
    counted = ~kink if sampled is None else sampled & ~kink
    ours = denom.ndim > 0 and denom.shape == ratio.shape  # (_err_denom's: reused in place)
    max_rel = _largest(_divided(err, denom, out=denom if ours else None), counted)
    pick = _copied(ratio, into=denom if ours else None)
    np.copyto(pick, -1.0, where=~(failed if failed.any() else counted))
    j = int(np.argmax(pick)) if A.size else None
    del pick, denom
    res, res_index, why = resolution(A, numeric, *kink_bounds(A, bound, kink, sides, counted), at)
    why = _at_an_edge(why, res_index, kink, sides, flat, shape)
    status = row_status(bool(failed.any()), bool(kink.any()), res, weak, why)
    k = int(np.argmax(np.where(kink, ratio, -1.0))) if kink.any() else None
    nfailed = int(failed.sum())
    return Comparison(
        status,
        _reason(nfailed, size, of, res, weak, status, why, int((failed & ~differs).sum())),
        max_abs=_largest(err, counted),
        max_rel=max_rel,
        worst_index=None if j is None else at(j),
        worst_analytic=None if j is None else float(A.ravel()[j]),
        worst_numeric=None if j is None else float(numeric.ravel()[j]),
        entries=size,
        kinks=int(kink.sum()),
        failed=nfailed,
        problem="values" if nfailed else None,
        ratio=_largest(ratio, counted),
        checked=checked,
        resolution=res,
        resolution_worst=res,
        resolution_index=res_index,
        unresolved=why,
        **_at_kinks(sides, j, k, A, at),
    )


def _at_an_edge(
    why: str | None,
    index: tuple[int, ...] | None,
    kink: np.ndarray,
    sides: Any,
    flat: np.ndarray | None,
    shape: tuple[int, ...],
) -> str | None:
    """The why of a row with no resolution, where the entry that leaves none is a proved
    kink (A within its sides' error of one of them, kink_bounds): with those sides and
    their error, which is the bound's width there."""
    if why is None or index is None or sides is None or sides.tol is None:
        return why
    j = int(np.ravel_multi_index(index, shape)) if shape else 0
    if flat is not None:  # (a sample's entries: the position of j among them)
        j = int(np.searchsorted(flat, j))
    if not np.ravel(kink)[j]:
        return why
    left, right, tol = (float(np.ravel(a)[j]) for a in (sides.left, sides.right, sides.tol))
    return (
        f"{why}: A sits on a kink whose one-sided derivatives, {left:.6g} and {right:.6g}, "
        f"are known to ±{tol:.1g}, and lies within that of one"
    )


def abs_max(a: np.ndarray) -> float:
    """max |a| (0 for an empty array), with no array of a's size made."""
    return max(float(a.max()), -float(a.min())) if a.size else 0.0


def taken(x: Any, at: np.ndarray | None, shape: tuple[int, ...]) -> Any:
    """x at the flat entries ``at`` of an array of ``shape`` (x of another shape broadcast
    to it, not copied); x itself where ``at`` is None, and None or a number as it is."""
    if at is None or x is None:
        return x
    if np.shape(x) == shape:
        return np.ravel(x)[at]
    if np.ndim(x) == 0:
        return x
    return np.broadcast_to(x, shape)[np.unravel_index(at, shape)]


def _taken(flat: np.ndarray, shape: tuple[int, ...], *arrays: Any) -> list[Any]:
    """Each of ``arrays`` that has the tensor's shape at the flat entries ``flat`` only
    (the others, None or a 0-d bound, as they are)."""
    return [taken(a, flat, shape) if np.shape(a) == shape else a for a in arrays]


def _at_kinks(
    sides: Any, j: int | None, k: int | None, A: np.ndarray, at: Callable[[int], tuple[int, ...]]
) -> dict:
    """The one-sided derivatives at the worst entry (flat index j of what was compared),
    and one excused kink entry k."""
    if sides is None:
        return {"kink_index": None if k is None else at(k)}
    return {
        "left": None if j is None else _side(sides.left, j),
        "right": None if j is None else _side(sides.right, j),
        "kink_index": None if k is None else at(k),
        "kink_sides": None
        if k is None
        else tuple(float(a.ravel()[k]) for a in (sides.left, sides.right, A)),
    }


def _largest(a: np.ndarray, mask: np.ndarray) -> float:
    """The largest of a (≥ 0, or NaN) where mask is set; 0 where it is nowhere."""
    return float(np.max(a, where=mask, initial=0.0)) if mask.any() else 0.0


def _reason(
    failed: int,
    n: int,
    checked: int | None,
    res: float | None,
    weak: float,
    status: str,
    why: str | None = None,
    together: int = 0,
) -> str | None:
    if status not in (FAIL, WEAK):
        return None
    if not failed:
        return weak_reason(res, weak, why)
    of = f"{n} entries" if checked is None else f"{checked} checked entries"
    if together:
        return f"{failed} of {of} fail ({together} of them agree with N, and fail together)"
    return f"{failed} of {of} differ beyond the bound"


@frozen
class NotCheckable:
    """In place of an adjoint that cannot be checked at these values, with the reason."""

    reason: str


def _unusable(analytic: Any, numeric: np.ndarray, checked: int) -> Comparison | None:
    """The verdict when there is nothing to compare value by value: no adjoint (NOT
    CHECKED), not an array, a wrong shape, complex, or a NaN/Inf on either side (FAIL)."""
    n = numeric.size

    def fail(
        problem: str,
        reason: str,
        index: tuple[int, ...] | None = None,
        a: float | None = None,
        b: float | None = None,
    ) -> Comparison:
        return Comparison(
            FAIL,
            reason,
            worst_index=index,
            worst_analytic=a,
            worst_numeric=b,
            entries=n,
            failed=n,
            problem=problem,
            checked=checked,
        )

    if analytic is None:
        return Comparison(NOT_CHECKED, "no hand-derived adjoint was given", entries=n, checked=0)
    if isinstance(analytic, NotCheckable):
        return Comparison(NOT_CHECKED, analytic.reason, entries=n, checked=0)
    if hasattr(analytic, "reason") and not isinstance(analytic, np.ndarray):
        return fail("type", f"could not be evaluated: {analytic.reason}")
    if not isinstance(analytic, np.ndarray):
        return fail("type", f"not an array: {type(analytic).__name__}")
    if analytic.shape != numeric.shape:
        return fail(
            "shape", f"shape: analytic is {dims(analytic.shape)}, expected {dims(numeric.shape)}"
        )
    if np.iscomplexobj(analytic):
        return fail("type", "analytic gradient is complex")
    A = analytic.astype(np.float64, copy=False)
    for what, arr in (("analytic", A), ("numeric", numeric)):
        bad = ~np.isfinite(arr)
        if bad.any():
            first = _first_bad(bad)
            return fail(
                "nonfinite",
                f"{what} gradient has {arr[first]} at {list(first)}",
                first,
                float(A[first]),
                float(numeric[first]),
            )
    return None
