"""The catalog of injectable wrong derivations: mistakes students really make.

Each bug replaces one formula of a built-in model (an adjoint, or the softmax
Jacobian) with the wrong one. ``inert`` says, for given model options, why the bug
would not change the gradient there (the batch mean with one example), or None.
"""

from dataclasses import dataclass, replace
from typing import Callable

import numpy as np

from gradcheck_cli.activations import ACTIVATIONS
from gradcheck_cli.errors import one_of
from gradcheck_cli.model import Model
from gradcheck_cli.models.softmax import softmax_jacobian


@dataclass(frozen=True)
class Bug:
    name: str
    model: str
    target: str  # the row id the bug breaks: a variable name or a Jacobian id
    wrong: str  # the wrong formula, as the tables print it
    description: str
    make: Callable[[Model, dict], Callable]  # -> the wrong formula's fn
    inert: Callable[[dict], str | None] = lambda options: None


def _phi(options):
    return ACTIVATIONS[options["activation"]].phi


def _dphi(options):
    return ACTIVATIONS[options["activation"]].dphi


def _diag_y_jacobian(v):
    # Adding y_k² back on the diagonal leaves y_k there instead of y_k (1 − y_k).
    y = v["y"]
    squares = np.eye(y.shape[0]) * (y.T**2)[:, :, None]
    return softmax_jacobian(y) + (squares[0] if y.shape[1] == 1 else squares)


def _one_example(options):
    return "it changes nothing with one example (batch 1)" if options["batch"] == 1 else None


def _width_one(options):
    return "with d = 1 the transposed product is the same 1×1 number" if options["d"] == 1 else None


def _one_by_one(options):
    if options["d"] == 1 and options["batch"] == 1:
        return "with d = 1 and one example, ∘ and the matrix product agree"
    return None


BUGS = [
    Bug("x-skip-dropped", "residual", "x", "W1ᵀ z̄1",
        "the document's x̄: the skip connection's term z̄2 is dropped",
        lambda m, o: lambda v, g: v["W1"].T @ g["z1"]),
    Bug("W2-transposed", "residual", "W2", "z2 ȳᵀ",
        "W̄2 written as a column (d×1) instead of a row (1×d)",
        lambda m, o: lambda v, g: v["z2"] @ g["y"].T, _width_one),
    Bug("W1-transposed", "residual", "W1", "x z̄1ᵀ",
        "W̄1 with the outer product's factors swapped: same shape, transposed values",
        lambda m, o: lambda v, g: v["x"] @ g["z1"].T, _width_one),
    Bug("phi-for-dphi", "residual", "z1", "h̄ ∘ φ(z1)",
        "the activation φ(z1) used where its derivative φ'(z1) belongs",
        lambda m, o: lambda v, g: g["h"] * _phi(o)(v["z1"])),
    Bug("hadamard-as-matmul", "residual", "z1", "h̄ φ'(z1)ᵀ",
        "a matrix product in place of the elementwise ∘",
        lambda m, o: lambda v, g: g["h"] @ _dphi(o)(v["z1"]).T, _one_by_one),
    Bug("skip-split", "residual", "h", "½ z̄2",
        "the adjoint of z2 = h + x split between h and x instead of copied to both",
        lambda m, o: lambda v, g: 0.5 * g["z2"]),
    Bug("batch-mean-forgotten", "residual", "y", "y − t",
        "the 1/B of the batch mean forgotten in ȳ",
        lambda m, o: lambda v, g: v["y"] - v["t"], _one_example),
    Bug("softmax-diag-y", "softmax", "dy/dz", "y_k on the diagonal, −y_k y_k' off it",
        "softmax Jacobian with y_k on the diagonal instead of y_k (1 − y_k)",
        lambda m, o: _diag_y_jacobian),
    Bug("z-sign-flipped", "softmax", "z", "(t − y) / B",
        "z̄ = t − y: the sign of the softmax-cross-entropy gradient flipped",
        lambda m, o: lambda v, g: (v["t"] - v["y"]) / m.symbols["B"]),
    Bug("W-outer-swapped", "softmax", "W", "x z̄ᵀ",
        "W̄ = x (y − t)ᵀ: D×N instead of N×D",
        lambda m, o: lambda v, g: v["x"] @ g["z"].T),
    Bug("b-dropped", "softmax", "b", "0",
        "the bias gradient forgotten (b̄ left at zero)",
        lambda m, o: lambda v, g: np.zeros_like(v["b"]),
        lambda o: None if o["bias"] else "the model has no bias (--no-bias)"),
    Bug("batch-mean-forgotten", "softmax", "z", "y − t",
        "the 1/B of the batch mean forgotten in z̄",
        lambda m, o: lambda v, g: v["y"] - v["t"], _one_example),
]


def bugs_for(model: str) -> dict[str, Bug]:
    return {b.name: b for b in BUGS if b.model == model}


def find(model: str, name: str) -> Bug:
    bugs = bugs_for(model)
    if name not in bugs:
        raise one_of(name, list(bugs), "bug", f" for the {model} model")
    return bugs[name]


def inject(model: Model, bug: Bug, options: dict) -> None:
    """Replace the bug's target formula in ``model``."""
    for original in [*model.formulas, *model.jacobians]:
        if original.id == bug.target:
            model.overrides[bug.target] = replace(original, text=bug.wrong, fn=bug.make(model, options))
