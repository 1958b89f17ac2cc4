"""What each engine claims to see, pinned from both sides (docs/verdict.md, "Sensitivity").

For every engine, one entry of one hand-derived adjoint is multiplied by (1 + δ): a δ a
few times above the claimed threshold must FAIL, a δ a few times below it must PASS. A
bound constant ten times too loose fails the first; ten times too tight, the second.
Tests that ask for an engine assert that it was the one used.
"""

import types

import numpy as np
import pytest

from gradcheck_cli import check
from gradcheck_cli.errors import ModelError
from gradcheck_cli.models import BUILDERS
from gradcheck_cli.pipeline import Settings, run_check
from gradcheck_cli.result import FAIL, PASS, WEAK, Tolerance
from gradcheck_cli.testing import plant_error

# engine settings -> (model size d, the claimed threshold δ on the median entry of W̄1, x̄)
CLAIMS = {
    "complex": (dict(method="complex"), 6, (1.2e-13, 1.2e-13)),  # 512 eps
    "richardson": (dict(method="richardson"), 6, (6e-11, 6e-11)),
    "central": (dict(method="central"), 6, (1e-5, 1e-5)),  # the classic rtol
    "forward": (dict(method="forward"), 6, (1e-4, 1e-4)),
    # 4 sign directions over W̄1's 4,096 entries; x̄'s 64 are then located entry by entry,
    # with the complex step's own threshold
    "directions, measured rounding": (dict(method="complex", directions=4), 64, (1.3e-12, 1.4e-13)),
}
ENGINE = {
    "complex": "complex",
    "richardson": "richardson",
    "central": "central",
    "forward": "forward",
    "directions, measured rounding": "complex",
}


def _median_entry(model, name):
    env = model.forward()
    g = np.abs(model.backward(env)[name])
    flat = np.flatnonzero(g)
    order = flat[np.argsort(g.ravel()[flat])]
    return np.unravel_index(order[len(order) // 2], g.shape)


def _planted(d, name, delta, settings):
    model = BUILDERS["residual"](d=d, activation="tanh", seed=0)
    index = _median_entry(model, name)
    report = run_check(plant_error(model, name, index, delta), Settings.of(**settings))
    return report


@pytest.mark.parametrize("engine", list(CLAIMS))
@pytest.mark.parametrize("name", ["W1", "x"])
def test_an_error_a_few_times_the_claimed_threshold_fails(engine, name):
    settings, d, thresholds = CLAIMS[engine]
    report = _planted(d, name, 4 * thresholds[name == "x"], settings)
    assert report.method == ENGINE[engine]
    row = report.row(name).comparison
    assert row.status == FAIL, (engine, name, row.ratio)
    assert row.failed == 1 and row.worst_index == tuple(
        int(i) for i in _median_entry(BUILDERS["residual"](d=d, activation="tanh", seed=0), name)
    )


@pytest.mark.parametrize("engine", list(CLAIMS))
@pytest.mark.parametrize("name", ["W1", "x"])
def test_an_error_a_few_times_below_the_claimed_threshold_passes(engine, name):
    settings, d, thresholds = CLAIMS[engine]
    report = _planted(d, name, thresholds[name == "x"] / 4, settings)
    assert report.method == ENGINE[engine]
    assert report.row(name).comparison.status == PASS, (engine, name, report.row(name).comparison)
    assert report.status == PASS


# A model file (no fast path): its backward in float64 only, so --directions keeps the
# worst-case bound, and one that is not complex-safe, so auto falls back to Richardson.
def _mlp(abs_penalty: bool, float64_only: bool, delta: float = 0.0, at=None):
    def init(rng):
        return {
            "W": rng.standard_normal((16, 12)),
            "x": rng.standard_normal((12, 8)),
            "t": rng.standard_normal((16, 8)),
        }

    def forward(p, tap):
        z = tap("z", p["W"] @ p["x"])
        h = tap("h", np.tanh(z))
        penalty = 0.01 * np.sum(np.abs(p["W"])) if abs_penalty else 0.0
        return 0.5 * np.sum((h - p["t"]) ** 2) + penalty

    def backward(v):
        z_bar = (v["h"] - v["t"]) * (1 - v["h"] ** 2)
        W_bar = z_bar @ v["x"].T + (0.01 * np.sign(v["W"]) if abs_penalty else 0.0)
        out = {"h": v["h"] - v["t"], "z": z_bar, "W": W_bar, "x": v["W"].T @ z_bar}
        if at is not None:
            out["W"] = out["W"].copy()
            out["W"][at] *= 1 + delta
        return {k: np.asarray(a, dtype=np.float64) for k, a in out.items()} if float64_only else out

    return types.SimpleNamespace(init=init, forward=forward, backward=backward, TARGETS=["t"])


def _median_W(model) -> tuple:
    report = check(model)
    A = np.abs(report.arrays["analytic/W"])
    order = np.argsort(A.ravel())
    return tuple(int(i) for i in np.unravel_index(order[A.size // 2], A.shape))


@pytest.mark.parametrize("float64_only,threshold", [(True, 5e-13), (False, 5e-13)])
def test_directions_on_a_model_file_both_bounds(float64_only, threshold):
    at = _median_W(_mlp(False, float64_only))
    for delta, status in ((4 * threshold, FAIL), (threshold / 8, PASS)):
        report = check(_mlp(False, float64_only, delta, at), directions=4)
        assert report.method == "complex"
        assert report.row("W").comparison.status == status, (float64_only, delta)


def test_the_richardson_fallback_catches_1e_minus_6_and_passes_the_correct_model():
    report = check(_mlp(True, False))
    assert report.method == "richardson" and report.status == PASS
    at = _median_W(_mlp(True, False))
    for delta, status in ((1e-6, FAIL), (1e-8, FAIL), (7e-10, PASS)):  # threshold: 3e-9
        report = check(_mlp(True, False, delta, at))
        assert report.method == "richardson"
        assert report.row("W").comparison.status == status, delta


def test_resolution_is_stated_and_weak_is_exit_3():
    report = run_check(BUILDERS["residual"](d=6, seed=0))
    assert all(r.comparison.resolution < 1e-12 for r in report.gradients)
    # central's classic bound judges entries below 1e-3 of the tensor's largest against
    # that floor; the resolution is stated over the entries that carry the gradient, where
    # it is the rtol (a confident softmax's tiny probabilities do not carry it)
    confident = run_check(
        BUILDERS["softmax"](n=12, d=7, batch=7, seed=33, scale=46.5), Settings.of(method="central")
    )
    y = confident.row("y").comparison
    assert y.status == PASS and y.resolution == pytest.approx(1e-5, rel=0.02)
    # y(1 − y) at y = 1 − 6.6e-12 carries the Jacobian, and its rounding (1e-16 of y) is
    # 1e-5 of it: no PASS can be promised finer than that (WEAK, exit 3, with why)
    near_one = run_check(
        BUILDERS["softmax"](n=17, d=32, batch=2, seed=9684, scale=45.01343734020972, bias=False)
    )
    jac = near_one.row("dy/dz").comparison
    assert jac.status == WEAK and 1e-6 < jac.resolution < 1e-2 and "resolution" in jac.reason
    assert near_one.status == WEAK and near_one.exit_code == 3
    # an rtol the user asks for is the contract: a PASS that says how fine it is
    loose = run_check(
        BUILDERS["residual"](d=6, seed=0),
        Settings.of(method="central", rtol=1e-3),
    )
    assert loose.status == PASS
    assert all(r.comparison.resolution == pytest.approx(1e-3, rel=0.02) for r in loose.gradients)


def test_the_bound_is_the_documented_formula():
    """docs/verdict.md, "The bound": 8 est + k eps 512 max(|A|, |N|) + 4 ρ (+ underflow)."""
    from gradcheck_cli.engine.bounds import per_entry

    eps = np.finfo(float).eps
    A, N = np.array([1.0, -2.0, 1e-3]), np.array([1.0, -2.0 + 1e-12, 1e-3])
    rho, est = np.array([0.0, 1e-14, 3e-15]), np.array([1e-13, 0.0, 2e-14])
    size = np.maximum(np.abs(A), np.abs(N))
    assert per_entry("complex", None, A, N, None, rho) == pytest.approx(
        eps * 512 * size + 4 * rho, rel=1e-9, abs=0
    )
    assert per_entry("richardson", None, A, N, est, rho) == pytest.approx(
        8 * est + eps / 3e-3 * 512 * size + 4 * rho, rel=1e-9, abs=0
    )
    eps32 = np.finfo(np.float32).eps
    assert per_entry("complex", None, A, N, None, None, "float32") == pytest.approx(
        eps32 * (8 * size + 4 * 2.0), rel=1e-6, abs=0
    )  # float32: its sums' rounding is not measured


def test_weak_is_exactly_a_resolution_coarser_than_1e_minus_6():
    from gradcheck_cli.engine.compare import compare
    from gradcheck_cli.engine.verdict import limit

    A = np.linspace(1.0, 2.0, 9)
    for res, status in ((3e-6, WEAK), (3e-7, PASS)):
        c = compare(
            A, A, Tolerance(), bound=res * np.abs(A), weak=limit("complex", None, "float64")
        )
        assert c.status == status and c.resolution == pytest.approx(res, rel=1e-9)


def test_directions_move_every_entry_by_at_least_their_least_size_with_sizes_apart():
    """Each entry ±(64 … 127), both signs and every size drawn: an entry moves with at
    least the weight the resolution counts, and two entries of one sign match in size
    about one time in 64 (a pair of opposite errors cancels only then)."""
    from gradcheck_cli.engine.directional import LEAST, directions

    V = directions((50, 70), 4, 0, "W")
    assert V.dtype == np.int8 and set(np.unique(np.abs(V))) == set(range(LEAST, 2 * LEAST))
    assert (V < 0).mean() == pytest.approx(0.5, abs=0.02)
    a, b = V[:, :, 0].ravel(), V[:, :, 1].ravel()
    assert (a == b).mean() == pytest.approx(1 / 128, abs=0.01)


def test_the_directional_bounds_are_the_documented_formulas():
    from gradcheck_cli.engine.directional import _bound

    eps = np.finfo(float).eps
    A = np.array([[1.0, -2.0], [0.5, 4.0]])
    V = np.array([[[1.0, -1.0], [1.0, 1.0]]])
    num, est = np.array([3.4]), np.zeros(1)
    terms = np.linalg.norm(A * V[0])
    worst = _bound(A, V, num, est, "complex")
    assert worst == pytest.approx(4 * eps * (terms + 4.0 * 2.0 + 3.4), rel=1e-9, abs=0)
    measured = _bound(A, V, num, est, "complex", correction=np.array([1e-15]))
    floor = np.finfo(float).tiny / 1e-20 * 2.0
    assert measured == pytest.approx(32 * eps * (terms + 3.4) + 2e-15 + floor, rel=1e-9, abs=0)


def test_rounding_that_only_the_formula_amplifies_is_not_a_failure():
    """y(1 − y) at y = 1 − 6.6e-12 (the softmax Jacobian's diagonal), a sum of rounding
    (x̄ of a softmax fitted to its rounding), saturated sigmoids: all PASS or WEAK under
    the complex step, never FAIL."""
    cases = [
        ("softmax", dict(n=17, d=32, batch=2, seed=9684, scale=45.01343734020972, bias=False)),
        ("softmax", dict(n=3, d=17, batch=1, seed=7185, scale=3.6312120525120304, integers=True)),
        ("softmax", dict(n=12, d=7, batch=7, seed=33, scale=46.5)),
        ("residual", dict(d=3, activation="sigmoid", seed=76, scale=487.9)),
    ]
    for name, opts in cases:
        report = run_check(BUILDERS[name](**opts))
        assert report.method == "complex" and report.count(FAIL) == 0, (
            name,
            opts,
            report.failures(),
        )
    jac = run_check(BUILDERS["softmax"](**cases[0][1])).row("dy/dz").comparison
    assert jac.status == WEAK and 1e-6 < jac.resolution < 1e-2  # y(1 − y) near y = 1


def test_a_loss_that_is_not_finite_is_no_check_even_where_the_complex_step_is_finite():
    from gradcheck_cli.models.user.files import from_module

    def init(rng):
        return {"w": rng.standard_normal((3, 1))}

    def forward(p, tap):
        return 0.5 * np.sum(p["w"] ** 2) + np.log(0.0)  # -inf: every gradient is meaningless

    def backward(v):
        return {"w": v["w"]}

    with np.errstate(divide="ignore"):
        model = from_module(
            types.SimpleNamespace(init=init, forward=forward, backward=backward), "m.py", 0
        )
        model.complex_safe = True  # Im(-inf + i h g) / h = g: finite, and equal to A
        with pytest.raises(ModelError, match="the loss is -inf at the point checked"):
            run_check(model)


@pytest.mark.parametrize("seed", [0, 1])
def test_a_directional_rows_stated_resolution_is_what_it_detects(seed):
    """--directions 4 at d = 64 (W̄1's 4,096 entries, where the directions' bound, not an
    entry's, sets the resolution): an error twice the stated resolution at the entry it
    is stated for FAILs (the resolution is a promise: each direction moves by at least
    LEAST times it), one a tenth of it PASSes (the directions weigh an entry at most
    twice LEAST), so a resolution 10× too fine or too coarse (each entry's least weight,
    directional.LEAST, forgotten) breaks this."""
    settings = dict(method="complex", directions=4, seed=seed)
    model = BUILDERS["residual"](d=64, activation="tanh", seed=seed)
    row = run_check(model, Settings.of(**settings)).row("W1").comparison
    assert row.status == PASS and row.directions == 4 and row.checked == 0
    res, at = row.resolution, tuple(row.resolution_index)
    for delta, status in ((2 * res, FAIL), (res / 10, PASS)):
        model = BUILDERS["residual"](d=64, activation="tanh", seed=seed)
        planted = run_check(plant_error(model, "W1", at, delta), Settings.of(**settings))
        assert planted.row("W1").comparison.status == status, (delta, res)
