"""Run a whole check: forward, hand-derived backward, numerical reference, verdicts.

Knows nothing model-specific: it asks the model for its steps, leaves, adjoints and
Jacobians by name and returns plain dataclasses. Never prints.
"""

from dataclasses import dataclass, field

import numpy as np

from gradcheck_cli.compare import FAIL, KINK, PASS, Comparison, Tolerance, compare, dims
from gradcheck_cli.errors import ModelError
from gradcheck_cli.model import Jacobian, Model
from gradcheck_cli.numeric import CHUNK_BYTES, DEFAULT_REL_STEP, differentiate


@dataclass(frozen=True)
class Settings:
    rel_step: float | None = None  # None: cbrt(machine eps)
    tolerance: Tolerance = Tolerance()
    max_memory: int = 4 * 2**30
    inject: str | None = None  # the injected bug's name, for the report


@dataclass(frozen=True)
class ForwardRow:
    name: str
    role: str  # parameter, input, target, intermediate, loss
    formula: str
    shape: str
    dims: tuple[int, ...]


@dataclass(frozen=True)
class GradientRow:
    id: str  # the variable's name, or "dy/dz" for a Jacobian
    label: str  # as printed: W̄1, ∂y/∂z
    kind: str  # parameter, input, target, intermediate, jacobian
    formula: str
    shape: str
    dims: tuple[int, ...]
    comparison: Comparison
    replaced: bool = False  # the formula is an injected or user one


@dataclass(frozen=True)
class Report:
    model: str
    title: str
    options: dict
    symbols: dict[str, int]
    parameters: tuple[str, int]
    settings: Settings
    loss: float
    forward: list[ForwardRow]
    gradients: list[GradientRow]
    notes: list[str] = field(default_factory=list)
    arrays: dict[str, np.ndarray] = field(default_factory=dict, repr=False, compare=False)

    def count(self, status: str) -> int:
        return sum(r.comparison.status == status for r in self.gradients)

    @property
    def status(self) -> str:
        return FAIL if self.count(FAIL) else PASS

    @property
    def exit_code(self) -> int:
        return 1 if self.status == FAIL else 0


def display_shape(shape: str, symbols: dict[str, int]) -> str:
    """The symbolic shape as the derivation writes it: with one example, d×B is d×1."""
    if symbols.get("B") != 1:
        return shape
    return "×".join("1" if part == "B" else part for part in shape.split("×"))


def bar(name: str) -> str:
    """The adjoint's printed name: a macron over the variable's first letter."""
    return name[0] + "\u0304" + name[1:]


def estimate_bytes(model: Model) -> int:
    """Memory a full check needs, from symbolic shapes only (no values drawn).

    Each variable is held as its value, its analytic adjoint and three numeric arrays
    (central and one-sided); a Jacobian check holds entries(of) × entries(wrt) numbers
    three times; perturbed copies are evaluated in chunks of a fixed budget.
    """
    names = [l.name for l in model.leaves] + [s.name for s in model.steps]
    total = 5 * sum(model.entries(n) for n in names)
    total += sum(3 * model.entries(j.of) * model.entries(j.wrt) for j in model.jacobians)
    return 8 * total + 2 * CHUNK_BYTES


def _numeric_jacobian(model: Model, env, jac: Jacobian):
    """Numerical d(of)/d(wrt), laid out as the analytic one: (B, rows(of), rows(wrt))."""
    der = differentiate(model, env, jac.wrt, out=jac.of)
    full = [np.moveaxis(a, (0, 1), (2, 3)) for a in (der.central, der.plus, der.minus)]
    if not jac.per_column:
        return full
    B = env[jac.of].shape[1]
    blocks = [np.stack([a[:, b, :, b] for b in range(B)]) for a in full]
    return [a[0] if B == 1 else a for a in blocks]


def _check_jacobian(model, env, jac, tol) -> GradientRow:
    central, plus, minus = _numeric_jacobian(model, env, jac)
    analytic = model.jacobian(jac, env)
    comparison = compare(np.asarray(analytic) if isinstance(analytic, np.ndarray) else analytic,
                         central, tol, plus, minus)
    return GradientRow(jac.id, f"∂{jac.of}/∂{jac.wrt}", "jacobian", model.formula_text(jac.id),
                       display_shape(jac.shape, model.symbols), central.shape, comparison,
                       jac.id in model.overrides)


def run_check(model: Model, settings: Settings = Settings(), options: dict | None = None,
              notes: list[str] | None = None) -> Report:
    """Check every adjoint and Jacobian of ``model``; never prints.

    Floating-point warnings are silenced: a NaN or Inf they would announce is caught by
    the comparison and reported as a FAIL with its reason instead.
    """
    with np.errstate(all="ignore"):
        return _run_check(model, settings, options, notes)


def _run_check(model, settings, options, notes) -> Report:
    need = estimate_bytes(model)
    if need > settings.max_memory:
        raise ModelError(
            f"a full check of this {model.name} model needs about {_gib(need)}, more than the "
            f"memory budget of {_gib(settings.max_memory)} (--max-memory); choose smaller sizes")
    env = model.forward()
    loss = env[model.loss]
    if not np.all(np.isfinite(loss)):
        raise ModelError(f"the loss is {loss}: the forward pass is not finite")
    roles = {l.name: l.role for l in model.leaves}
    sym = model.symbols
    forward = [ForwardRow(l.name, l.role, "", display_shape(l.shape, sym), env[l.name].shape)
               for l in model.leaves]
    forward += [ForwardRow(s.name, "loss" if s.name == model.loss else "intermediate", s.formula,
                           display_shape(s.shape, sym), np.shape(env[s.name])) for s in model.steps]
    analytic = model.backward(env)
    tol = settings.tolerance
    checked = set(model.checked())
    arrays = {f"value/{n}": np.asarray(env[n]) for n in roles}
    rows = []
    for f in model.formulas:
        if f.name not in checked:
            continue
        der = differentiate(model, env, f.name, rel_step=settings.rel_step)
        a = analytic.get(f.name)
        comparison = compare(a, der.central, tol, der.plus, der.minus)
        rows.append(GradientRow(f.name, bar(f.name), roles.get(f.name, "intermediate"),
                                model.formula_text(f.name), display_shape(model.shape_of(f.name), sym),
                                der.central.shape, comparison, f.name in model.overrides))
        arrays[f"numeric/{f.name}"] = der.central
        if isinstance(a, np.ndarray):
            arrays[f"analytic/{f.name}"] = a
        rows += [_check_jacobian(model, env, j, tol) for j in model.jacobians if j.of == f.name]
    return Report(model.name, model.title, dict(options or {}), dict(model.symbols),
                  model.parameters, settings, float(loss), forward, rows, list(notes or []), arrays)


def _gib(n: int) -> str:
    return f"{n / 2**30:.1f} GiB" if n >= 2**30 else f"{n / 2**20:.0f} MiB"


def step_description(settings: Settings) -> str:
    rel = DEFAULT_REL_STEP if settings.rel_step is None else settings.rel_step
    name = "∛eps" if settings.rel_step is None else f"{rel:.3g}"
    return f"h = {name} · max(1, |θ|) = {rel:.2e} · max(1, |θ|)"


__all__ = ["FAIL", "KINK", "PASS", "Report", "Settings", "run_check"]
