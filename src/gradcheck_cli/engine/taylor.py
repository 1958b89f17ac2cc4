"""Step-size studies: the Taylor-remainder test and the step sweep.

Taylor: for a random direction v, r(ε) = |L(θ + εv) − L(θ) − ε⟨ḡ, v⟩| is O(ε²) when ḡ is
the gradient and O(ε) when it is not; the fitted order (the slope of log r against
log ε) says which, with no tolerance to choose. Sweep: the error of each finite-
difference engine against the hand-derived gradient over steps 1e-1 … 1e-14, the V of
truncation against round-off, and where the default step sits.
"""

import numpy as np

from gradcheck_cli.engine.engines import (
    COMPLEX_STEP,
    DEFAULT_REL_STEP,
    FORWARD_REL_STEP,
    RICHARDSON_REL_STEP,
)
from gradcheck_cli.engine.numeric import differentiate
from gradcheck_cli.engine.policy import (
    EPS,
    TAYLOR_LEAST,
    TAYLOR_ORDER_ONE,
    TAYLOR_ORDER_TWO,
    TAYLOR_ROUNDOFF,
    TINY,
)
from gradcheck_cli.models.model import Model, Values
from gradcheck_cli.records import frozen

EPSILONS = 2.0 ** -np.arange(4, 20)  # relative to the size of θ


@frozen
class TaylorRow:
    name: str
    order: float  # fitted slope: 2 for a correct gradient, 1 for a wrong one
    points: int  # how many ε stood above round-off and entered the fit
    verdict: str  # "order 2: consistent", "order 1: the gradient is wrong", "undetermined"


def taylor(
    model: Model,
    env: Values,
    analytic: dict,
    names: list[str],
    seed: int,
    kinked: set[str] | frozenset[str] = frozenset(),
) -> list[TaylorRow]:
    """The Taylor remainder's order along one seeded random direction per row. A row the
    verdict found on a kink (``kinked``: KINK entries) has no second-order remainder to
    show, whatever its subgradient: its order 1 says so, not that A is wrong."""
    rng = np.random.default_rng(seed)
    loss = float(env[model.loss])
    rows = []
    for name in names:
        g = analytic.get(name)
        theta = np.asarray(env[name], dtype=float)
        if not isinstance(g, np.ndarray) or g.shape != theta.shape or not np.all(np.isfinite(g)):
            why = (
                "no adjoint"
                if not isinstance(g, np.ndarray)
                else "the adjoint has the wrong shape"
                if g.shape != theta.shape
                else "the adjoint is not finite"
            )
            rows.append(TaylorRow(name, float("nan"), 0, f"undetermined: {why}"))
            continue
        v = rng.standard_normal(theta.shape) * max(float(np.abs(theta).max()), 1.0)
        eps = EPSILONS / max(float(np.abs(v).max()), TINY)
        copies = theta[None] + eps.reshape((-1,) + (1,) * theta.ndim) * v[None]
        with np.errstate(all="ignore"):
            L = np.asarray(model.evaluate(env, name, copies), dtype=float)
        r = np.abs(L - loss - eps * float(np.vdot(g, v)))
        keep = np.isfinite(r) & (r > TAYLOR_ROUNDOFF * EPS * max(abs(loss), TINY))
        if keep.sum() < TAYLOR_LEAST:
            rows.append(
                TaylorRow(
                    name,
                    float("nan"),
                    int(keep.sum()),
                    "undetermined: the remainder is at round-off (an exact gradient "
                    "of a linear or quadratic loss)",
                )
            )
            continue
        order = float(np.polyfit(np.log(eps[keep]), np.log(r[keep]), 1)[0])
        verdict = (
            "order 2: consistent with the gradient"
            if order > TAYLOR_ORDER_TWO
            else "order 1: expected on a kink (the verdict's KINK entries), not a sign of error"
            if name in kinked
            else "order 1: the gradient is wrong"
            if order < TAYLOR_ORDER_ONE
            else "between 1 and 2: a kink nearby?"
        )
        rows.append(TaylorRow(name, order, int(keep.sum()), verdict))
    return rows


STEPS = 10.0 ** -np.arange(1, 15)
DEFAULT_STEPS = {
    "forward": FORWARD_REL_STEP,
    "central": DEFAULT_REL_STEP,
    "richardson": RICHARDSON_REL_STEP,
}


@frozen
class Sweep:
    steps: list[float]
    errors: dict  # engine -> [max relative error at each step]
    complex_error: float | None  # the complex step's (step independent), None if not safe
    chosen: dict  # engine -> the default relative step


def sweep(model: Model, env: Values, analytic: dict, names: list[str], with_complex: bool) -> Sweep:
    """Max over tensors of max |N − A| / max |A| for each engine and step."""

    def error(method: str, step: float) -> float:
        worst = 0.0
        for name in names:
            A = analytic.get(name)
            if not isinstance(A, np.ndarray):
                continue
            N = differentiate(model, env, name, method=method, rel_step=step).value
            scale = max(float(np.abs(A).max()), TINY)
            worst = max(worst, float(np.max(np.abs(N - A))) / scale)
        return worst

    with np.errstate(all="ignore"):
        errors = {m: [error(m, h) for h in STEPS] for m in DEFAULT_STEPS}
        cx = error("complex", COMPLEX_STEP) if with_complex else None
    return Sweep([float(h) for h in STEPS], errors, cx, dict(DEFAULT_STEPS))
