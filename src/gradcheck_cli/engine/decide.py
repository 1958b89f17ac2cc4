"""The verdict rule, in one place: entries, rows and the whole check.

What the other stages hand in is measured: N (numeric.py), each entry's bound
(bounds.py: the engine's own error, A's rounding measured in extended precision and
under moved forward values), and what a second look proved (verdict.py: a kink, where the
one-sided derivatives are resolved and A lies between them). The rule:

- An entry **passes** only when |A_i − N_i| ≤ bound_i and bound_i is finite. An entry
  whose bound cannot be had (an estimate that is not finite) is **unresolved**: it
  neither passes nor fails, and the row says so.
- A second look may only widen an entry's bound (by what it measured) or prove a kink;
  it never skips an entry. So whatever it learned shows in the resolution.
- A row's **resolution** is the largest bound_i / |A_i| over the entries that carry the
  gradient (max(|A_i|, |N_i|) ≥ CARRY times its largest; / |N_i| where A_i = 0): a
  relative error ten times that, planted at any of them, fails. A proved kink's entry
  counts with the tolerance its subgradient test applied, where A sits at an edge of
  [left, right] (kink_bounds). An unresolved carrying
  entry, or a bound wider than |A_i| itself, leaves no resolution (None, with the
  reason); a row where
  nothing carries (A = N = 0) has none to state.
- A row **FAILs** if any entry fails; else it is **WEAK** if its resolution is coarser
  than the policy's ``weak`` or cannot be had; else **KINK** if a kink was proved; else
  **PASS**. The check's status: FAIL over WEAK over PASS (KINK passes).
"""

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np

from gradcheck_cli.engine.policy import CARRY
from gradcheck_cli.errors import ExitStatus
from gradcheck_cli.result import FAIL, KINK, PASS, WEAK, Comparison, Status

# the check's status -> the process's exit status (2, 130: errors.ExitStatus)
EXIT_CODES = {PASS: ExitStatus.OK, FAIL: ExitStatus.FAIL, WEAK: ExitStatus.WEAK}


def carrying(A: np.ndarray, N: np.ndarray, counted: np.ndarray) -> np.ndarray:
    """The counted entries that carry the gradient: max(|A_i|, |N_i|) ≥ CARRY times its
    largest (by either side: an N of exactly 0 does not hide a nonzero A, nor an A of 0 a
    nonzero N)."""
    return _carrying(np.maximum(np.abs(A), np.abs(N)), counted)


def _carrying(size: np.ndarray, counted: np.ndarray) -> np.ndarray:
    """carrying(), from size = max(|A_i|, |N_i|)."""
    if counted.all():  # (a masked reduction costs several plain ones)
        top = float(size.max(initial=0.0))
    else:
        top = float(np.max(size, where=counted, initial=0.0)) if counted.any() else 0.0
    return counted & (size >= CARRY * top) & (size > 0)


def resolution(
    A: np.ndarray,
    N: np.ndarray,
    bound: np.ndarray,
    counted: np.ndarray,
    at: Callable[[int], tuple[int, ...]] | None = None,
) -> tuple[float | None, tuple[int, ...] | None, str | None]:
    """(resolution, its index, why) of one row: the largest bound_i / |A_i| over the
    carrying entries (/ |N_i| where A_i is 0: a dropped term there passes only within a
    bound that size). (None, None, None) where none carries; (None, index, why) where
    one is unresolved. ``at``: the tensor's index of a flat index of A (a sample's
    entries), by default A's own."""
    size = np.asarray(np.abs(A), dtype=np.result_type(A, N))  # (ours: changed in place)
    top = size  # max(|A|, |N|): |A| where N is A (a directional check's)
    if N is not A:
        absN = np.asarray(np.abs(N))  # (ours too: max(|A|, |N|) in place: |N| where A = 0)
        same = absN.shape == size.shape and absN.dtype == size.dtype and absN.ndim > 0
        top = np.maximum(size, absN, out=absN if same else None)
        del absN
    live = _carrying(top, counted)
    if not live.any():  # nothing to resolve: every entry's bound decides alone
        return None, None, None
    if top is not size:
        np.copyto(size, top, where=A == 0)  # |A_i|, or |N_i| where A_i = 0
    del top
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if np.shape(bound) == size.shape:  # (in place: size is ours)
            res = np.divide(bound, size, out=size, where=live)
            np.copyto(res, -np.inf, where=~live)
        else:
            res = np.full(np.broadcast_shapes(np.shape(bound), size.shape), -np.inf)
            np.divide(bound, size, out=res, where=live)
    worst = int(np.argmax(res))
    value = float(res.ravel()[worst])
    index = at(worst) if at is not None else tuple(int(j) for j in np.unravel_index(worst, A.shape))
    if not np.isfinite(value):
        return None, index, f"the bound at {list(index)} cannot be had (not finite)"
    if value > 1:  # a bound wider than the entry itself resolves nothing there
        of = "|A|" if np.ravel(A)[worst] != 0 else "|N| (A = 0)"
        return None, index, f"the bound at {list(index)} is {value:.0e} times {of} there"
    return value, index, None


def kink_bounds(
    A: np.ndarray, bound: np.ndarray, kink: np.ndarray, sides: Any, counted: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(bound, counted) for the resolution, with the proved kink entries where A sits at
    a one-sided derivative (within its tolerance sides.tol of one): there the distance
    from A to the nearer end of what passes, [lo − tol, hi + tol], is the bound applied,
    the error that would move A off the subgradients unseen (sides that drift with the
    step show in it). An A well inside [left, right] is a subgradient whatever small
    error it carries, and an A of 0 carries no relative error: neither is counted."""
    if sides is None or sides.tol is None or not kink.any():
        return bound, counted
    tol = np.nan_to_num(sides.tol, nan=np.inf)
    with np.errstate(invalid="ignore"):
        nearest = np.minimum(np.abs(A - sides.left), np.abs(A - sides.right))
        edge = kink & (nearest <= tol) & (A != 0)
        margin = np.minimum(A - (sides.lo - tol), sides.hi + tol - A)
    if not edge.any():
        return bound, counted
    return np.where(edge, margin, bound), counted | edge


def row_status(
    failed: bool, kinks: bool, res: float | None, weak: float, why: str | None = None
) -> Status:
    """A row's verdict from its entries (see the module's rule); ``why``: the reason a
    carrying entry is unresolved, if one is."""
    if failed:
        return FAIL
    if why is not None or (res is not None and not res <= weak):
        return WEAK
    return KINK if kinks else PASS


def weak_reason(res: float | None, weak: float, why: str | None = None) -> str:
    """Why a row is WEAK, in one line."""
    if res is None:
        return f"no resolution: {why or 'its bound cannot be had'}"
    near = res < 2 * weak  # (near the limit: the digits that tell them apart)
    shown, limit = (f"{res:.2e}", f"{weak:.2e}") if near else (f"{res:.1e}", f"{weak:.0e}")
    return (
        f"resolution {shown}: an entry that carries the gradient would have to be off by "
        f"more than {shown} (relative) to fail; a PASS needs at most {limit}"
    )


def unresolved(
    c: Comparison, where: np.ndarray, A: np.ndarray, N: np.ndarray, what: str
) -> Comparison:
    """A row some of whose entries could not be resolved (``what`` says why, of the first
    at ``where``): the row is WEAK with that reason, its worst entry the first of them,
    unless it FAILs. Such an entry neither passes nor fails."""
    if c.status == FAIL:
        return c
    first = tuple(int(j) for j in np.argwhere(where)[0])
    count = f"{int(where.sum())} of {where.size} entries" if where.size > 1 else "the entry"
    why = f"{what.format(index=list(first))} ({count})"
    return replace(
        c,
        status=WEAK,
        reason=f"no resolution: {why}",
        resolution=None,
        resolution_worst=None,
        resolution_index=first,
        unresolved=why,
        worst_index=first,
        worst_analytic=float(A[first]),
        worst_numeric=float(N[first]),
    )


def check_status(statuses: list[str]) -> Status:
    """The whole check's status: FAIL if any row fails, else WEAK if any row is, else PASS."""
    return FAIL if FAIL in statuses else WEAK if WEAK in statuses else PASS
