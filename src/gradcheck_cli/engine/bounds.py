"""What a verdict compares |A − N| with, entry by entry (the formula: policy.py).

With no --rtol/--atol, the complex and richardson engines are judged against what they
can honestly promise for each entry, from this tensor's numbers only. With --rtol/--atol
(and for the central and forward engines) the classic bound of compare.py applies.
"""

from typing import Any

import numpy as np

from gradcheck_cli.engine.compare import entry_bound, taken
from gradcheck_cli.engine.engines import COMPLEX_STEP, engine
from gradcheck_cli.engine.numeric import complex_steps
from gradcheck_cli.engine.policy import CLASSIC_ROUNDOFF, POLICY
from gradcheck_cli.options.declared import CheckOptions
from gradcheck_cli.records import frozen
from gradcheck_cli.result import Tolerance

UNDERFLOW = 2.0**10 * float(np.finfo(np.float64).smallest_subnormal)  # ... on the way to L


DTYPE = CheckOptions.dtype  # the option's default (options/declared.py)


def uses_estimates(method: str, tol: Tolerance | None) -> bool:
    """Whether ``method`` is judged by its own error estimate (no --rtol/--atol given)."""
    return tol is None and engine(method).estimates


def classic(method: str, tol: Tolerance | None) -> Tolerance:
    """The rtol/atol tolerance in force: the user's, or the engine's default."""
    return tol if tol is not None else Tolerance(rtol=engine(method).rtol)


@frozen
class Sampled:
    """θ of the whole tensor, and the flat entries ``at`` (a sample's) per_entry bounds
    alone: in arrays the sample's size, the same bound those entries get from the whole
    tensor's (max|N| where N holds the sample's values and A's elsewhere; the step of a
    θ_i = 0 from the rest of θ)."""

    theta: np.ndarray | float
    at: np.ndarray


def per_entry(
    method: str,
    tol: Tolerance | None,
    A: np.ndarray,
    N: np.ndarray,
    error: np.ndarray | None,
    rounding: np.ndarray | None,
    dtype: str = DTYPE,
    theta: np.ndarray | float | Sampled | None = None,
) -> np.ndarray:
    """The bound for every entry of one tensor (shapes already equal, values finite).

    ``rounding``: ρ, A's own rounding per entry (verdict.analytic_rounding), or None;
    ``theta``: the values differentiated (for the complex step's underflow); Sampled:
    A, N and ``error`` the whole tensor's, ``rounding`` at the sample's entries already
    (verdict.Pending.rho_at), the bound at those entries returned."""
    scale, tensor = None, None
    if isinstance(theta, Sampled):
        A, N, error, scale, tensor, theta = _sampled(method, tol, A, N, error, dtype, theta)
    assert not isinstance(theta, Sampled)
    if not uses_estimates(method, tol):
        return entry_bound(A, N, classic(method, tol), scale)[2]
    p = POLICY[dtype]
    # in place where the result is ours (a leaf of 4 M entries: each new array costs)
    bound = np.array(A, dtype=np.float64)  # (a copy: an array even for a 0-d A)
    np.abs(bound, out=bound)
    absN = None if N is A else np.abs(N)  # (a directional check's N is A: no copy)
    if absN is not None:
        np.maximum(bound, absN, out=bound)  # max(|A_i|, |N_i|)
    if scale is None:  # max|N| (|A| where N is A)
        scale = float((bound if absN is None else absN).max()) if N.size else 0.0
    del absN
    scale_eps = engine(method).bound_scale
    k = 1.0 if scale_eps == 1.0 or dtype != "float64" else 1.0 / scale_eps
    bound *= p.entry
    bound += p.tensor * scale
    bound *= k * p.eps
    if engine(method).complex and theta is not None:  # Im f(θ + ih) underflows: subnormal
        bound = _plus(bound, _underflow(theta, bound, tensor))
    if rounding is not None:
        bound = _plus(bound, p.rounding * rounding)
    if error is not None:
        bound = _plus(bound, p.est * np.where(np.isfinite(error), error, np.inf))
    return bound


def _sampled(
    method: str,
    tol: Tolerance | None,
    A: np.ndarray,
    N: np.ndarray,
    error: np.ndarray | None,
    dtype: str,
    sample: Sampled,
) -> tuple[Any, Any, Any, float | None, np.ndarray | None, Any]:
    """(A, N, error, scale, tensor, θ) for per_entry at a sample's entries: the arrays
    taken there, and what the whole tensor decides (scale None where it is not used)."""
    at, shape = sample.at, np.shape(A)
    A_at, N_at = taken(A, at, shape), taken(N, at, shape)
    scale = None
    classic_bound = not uses_estimates(method, tol)
    if classic_bound or POLICY[dtype].tensor != 0:
        size = np.abs(np.ravel(A))
        if not classic_bound:  # max|N|: the sample's N, A elsewhere
            size[at] = 0.0
        scale = max(float(size.max(initial=0.0)), float(np.abs(N_at).max(initial=0.0)))
    whole = np.asarray(sample.theta, dtype=np.float64)
    tensor = whole if whole.ndim else None
    return A_at, N_at, taken(error, at, shape), scale, tensor, taken(whole, at, shape)


def _plus(bound: np.ndarray, term: np.ndarray | None) -> np.ndarray:
    """bound + term, in place where the shapes allow (None: a term too small to change
    any bit of the bound)."""
    if term is None:
        return bound
    if np.broadcast_shapes(bound.shape, np.shape(term)) != bound.shape:
        return bound + term
    bound += term
    return bound


def _underflow(
    theta: np.ndarray | float, bound: np.ndarray, tensor: np.ndarray | None = None
) -> np.ndarray | None:
    """UNDERFLOW / h_i, the complex step's subnormal floor; None where even its largest
    is below 2⁻⁵⁴ of the smallest bound (adding it would change no bit: the common case,
    found without the steps of every entry)."""
    a = np.asarray(theta, dtype=np.float64)
    if a.size and bound.size and np.broadcast_shapes(bound.shape, a.shape) == bound.shape:
        smallest = _least_abs(a)
        if smallest > 0 and np.isfinite(smallest):
            top = UNDERFLOW / (COMPLEX_STEP * min(max(smallest, 1e-280), 1.0))
            if top <= float(bound.min()) * 2.0**-54:
                return None
    return UNDERFLOW / complex_steps(theta, tensor)


def _least_abs(a: np.ndarray, chunk: int = 2**20) -> float:
    """min |a_i| (NaN if any is), a chunk at a time: no copy of a leaf of 64 M entries."""
    flat = np.ravel(a)
    return float(np.min([np.abs(flat[k : k + chunk]).min() for k in range(0, flat.size, chunk)]))


def loss_floor(theta: np.ndarray, loss: float, dtype: str = DTYPE) -> np.ndarray:
    """eps · |L| / max(|θ_i|, 1) per entry: an error in A_i smaller than this cannot move
    the loss by more than its own rounding, even with θ_i moved by its own size (or by 1):
    no computation of L in this precision can see it. (1 − σ(z) of a sigmoid saturated at
    z = −82 is 0 in float64 where the derivative is 1e-36.)"""
    return POLICY[dtype].eps * abs(loss) / np.maximum(np.abs(theta), 1.0)


def describe(method: str, tol: Tolerance | None, dtype: str = DTYPE) -> str:
    if not uses_estimates(method, tol):
        t = classic(method, tol)
        floor = (  # (verdict._difference_roundoff: where the steps are known)
            f", at least {CLASSIC_ROUNDOFF:g} eps · |L| / h (the difference's round-off)"
            if engine(method).rule in ("central", "richardson")
            else ""
        )
        return (
            f"|A − N| ≤ atol + rtol · max(|A|, |N|, {t.floor:g} · max|N|), "
            f"rtol = {t.rtol:g}, atol = {t.atol:g}{floor}"
        )
    p = POLICY[dtype]
    how = engine(method)
    k = "" if how.bound_scale == 1.0 else " / h"
    est = f"{p.est:g} · estimate + " if how.extrapolated else ""
    size = f"{p.entry:g} max(|A|, |N|)"
    if p.tensor:
        size = f"({size} + {p.tensor:g} max|N| of the tensor)"
    return f"|A − N| ≤ {est}eps{k} · {size} + {p.rounding:g} · A's measured rounding"
