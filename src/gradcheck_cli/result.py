"""The data every stage hands on: statuses, one row's comparison, the rows, the report.

Nothing here decides or computes a verdict (engine/decide.py does); these are the plain
dataclasses the engine fills in and report/, cli/ and api.py read. They import nothing
of the package's at module level, so every stage may import them.
"""

import re
from dataclasses import field
from enum import StrEnum
from typing import TYPE_CHECKING

import numpy as np

from gradcheck_cli.records import frozen

if TYPE_CHECKING:  # (annotations only)
    from gradcheck_cli.engine.checking import Settings
    from gradcheck_cli.errors import ExitStatus


class Status(StrEnum):
    """A row's (or the whole check's) verdict. The values are the strings the JSON and the
    tables show."""

    PASS = "PASS"
    FAIL = "FAIL"
    KINK = "KINK"
    WEAK = "WEAK"
    NOT_CHECKED = "NOT CHECKED"


PASS, FAIL, KINK, WEAK, NOT_CHECKED = (
    Status.PASS,
    Status.FAIL,
    Status.KINK,
    Status.WEAK,
    Status.NOT_CHECKED,
)


TOGETHER = "together"  # Comparison.problem: kinks, each a subgradient alone, none together


def dims(shape: tuple[int, ...] | list[int]) -> str:
    """A shape as the tables write it: 3×4, or "scalar"."""
    return "×".join(str(s) for s in shape) if len(shape) else "scalar"


def bar(name: str) -> str:
    """The adjoint's printed name: a macron over a one-letter name (W̄1, z̄, x̄), else
    NAME_bar (gamma_bar), as typed formulas write it."""
    if re.fullmatch(r"[A-Za-z]\d*", name):
        return name[0] + "\u0304" + name[1:]
    return f"{name}_bar"


@frozen
class Tolerance:
    """The classic bound, |A − N| ≤ atol + rtol · max(|A|, |N|, floor · max|N|): used in
    place of the error estimates when --rtol or --atol is given (engine/bounds.py)."""

    rtol: float = 1e-5
    atol: float = 0.0
    floor: float = 1e-3


@frozen
class Comparison:
    """One row's verdict and what was measured to reach it: the worst entry, its error
    against the bound, the resolution, the kinks excused (engine/compare.py fills it in)."""

    status: str  # PASS, FAIL, KINK, WEAK or NOT CHECKED
    reason: str | None = None  # why it failed (or is WEAK), in words
    max_abs: float = float("nan")
    max_rel: float = float("nan")
    worst_index: tuple[int, ...] | None = None
    worst_analytic: float | None = None
    worst_numeric: float | None = None
    entries: int = 0
    kinks: int = 0
    failed: int = 0
    problem: str | None = None  # what failed: "type", "shape", "nonfinite", "values", or
    # TOGETHER: kinks, each a subgradient alone, none together (engine/together.py)
    ratio: float = float("nan")  # max over entries of err / bound: the verdict is PASS iff ≤ 1
    checked: int = -1  # entries compared (fewer than entries with --sample); -1: all
    directions: int = 0  # with --directions: how many directional derivatives were compared
    resolution: float | None = None  # the largest bound / |A| over carrying entries (decide.py)
    resolution_worst: float | None = None  # the same (kept for the JSON schema)
    resolution_index: tuple[int, ...] | None = None  # ... and where
    unresolved: str | None = None  # why a carrying entry's bound cannot be had, if one's cannot
    left: float | None = None  # at the worst entry, if the kink test looked there: the
    right: float | None = None  # one-sided derivatives (left: θ − h, right: θ + h)
    kink_index: tuple[int, ...] | None = None  # one excused kink entry, with its
    kink_sides: tuple[float, float, float] | None = None  # (left, right, A)
    region: str | None = None  # A is the gradient of the region beside θ entered along this


@frozen
class Diagnosis:
    """What is wrong with a failing row (diagnose/): the rule's ``kind``, in words, and
    what it measured."""

    kind: str  # the name of the rule that matched (docs/diagnoses.md)
    message: str
    detail: dict = field(default_factory=dict)


@frozen
class ForwardRow:
    """A row of the forward table: a leaf, an intermediate or the loss, and its shape."""

    name: str
    role: str  # parameter, input, target, intermediate, loss
    formula: str
    shape: str
    dims: tuple[int, ...]


@frozen
class GradientRow:
    """A row of the backward table: an adjoint (or a Jacobian), its formula and its
    Comparison; for a FAIL, the diagnosis."""

    id: str  # the variable's name, or "dy/dz" for a Jacobian
    label: str  # as printed: W̄1, ∂y/∂z
    kind: str  # parameter, input, target, intermediate, jacobian
    formula: str
    shape: str
    dims: tuple[int, ...]
    comparison: Comparison
    origin: str | None = None  # whose formula, if not the tool's: "injected" or "yours"
    diagnosis: Diagnosis | None = None  # for a FAIL: the simplest explanation (diagnose/)
    method: str | None = None  # the row's engine, where not the check's (checking._engine)

    @property
    def replaced(self) -> bool:
        return self.origin is not None


@frozen
class Report:
    """A whole check, as check() returns it and every format prints it: the model, the
    settings, the forward and backward rows, notes, and the arrays compared."""

    model: str
    title: str
    options: dict
    symbols: dict[str, int]
    parameters: tuple[str, int]
    settings: "Settings"
    method: str  # the engine used: complex, richardson, central or forward
    loss: float
    forward: list[ForwardRow]
    gradients: list[GradientRow]
    notes: list[str] = field(default_factory=list)
    arrays: dict[str, np.ndarray] = field(default_factory=dict, repr=False, compare=False)
    taylor: list | None = None  # TaylorRow per checked name, with --taylor
    derivation: object = None  # with --derivation: derivation.Derivation, every equation found

    def row(self, id: str) -> GradientRow:
        """The row of an adjoint ("W1") or Jacobian ("dy/dz")."""
        return next(r for r in self.gradients if r.id == id)

    def failures(self) -> str:
        """One line per FAIL row, with its reason and diagnosis."""
        return "\n".join(
            f"{r.label}: {r.comparison.reason}"
            + (f" ({r.diagnosis.message})" if r.diagnosis else "")
            for r in self.gradients
            if r.comparison.status == FAIL
        )

    def to_dict(self) -> dict:
        """The report as ``--format json`` prints it: schema gradcheck/1 (docs/json.md)."""
        from gradcheck_cli.report.schema import to_json  # (a convenience: report/ reads this)

        return to_json(self)

    def count(self, status: str) -> int:
        return sum(r.comparison.status == status for r in self.gradients)

    @property
    def status(self) -> Status:
        """The whole check's status, by the verdict rule (engine/decide.py)."""
        from gradcheck_cli.engine.decide import check_status  # (the rule, in one place)

        return check_status([r.comparison.status for r in self.gradients])

    @property
    def exit_code(self) -> "ExitStatus":
        from gradcheck_cli.engine.decide import EXIT_CODES

        return EXIT_CODES[self.status]

    def _repr_html_(self) -> str:
        """The report as an HTML table, for Jupyter (report/html.py)."""
        from gradcheck_cli.report.html import to_html  # only a notebook needs it

        return to_html(self)
