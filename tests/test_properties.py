"""Property tests: over sizes, seeds and activations, correct passes and planted errors fail."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from gradcheck_cli.models import BUILDERS
from gradcheck_cli.models.builtin.activations import ACTIVATIONS
from gradcheck_cli.pipeline import run_check
from gradcheck_cli.result import FAIL
from gradcheck_cli.testing import plant_error

residual_options = st.fixed_dictionaries(
    {
        "d": st.integers(1, 32),
        "activation": st.sampled_from(sorted(ACTIVATIONS)),
        "batch": st.integers(1, 4),
        "seed": st.integers(0, 10_000),
    }
)
softmax_options = st.fixed_dictionaries(
    {
        "n": st.integers(2, 20),
        "d": st.integers(1, 16),
        "bias": st.booleans(),
        "batch": st.integers(1, 4),
        "seed": st.integers(0, 10_000),
    }
)


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
@given(
    residual_options,
    st.sampled_from(["W1", "W2", "x", "z1", "h", "z2", "y", "t"]),
    st.floats(1e-3, 0.5),
    st.data(),
)
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
    model = plant_error(model, target, index, delta)
    failing = [r.id for r in run_check(model).gradients if r.comparison.status == FAIL]
    assert failing == [target]


@settings(max_examples=40, deadline=None)
@given(
    st.one_of(
        st.tuples(st.just("residual"), residual_options),
        st.tuples(st.just("softmax"), softmax_options),
    ),
    st.sampled_from(["real", "complex"]),
    st.integers(0, 2**31),
)
def test_fast_path_equals_dense_copies(case, kind, pick):
    # The one-row fast path against plain stacked copies through every step, for a few
    # random entries of every leaf and intermediate.
    name, options = case
    model = BUILDERS[name](**options)
    env = model.forward()
    rng = np.random.default_rng(pick)
    for wrt in [leaf.name for leaf in model.leaves] + [s.name for s in model.steps[:-1]]:
        theta = np.asarray(env[wrt], dtype=float)
        idx = rng.choice(theta.size, size=min(5, theta.size), replace=False)
        steps = 1e-4 * (1 + rng.random(idx.size)) * (1j if kind == "complex" else 1)
        copies = np.repeat(theta.ravel()[None].astype(steps.dtype), idx.size, axis=0)
        copies[np.arange(idx.size), idx] += steps
        fast = model.perturbed(env, wrt, idx, steps)
        slow = model.evaluate(env, wrt, copies.reshape((idx.size,) + theta.shape))
        np.testing.assert_allclose(
            fast.real, slow.real, rtol=1e-11, atol=1e-13 * max(1.0, abs(float(env["L"])))
        )
        np.testing.assert_allclose(fast.imag, slow.imag, rtol=1e-10, atol=1e-300)
