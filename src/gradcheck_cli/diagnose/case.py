"""What a diagnosis rule is given (Case) and what a rule is (Rule)."""

import inspect
from collections.abc import Callable
from dataclasses import field
from functools import cached_property

import numpy as np

from gradcheck_cli.records import frozen
from gradcheck_cli.result import Diagnosis, Tolerance

NONE = "no simple pattern"


@frozen
class Case:
    """One failing row, as the rules see it.

    ``analytic``, ``numeric``: A and N; ``tol``: the classic bound the rules verify
    against; ``adjoints``: other adjoints by printed name (numeric values, the true ones);
    ``values``: forward values by name; ``symbols``: sizes such as B; ``own``: the
    variable's own forward value, named ``own_name`` (a weight-decay term is a multiple of
    it); ``exclude``: a mask of entries excused as kinks, on which nothing is fitted,
    verified or named; ``value``: the row's own forward value where ``own`` is not given
    (a tapped intermediate's: a derivative at the wrong point is often taken at it), used
    by the offset, point and threshold rules and in the facts of "no simple pattern";
    ``worst``: the entry the verdict failed by the most against its own bound.
    """

    analytic: object
    numeric: np.ndarray
    tol: Tolerance
    adjoints: dict = field(default_factory=dict)
    values: dict = field(default_factory=dict)
    symbols: dict = field(default_factory=dict)
    own: np.ndarray | None = None
    own_name: str | None = None
    exclude: np.ndarray | None = None
    value: np.ndarray | None = None
    worst: tuple[int, ...] | None = None  # the verdict's worst failing entry, if it named one

    @cached_property
    def A(self) -> np.ndarray:
        return np.asarray(self.analytic).astype(float)

    @property
    def N(self) -> np.ndarray:
        return self.numeric

    @cached_property
    def keep(self) -> np.ndarray | None:
        """The entries that count (not excused as kinks), or None for all."""
        ex = self.exclude
        if ex is not None and ex.shape == self.A.shape and ex.any():
            return ~ex.astype(bool)
        return None

    @cached_property
    def candidates(self) -> dict:
        """Other adjoints and forward values: what a missing term may equal."""
        return {**self.adjoints, **self.values}

    @cached_property
    def mine(self) -> dict:
        """The forward values with the row's own (``own``, else ``value``)."""
        itself = self.own if self.own is not None else self.value
        return {**self.values, **({self.own_name or "own": itself} if itself is not None else {})}


@frozen
class Rule:
    """One pattern: ``name`` is the ``kind`` it reports (its row in docs/diagnoses.md),
    ``test`` returns its Diagnosis where the pattern fits, else None."""

    name: str
    test: Callable[[Case], Diagnosis | None]
    also: tuple[str, ...] = ()  # other kinds it may report (docs/diagnoses.md names them)
    entrywise: bool = True  # compares A with N entry by entry: needs an entry not excused

    @property
    def kinds(self) -> tuple[str, ...]:
        return (self.name, *self.also)

    @property
    def doc(self) -> str:
        return inspect.getdoc(self.test) or ""
