"""What a verdict compares |A − N| with, entry by entry.

With no --rtol/--atol, the complex and richardson engines are judged against what they
can honestly promise for each entry:

    bound_i = C_EST · est_i                              (richardson's own error estimate)
            + k · eps · (C_ENTRY · max(|A_i|, |N_i|)     (rounding of the entry itself)
                         + C_TENSOR · s_T                (round-off of sums in this tensor)
                         + C_MODEL · S)                  (round-off carried from the forward)

where s_T = max |N| over the tensor, S = max |N| over every checked tensor of the model,
and k = 1 for the complex step (no subtraction) or 1/h_rel for richardson (the
difference quotient divides the loss's round-off by the step). The constants were set
from benchmarks/detection.py with a margin of at least 4 over the largest error seen on
correct gradients.

With --rtol/--atol (and for the central and forward engines, whose defaults are rtol
1e-5 and 1e-4) the classic bound of compare.py applies.
"""

import numpy as np

from gradcheck_cli.compare import Tolerance, entry_bound
from gradcheck_cli.numeric import RICHARDSON_REL_STEP

EPS = float(np.finfo(np.float64).eps)
C_EST, C_ENTRY, C_TENSOR, C_MODEL = 8.0, 512.0, 32.0, 32.0
C32_ENTRY, C32_TENSOR, C32_MODEL = 8.0, 4.0, 4.0
DEFAULT_RTOL = {"central": 1e-5, "forward": 1e-4, "complex": 1e-5, "richardson": 1e-5}


def uses_estimates(method: str, tol: Tolerance | None) -> bool:
    return tol is None and method in ("complex", "richardson")


def classic(method: str, tol: Tolerance | None) -> Tolerance:
    """The rtol/atol tolerance in force: the user's, or the engine's default."""
    return tol if tol is not None else Tolerance(rtol=DEFAULT_RTOL[method])


def per_entry(method: str, tol: Tolerance | None, A: np.ndarray, N: np.ndarray,
              error: np.ndarray | None, model_scale: float, eps: float = EPS) -> np.ndarray:
    """The bound for every entry of one tensor (shapes already equal, values finite).

    ``eps`` is the machine epsilon of the dtype A was computed in (float32: 1.2e-7)."""
    if not uses_estimates(method, tol):
        return entry_bound(A, N, classic(method, tol))[2]
    size = np.maximum(np.abs(A), np.abs(N))
    scale = float(np.abs(N).max()) if N.size else 0.0
    k = 1.0 if method == "complex" else 1.0 / RICHARDSON_REL_STEP
    if eps > EPS:  # float32 analytic against a float64 reference: its own rounding dominates
        return eps * (C32_ENTRY * size + C32_TENSOR * scale + C32_MODEL * model_scale) + (
            0 if error is None else C_EST * np.where(np.isfinite(error), error, np.inf))
    bound = k * EPS * (C_ENTRY * size + C_TENSOR * scale + C_MODEL * model_scale)
    if error is not None:
        bound = bound + C_EST * np.where(np.isfinite(error), error, np.inf)
    return bound


def describe(method: str, tol: Tolerance | None) -> str:
    if not uses_estimates(method, tol):
        t = classic(method, tol)
        return (f"|A − N| ≤ atol + rtol · max(|A|, |N|, {t.floor:g} · max|N|), "
                f"rtol = {t.rtol:g}, atol = {t.atol:g}")
    k = "" if method == "complex" else " / h"
    est = f"{C_EST:g} · estimate + " if method == "richardson" else ""
    return (f"|A − N| ≤ {est}eps{k} · ({C_ENTRY:g} max(|A|, |N|) + {C_TENSOR:g} max|N| of the "
            f"tensor + {C_MODEL:g} max|N| of the model)  (error-estimate bound)")
