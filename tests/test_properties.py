"""Property tests: over sizes, seeds and activations, correct passes and planted errors fail."""

import numpy as np
from hypothesis import given, settings, strategies as st

from gradcheck_cli.activations import ACTIVATIONS
from gradcheck_cli.checking import run_check
from gradcheck_cli.compare import FAIL
from gradcheck_cli.testing import plant_error
from gradcheck_cli.models import BUILDERS

residual_options = st.fixed_dictionaries({
    "d": st.integers(1, 32), "activation": st.sampled_from(sorted(ACTIVATIONS)),
    "batch": st.integers(1, 4), "seed": st.integers(0, 10_000),
})
softmax_options = st.fixed_dictionaries({
    "n": st.integers(2, 20), "d": st.integers(1, 16), "bias": st.booleans(),
    "batch": st.integers(1, 4), "seed": st.integers(0, 10_000),
})


@settings(max_examples=60, deadline=None)
@given(residual_options)
def test_correct_residual_never_fails(options):
    report = run_check(BUILDERS["residual"](**options))
    assert report.count(FAIL) == 0, [(r.id, r.comparison) for r in report.gradients]


@settings(max_examples=60, deadline=None)
@given(softmax_options)
def test_correct_softmax_never_fails(options):
    report = run_check(BUILDERS["softmax"](**options))
    assert report.count(FAIL) == 0, [(r.id, r.comparison) for r in report.gradients]


@settings(max_examples=40, deadline=None)
@given(residual_options, st.sampled_from(["W1", "W2", "x", "z1", "h", "z2", "y", "t"]),
       st.floats(1e-3, 0.5), st.data())
def test_planted_error_in_one_entry_fails_that_row(options, target, delta, data):
    """Scale one entry of one adjoint by (1 + delta): that row, and only it, fails."""
    model = BUILDERS["residual"](**options)
    env = model.forward()
    good = model.backward(env)[target]
    scale = np.abs(good).max()
    # Only entries that matter at the tensor's own scale can be told apart from zero.
    candidates = np.argwhere(np.abs(good) > 1e-2 * scale) if scale > 0 else []
    if len(candidates) == 0:
        return
    index = tuple(candidates[data.draw(st.integers(0, len(candidates) - 1))])
    plant_error(model, target, index, delta)
    failing = [r.id for r in run_check(model).gradients if r.comparison.status == FAIL]
    assert failing == [target]
