"""One wrong entry against the peers' checks, side by side (run on demand).

    python -m pip install -e ".[bench]"      # torch 2.13.0, jax: never runtime deps
    python benchmarks/peers.py [--d 64] [--seeds 20] [--deltas 0,1e-2,1e-4,1e-6,1e-8]

The tanh residual net at d; its hand-derived gradient (gradcheck's own, which every check
below receives) with the median-|g| entry of W̄1 times (1 + δ); δ = 0 is the correct
gradient (a FAIL there is a false alarm). For each δ, how many seeds each check fails:
gradcheck (default: every entry; and --directions 4), torch.autograd.gradcheck (default
and fast_mode, through an autograd.Function whose backward returns that gradient) and
jax.test_util.check_grads (float64, reverse mode, through a custom_vjp).
"""

import argparse
import importlib.util

import numpy as np

from gradcheck_cli.models import BUILDERS
from gradcheck_cli.pipeline import Settings, run_check
from gradcheck_cli.testing import plant_error


def planted(d, seed, delta):
    """The model with the planted error, its leaves, and its (planted) gradients."""
    model = BUILDERS["residual"](d=d, seed=seed)
    g = np.abs(model.backward(model.forward())["W1"])
    order = np.argsort(g.ravel())
    index = tuple(int(i) for i in np.unravel_index(order[len(order) // 2], g.shape))
    if delta:
        model = plant_error(model, "W1", index, delta)
    env = model.forward()
    grads = model.backward(env)
    return model, [env[n] for n in ("W1", "W2", "x", "t")], [grads[n] for n in ("W1", "W2", "x")]


def torch_fails(leaves, grads, fast):
    import torch

    W1, W2, x, t = (torch.tensor(a, dtype=torch.float64) for a in leaves)
    G = [torch.tensor(g, dtype=torch.float64) for g in grads]

    class Loss(torch.autograd.Function):
        @staticmethod
        def forward(ctx, W1, W2, x):
            y = W2 @ (torch.tanh(W1 @ x) + x)
            return 0.5 * ((y - t) ** 2).sum()

        @staticmethod
        def backward(ctx, grad):
            return tuple(grad * g for g in G)

    args = [a.clone().requires_grad_(True) for a in (W1, W2, x)]
    return not torch.autograd.gradcheck(Loss.apply, args, fast_mode=fast, raise_exception=False)


def jax_fails(leaves, grads):
    import jax

    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    from jax.test_util import check_grads

    W1, W2, x, t = (jnp.asarray(a) for a in leaves)
    G = [jnp.asarray(g) for g in grads]

    @jax.custom_vjp
    def loss(W1, W2, x):
        y = W2 @ (jnp.tanh(W1 @ x) + x)
        return 0.5 * jnp.sum((y - t) ** 2)

    loss.defvjp(lambda W1, W2, x: (loss(W1, W2, x), None), lambda _, g: tuple(g * Gi for Gi in G))
    try:
        check_grads(loss, (W1, W2, x), order=1, modes=("rev",))
    except AssertionError:
        return True
    return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--d", type=int, default=64)
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--deltas", default="0,1e-2,1e-4,1e-6,1e-8")
    args = ap.parse_args()
    has = {name: importlib.util.find_spec(name) is not None for name in ("torch", "jax")}
    checks = {
        "gradcheck (every entry)": lambda m, leaves, grads, seed: run_check(m).status == "FAIL",
        "gradcheck --directions 4": lambda m, leaves, grads, seed: (
            run_check(m, Settings.of(directions=4, seed=seed)).status == "FAIL"
        ),
    }
    if has["torch"]:
        checks["torch gradcheck"] = lambda m, leaves, grads, seed: torch_fails(leaves, grads, False)
        checks["torch fast_mode"] = lambda m, leaves, grads, seed: torch_fails(leaves, grads, True)
    if has["jax"]:
        checks["jax check_grads"] = lambda m, leaves, grads, seed: jax_fails(leaves, grads)
    deltas = [float(s) for s in args.deltas.split(",")]
    print(
        f"tanh residual net, d = {args.d} ({args.d**2 + 2 * args.d:,} entries), "
        f"{args.seeds} seeds; median-|g| entry of W̄1 times (1 + δ): seeds where the check FAILs"
    )
    print(
        "| check | "
        + " | ".join("correct (δ = 0)" if not x else f"δ = {x:g}" for x in deltas)
        + " |"
    )
    print("|---|" + "---|" * len(deltas))
    for label, fails in checks.items():
        cells = []
        for delta in deltas:
            count = sum(fails(*planted(args.d, seed, delta), seed) for seed in range(args.seeds))
            cells.append(f"{count} / {args.seeds}")
        print(f"| {label} | " + " | ".join(cells) + " |")
    missing = [name for name, ok in has.items() if not ok]
    if missing:
        print("not installed: " + ", ".join(missing))


if __name__ == "__main__":
    main()
