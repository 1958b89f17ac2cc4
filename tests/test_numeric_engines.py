"""The numeric engines on models that are not complex-safe, and the complex-safety probe.

Each model below is a user model (init, forward, backward) built in the test: a small
net z = W x + b, h = φ(z), y = V h, L = ½ Σ (y − t)², with a non-analytic φ or penalty:
an overflow-guarded sigmoid (np.where), a relu (np.maximum), np.real, an L1 penalty
(np.abs). ``plant`` multiplies one entry of one hand-derived adjoint by (1 + δ).
"""

import types
from pathlib import Path

import numpy as np
import pytest

from gradcheck_cli import check
from gradcheck_cli.engine.numeric import complex_safe, differentiate
from gradcheck_cli.models import BUILDERS
from gradcheck_cli.models.user.files import from_module

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
D, H, C, B = 5, 6, 2, 4
LAM = 0.3  # the L1 penalty's weight


def _sigmoid(z):
    with np.errstate(over="ignore", invalid="ignore"):
        return np.where(z >= 0, 1 / (1 + np.exp(-z)), np.exp(z) / (1 + np.exp(z)))


PHI = {  # φ and φ' (of z and h = φ(z))
    "sigmoid": (_sigmoid, lambda z, h: h * (1 - h)),
    "relu": (lambda z: np.maximum(z, 0), lambda z, h: (z > 0).astype(float)),
    "real": (lambda z: np.real(np.tanh(z)), lambda z, h: 1 - h**2),
    "l1": (np.tanh, lambda z, h: 1 - h**2),  # tanh, plus LAM Σ |W[:, cols]| in the loss
}


def make_model(kind: str, scale: float = 1.0, seed: int = 0, plant=None, l1_cols: int = 0):
    """A user model as a module: ``kind`` picks φ (see PHI); inputs x are ``scale``-sized
    and W is 1/scale-sized, so z = W x stays O(1); ``plant`` = (name, flat index, δ);
    ``l1_cols``: the L1 penalty skips W's first columns."""
    phi, dphi = PHI[kind]
    mod = types.ModuleType(f"{kind}_{scale:g}")
    mod.TARGETS = ["t"]

    def init(rng):
        W = rng.standard_normal((H, D)) / np.sqrt(D) / scale
        W[:, :l1_cols] *= 4  # the columns the penalty skips hold W's largest entry
        return {
            "W": W,
            "b": 0.5 * rng.standard_normal((H, 1)),
            "V": rng.standard_normal((C, H)),
            "x": scale * rng.standard_normal((D, B)),
            "t": rng.standard_normal((C, B)),
        }

    def forward(p, tap):
        z = tap("z", p["W"] @ p["x"] + p["b"])
        h = tap("h", phi(z))
        y = tap("y", p["V"] @ h)
        penalty = LAM * np.abs(p["W"][:, l1_cols:]).sum() if kind == "l1" else 0.0
        return 0.5 * np.sum((y - p["t"]) ** 2) + penalty

    def backward(v):
        y_bar = v["y"] - v["t"]
        h_bar = v["V"].T @ y_bar
        z_bar = h_bar * dphi(v["z"], v["h"])
        W_bar = z_bar @ v["x"].T
        if kind == "l1":
            W_bar[:, l1_cols:] += LAM * np.sign(v["W"][:, l1_cols:])
        out = {
            "y": y_bar,
            "h": h_bar,
            "z": z_bar,
            "V": y_bar @ v["h"].T,
            "W": W_bar,
            "b": z_bar.sum(axis=1, keepdims=True),
            "x": v["W"].T @ z_bar,
        }
        if plant is not None:
            name, flat, delta = plant
            out[name] = out[name].copy()
            out[name].flat[flat] *= 1 + delta
        return out

    mod.init, mod.forward, mod.backward = init, forward, backward
    return mod


def _entries(A: np.ndarray) -> dict[str, int]:
    """Flat indices of the largest-|A| and the median-|A| nonzero entries."""
    g = np.abs(A).ravel()
    order = np.flatnonzero(g > 0)[np.argsort(g[g > 0])]
    return {"largest": int(order[-1]), "median": int(order[len(order) // 2])}


CASES = [(kind, scale) for kind in ("sigmoid", "relu", "real", "l1") for scale in (1.0, 1e3)]


@pytest.mark.parametrize("kind,scale", CASES)
def test_richardson_is_accurate_with_an_honest_estimate(kind, scale):
    """|N − A| ≤ 1e-9 max|A| + 1e-6 |A| on every entry (measured: ≤ 6e-11 max|A|), and
    within the engine's own estimate (+ 1e-13 max|A| for A's rounding). With inputs of
    1e3, the fixed stencil of 0.003 missed the largest entry of W̄ by up to 60 %."""
    for seed in range(2):
        m = from_module(make_model(kind, scale), kind, seed)
        env = m.forward()
        A = m.backward(env)
        for name in m.checked():
            der = differentiate(m, env, name, method="richardson")
            err, top = np.abs(der.value - A[name]), np.abs(A[name]).max()
            assert np.all(err <= 1e-9 * top + 1e-6 * np.abs(A[name])), (name, err.max() / top)
            assert np.all(err <= der.error + 1e-13 * top), name
            assert np.all(der.error <= 1e-7 * top), name


@pytest.mark.parametrize("act", ["tanh", "sigmoid", "relu", "gelu"])
@pytest.mark.parametrize("scale", [1e-6, 1.0, 1e3])
def test_richardson_matches_the_complex_step_on_the_residual_model(act, scale):
    """Within 1e-9 of the model's largest gradient entry (a saturated unit's z̄1 of 1e-52
    is 0 to any finite difference), and within the engine's own estimate."""
    m = BUILDERS["residual"](d=8, activation=act, batch=3, scale=scale)
    env = m.forward()
    exact = {name: differentiate(m, env, name, method="complex").value for name in m.checked()}
    top = max(np.abs(g).max() for g in exact.values())
    for name, g in exact.items():
        der = differentiate(m, env, name, method="richardson")
        err = np.abs(der.value - g)
        assert np.all(err <= 1e-9 * top), (name, err.max() / top)
        assert np.all(err <= der.error + 1e-13 * top), name


@pytest.mark.parametrize("kind,scale", CASES)
def test_planted_1e_minus_6_errors_fail_and_correct_models_pass_under_richardson(kind, scale):
    report = check(make_model(kind, scale), method="richardson")
    assert report.method == "richardson"
    assert report.status == "PASS", report.failures()
    m = from_module(make_model(kind, scale), kind, 0)
    A = m.backward(m.forward())
    for name, where in [("W", "largest"), ("W", "median"), ("z", "median")]:
        planted = make_model(kind, scale, plant=(name, _entries(A[name])[where], 1e-6))
        report = check(planted, method="richardson")
        assert report.method == "richardson"
        assert report.row(name).comparison.status == "FAIL", (name, where)


def test_richardson_blocks_and_first_step():
    """Entries are done in blocks (a small chunk: many) with the same result; --eps is
    the sequence's largest step, so no step taken exceeds it."""
    m = from_module(make_model("sigmoid", 1e3), "sigmoid", 0)
    env = m.forward()
    whole = differentiate(m, env, "W", method="richardson")
    blocks = differentiate(m, env, "W", method="richardson", chunk_bytes=2000)
    assert np.array_equal(whole.value, blocks.value) and np.array_equal(whole.error, blocks.error)
    capped = differentiate(m, env, "W", method="richardson", rel_step=1e-3)
    assert np.all(capped.step <= 1e-3 * np.maximum(1.0, np.abs(env["W"])))
    assert np.allclose(capped.value, whole.value, rtol=1e-8, atol=1e-9 * np.abs(whole.value).max())


def test_richardson_stays_in_the_domain_of_a_log():
    """p from 1e-30 to 1: steps relative to max(1, p) leave log's domain (NaN) for the
    small ones; they are done again relative to p itself."""
    mod = types.ModuleType("logp")
    mod.init = lambda rng: {"p": 10.0 ** -rng.uniform(0, 30, (4, 3))}
    mod.forward = lambda p, tap: -np.sum(np.log(p["p"]) * np.arange(1, 13).reshape(4, 3))
    mod.backward = lambda v: {"p": -np.arange(1, 13).reshape(4, 3) / v["p"]}
    m = from_module(mod, "logp", 0)
    env = m.forward()
    with np.errstate(invalid="ignore"):
        der = differentiate(m, env, "p", method="richardson")
    A = m.backward(env)["p"]
    assert np.all(np.abs(der.value - A) <= 1e-8 * np.abs(A))
    assert check(mod, method="richardson").status == "PASS"


def test_the_probe_sees_abs_on_entries_other_than_the_largest():
    """L1 on W[:, 1:] while W[:, 0] holds the largest entry: the one-entry probe took the
    model for complex-safe, and the complex step then failed the correct W̄."""
    for seed in range(3):
        m = from_module(make_model("l1", l1_cols=1), "l1", seed)
        assert not complex_safe(m, m.forward())
        report = check(make_model("l1", l1_cols=1), seed=seed)
        assert report.method == "richardson" and report.status == "PASS", report.failures()
    m = from_module(make_model("l1", l1_cols=1), "l1", 0)
    A = m.backward(m.forward())["W"]
    flat = int(np.argmax(np.abs(A[:, 1:])))  # an entry the penalty reaches
    flat = np.ravel_multi_index(np.unravel_index(flat, A[:, 1:].shape), A.shape) + 1
    report = check(make_model("l1", l1_cols=1, plant=("W", int(flat), 1e-6)))
    assert report.method == "richardson" and report.row("W").comparison.status == "FAIL"


def test_the_probe_sees_abs_on_an_intermediate_no_leaf_reaches():
    """s is built from constants: no direction over a leaf gives it an imaginary part, yet
    the complex step puts one on it when s̄ is checked."""
    mod = make_model("sigmoid")
    forward = mod.forward

    def with_scale(p, tap):
        s = tap("s", np.full((C, B), -2.0))
        return forward(p, tap) + np.sum(np.abs(s) * p["t"])

    mod.forward = with_scale
    m = from_module(mod, "scaled", 0)
    assert not complex_safe(m, m.forward())


def test_a_coarser_80_bit_richardson_does_not_overrule_a_resolved_disagreement():
    """sin(1e4 x) / 1e4 plus 1e-5 Σ |x| written as sqrt(Re x²), which the complex step drops:
    along the probe's directions float64's Richardson (steps down to 1e-7) resolves the
    disagreement to 5e-10, and 80 bits' (steps from 1e-2, aliasing the period of 6e-4)
    agree only within their estimate of 4.2: that is no answer, and the direction
    disagrees. (Under OPENBLAS_CORETYPE=Prescott such a direction was the only informative
    one of sin_aliased.py with 1e-3 Σ |X| added: taken for complex-safe, its backward
    without the term PASSed.)"""
    from gradcheck_cli.engine import numeric

    mod = types.ModuleType("aliased_l1")
    mod.init = lambda rng: {"x": rng.uniform(0.5, 1.5, (4, 3))}
    mod.forward = lambda p, tap: (
        np.sum(np.sin(1e4 * p["x"])) / 1e4 + 1e-5 * np.sum(np.sqrt(p["x"].real ** 2))
    )
    mod.backward = lambda v: {"x": np.cos(1e4 * v["x"]) + 1e-5}
    m = from_module(mod, "aliased_l1", 0)
    env = m.forward()
    theta = np.asarray(env["x"])
    g = np.random.default_rng(numeric.PROBE_SEED).standard_normal(theta.shape)
    with np.errstate(all="ignore"):
        for v, extended in ((g * numeric._scales(theta), True), (g, False)):
            assert numeric._along(m, env, "x", theta, v, extended) == (False, True)
    assert not complex_safe(m, env)


@pytest.mark.parametrize("name", ["residual", "softmax"])
def test_builtins_stay_complex(name):
    assert check(name).method == "complex"


MODEL_FILES = [p for p in sorted(EXAMPLES.glob("*.py")) if not p.name.startswith("layers")]


@pytest.mark.parametrize("path", MODEL_FILES, ids=lambda p: p.name)  # (layers*.py: test_layers)
def test_examples_stay_complex_safe(path):
    m = __import__("gradcheck_cli.models.user.files", fromlist=["load"]).load(str(path), 0)
    assert complex_safe(m, m.forward())
    assert check(str(path)).method == "complex"


def _noisy(amplitude: float) -> types.SimpleNamespace:
    """L = Σ x² + ``amplitude`` · sin(1e13 Σ x): a smooth loss plus a term whose phase moves
    by 10 radians between loss_noise's points, a scatter of about amplitude / √2."""
    return types.SimpleNamespace(
        init=lambda rng: {"x": np.linspace(0.5, 1.5, 6)},
        forward=lambda p, tap: np.sum(p["x"] ** 2) + amplitude * np.sin(1e13 * np.sum(p["x"])),
        backward=lambda v: {"x": 2 * v["x"]},
        complex_safe=False,
    )


@pytest.mark.parametrize("amplitude", [1e-12, 1e-10])
def test_loss_noise_measures_a_scatter_in_float64(amplitude):
    """loss_noise finds the scatter of L within a factor of 3, and a smooth loss's own
    rounding within a few eps |L|."""
    from gradcheck_cli.engine.numeric import loss_noise

    noisy = from_module(_noisy(amplitude), "noisy", 0)
    got = loss_noise(noisy, noisy.forward())
    assert amplitude / np.sqrt(2) / 3 < got < 3 * amplitude / np.sqrt(2)
    smooth = from_module(_noisy(0.0), "smooth", 0)
    env = smooth.forward()
    assert loss_noise(smooth, env) <= 8 * np.finfo(float).eps * abs(float(env[smooth.loss]))


def test_loss_rounding_falls_back_to_the_scatter_where_80_bits_are_not_had(monkeypatch):
    """A forward that drops to float64 (numpy's linalg has no longdouble) has no 80-bit L:
    its rounding is loss_noise's, not 0."""
    from gradcheck_cli.engine import numeric

    module = _noisy(1e-10)
    forward = module.forward
    module.forward = lambda p, tap: forward({k: np.asarray(v, float) for k, v in p.items()}, tap)
    m = from_module(module, "float64-only", 0)
    env = m.forward()
    numeric._ROUNDED.clear()
    assert numeric.loss_rounding(m, env) == numeric.loss_noise(m, env) > 1e-11


def test_rows_the_unsafe_operation_does_not_reach_take_the_complex_step():
    """An L1 term on W alone: W's complex steps meet abs, so W̄ is checked with
    Richardson, and every other row (x, b, V and the taps) with the complex step, which
    on their steps meets nothing its probes did not pass: their resolutions are the
    complex step's, and ten times one, planted, FAILs. A note names both sets."""
    report = check(make_model("l1", l1_cols=1))
    assert report.method == "richardson" and report.status == "PASS", report.failures()
    engines = {r.id: r.method for r in report.gradients}
    assert engines == {
        "y": "complex",
        "h": "complex",
        "z": "complex",
        "V": "complex",
        "W": None,
        "b": "complex",
        "x": "complex",
    }, engines
    (note,) = [n for n in report.notes if "not complex-safe" in n]
    assert "not complex-safe along W (a complex step on W meets abs" in note
    assert (
        "W\u0304 checked with Richardson extrapolation; y\u0304, h\u0304, z\u0304, b\u0304, "
        "V\u0304 and x\u0304 with the complex step" in note
    )
    z = report.row("z").comparison
    assert z.resolution < 1e-12 < report.row("W").comparison.resolution
    m = from_module(make_model("l1", l1_cols=1), "l1", 0)
    flat = _entries(m.backward(m.forward())["z"])["largest"]
    planted = check(make_model("l1", l1_cols=1, plant=("z", flat, 10 * z.resolution)))
    assert planted.row("z").comparison.status == "FAIL", planted.row("z").comparison.reason
