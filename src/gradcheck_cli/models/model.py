"""The model protocol: named leaves, a forward of named steps, adjoints by name.

A model is an ordered list of steps (``z1 = W1 @ x``, ``h = phi(z1)``, ...) over named
leaves; the last step is the scalar loss. The checker perturbs any name (a leaf or an
intermediate) and re-runs only the steps downstream of it, so it knows nothing of the
model. Steps must broadcast over a leading axis of perturbed copies: use ``@`` on stacks,
``swapaxes(-1, -2)`` rather than ``.T``, and reduce the loss over the last two axes.
A step may also say how one moved entry changes it (``onehot``) and that it acts entry
by entry (``elementwise``): copies then stay one changed row each (sparse.py).

The backward pass is a list of hand-derived formulas, one per adjoint, in backward
order; each sees the forward values and the adjoints computed before it.
"""

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from gradcheck_cli.errors import GradcheckError, ModelError
from gradcheck_cli.models.sparse import apply, dense, nbytes, one_entry_rows, pin
from gradcheck_cli.options.declared import CheckOptions
from gradcheck_cli.records import frozen

Values = Mapping[str, np.ndarray]


def symbolic_size(shape: str, symbols: Mapping[str, int]) -> int:
    """Entries of a symbolic shape such as "d×B" or "1×d", given the symbols' values."""
    size = 1
    for part in shape.split("×"):
        size *= int(part) if part.isdigit() else symbols[part]
    return size


@frozen
class Unevaluated:
    """An adjoint that could not be computed (in --chain mode), with the reason."""

    reason: str


def _chain_reason(error: Exception, got: dict, good: dict) -> str:
    """Why a formula failed in --chain mode: the adjoints before it that were off."""
    off = []
    for name, value in got.items():
        if isinstance(value, Unevaluated):
            off.append(f"{name}_bar could not be evaluated")
        elif np.shape(value) != np.shape(good[name]):
            off.append(
                f"{name}_bar is {'×'.join(map(str, np.shape(value)))}, "
                f"not {'×'.join(map(str, np.shape(good[name])))}"
            )
    if off:
        return "the formulas before it gave " + "; ".join(off)
    return str(error).splitlines()[0]


@frozen
class Leaf:
    """A parameter, input or target the loss depends on."""

    name: str
    shape: str  # symbolic, e.g. "d×1"
    role: str  # "parameter", "input" or "target"
    checked: bool = True


@frozen
class Step:
    """One forward step: ``name = fn(*inputs)``."""

    name: str
    inputs: tuple[str, ...]
    fn: Callable[..., np.ndarray] | None  # None: opaque (a model file's forward is one function)
    formula: str
    shape: str
    # Optional fast path: the step's output for copies of an input moved one entry each,
    # onehot(env, input, flat indices, steps, own name) -> (P, *output) or sparse.Rows;
    # see sparse.matmul_onehot.
    onehot: Callable | None = None
    # fn acts entry by entry (same-shaped inputs and output): copies changed in one row
    # stay one row (sparse.Rows) through it
    elementwise: bool = False


@frozen
class Formula:
    """A hand-derived adjoint of ``name``: ``fn(values, adjoints) -> array``."""

    name: str
    text: str
    fn: Callable[[Values, Values], np.ndarray] | None  # None: a model file's backward() has it
    # why this adjoint cannot be represented in float64 at these values (then: NOT CHECKED)
    unrepresentable: Callable[[Values], str | None] | None = None

    @property
    def id(self) -> str:
        return self.name


@frozen
class Jacobian:
    """A hand-derived Jacobian d(of)/d(wrt), checked against a numerical one.

    With ``per_column`` the examples (columns) are independent, and the Jacobian is the
    stack of one block per column: shape (B, rows(of), rows(wrt)), or its single block
    when B == 1.
    """

    of: str
    wrt: str
    text: str
    shape: str
    fn: Callable[[Values], np.ndarray]
    per_column: bool = True

    @property
    def id(self) -> str:
        return f"d{self.of}/d{self.wrt}"


@dataclass
class Model:
    """A model built from steps, with hand-derived formulas for its backward pass.

    ``overrides`` replaces formulas by id (an adjoint's variable name, or a Jacobian's
    id); with ``chain`` false each replacement is evaluated on the correct values of
    every other adjoint, so one wrong formula shows in one row only.
    """

    name: str
    title: str
    symbols: dict[str, int]
    leaves: list[Leaf]
    init: Callable[[], dict[str, np.ndarray]]  # leaf values, drawn only when first needed
    steps: list[Step]
    formulas: list[Formula]
    jacobians: list[Jacobian] = field(default_factory=list)
    parameters: tuple[str, int] = ("", 0)  # (formula, count)
    overrides: dict[str, Any] = field(default_factory=dict)  # id -> Formula or Jacobian
    chain: bool = CheckOptions.chain  # --chain: overrides evaluated on each other
    complex_safe: bool | None = (
        None  # steps are complex-analytic (True), are not (False), unknown: probe
    )
    functions: dict[str, Callable] = field(default_factory=dict)  # for typed formulas: phi, dphi
    origins: dict[str, str] = field(default_factory=dict)  # overridden id -> "injected" or "yours"
    recipe: tuple | None = None  # (a module-level function, *args) that builds this forward
    outside: list[str] = field(default_factory=list)  # numeric errors raised at moved leaves

    def __post_init__(self) -> None:
        known = {leaf.name for leaf in self.leaves}
        for step in self.steps:
            missing = [i for i in step.inputs if i not in known]
            if missing:
                raise ModelError(f"step '{step.name}' uses unknown name(s) {', '.join(missing)}")
            known.add(step.name)

    @property
    def values(self) -> dict[str, np.ndarray]:
        if "_values" not in self.__dict__:
            self.__dict__["_values"] = self.init()
        return self.__dict__["_values"]

    def entries(self, name: str) -> int:
        """Number of entries of ``name``, from its symbolic shape (no values drawn)."""
        return symbolic_size(self.shape_of(name), self.symbols)

    @property
    def loss(self) -> str:
        return self.steps[-1].name

    def shape_of(self, name: str) -> str:
        items: list[Leaf | Step] = [*self.leaves, *self.steps]
        for item in items:
            if item.name == name:
                return item.shape
        raise KeyError(name)

    def checked(self) -> list[str]:
        """Names whose adjoints are checked: intermediates and checked leaves."""
        names = [s.name for s in self.steps[:-1]] + [l.name for l in self.leaves if l.checked]
        return names

    def forward(self, values: Values | None = None) -> dict[str, np.ndarray]:
        """Every leaf and step value, at the model's leaves or at ``values``."""
        env = dict(self.values if values is None else values)
        for step in self.steps:
            env[step.name] = _run_step(step, env)
        return env

    def downstream(self, name: str) -> list[Step]:
        """The steps that depend on ``name``, in forward order."""
        touched, out = {name}, []
        for step in self.steps:
            if touched.intersection(step.inputs):
                out.append(step)
                touched.add(step.name)
        return out

    def evaluate(
        self,
        base: Values,
        name: str,
        value: np.ndarray,
        upto: str | None = None,
        pinned: bool = True,
    ) -> Any:
        """Re-run the steps downstream of ``name`` with ``name`` set to ``value``.

        ``value`` may carry a leading axis of perturbed copies; returns the value of
        ``upto`` (the loss by default) for each copy. ``pinned``: a complex step's real
        parts are the unperturbed ones after every step (sparse.pin); not where ``value``
        is moved by a real amount too (numeric.complex_beside), which pinning would undo.
        """
        upto = upto or self.loss
        env = dict(base)
        env[name] = value
        for step in self.downstream(name):
            out = _run_step(step, env)
            env[step.name] = pin(out, base[step.name]) if pinned else out
            if step.name == upto:
                break
        return env[upto]

    def sparse_for(self, name: str) -> bool:
        """Whether copies of ``name`` moved one entry each can run on the fast path
        (``perturbed``): its value is a matrix (every built-in value is)."""
        return len(self.shape_of(name).split("×")) == 2

    def perturbed(
        self,
        base: Values,
        name: str,
        idx: np.ndarray,
        steps: np.ndarray,
        upto: str | None = None,
        sizes: list | None = None,
    ) -> Any:
        """``upto`` (the loss) with entry idx[k] of ``name`` moved by steps[k], for each k,
        without materialising a copy of ``name`` per k: each copy is kept as the one row
        it changes while the steps allow (see sparse.py). ``sizes``, if given, receives
        the bytes of each step's result."""
        upto = upto or self.loss
        env: dict[str, Any] = dict(base)
        touched = {name}
        for step in self.steps:
            if not touched.intersection(step.inputs):
                continue
            if step.onehot is not None and touched.intersection(step.inputs) == {name}:
                env[step.name] = pin(
                    step.onehot(base, name, idx, steps, step.name), base[step.name]
                )
            else:
                if name in step.inputs and env[name] is base[name]:  # built only when read
                    env[name] = one_entry_rows(base[name], idx, steps)
                    if sizes is not None:
                        sizes.append(nbytes(env[name]))
                env[step.name] = pin(apply(step, env, base, touched), base[step.name])
            touched.add(step.name)
            if sizes is not None:
                sizes.append(nbytes(env[step.name]))
            if step.name == upto:
                break
        return dense(env[upto])

    def copy_bytes(self, base: Values, name: str) -> int:
        """Bytes of what one complex-stepped copy of ``name`` computes on the fast path;
        kept per name and shapes (a check asks for each tensor at every numeric call:
        1.4 ms of a 30 ms check at d = 256)."""
        key = (name, tuple(np.shape(v) for v in base.values()))
        kept = self.__dict__.setdefault("_copy_bytes", {})
        if key not in kept:
            sizes: list[int] = []
            self.perturbed(base, name, np.array([0]), np.array([0j]), sizes=sizes)
            kept[key] = sum(sizes)
        return kept[key]

    def backward(self, values: Values) -> dict[str, np.ndarray]:
        """Adjoints by name, with any overridden formulas in place.

        Each replacement is first evaluated on the correct adjoints (an error there is the
        formula's own, and propagates). With ``chain`` the formulas then run in backward
        order on each other's results, as the derivation would; a formula that cannot be
        evaluated on what came before it yields an Unevaluated in its place.
        """
        good: dict[str, np.ndarray] = {}
        for f in self.formulas:
            good[f.name] = _call(f, values, good)
        isolated = dict(good)
        for f in self.formulas:
            if f.name in self.overrides:
                isolated[f.name] = self.overrides[f.name].fn(values, good)
        if not self.chain or not self.overrides:
            return isolated
        out: dict = {}
        for f in self.formulas:
            try:
                out[f.name] = self.overrides.get(f.name, f).fn(values, out)
            except (GradcheckError, ValueError, TypeError, IndexError) as e:  # from the chain
                out[f.name] = Unevaluated(_chain_reason(e, out, good))
        return out

    def with_formulas(
        self, overrides: Mapping[str, Any], origin: str | None = None, chain: bool | None = None
    ) -> "Model":
        """A copy with ``overrides`` in place of those formulas (by row id), ``origin``
        saying whose they are ("injected", "yours"); the model itself is left as it is."""
        origins = {**self.origins, **{k: origin for k in overrides if origin is not None}}
        new = replace(
            self,
            overrides={**self.overrides, **overrides},
            origins=origins,
            chain=self.chain if chain is None else chain,
        )
        if "_values" in self.__dict__:  # the same leaves, however they were set
            new.__dict__["_values"] = self.__dict__["_values"]
        return new

    def jacobian(self, jac: Jacobian, values: Values) -> np.ndarray:
        return self.overrides.get(jac.id, jac).fn(values)

    def missing(self, name: str) -> str | None:
        """Why the backward giving no adjoint of ``name`` is a FAIL (a checked leaf's:
        the loss depends on it), or None: an intermediate's stays NOT CHECKED."""
        if name not in {leaf.name for leaf in self.leaves}:
            return None
        return f"the backward returned no {adjoint_label(name)}"

    def formula_text(self, row_id: str) -> str:
        if row_id in self.overrides:
            return self.overrides[row_id].text
        items: list[Formula | Jacobian] = [*self.formulas, *self.jacobians]
        for item in items:
            if item.id == row_id:
                return item.text
        return ""


def adjoint_label(name: str) -> str:
    """As engine/checking.py's bar() prints it: x̄, W̄1; gamma_bar."""
    return name[0] + "\u0304" + name[1:] if re.fullmatch(r"[A-Za-z]\d*", name) else f"{name}_bar"


def _run_step(step: Step, env: Mapping[str, Any]) -> Any:
    if step.fn is None:
        raise ModelError(f"step '{step.name}' is opaque: it has no function to run")
    return step.fn(*(env[i] for i in step.inputs))


def _call(f: Formula, values: Values, adjoints: Values) -> np.ndarray:
    if f.fn is None:
        raise ModelError(f"the formula of {f.name} has no function")
    return f.fn(values, adjoints)
