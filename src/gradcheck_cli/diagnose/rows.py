"""The diagnoses of a check's rows: every FAIL row checked entry by entry gets the first
rule of RULES that fits it, unless it only carries an earlier row's error (carried.py),
or only its kinks fail, together (engine/together.py)."""

from dataclasses import replace

import numpy as np

from gradcheck_cli.diagnose import Case, diagnose
from gradcheck_cli.diagnose.carried import carried_from
from gradcheck_cli.engine.bounds import classic
from gradcheck_cli.engine.checking import Settings
from gradcheck_cli.engine.engines import engine
from gradcheck_cli.engine.policy import SAME_VALUES
from gradcheck_cli.result import FAIL, TOGETHER, Diagnosis, GradientRow

KINKS_TOGETHER = (
    "kinks apart: A is a subgradient at each kink or tie alone, not at them together: "
    "the entries' shares of one non-smooth term do not add up (the tied entries of a "
    "max, a median or a sort share its gradient, summing to it; every tensor one relu "
    "gates takes one mask, u > 0 or u >= 0, not one each)"
)


def diagnose_rows(rows, analytic, arrays, env, model, settings, method, kinks) -> list[GradientRow]:
    """Attach a diagnosis to every FAIL row, naming other adjoints and forward values.
    ``analytic``: each row's hand-derived value, by row id; ``kinks``: the entries each
    row excused as kinks (never named, never fitted)."""
    if not any(row.comparison.status == FAIL for row in rows):
        return rows
    values = {n: np.asarray(env[n]) for n in [l.name for l in model.leaves] + model.checked()}
    carried = _carried(rows, analytic, arrays, env, model, settings, method)
    out = []
    for row in rows:
        if row.id in carried:
            source = next(r.label for r in rows if r.id == carried[row.id])
            row = replace(
                row,
                diagnosis=Diagnosis(
                    "carried",
                    f"carried from {source}: the error is {source}'s, pulled back through "
                    f"∂{carried[row.id]}/∂{row.id}; this row's own formula is consistent: "
                    f"fix {source}",
                    {"from": carried[row.id]},
                ),
            )
        elif row.comparison.problem == "missing":  # nothing to diagnose: no adjoint
            pass
        elif row.comparison.problem == TOGETHER:  # (A − N there is no pattern: N is the
            row = replace(row, diagnosis=Diagnosis("together", KINKS_TOGETHER))  # sides' mean)
        elif row.comparison.status == FAIL and row.comparison.checked < row.comparison.entries:
            row = replace(
                row,
                diagnosis=Diagnosis("none", _undiagnosed(settings)),
            )
        elif row.comparison.status == FAIL and row.comparison.problem != "type":
            others = _merge_equal(
                {
                    r.label: arrays[f"numeric/{r.id}"]
                    for r in rows
                    if r.id != row.id
                    and f"numeric/{r.id}" in arrays
                    and r.comparison.checked == r.comparison.entries
                }
            )
            A, N = analytic[row.id], arrays[f"numeric/{row.id}"]
            own = values.get(row.id) if row.kind not in ("intermediate", "jacobian") else None
            row = replace(
                row,
                diagnosis=diagnose(
                    Case(
                        A,
                        N,
                        classic(method, settings.tolerance),
                        others,
                        {n: v for n, v in values.items() if n != row.id},
                        model.symbols,
                        own=own,
                        own_name=row.id,
                        exclude=kinks.get(row.id),
                        value=values.get(row.id),
                        worst=row.comparison.worst_index,
                    )
                ),
            )
        out.append(row)
    return out


def _carried(rows, analytic, arrays, env, model, settings, method) -> dict[str, str]:
    """Row id -> the id of the earlier FAIL row whose error it only carries (carried.py):
    where the backward computes adjoints from its own (a model file's, or --chain) and
    the complex step can follow a direction; every row checked entry by entry."""
    if not engine(method).complex or not (model.chain or hasattr(model, "user_backward")):
        return {}

    def full_fail(r) -> bool:
        c = r.comparison
        return c.status == FAIL and c.problem == "values" and c.checked == c.entries

    errors = {
        r.id: np.asarray(analytic[r.id], dtype=float) - arrays[f"numeric/{r.id}"]
        for r in rows
        if full_fail(r) and r.kind != "jacobian"
    }
    found = {}
    for k, row in enumerate(rows):
        earlier = reversed(rows[:k])  # nearest first
        upstream = {
            r.id: errors[r.id] for r in earlier if r.kind == "intermediate" and r.id in errors
        }
        if row.id in errors and upstream:
            source = carried_from(
                model, env, row.id, errors[row.id], upstream, settings.options.seed
            )
            if source is not None:
                found[row.id] = source
    return found


def _undiagnosed(settings: Settings) -> str:
    """Why a FAIL row with only some entries checked gets no diagnosis."""
    if settings.check.sample is not None:
        return "not diagnosed: only sampled entries were checked (run without --sample to diagnose)"
    return (
        "not diagnosed: over the budget, the wrong entries were located, not every entry "
        "checked (--budget inf checks and diagnoses every entry)"
    )


def _merge_equal(named: dict) -> dict:
    """One entry per distinct array; equal ones share a name: 'z̄2 (= h̄)'."""
    out: dict = {}
    for name, value in named.items():
        same = next(
            (
                k
                for k, v in out.items()
                if v.shape == value.shape and np.allclose(v, value, rtol=SAME_VALUES, atol=0)
            ),
            None,
        )
        if same is None:
            out[name] = value
        else:
            out[f"{same[:-1]}, {name})" if same.endswith(")") else f"{same} (= {name})"] = out.pop(
                same
            )
    return out
