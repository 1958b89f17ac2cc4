"""What a verdict compares |A − N| with, entry by entry (the formula: policy.py).

With no --rtol/--atol, the complex and richardson engines are judged against what they
can honestly promise for each entry, from this tensor's numbers only. With --rtol/--atol
(and for the central and forward engines) the classic bound of compare.py applies.
"""

import numpy as np

from gradcheck_cli.engine.compare import entry_bound
from gradcheck_cli.engine.engines import COMPLEX_STEP, engine
from gradcheck_cli.engine.numeric import complex_steps
from gradcheck_cli.engine.policy import CLASSIC_ROUNDOFF, POLICY
from gradcheck_cli.options.declared import CheckOptions
from gradcheck_cli.result import Tolerance

UNDERFLOW = 2.0**10 * float(np.finfo(np.float64).smallest_subnormal)  # ... on the way to L


DTYPE = CheckOptions.dtype  # the option's default (options/declared.py)


def uses_estimates(method: str, tol: Tolerance | None) -> bool:
    """Whether ``method`` is judged by its own error estimate (no --rtol/--atol given)."""
    return tol is None and engine(method).estimates


def classic(method: str, tol: Tolerance | None) -> Tolerance:
    """The rtol/atol tolerance in force: the user's, or the engine's default."""
    return tol if tol is not None else Tolerance(rtol=engine(method).rtol)


def per_entry(
    method: str,
    tol: Tolerance | None,
    A: np.ndarray,
    N: np.ndarray,
    error: np.ndarray | None,
    rounding: np.ndarray | None,
    dtype: str = DTYPE,
    theta: np.ndarray | float | None = None,
) -> np.ndarray:
    """The bound for every entry of one tensor (shapes already equal, values finite).

    ``rounding``: ρ, A's own rounding per entry (verdict.analytic_rounding), or None;
    ``theta``: the values differentiated (for the complex step's underflow)."""
    if not uses_estimates(method, tol):
        return entry_bound(A, N, classic(method, tol))[2]
    p = POLICY[dtype]
    # in place where the result is ours (a leaf of 4 M entries: each new array costs)
    absN = np.abs(N)
    scale = float(absN.max()) if N.size else 0.0
    bound = np.array(A, dtype=np.float64)  # (a copy: an array even for a 0-d A)
    np.abs(bound, out=bound)
    np.maximum(bound, absN, out=bound)  # max(|A_i|, |N_i|)
    scale_eps = engine(method).bound_scale
    k = 1.0 if scale_eps == 1.0 or dtype != "float64" else 1.0 / scale_eps
    bound *= p.entry
    bound += p.tensor * scale
    bound *= k * p.eps
    if engine(method).complex and theta is not None:  # Im f(θ + ih) underflows: subnormal
        bound = _plus(bound, _underflow(theta, bound))
    if rounding is not None:
        bound = _plus(bound, p.rounding * rounding)
    if error is not None:
        bound = _plus(bound, p.est * np.where(np.isfinite(error), error, np.inf))
    return bound


def _plus(bound: np.ndarray, term: np.ndarray | None) -> np.ndarray:
    """bound + term, in place where the shapes allow (None: a term too small to change
    any bit of the bound)."""
    if term is None:
        return bound
    if np.broadcast_shapes(bound.shape, np.shape(term)) != bound.shape:
        return bound + term
    bound += term
    return bound


def _underflow(theta: np.ndarray | float, bound: np.ndarray) -> np.ndarray | None:
    """UNDERFLOW / h_i, the complex step's subnormal floor; None where even its largest
    is below 2⁻⁵⁴ of the smallest bound (adding it would change no bit: the common case,
    found without the steps of every entry)."""
    a = np.abs(np.asarray(theta, dtype=np.float64))
    if a.size and bound.size and np.broadcast_shapes(bound.shape, a.shape) == bound.shape:
        smallest = float(a.min())
        if smallest > 0 and np.isfinite(smallest):
            top = UNDERFLOW / (COMPLEX_STEP * min(max(smallest, 1e-280), 1.0))
            if top <= float(bound.min()) * 2.0**-54:
                return None
    return UNDERFLOW / complex_steps(theta)


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
