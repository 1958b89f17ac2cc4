"""Q1: the residual regression net of the seed derivation.

z1 = W1 x        d×B      W1: d×d, x: d×B (one column per example)
h  = phi(z1)     d×B
z2 = h + x       d×B      the skip connection
y  = W2 z2       1×B      W2: 1×d
L  = mean over the batch of ½ (y − t)²
"""

from collections.abc import Callable

import numpy as np

from gradcheck_cli.models.builtin.activations import ACTIVATIONS, Activation
from gradcheck_cli.models.model import Formula, Leaf, Model, Step
from gradcheck_cli.models.sparse import matmul_onehot, times_transposed
from gradcheck_cli.options.declared import ResidualOptions as _DEFAULT


def build(
    d: int = _DEFAULT.d,
    activation: str = _DEFAULT.activation,
    batch: int = _DEFAULT.batch,
    seed: int = _DEFAULT.seed,
    scale: float = _DEFAULT.scale,
    integers: bool = _DEFAULT.integers,
) -> Model:
    """``scale`` multiplies the inputs x and targets t; ``integers`` draws every leaf as
    small whole numbers (pre-activations then sit exactly on relu's kink)."""
    act = ACTIVATIONS[activation]
    # Complex-safe for every activation (tests/test_models.py checks it against complex steps).
    return Model(
        complex_safe=True,
        name="residual",
        title=f"residual regression net, φ = {activation}",
        symbols={"d": d, "B": batch},
        leaves=[
            Leaf("W1", "d×d", "parameter"),
            Leaf("W2", "1×d", "parameter"),
            Leaf("x", "d×B", "input"),
            Leaf("t", "1×B", "target"),
        ],
        init=lambda: _leaves(d, batch, seed, scale, integers),
        steps=_steps(act, batch),
        formulas=_formulas(act.dphi, batch),
        parameters=("d² + d", d * d + d),
        functions={"phi": act.phi, "dphi": act.dphi},
    )


def _leaves(d: int, B: int, seed: int, scale: float, integers: bool) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    if integers:
        return {
            "W1": rng.integers(-3, 4, (d, d)).astype(float),
            "W2": rng.integers(-3, 4, (1, d)).astype(float),
            "x": scale * rng.integers(-3, 4, (d, B)).astype(float),
            "t": scale * rng.integers(-3, 4, (1, B)).astype(float),
        }
    return {
        "W1": rng.standard_normal((d, d)) / np.sqrt(d),
        "W2": rng.standard_normal((1, d)) / np.sqrt(d),
        "x": scale * rng.standard_normal((d, B)),
        "t": scale * rng.standard_normal((1, B)),
    }


def _steps(act: Activation, B: int) -> list[Step]:
    """The forward pass: z1 = W1 x, h = φ(z1), z2 = h + x, y = W2 z2, L = ½ (y − t)² / B."""
    return [
        Step("z1", ("W1", "x"), lambda W1, x: W1 @ x, "W1 x", "d×B", matmul_onehot("W1", "x")),
        Step("h", ("z1",), act.phi, f"φ(z1), φ = {act.name}", "d×B", elementwise=True),
        Step("z2", ("h", "x"), lambda h, x: h + x, "h + x", "d×B", elementwise=True),
        Step("y", ("W2", "z2"), lambda W2, z2: W2 @ z2, "W2 z2", "1×B", matmul_onehot("W2", "z2")),
        Step(
            "L",
            ("y", "t"),
            lambda y, t: np.sum((y - t) ** 2, axis=(-2, -1)) / (2 * B),
            "½ (y − t)², mean over B",
            "1×1",
        ),
    ]


def _formulas(dphi: Callable[[np.ndarray], np.ndarray], B: int) -> list[Formula]:
    """Backward order. Each adjoint is the sum over every path from its variable to L."""
    return [
        Formula("y", "(y − t) / B", lambda v, g: (v["y"] - v["t"]) / B),
        Formula("t", "−ȳ", lambda v, g: -g["y"]),
        Formula("W2", "ȳ z2ᵀ", lambda v, g: times_transposed(g["y"], v["z2"])),
        Formula("z2", "W2ᵀ ȳ", lambda v, g: v["W2"].T @ g["y"]),
        Formula("h", "z̄2", lambda v, g: g["z2"]),
        Formula("z1", "h̄ ∘ φ'(z1)", lambda v, g: g["h"] * dphi(v["z1"])),
        Formula("W1", "z̄1 xᵀ", lambda v, g: times_transposed(g["z1"], v["x"])),
        # x reaches L twice: through z1 and through the skip connection z2 = h + x.
        Formula("x", "W1ᵀ z̄1 + z̄2", lambda v, g: v["W1"].T @ g["z1"] + g["z2"]),
    ]
