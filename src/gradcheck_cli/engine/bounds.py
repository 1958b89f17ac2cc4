"""What a verdict compares |A − N| with, entry by entry (the formula: policy.py).

With no --rtol/--atol, the complex and richardson engines are judged against what they
can honestly promise for each entry, from this tensor's numbers only. With --rtol/--atol
(and for the central and forward engines) the classic bound of compare.py applies.
"""

import numpy as np

from gradcheck_cli.engine.compare import entry_bound
from gradcheck_cli.engine.numeric import RICHARDSON_REL_STEP, complex_steps
from gradcheck_cli.engine.policy import DEFAULT_RTOL, POLICY
from gradcheck_cli.options.declared import CheckOptions
from gradcheck_cli.result import Tolerance

UNDERFLOW = 2.0**10 * float(np.finfo(np.float64).smallest_subnormal)  # ... on the way to L


DTYPE = CheckOptions.dtype  # the option's default (config.py)


def uses_estimates(method: str, tol: Tolerance | None) -> bool:
    return tol is None and method in ("complex", "richardson")


def classic(method: str, tol: Tolerance | None) -> Tolerance:
    """The rtol/atol tolerance in force: the user's, or the engine's default."""
    return tol if tol is not None else Tolerance(rtol=DEFAULT_RTOL[method])


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
    size = np.maximum(np.abs(A), np.abs(N))
    scale = float(np.abs(N).max()) if N.size else 0.0
    k = 1.0 if method == "complex" or dtype != "float64" else 1.0 / RICHARDSON_REL_STEP
    bound = k * p.eps * (p.entry * size + p.tensor * scale)
    if method == "complex" and theta is not None:  # Im f(θ + ih) underflows: subnormal
        bound = bound + UNDERFLOW / complex_steps(theta)
    if rounding is not None:
        bound = bound + p.rounding * rounding
    if error is not None:
        bound = bound + p.est * np.where(np.isfinite(error), error, np.inf)
    return bound


def loss_floor(theta: np.ndarray, loss: float, dtype: str = DTYPE) -> np.ndarray:
    """eps · |L| / max(|θ_i|, 1) per entry: an error in A_i smaller than this cannot move
    the loss by more than its own rounding, even with θ_i moved by its own size (or by 1):
    no computation of L in this precision can see it. (1 − σ(z) of a sigmoid saturated at
    z = −82 is 0 in float64 where the derivative is 1e-36.)"""
    return POLICY[dtype].eps * abs(loss) / np.maximum(np.abs(theta), 1.0)


def describe(method: str, tol: Tolerance | None, dtype: str = DTYPE) -> str:
    if not uses_estimates(method, tol):
        t = classic(method, tol)
        return (
            f"|A − N| ≤ atol + rtol · max(|A|, |N|, {t.floor:g} · max|N|), "
            f"rtol = {t.rtol:g}, atol = {t.atol:g}"
        )
    p = POLICY[dtype]
    k = "" if method == "complex" else " / h"
    est = f"{p.est:g} · estimate + " if method == "richardson" else ""
    size = f"{p.entry:g} max(|A|, |N|)"
    if p.tensor:
        size = f"({size} + {p.tensor:g} max|N| of the tensor)"
    return f"|A − N| ≤ {est}eps{k} · {size} + {p.rounding:g} · A's measured rounding"
