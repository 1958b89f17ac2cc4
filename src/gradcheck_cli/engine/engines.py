"""The numerical engines, one entry each in ENGINES: what --method offers.

An Engine names its rule (how numeric.py differentiates: ``numeric.RULES``), its
default step, what its bound is made of, and how it is described. Everything else reads
these attributes, never the engine's name: a new engine is one entry here (and, for a
new way of differentiating, one rule in numeric.py). No numpy at import: ``--help`` and
the option's choices read this table.
"""

import math

from gradcheck_cli.records import frozen

EPS = 2.0**-52  # float64's machine epsilon
COMPLEX_STEP = 1e-20  # the complex step, relative to min(1, |θ|) (numeric.complex_steps)
DEFAULT_REL_STEP = math.cbrt(EPS)  # central: balances truncation h² against round-off eps/h
FORWARD_REL_STEP = math.sqrt(EPS)  # forward: balances h against eps/h
RICHARDSON_REL_STEP = 3e-3  # the nominal step bounds.py divides eps by; directional.py's stencil
RICHARDSON_FIRST_STEP = 0.1  # the sequence's largest step, relative to max(1, |θ|)
RICHARDSON_STEPS = 11  # 2 evaluations each, and 2 at a step below them: 24 per entry
AUTO = "auto"  # --method's choice of the complex step where the forward allows it


@frozen
class Engine:
    """One numerical engine.

    ``rule``: numeric.RULES' key; ``rel_step``: the default relative step (--eps
    replaces it), None for the complex step; ``rtol``: the classic bound's default
    (with --rtol/--atol, and for engines without ``estimates``); ``estimates``: judged by
    its own error estimate per entry (bounds.py) when no --rtol is given; ``exact``: no
    truncation error (its N is the derivative of the forward as computed: the second
    look trusts it at a failing entry); ``extrapolated``: N carries an error estimate
    (Richardson); ``complex``: needs a complex-safe forward; ``bound_scale``: eps in
    the estimate bound is divided by this (the nominal step of a difference)."""

    name: str
    rule: str
    rtol: float
    rel_step: float | None = None
    step_name: str = ""
    estimates: bool = False
    exact: bool = False
    extrapolated: bool = False
    complex: bool = False
    bound_scale: float = 1.0

    def describe(self, rel_step: float | None) -> str:
        """The engine as the report's header states it (``rel_step``: --eps, if given)."""
        if self.rule == "complex":
            return f"complex step, Im L(θ + ih) / h, h = {COMPLEX_STEP:g}"
        rel = self.rel_step if rel_step is None else rel_step
        if self.rule == "richardson":
            return (
                f"Richardson: central differences at {RICHARDSON_STEPS} steps {rel:.3g} · 4⁻ᵏ · "
                "max(1, |θ|), extrapolated twice; per entry the one with the smallest estimate"
            )
        name = self.step_name if rel_step is None else f"{rel:.3g}"
        what = "central differences" if self.rule == "central" else "forward differences"
        return f"{what}, h = {name} · max(1, |θ|) = {rel:.2e} · max(1, |θ|)"


ENGINES: dict[str, Engine] = {
    e.name: e
    for e in (
        Engine(
            "complex",
            rule="complex",
            rtol=1e-5,
            estimates=True,
            exact=True,
            complex=True,
        ),
        Engine(
            "richardson",
            rule="richardson",
            rtol=1e-5,
            rel_step=RICHARDSON_FIRST_STEP,
            estimates=True,
            extrapolated=True,
            bound_scale=RICHARDSON_REL_STEP,
        ),
        Engine(
            "central",
            rule="central",
            rtol=1e-5,
            rel_step=DEFAULT_REL_STEP,
            step_name="∛eps",
        ),
        Engine(
            "forward",
            rule="forward",
            rtol=1e-4,
            rel_step=FORWARD_REL_STEP,
            step_name="√eps",
        ),
    )
}


def engine(method: str) -> Engine:
    """The Engine named ``method`` (the check resolves ``auto`` first: checking._engine)."""
    return ENGINES[method]


def choices() -> tuple[str, ...]:
    """--method's allowed values: auto, then every engine."""
    return (AUTO, *ENGINES)


def method_help() -> str:
    """--method's help, from the table."""
    *first, last = ENGINES
    return (
        f"Numerical engine: {AUTO} (complex step where the forward allows it, else "
        f"richardson), {', '.join(first)} or {last}."
    )
