"""The one-sided derivatives the kink test measures: central differences with their
halves at a ladder of steps, extrapolated to the two sides of θ with their own error.

An entry sits on a kink where its sides are resolved (they differ by more than their
error); A is a subgradient there where it lies between them (OneSided.holds).
"""

from dataclasses import replace
from typing import Any

import numpy as np

from gradcheck_cli.engine.policy import (
    DIFFERENCE_ROUNDOFF,
    EPS,
    KINK_RATIO,
    KINK_SIDES,
    SIDES_ROUNDOFF,
)
from gradcheck_cli.records import frozen


@frozen(eq=False)  # (eq=False: arrays: == by identity)
class Central:
    """Central differences at one step of the kink test, with their one-sided halves."""

    value: np.ndarray
    plus: np.ndarray
    minus: np.ndarray
    step: np.ndarray | None = None  # the steps as taken ((θ + h) − θ, their mean), if known


@frozen(eq=False)  # (eq=False: arrays: == by identity)
class OneSided:
    """The one-sided derivatives of the failing entries, from the kink test (NaN elsewhere):
    ``left`` and ``right`` (the two finest steps extrapolated), [lo, hi] between them, and
    ``slack``, their own error (their change from the extrapolation a step coarser, and
    their round-off)."""

    left: np.ndarray
    right: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    slack: np.ndarray
    tol: np.ndarray | None = None  # the tolerance A is held to (at_sides), once set
    together: np.ndarray | None = None  # kinks that are no subgradient together (together.py)

    def only(self, mask: np.ndarray) -> "OneSided":
        """The same, NaN outside ``mask`` (the entries that sit on a kink)."""
        return OneSided(*(np.where(mask, a, np.nan) for a in self._arrays()))

    def where(self, mask: np.ndarray, other: "OneSided") -> "OneSided":
        """``other``'s derivatives at ``mask``, these elsewhere (before at_sides)."""
        pairs = zip(other._arrays(), self._arrays(), strict=True)
        return OneSided(*(np.where(mask, a, b) for a, b in pairs))

    def taken(self, flat: np.ndarray) -> "OneSided":
        """The same at the flat entries ``flat`` only (a sample compared where it was
        taken: compare.py)."""
        left, right, lo, hi, slack = (a.ravel()[flat] for a in self._arrays())
        tol, together = (None if a is None else a.ravel()[flat] for a in (self.tol, self.together))
        return OneSided(left, right, lo, hi, slack, tol, together)

    def _arrays(self) -> tuple[np.ndarray, ...]:
        return (self.left, self.right, self.lo, self.hi, self.slack)

    def nearer(self, A: np.ndarray, elsewhere: np.ndarray) -> np.ndarray:
        """The one-sided derivative nearer A (``elsewhere`` where there is none)."""
        with np.errstate(invalid="ignore"):
            near = np.where(np.abs(A - self.left) <= np.abs(A - self.right), self.left, self.right)
        return np.where(np.isfinite(near), near, elsewhere)

    def at_sides(self, bound: np.ndarray, classic: bool = False) -> "OneSided":
        """The same, holding A to ``bound`` (the engine's bound with the nearer side as N:
        A is compared with the sides, not with a central difference across the kink)
        plus the sides' own slack; under a classic rtol, which is itself the allowance
        for the reference's error, to the larger of the two (sides known within the
        rtol are held to it)."""
        return replace(self, tol=np.maximum(bound, self.slack) if classic else bound + self.slack)

    def holds(self, A: np.ndarray) -> np.ndarray:
        """Where A lies between the one-sided derivatives: a valid subgradient."""
        assert self.tol is not None
        with np.errstate(invalid="ignore"):
            return (A >= self.lo - self.tol) & (A <= self.hi + self.tol)

    def exact_where(self, left: np.ndarray, right: np.ndarray, slack: np.ndarray) -> "OneSided":
        """The same, with exact one-sided derivatives where ``left`` and ``right`` are
        had and differ (_both_sides), ``slack`` their own error."""
        there = differ(left, right)
        if not there.any():
            return self
        return OneSided(
            np.where(there, left, self.left),
            np.where(there, right, self.right),
            np.where(there, np.minimum(left, right), self.lo),
            np.where(there, np.maximum(left, right), self.hi),
            np.where(there, slack, self.slack),
        )

    def resolved(self) -> np.ndarray:
        """Where the one-sided derivatives differ by more than their own error, and by
        more than a one-sided difference's relative rounding (DIFFERENCE_ROUNDOFF eps of
        their size: a loss that sums to 0 gives no eps·|L| to measure it by): only there
        is a kink proved (one-sided values that are round-off prove nothing)."""
        gap = np.abs(self.right - self.left)
        size = np.maximum(np.abs(self.right), np.abs(self.left))
        with np.errstate(invalid="ignore"):
            return (gap > KINK_SIDES * self.slack) & (gap > DIFFERENCE_ROUNDOFF * EPS * size)


def one_sided(ladder: list[tuple[Central, np.ndarray]]) -> OneSided:
    """The one-sided derivatives from differences at steps 8 times apart (coarsest first,
    each with its round-off): from each three in a row, the finer two with their
    first-order error (∝ h) extrapolated away, their slack their change from the
    coarser two's extrapolation plus SIDES_ROUNDOFF eps S / h of round-off; per entry,
    the three with the least slack (finer steps round off, wider ones may reach another
    kink: either shows in the change)."""
    best = None
    for (a, _), (b, _), (c, noise) in zip(ladder, ladder[1:], ladder[2:], strict=False):
        (m0, p0), (m, p) = extrapolated(a, b), extrapolated(b, c)
        change = np.maximum(np.abs(m - m0), np.abs(p - p0))
        # (a floor of SIDES_ROUNDOFF, not DIFFERENCE_ROUNDOFF, for the round-off the
        # change may miss: a wider slack passes more, and shows in the resolution)
        slack = np.nan_to_num(change, nan=np.inf) + noise * (SIDES_ROUNDOFF / DIFFERENCE_ROUNDOFF)
        if best is None:
            best = (m, p, slack)
        else:
            better = slack < best[2]
            best = tuple(
                np.where(better, new, old) for new, old in zip((m, p, slack), best, strict=True)
            )
    assert best is not None
    minus, plus, slack = best
    return OneSided(minus, plus, np.minimum(minus, plus), np.maximum(minus, plus), slack)


def extrapolated(coarser: Central, finer: Central) -> tuple[np.ndarray, np.ndarray]:
    """(left, right) from the one-sided differences at two steps KINK_RATIO apart: their
    first-order error (∝ h) extrapolated away, by the ratio of the steps as taken where
    both are known (steps of a few ulps of θ are not KINK_RATIO apart: 93.2 ± 0.0034 at
    θ = 9.3e13, whose ulp is 0.016, extrapolated by 8, looked like a kink)."""
    r: Any = KINK_RATIO - 1.0
    if coarser.step is not None and finer.step is not None:
        with np.errstate(divide="ignore", invalid="ignore"):
            taken = coarser.step / finer.step - 1.0
        r = np.where(np.isfinite(taken) & (taken > 0), taken, r)
    return (
        finer.minus + (finer.minus - coarser.minus) / r,
        finer.plus + (finer.plus - coarser.plus) / r,
    )


def differ(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Where the complex step's two exact sides (verdict._both_sides, NaN where they were
    not told apart) are both had and differ by more than their own rounding: a kink at
    θ_i. Moved sides were told apart by KINK_SAME already; sides by ±ih by that rounding
    (a tie whose jump is 2e-12 of the derivative is a kink too)."""
    size = np.maximum(np.abs(right), np.abs(left))
    with np.errstate(invalid="ignore"):
        return np.isfinite(size) & (np.abs(right - left) > DIFFERENCE_ROUNDOFF * EPS * size)
