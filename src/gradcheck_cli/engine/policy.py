"""The verdict's policy: every constant that decides PASS, FAIL, KINK or WEAK, in one place.

The pipeline (verdict.py) is plain stages: numeric reference → bound (measured) →
compare → a second look at failing entries (it widens a bound by what it measured, or
proves a kink) → resolution → the rule of decide.py. Each stage reads its constants from
POLICY[dtype].

The error-estimate bound for one entry i of one tensor T (complex and richardson):

    bound_i = est · est_i                                   (richardson's own estimate)
            + k · eps · (entry · max(|A_i|, |N_i|) + tensor · max|N| over T)
            + rounding · ρ_i                                (A's own rounding, measured)

k = 1 for the complex step, 1/h_i for richardson (a difference quotient divides the
loss's round-off by its step). ρ_i is |A_ext,i − A_i| (A again from a forward and
backward in 80-bit extended precision, where numpy has it) plus the largest change of
A_i − N_i when the rounded forward values move by 1 to 4 ulps (what the hand-derived
formula does with the rounding it is fed: 1 − h² of a saturated tanh). Nothing in the
bound comes from another tensor: a confident softmax's ȳ of 1e250 does not loosen b̄.
The constants keep a margin of at least 4 over the largest error seen on correct
gradients by benchmarks/detection.py.
"""

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Policy:
    eps: float  # machine epsilon of the dtype A is computed in
    entry: float  # × eps × max(|A_i|, |N_i|): the entry's own rounding
    tensor: float  # × eps × max|N| of the tensor: round-off of sums within it
    est: float  # × richardson's error estimate
    rounding: float  # × ρ_i, A's measured rounding
    jitter: float  # --directions' scatter test: leaves moved by this relative amount
    kink_steps: tuple[int, ...]  # the kink test's one-sided differences at h / k
    weak: float  # a row whose resolution is coarser than this is WEAK, not PASS
    second_look: int  # failing entries looked at again; beyond, a random sample of them
    directional: float  # --directions, measured rounding: × eps × (‖A ∘ v‖ + |⟨A, v⟩|)
    directional_worst: float  # --directions, unmeasured: × eps × (‖A ∘ v‖ + max|A| ‖v‖ + …)
    scatter: float  # --directions: a sum failing by more than this × its bound is an error


POLICY = {
    "float64": Policy(
        eps=float(np.finfo(np.float64).eps),
        entry=512.0,
        tensor=0.0,
        est=8.0,
        rounding=4.0,
        jitter=1e-8,
        kink_steps=(1, 8, 64),
        weak=1e-6,
        second_look=256,
        directional=32.0,
        directional_worst=4.0,
        scatter=16.0,
    ),
    "float32": Policy(
        eps=float(np.finfo(np.float32).eps),
        entry=8.0,
        tensor=4.0,
        est=8.0,
        rounding=4.0,
        jitter=1e-4,
        kink_steps=(1, 8, 64),
        weak=1e-2,
        second_look=256,
        directional=32.0,
        directional_worst=4.0,
        scatter=16.0,
    ),
}

CARRY = 1e-3  # max(|A_i|, |N_i|) ≥ CARRY times its largest: entry i carries the gradient

# The classic bound's defaults (--rtol/--atol, and the central and forward engines)
DEFAULT_RTOL = {"central": 1e-5, "forward": 1e-4, "complex": 1e-5, "richardson": 1e-5}
# --derivation: a forward definition read from a document (z_1 = W^{(1)} x) agrees with
# the model's forward when every entry is within this relative error (both are computed
# in float64 from the same leaves: only the order of operations differs)
FORWARD_RTOL = 1e-10
