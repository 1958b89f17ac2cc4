"""Every injectable bug is caught on its own row wherever it changes the gradient."""

import numpy as np
import pytest

from gradcheck_cli.models import BUILDERS
from gradcheck_cli.models.builtin import bugs
from gradcheck_cli.models.builtin.activations import ACTIVATIONS
from gradcheck_cli.pipeline import run_check


def _changes_gradient(model, bug, options) -> bool:
    """Whether the wrong formula differs from the right one here (shape or values)."""
    env = model.forward()
    right = model.backward(env) if bug.target in env else None
    model = bugs.inject(model, bug)
    if right is None:  # the Jacobian
        jac = model.jacobians[0]
        wrong, right = model.jacobian(jac, env), jac.fn(env)
    else:
        wrong, right = model.backward(env)[bug.target], right[bug.target]
    return wrong.shape != right.shape or not np.allclose(wrong, right, rtol=1e-6, atol=1e-12)


def _cases():
    for act in ACTIVATIONS:
        for d, batch in [(1, 1), (1, 3), (5, 1), (4, 3)]:
            yield "residual", dict(d=d, activation=act, batch=batch, seed=d + batch)
    for bias in (True, False):
        for n, d, batch in [(2, 1, 1), (7, 3, 1), (5, 4, 3)]:
            yield "softmax", dict(n=n, d=d, bias=bias, batch=batch, seed=n)


CASES = list(_cases())


@pytest.mark.parametrize("model,options", CASES, ids=[f"{m}-{o}" for m, o in CASES])
def test_every_bug_fails_exactly_its_row(model, options):
    assert run_check(BUILDERS[model](**options), options=options).status == "PASS"
    for bug in bugs.bugs_for(model).values():
        if model == "softmax" and bug.target == "b" and not options["bias"]:
            continue
        m = bugs.inject(BUILDERS[model](**options), bug)
        changes = _changes_gradient(BUILDERS[model](**options), bug, options)
        if bug.inert(options):  # a bug said to change nothing here must change nothing
            assert not changes, bug.name
        report = run_check(m, options=options)
        failing = [r.id for r in report.gradients if r.comparison.status == "FAIL"]
        if changes:
            assert failing == [bug.target], (bug.name, options)
            assert report.exit_code == 1
        else:  # e.g. phi-for-dphi where every relu unit is off: both are zero
            assert failing == [], (bug.name, options)


def test_each_bug_changes_the_gradient_somewhere():
    hit = set()
    for model, options in CASES:
        for bug in bugs.bugs_for(model).values():
            if bug.target == "b" and not options.get("bias", True):
                continue
            if _changes_gradient(BUILDERS[model](**options), bug, options):
                hit.add((model, bug.name))
    assert hit == {(b.model, b.name) for b in bugs.BUGS}


def test_inert_reason_is_given_for_batch_mean_with_one_example():
    bug = bugs.find("residual", "batch-mean-forgotten")
    assert "batch 1" in bug.inert(dict(d=4, activation="tanh", batch=1, seed=0))
    assert bug.inert(dict(d=4, activation="tanh", batch=2, seed=0)) is None


def test_document_x_bar_is_the_skip_term_dropped():
    m = BUILDERS["residual"](d=6)
    m = bugs.inject(m, bugs.find("residual", "x-skip-dropped"))
    report = run_check(m)
    row = next(r for r in report.gradients if r.id == "x")
    assert row.comparison.status == "FAIL" and row.replaced and row.formula == "W1ᵀ z̄1"


def test_unknown_bug_suggests_nearest():
    with pytest.raises(Exception, match="did you mean 'x-skip-dropped'"):
        bugs.find("residual", "x-skip-droped")


def test_injecting_or_planting_leaves_the_model_given_as_it_is():
    from gradcheck_cli.testing import plant_error

    m = BUILDERS["residual"](d=4)
    injected = bugs.inject(m, bugs.find("residual", "x-skip-dropped"))
    planted = plant_error(m, "W1", (0, 0), 1e-3)
    assert not m.overrides and not m.origins
    assert set(injected.overrides) == {"x"} and injected.origins == {"x": "injected"}
    assert set(planted.overrides) == {"W1"}
    assert run_check(m).status == "PASS" and run_check(injected).status == "FAIL"
