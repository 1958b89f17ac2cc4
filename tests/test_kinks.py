"""ReLU-family kinks: a finite difference straddling the kink is KINK, never FAIL."""

import numpy as np
import pytest

from gradcheck_cli.check import run_check
from gradcheck_cli.compare import FAIL, KINK
from gradcheck_cli.models import BUILDERS


@pytest.mark.parametrize("act", ["relu", "leaky_relu"])
def test_exact_zero_pre_activation_is_reported_as_kink(act):
    m = BUILDERS["residual"](d=2, activation=act)
    m.values.update(W1=np.array([[1.0, -1.0], [1.0, 1.0]]), x=np.array([[1.0], [1.0]]),
                    W2=np.array([[2.0, 1.0]]), t=np.array([[0.0]]))
    report = run_check(m)
    statuses = {r.id: r.comparison.status for r in report.gradients}
    assert report.count(FAIL) == 0, statuses
    assert statuses["z1"] == KINK  # z1[0] = 0 exactly
    assert statuses["W1"] == KINK and statuses["x"] == KINK
    assert report.exit_code == 0


def test_kink_does_not_hide_a_wrong_gradient():
    m = BUILDERS["residual"](d=2, activation="relu")
    m.values.update(W1=np.array([[1.0, -1.0], [1.0, 1.0]]), x=np.array([[1.0], [1.0]]),
                    W2=np.array([[2.0, 1.0]]), t=np.array([[0.0]]))
    from gradcheck_cli import bugs

    bugs.inject(m, bugs.find("residual", "x-skip-dropped"), {"activation": "relu"})
    statuses = {r.id: r.comparison.status for r in run_check(m).gradients}
    assert statuses["x"] == FAIL


def test_integer_inputs_relu_never_false_fail():
    """Integer weights and inputs put many pre-activations exactly on the kink."""
    fails = 0
    for seed in range(40):
        m = BUILDERS["residual"](d=4, activation="relu", batch=2, seed=seed)
        rng = np.random.default_rng(seed)
        m.values.update(W1=rng.integers(-2, 3, (4, 4)).astype(float),
                        x=rng.integers(-2, 3, (4, 2)).astype(float),
                        W2=rng.integers(-2, 3, (1, 4)).astype(float))
        fails += run_check(m).count(FAIL)
    assert fails == 0
