"""Q2: the softmax classifier of the seed derivation.

z = W x (+ b)     N×B      W: N×D, x: D×B, b: N×1
y = softmax(z)    N×B      per column
L = mean over the batch of −Σ_k t_k log y_k,  t one-hot per column
"""

import numpy as np

from gradcheck_cli.models.model import Formula, Jacobian, Leaf, Model, Step, Values
from gradcheck_cli.models.sparse import matmul_onehot, times_transposed
from gradcheck_cli.options.declared import SoftmaxOptions as _DEFAULT


def log_softmax(z: np.ndarray) -> np.ndarray:
    """Stable log-softmax over the class axis (-2): shift by the real max logit."""
    shifted = z - np.max(z.real, axis=-2, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=-2, keepdims=True))


def softmax(z: np.ndarray) -> np.ndarray:
    return np.exp(log_softmax(z))


def cross_entropy(y: np.ndarray, z: np.ndarray, t: np.ndarray) -> np.ndarray:
    """−Σ t log y, computed stably.

    log y is taken as log_softmax(z) + log(y / softmax(z)): when y is the softmax of z
    (every evaluation but one that perturbs y itself) the ratio is exactly one and the
    loss is the stable log-softmax one, finite for logits of ±1000; when y is perturbed
    the second term carries the change. Classes with t = 0 contribute nothing.
    """
    s = softmax(z)
    ratio = np.where(y == s, 1.0, y / np.where(s == 0, 1.0, s))
    with np.errstate(divide="ignore", invalid="ignore"):
        logy = log_softmax(z) + np.log(ratio)
    terms = np.where(t != 0, t * logy, 0.0)
    return -np.sum(terms, axis=(-2, -1))


def _y_bar(t: np.ndarray, y: np.ndarray) -> np.ndarray:
    """−t ⊘ y, with 0 where t = 0 (that class's term 0 · log y_k is constant)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(t != 0, -t / np.where(t != 0, y, 1.0), 0.0)


def _underflow(v: Values) -> str | None:
    # Below 1e-280, −t ⊘ y nears float64's overflow and y + ih no longer fits a complex step.
    if np.any((v["t"] != 0) & (v["y"] < 1e-280)):
        return (
            "a target class's probability y is below 1e-280, where −t ⊘ y is not "
            "representable in float64 (logits too far apart)"
        )
    return None


def softmax_jacobian(y: np.ndarray) -> np.ndarray:
    """diag(y_b) − y_b y_bᵀ for each column b: shape (B, N, N), or (N, N) for B = 1."""
    cols = y.T[:, :, None]  # (B, N, 1)
    J = np.eye(y.shape[0]) * cols - cols @ np.swapaxes(cols, -1, -2)
    return J[0] if y.shape[1] == 1 else J


def build(
    n: int = _DEFAULT.n,
    d: int = _DEFAULT.d,
    bias: bool = _DEFAULT.bias,
    batch: int = _DEFAULT.batch,
    seed: int = _DEFAULT.seed,
    scale: float = _DEFAULT.scale,
    integers: bool = _DEFAULT.integers,
) -> Model:
    """``scale`` multiplies the inputs x (so the logits: scale 300 gives logits of a few
    hundred); ``integers`` draws W, x and b as small whole numbers."""
    N, D, B = n, d, batch
    leaves = [Leaf("W", "N×D", "parameter")] + ([Leaf("b", "N×1", "parameter")] if bias else [])
    leaves += [Leaf("x", "D×B", "input"), Leaf("t", "N×B", "target", checked=False)]
    jac = Jacobian(
        "y", "z", "diag(y) − y yᵀ", "N×N" if B == 1 else "B×N×N", lambda v: softmax_jacobian(v["y"])
    )
    return Model(
        complex_safe=True,  # tests/test_models.py checks it against complex steps
        name="softmax",
        title="softmax classifier" + (" with bias" if bias else ", no bias"),
        symbols={"N": N, "D": D, "B": B},
        leaves=leaves,
        init=lambda: _leaves(N, D, B, bias, seed, scale, integers),
        steps=_steps(bias, B),
        formulas=_formulas(bias, B),
        jacobians=[jac],
        parameters=("N·D + N", N * D + N) if bias else ("N·D", N * D),
    )


def _leaves(
    N: int, D: int, B: int, bias: bool, seed: int, scale: float, integers: bool
) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)

    def draw(shape: tuple[int, int]) -> np.ndarray:
        return rng.integers(-3, 4, shape).astype(float) if integers else rng.standard_normal(shape)

    values = {
        "W": draw((N, D)) / (1 if integers else np.sqrt(D)),
        "x": scale * draw((D, B)),
        "t": np.eye(N)[:, rng.integers(0, N, size=B)],
    }
    if bias:
        values["b"] = draw((N, 1)) * (1 if integers else 0.1)
    return values


def _steps(bias: bool, B: int) -> list[Step]:
    """z = W x (+ b), y = softmax(z) per column, L = −Σ t log y, mean over the batch."""
    if bias:
        logits = Step(
            "z",
            ("W", "x", "b"),
            lambda W, x, b: W @ x + b,
            "W x + b",
            "N×B",
            matmul_onehot("W", "x", "b"),
        )
    else:
        logits = Step("z", ("W", "x"), lambda W, x: W @ x, "W x", "N×B", matmul_onehot("W", "x"))
    return [
        logits,
        Step("y", ("z",), softmax, "softmax(z) = e^z / Σ_j e^z_j", "N×B"),
        Step(
            "L",
            ("y", "z", "t"),
            lambda y, z, t: cross_entropy(y, z, t) / B,
            "−Σ_k t_k log y_k, mean over B",
            "1×1",
        ),
    ]


def _formulas(bias: bool, B: int) -> list[Formula]:
    """Backward order: ȳ, z̄, W̄, (b̄,) x̄."""
    formulas = [
        Formula("y", "−t ⊘ y / B", lambda v, g: _y_bar(v["t"], v["y"]) / B, _underflow),
        # Uses Σ_k t_k = 1 (one-hot targets): the general form is y Σt − t.
        Formula("z", "(y − t) / B", lambda v, g: (v["y"] - v["t"]) / B),
        Formula("W", "z̄ xᵀ", lambda v, g: times_transposed(g["z"], v["x"])),
    ]
    if bias:
        formulas.append(Formula("b", "Σ_columns z̄", lambda v, g: g["z"].sum(axis=1, keepdims=True)))
    formulas.append(Formula("x", "Wᵀ z̄", lambda v, g: v["W"].T @ g["z"]))
    return formulas
