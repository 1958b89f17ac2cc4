"""A FAIL carried from an earlier adjoint: the row to fix is upstream in the backward pass.

A model file's backward() computes each adjoint from its own values (so does --chain):
one wrong formula (z̄1) makes every adjoint computed from it fail too (W̄1 = z̄1 xᵀ), though
their own formulas are right. Row R (variable r) carries the error of U (a tapped
intermediate computed from r) when R's error is U's pulled back through the forward:

    A_R − N_R = (∂u/∂r)ᵀ (A_U − N_U)

Checked along CARRY_DIRECTIONS seeded sign vectors v, one model evaluation each:
⟨A_R − N_R, v⟩ against ⟨A_U − N_U, J v⟩, where J v = d u(r + s v)/ds at s = 0 by the
complex step (exact to rounding). It holds where r reaches the loss through u alone, and
a row with an error of its own does not satisfy it: what it names is the one row to fix.
Only a diagnosis: no verdict changes.
"""

import numpy as np

from gradcheck_cli.engine.directional import complex_along, directions
from gradcheck_cli.engine.policy import CARRY_DIRECTIONS, CARRY_RTOL


def carried_from(model, env, row: str, error: np.ndarray, upstream: dict, seed: int):
    """The first id of ``upstream`` (a tapped intermediate's id -> its error A − N, in
    backward order) whose error, pulled back to ``row``, is ``error`` (row's A − N);
    None if none is."""
    theta = np.asarray(env[row], dtype=float)
    if error.shape != theta.shape or not np.all(np.isfinite(error)):
        return None
    V = directions(theta.shape, CARRY_DIRECTIONS, seed, row)
    own = np.array([float(np.sum(error * v)) for v in V])
    if not np.any(own):
        return None
    later = {s.name for s in model.downstream(row)}
    for u, e in upstream.items():
        if u not in later or np.shape(e) != np.shape(env[u]) or not np.all(np.isfinite(e)):
            continue
        pulled = np.array([float(np.sum(e * complex_along(model, env, row, v, upto=u))) for v in V])
        if np.all(np.abs(own - pulled) <= CARRY_RTOL * np.maximum(np.abs(own), np.abs(pulled))):
            return u
    return None
