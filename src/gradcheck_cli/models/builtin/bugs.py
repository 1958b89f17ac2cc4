"""The catalog of injectable wrong derivations: mistakes students really make.

Each bug replaces one formula of a built-in model (an adjoint, or the softmax
Jacobian) with a wrong one, written as a typed formula (see formulas.py) so that the
catalog is data. ``inert`` says, for given model options, why the bug would not change
the gradient there (the batch mean with one example), or None.
"""

from collections.abc import Callable
from dataclasses import replace

from gradcheck_cli.errors import one_of
from gradcheck_cli.models.formulas import bind, targets
from gradcheck_cli.models.model import Model
from gradcheck_cli.records import frozen


@frozen
class Bug:
    name: str
    model: str
    target: str  # the row id the bug breaks: a variable name or a Jacobian id
    wrong: str  # the wrong formula, as the tables print it
    expression: str  # the same, as a typed formula
    description: str
    inert: Callable[[dict], str | None] = lambda options: None


def _one_example(options: dict) -> str | None:
    return "it changes nothing with one example (batch 1)" if options["batch"] == 1 else None


def _width_one(options: dict) -> str | None:
    return "with d = 1 the transposed product is the same 1×1 number" if options["d"] == 1 else None


def _one_by_one(options: dict) -> str | None:
    if options["d"] == 1 and options["batch"] == 1:
        return "with d = 1 and one example, ∘ and the matrix product agree"
    return None


def _no_bias(options: dict) -> str | None:
    return None if options["bias"] else "the model has no bias (--no-bias)"


BUGS = [
    Bug(
        "x-skip-dropped",
        "residual",
        "x",
        "W1ᵀ z̄1",
        "W1.T @ z1_bar",
        "the document's x̄: the skip connection's term z̄2 is dropped",
    ),
    Bug(
        "W2-transposed",
        "residual",
        "W2",
        "z2 ȳᵀ",
        "z2 @ y_bar.T",
        "W̄2 written as a column (d×1) instead of a row (1×d)",
        _width_one,
    ),
    Bug(
        "W1-transposed",
        "residual",
        "W1",
        "x z̄1ᵀ",
        "x @ z1_bar.T",
        "W̄1 with the outer product's factors swapped: same shape, transposed values",
        _width_one,
    ),
    Bug(
        "phi-for-dphi",
        "residual",
        "z1",
        "h̄ ∘ φ(z1)",
        "h_bar * phi(z1)",
        "the activation φ(z1) used where its derivative φ'(z1) belongs",
    ),
    Bug(
        "hadamard-as-matmul",
        "residual",
        "z1",
        "h̄ φ'(z1)ᵀ",
        "h_bar @ dphi(z1).T",
        "a matrix product in place of the elementwise ∘",
        _one_by_one,
    ),
    Bug(
        "skip-split",
        "residual",
        "h",
        "½ z̄2",
        "0.5 * z2_bar",
        "the adjoint of z2 = h + x split between h and x instead of copied to both",
    ),
    Bug(
        "batch-mean-forgotten",
        "residual",
        "y",
        "y − t",
        "y - t",
        "the 1/B of the batch mean forgotten in ȳ",
        _one_example,
    ),
    Bug(
        "softmax-diag-y",
        "softmax",
        "dy/dz",
        "y_k on the diagonal, −y_k y_k' off it",
        "diag(y) - y @ y.T + diag(y) ** 2",
        "softmax Jacobian with y_k on the diagonal instead of y_k (1 − y_k)",
    ),
    Bug(
        "z-sign-flipped",
        "softmax",
        "z",
        "(t − y) / B",
        "(t - y) / B",
        "z̄ = t − y: the sign of the softmax-cross-entropy gradient flipped",
    ),
    Bug(
        "W-outer-swapped",
        "softmax",
        "W",
        "x z̄ᵀ",
        "x @ z_bar.T",
        "W̄ = x (y − t)ᵀ: D×N instead of N×D",
    ),
    Bug(
        "b-dropped",
        "softmax",
        "b",
        "0",
        "zeros_like(b)",
        "the bias gradient forgotten (b̄ left at zero)",
        _no_bias,
    ),
    Bug(
        "batch-mean-forgotten",
        "softmax",
        "z",
        "y − t",
        "y - t",
        "the 1/B of the batch mean forgotten in z̄",
        _one_example,
    ),
]


def bugs_for(model: str) -> dict[str, Bug]:
    return {b.name: b for b in BUGS if b.model == model}


def find(model: str, name: str) -> Bug:
    bugs = bugs_for(model)
    if name not in bugs:
        raise one_of(name, list(bugs), "bug", f" for the {model} model")
    return bugs[name]


def inject(model: Model, bug: Bug) -> Model:
    """``model`` with the bug's target formula replaced (if it has that adjoint)."""
    if bug.target not in targets(model):
        return model
    wrong = bind(model, bug.target, bug.expression, f"bug '{bug.name}'")
    return model.with_formulas({bug.target: replace(wrong, text=bug.wrong)}, "injected")
