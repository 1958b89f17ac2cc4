"""Say what is wrong with a failing gradient, not only that it is wrong.

Given the analytic adjoint A, the numeric one N, and named quantities of the model
(other adjoints, numerically, and forward values), find the simplest explanation that
fits within the check's own bound, or say "no simple pattern" and what is true of A − N.
Every rule is verified: a pattern is reported only when its prediction matches A entry
by entry. The rules know nothing model-specific.

A new diagnosis is one entry in ``RULES`` (rules.py: a function of a ``Case``, its
docstring the pattern) and its row in docs/diagnoses.md. A FAIL that only carries an
earlier row's error is told apart in carried.py.
"""

import numpy as np

from gradcheck_cli.diagnose.case import NONE, Case, Rule
from gradcheck_cli.diagnose.rules import RULES
from gradcheck_cli.result import Diagnosis

__all__ = ["NONE", "RULES", "Case", "Rule", "diagnose"]


def diagnose(case: Case) -> Diagnosis:
    """The first rule of RULES that fits ``case``; "no simple pattern" (with what is true
    of A − N) when none does, or when there is nothing to compare (A not an array, N not
    finite, every entry excused)."""
    if not isinstance(case.analytic, np.ndarray) or not np.all(np.isfinite(case.numeric)):
        return Diagnosis("none", NONE)
    for rule in RULES:
        if rule.entrywise and case.keep is not None and not case.keep.any():
            return Diagnosis("none", NONE)
        found = rule.test(case)
        if found is not None:
            return found
    raise AssertionError("the last rule (none) always answers")
