"""The built-in models against references written independently of the model code."""

import numpy as np
import pytest
from conftest import complex_step_grad

from gradcheck_cli.models.builtin.activations import ACTIVATIONS


@pytest.mark.parametrize("act", sorted(ACTIVATIONS))
@pytest.mark.parametrize("batch", [1, 3])
def test_residual_backward_matches_complex_step(build, act, batch):
    m = build("residual", d=5, activation=act, batch=batch, seed=7)
    v = m.values
    phi = ACTIVATIONS[act].phi

    def loss(W1=v["W1"], W2=v["W2"], x=v["x"], t=v["t"]):
        y = W2 @ (phi(W1 @ x) + x)
        return np.sum((y - t) ** 2) / (2 * batch)

    env = m.forward()
    g = m.backward(env)
    assert np.isclose(env["L"], loss())
    for name in ("W1", "W2", "x", "t"):
        ref = complex_step_grad(lambda a, name=name: loss(**{name: a}), v[name])
        np.testing.assert_allclose(g[name], ref, rtol=1e-10, atol=1e-13, err_msg=name)


def test_residual_x_bar_needs_both_paths(build):
    m = build("residual", d=4, seed=1)
    env = m.forward()
    g = m.backward(env)
    np.testing.assert_allclose(g["x"], env["W1"].T @ g["z1"] + g["z2"])
    assert not np.allclose(g["x"], env["W1"].T @ g["z1"])


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("batch", [1, 4])
def test_softmax_backward_matches_complex_step(build, bias, batch):
    m = build("softmax", n=6, d=3, bias=bias, batch=batch, seed=3)
    v = m.values
    b0 = v.get("b", 0.0)

    def loss(W=v["W"], x=v["x"], b=b0):
        z = W @ x + b
        z = z - z.real.max(axis=0)
        logy = z - np.log(np.exp(z).sum(axis=0))
        return -np.sum(v["t"] * logy) / batch

    g = m.backward(m.forward())
    for name in ["W", "x"] + (["b"] if bias else []):
        ref = complex_step_grad(lambda a, name=name: loss(**{name: a}), v[name])
        np.testing.assert_allclose(g[name], ref, rtol=1e-10, atol=1e-13, err_msg=name)


def test_softmax_jacobian_matches_complex_step(build):
    m = build("softmax", n=5, d=2, batch=2, seed=0)
    env = m.forward()
    J = m.jacobian(m.jacobians[0], env)
    assert J.shape == (2, 5, 5)

    def softmax(zz):
        return np.exp(zz - np.log(np.exp(zz).sum()))

    for b in range(2):
        z = env["z"][:, b]
        for k in range(5):
            ref = complex_step_grad(lambda zz, k=k: softmax(zz)[k], z)
            np.testing.assert_allclose(J[b, k], ref, rtol=1e-10, atol=1e-14)


def test_softmax_stable_for_huge_logits(build):
    m = build("softmax", n=4, d=2, seed=0)
    m.values["W"] = np.array([[1000.0, 0], [-1000, 0], [0, 1000], [0, -1000]])
    m.values["x"] = np.array([[1.0], [1.0]])
    env = m.forward()
    assert np.isfinite(env["L"]) and env["L"] >= 0
    g = m.backward(env)
    for name in ("z", "W", "b", "x"):
        assert np.all(np.isfinite(g[name])), name


def test_loss_broadcasts_over_perturbed_copies(build):
    m = build("residual", d=3, batch=2, seed=0)
    env = m.forward()
    copies = np.stack([env["W1"], 2 * env["W1"]])
    out = m.evaluate(env, "W1", copies)
    assert out.shape == (2,)
    assert out[0] == pytest.approx(env["L"])


def test_downstream_recomputes_only_dependents(build):
    m = build("residual", d=3)
    assert [s.name for s in m.downstream("h")] == ["z2", "y", "L"]
    assert [s.name for s in m.downstream("W2")] == ["y", "L"]


def test_activation_derivatives_match_complex_step():
    z = np.linspace(-3, 3, 13) + 0.05  # avoid the kink at exactly 0
    for act in ACTIVATIONS.values():
        ref = np.array([(act.phi(np.array(zi + 1e-30j))).imag / 1e-30 for zi in z])
        np.testing.assert_allclose(act.dphi(z), ref, rtol=1e-12, atol=1e-15, err_msg=act.name)


@pytest.mark.parametrize("y", [1e-22, 1e-300, 1e-9, 5e-8, 1e-3, 0.7])
def test_the_complex_tanh_is_numpys_to_a_few_ulps(y):
    """The built-in tanh of a complex z (the complex step's), from real functions, agrees
    with numpy's complex tanh to 8 ulps entry by entry, saturated or not, on both of its
    branches. 5e-8 lies above TINY_Y and below 10 TINY_Y: taking tan y = y and 1 + y² = 1
    there is 22 ulps off."""
    rng = np.random.default_rng(5)
    x = np.concatenate([rng.standard_normal(400), [0.0, -0.0, 19.0, -25.0, 400.0, -800.0]])
    z = (x + 1j * y * rng.uniform(-1, 1, x.size)).reshape(-1, 1)
    tanh = ACTIVATIONS["tanh"].phi
    ours, theirs = tanh(z), np.tanh(z)
    assert ours.shape == z.shape and ours.dtype == theirs.dtype
    for a, b in ((ours.real, theirs.real), (ours.imag, theirs.imag)):
        assert np.all(np.abs(a - b) <= 8 * np.spacing(np.abs(b))), np.max(np.abs(a - b))
    assert np.array_equal(tanh(x), np.tanh(x))  # (real: numpy's own)


def test_the_complex_tanh_keeps_a_saturated_slope():
    """Im tanh(x + ih) / h is 1 / cosh² x to its last bits where tanh x rounds to 1 and
    1 − tanh² x keeps nothing of it."""
    x = np.array([10.0, 20.0, 30.0])
    slope = ACTIVATIONS["tanh"].phi(x + 1e-20j).imag / 1e-20
    np.testing.assert_allclose(slope, 1 / np.cosh(x) ** 2, rtol=1e-15)
    assert np.all(1 - np.tanh(x[1:]) ** 2 == 0)


def test_activations_do_not_overflow():
    z = np.array([-1000.0, 1000.0])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        for act in ACTIVATIONS.values():
            assert np.all(np.isfinite(act.phi(z))), act.name
            assert np.all(np.isfinite(act.dphi(z))), act.name


FAST_PATH_CASES = [
    ("residual", {"d": 5, "batch": 3, "activation": a}) for a in sorted(ACTIVATIONS)
] + [("softmax", {"n": 4, "batch": 2}), ("softmax", {"n": 4, "batch": 1, "bias": False})]


@pytest.mark.parametrize("model,kw", FAST_PATH_CASES)
def test_one_entry_fast_path_matches_dense_copies(build, model, kw):
    # The fast path (one changed entry, one changed row through elementwise steps) must
    # give what the plain forward gives on dense perturbed copies, for real and complex steps.
    m = build(model, **kw, seed=3)
    env = m.forward()
    for name in [leaf.name for leaf in m.leaves]:
        if not m.sparse_for(name):
            continue
        theta = np.asarray(env[name], dtype=float)
        idx = np.arange(theta.size)
        for steps in (1e-3 * (1 + idx), 1j * 1e-20 * (1 + idx)):
            copies = np.repeat(theta.ravel()[None].astype(steps.dtype), idx.size, axis=0)
            copies[idx, idx] += steps
            copies = copies.reshape((idx.size,) + theta.shape)
            for upto in [s.name for s in m.downstream(name)]:
                fast = m.perturbed(env, name, idx, steps, upto=upto)
                slow = m.evaluate(env, name, copies, upto=upto)
                assert fast.shape == slow.shape, (name, upto)
                np.testing.assert_allclose(
                    fast.real, slow.real, rtol=1e-12, atol=1e-12, err_msg=f"{name} {upto}"
                )
                np.testing.assert_allclose(
                    fast.imag, slow.imag, rtol=1e-12, atol=1e-300, err_msg=f"{name} {upto}"
                )


def test_rows_stay_sparse_through_elementwise_steps(build):
    from gradcheck_cli.models.sparse import Rows, apply

    m = build("residual", d=4, batch=2)
    env = m.forward()
    patch = m.steps[0].onehot(env, "W1", np.arange(3), np.full(3, 1e-3), "z1")
    assert isinstance(patch, Rows) and patch.values.shape == (3, 2)
    h = apply(m.steps[1], {**env, "z1": patch}, env, {"z1"})
    assert isinstance(h, Rows)
    np.testing.assert_array_equal(h.dense(), m.steps[1].fn(patch.dense()))
