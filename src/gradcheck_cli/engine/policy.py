"""The verdict's policy: every constant that decides PASS, FAIL, KINK or WEAK, or names a
diagnosis, in one place.

The pipeline (verdict.py) is plain stages: numeric reference → bound (measured) →
compare → a second look at failing entries (it widens a bound by what it measured, or
proves a kink) → resolution → the rule of decide.py. Each stage reads its constants from
POLICY[dtype]; those that do not depend on the dtype (the second look, --directions, the
carried test and the Taylor test run in float64, REFERENCE; the diagnoses' patterns) are
named below POLICY, by the stage that reads them, the numeric engines' own decisions (the
complex-safety probe, Richardson's retry) among them. (engine/engines.py and
engine/numeric.py keep the engines' own steps.)

The error-estimate bound for one entry i of one tensor T (complex and richardson):

    bound_i = est · est_i                                   (richardson's own estimate)
            + k · eps · (entry · max(|A_i|, |N_i|) + tensor · max|N| over T)
            + rounding · ρ_i                                (A's own rounding, measured)

k = 1 for the complex step, 1/h for richardson with h its nominal step, 3e-3 (a
difference quotient divides the loss's round-off by its step). ρ_i is |A_ext,i − A_i| (A
again from a forward and backward in 80-bit extended precision, where numpy has it) plus
the largest change of A_i − N_i when the rounded forward values move by 1 to 4 ulps
(what the hand-derived formula does with the rounding it is fed: 1 − h² of a saturated
tanh). Nothing in the bound comes from another tensor: a confident softmax's ȳ of 1e250
does not loosen b̄. The constants keep a margin of at least 4 over the largest error
seen on correct gradients by benchmarks/detection.py."""

import numpy as np

from gradcheck_cli.engine import engines
from gradcheck_cli.records import frozen

EPS = engines.EPS  # float64's machine epsilon (POLICY["float64"].eps)
TINY = 1e-300  # a divisor's floor where it may be 0: max(|x|, TINY), never a verdict
REFERENCE = "float64"  # the dtype N, the second looks and --directions are computed in


@frozen
class Policy:
    """The factors of the bound and of the verdict's tests for one dtype A is computed in
    (POLICY): what the module's docstring derives."""

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
        eps=EPS,
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

# --derivation: a forward definition read from a document (z_1 = W^{(1)} x) agrees with
# the model's forward when every entry is within this relative error (both are computed
# in float64 from the same leaves: only the order of operations differs)
FORWARD_RTOL = 1e-10

# The numeric engines' own decisions (numeric.py), in float64
RICHARDSON_POOR = 1e-8  # an estimate above this fraction of |N|: try steps relative to |θ| too
RICHARDSON_OVERRULED = 2  # an extrapolation off a finer one by this × both estimates: not kept,
RICHARDSON_RESOLVED = 1e-2  # ... the finer one's estimate within this fraction of its value
# The complex-safety probe (numeric.complex_safe): the complex step against real differences
PROBE_RTOL = 1e-12  # along a direction, complex step and Richardson agree within this …
C_AGREE = 8.0  # … plus this many of Richardson's estimates (as policy.est in the bound)
PROBE_DOUBT = 1e-6  # an estimate above this fraction of the derivative: in doubt, not safe
PROBE_NOISE = 0.25  # a central difference whose round-off is above this fraction: no evidence
PROBE_CENTRAL_RTOL = 1e-5  # on the largest entry, complex step and central agree within this …
PROBE_ROUNDOFF = 100  # … plus the central difference's round-off: this × eps × |L| / h
PROBE_MEASURED = 8  # … at the larger steps (all three round-off), beside their measured change
PROBE_FINEST = (
    1e-10  # … or at finer steps (× 1e-2 each), down to this × the first, while informative
)
PROBE_UNIT_SCALES = (1.0, 1e-3, 1e-6)  # a direction over |θ| > 1 is tried again on these scales
# Richardson with the forward in 80 bits (numeric._Extended): along a probe direction where
# float64's estimate is above PROBE_RTOL, and at the complex step's failing entries that
# float64's Richardson cannot tell from A; at steps EXTENDED_FIRST · 4⁻ᵏ, k < EXTENDED_STEPS
EXTENDED_FIRST = 1e-2
EXTENDED_STEPS = 5
# (their cost counted in values computed, every value of the forward once an evaluation;
# numpy has no BLAS in 80 bits)
EXTENDED_PROBE = 1e6  # values one probe direction may compute in 80 bits (else float64's stands)
PROBE_RTOL_EXTENDED = 2.0**-11 * PROBE_RTOL  # PROBE_RTOL in 80 bits: 2¹¹ times less round-off
EXTENDED_REFEREE = 4e7  # values one row's failing entries may compute in 80 bits, at the most

# The second look at failing entries (verdict.py), always in float64 (REFERENCE)
DIFFERENCE_ROUNDOFF = 256  # × eps × |L| / h: the round-off a one-sided difference may carry
SIDES_ROUNDOFF = 8  # × eps × |L| / h: ... in the one-sided derivatives' slack, beside their change
CLASSIC_ROUNDOFF = 4  # × eps × S / h: a central difference's round-off, the least a classic
# bound holds A to N by (S = |L|, or Σ|θ_j N_j| where larger; as Richardson's estimate counts it)
WIDENED_APART = 3  # a bound the complex step's second look widened passes a carrying
# entry only within this × the resolution of the row's other entries (verdict._unbacked)
LEAF_DRAWS = 4  # draws of leaves moved by 1 to 4 ulps whose A − N measures A's rounding
LEAF_CREDIBLE = 1e-6  # ... where it moves by at most this of the entry (_leaf_rounding)
KINK_RATIO = 8  # the kink test's steps stand this far apart (kink_steps), and so do ...
KINK_WIDER = (1 / 64, 1 / 8)  # ... the wider steps (h / k) its one-sided derivatives may use
FAR_WIDER = (1 / 4096, 1 / 512)  # ... and, where L's round-off hides the kink test's steps,
# the wider still that may show a kink at θ or beside it (verdict._kinks: unresolved)
UNSTRADDLED_AGAIN = 64 * 2**0.5  # central's h/64, where it alone straddles no kink, is
# confirmed at h / this: a step that is no multiple of it (verdict._aliased)
KINK_SIDES = 2  # one-sided derivatives differ by more than this × their slack: a kink
KINK_PAIRS = 32  # pairs of kinks moved together along their level (together.py), at most
BESIDE_POINTS = 32  # points beside θ where a direction's derivative must hold too (together.py)
BESIDE_FINER = 256  # ... by central differences this much finer than the step to them
HULL_POINTS = 16  # points beside θ whose gradients' hull proposes a direction (together.py)
HULL_KINKS = 32  # ... over at most this many kinks (drawn by the seed)
HULL_STEPS = 300  # iterations finding the hull's point nearest A (it only proposes v)
HULL_MARGIN = 0.05  # ... and A·v must lie beyond the sides along v by this of Σ |v_i J_i|
KINK_AT_THETA = 4096  # a kink moved together shows its jump this much finer too (at θ)
COUPLED_KINKS = 8  # kinks of a direction each checked to move with the others (_coupled)
REGION_ENTRIES = 4096  # a FAIL at θ on kinks: A sought among the regions' gradients (regions.py)
# ... over leaves of at most this many entries in all; along the directions REGION_AXES
REGION_AXES = 16  # ... failing entries one by one (at most), REGION_RANDOM random ones,
REGION_RANDOM = 48  # ... and each leaf all up and up in order, each tilted by
REGION_TILT = 0.1  # ... this (normal) of its size; where a one-sided derivative equals
REGION_BESIDE_SCALED = 0.5  # every leaf scaled up, one leaf moved down or up by this too
REGION_MATCH = 1e-6  # ... A·u within this (relative; and its slack), the region's gradient
# ... is measured entry by entry at θ + kσu (k = 1, 2, 4, 8) by central differences σ / F
REGION_LADDERS = (  # ... wide, (σ in the reference's steps, F): the first tells another
    (8, 32),  # region, the wider reach a smooth region's far side (less round-off), the
    (64, 32),  # finer a narrow one's
    (512, 32),
    (8, 256),
    (1, 32),
    (1 / 8, 16),
)
REGION_ROUNDOFF = 2  # ... its round-off this × eps × |L| / h at least,
REGION_FORWARDS = 1 << 17  # ... for as many candidates as this many forward passes allow
REGION_FINE = 512  # a region reaches θ: the loss's slope along u is A·u at step / this too
REGION_TURNS = 16  # random directions a loss with kinks is tried along for turning both ways
REGION_OTHER = 1e-3  # a region whose gradient is off A by this (relative) is another one
REGION_APART = 4  # directions over the other leaves one leaf's own region keeps its gradient on
REGION_MEASURED = 3  # directions into A's region measured, the finest one held to
REGION_GUIDED = 2048  # backward passes at θ + δu, at the most, climbing to where it is A
REGION_NEAR = 1e-4  # ... again (within this of max |A|): candidates too; each climb from a
REGION_CLIMB = 60  # ... random direction takes at most this many steps, and this many
REGION_HITS = 4  # ... climbs that reach it are averaged (a region is a cone: deeper in it)
TIE_GROUPS = 16  # groups of entries tied at one value moved together, at most (together.py)
TIE_ENTRIES = 1 << 20  # ... in tensors of at most this many entries (np.unique sorts them)
ALONG_BATCH = 1 << 22  # entries of moved leaves evaluated at once along those directions
JUMP_ROUNDOFF = 64  # × a central difference's round-off: a spread of one-sided ones that is a jump
JUMP_EXTRAPOLATED = 2  # ... and that spread extrapolated (numeric._jumps): its round-off, ×
KINK_SHRINK = 2  # a spread shrinking by less than this from one kink step to the next: a kink
STAIR_GROWTH = 4  # ... growing by this or more at each of the two: a staircase's quanta (_stairs)
NEAR_KINK_THETA = 1  # kink candidates with 0 < |θ| < this are looked at on θ's own scale
INFORMATIVE = 4  # ... where the round-off there is below the larger steps' spread / this
KINK_FINER = 6  # ... and at steps KINK_RATIOʲ finer than the kink test's finest, j ≤ this
STRADDLE_FLOOR = 1e-3  # Richardson straddled a kink: entries below this × max|N| count as it
STRADDLE_AGREE = 1e-5  # ... where a central difference agrees with A to this, relative
STRADDLE_ESTIMATE = 1e-6  # ... and Richardson's own estimate is above this, relative
LADDER_FIRST = 1e-3  # a failing Richardson entry again, from this step × max(1, |θ|) (|θ| ≥ 1)
TURN_LEVELS = 16  # ... and in 80 bits at the kink test's h / KINK_RATIOᵏ, 1 ≤ k ≤ this,
TURN_MARGIN = 4  # ... where one lies beyond N by this × its own error (verdict._turned),
TURN_ULPS = 64  # ... at steps of this many of θ's 80-bit ulps at least
MOVED_MATTERS = 0.25  # A moved by its inputs' ulps by more than this × the bound: measured
LIMIT_MARGIN = 1.01  # the classic rtol as a resolution, with 1 % for max(|A|, |N|)
RESTEP = 0.75  # the complex step as referee: at this × h (no power of two: other rounding)

# --directions (directional.py), in float64 (REFERENCE)
DIRECTIONAL_ROUNDOFF = 1e3  # × eps × |L| / h: Richardson's rounding along a direction
CORRECTION = 2  # × the complex step's correction term, in a direction's bound
SCATTER_CHANGED = 0.25  # jittered leaves change a failing direction's error by this: rounding

# Carried errors (diagnose/carried.py)
CARRY_DIRECTIONS = 3  # sign directions a carried error is checked along
CARRY_RTOL = 1e-6  # the two sides agree to this, relative (both are exact to ~1e-13)

# The Taylor test (taylor.py)
TAYLOR_ROUNDOFF = 1e3  # a remainder below this × eps × |L| is rounding: not fitted
TAYLOR_LEAST = 3  # remainders needed to fit a slope
TAYLOR_ORDER_TWO = 1.75  # a slope above this: order 2, consistent
TAYLOR_ORDER_ONE = 1.25  # a slope below this: order 1, the gradient is wrong

# Diagnoses (diagnose/rules.py): when a pattern is said
PATTERN_ROUNDING = 32  # a pattern's effect must stand above this × eps × max|N|
LEFT_OVER = 0.01  # ... and leave at most this part of it on every kept entry
SPREAD = 2  # entries that must carry a pattern's effect, at the least
SMALL_SPREAD = 4  # ... within the classic tolerance (so noise on a few is no pattern)
TOO_FEW_DIGITS = 1e-3  # a scale within this of 1: a constant typed with too few digits
NAMED_RTOL = 1e-6  # c (or a term's k) is named B, 1/B, 2, ½ (or ±1) within this, relative
ROOT_RTOL = 1e-9  # ... and √k or 1/√k within this
MAX_SHIFT = 8  # index offsets looked for: 1 … 8 places (a slice, a padding, a loop bound)
POINT_PROBE = 8  # a wrong point's ratio is screened on this many of the largest entries
POINT_PROBE_RTOL = 1e-4  # ... to this, relative, before it is verified on all
FEW_ENTRIES = 3  # an error on this many entries or fewer is listed entry by entry
CHANCE = 100  # a threshold's split is claimed when 1 in this many random ones would do
RANK_ONE = 1e-6  # A − N is rank one: its second singular value below this × the first
RANK_ONE_MOST = 250_000  # ... looked for in matrices of this many entries at the most
CORRELATED = 0.9  # A − N follows a forward value: |r| of at least this
COMBINATIONS_MOST = 1e7  # an adjoint ⊗ a value (a missing outer product): entries at the most
DEGENERATE = 1e-12  # a fit of a + b v: its determinant below this × S1 Svv is singular (b = 0)
FIT_CONVERGED = 1e-13  # a two-way fit stops when b changes by less than this, relative
SAME_VALUES = 1e-12  # named values equal to this, relative, are one: 'z̄2 (= h̄)'
# the kink test under the complex step: θ_i moved by ± this fraction of itself, and the
# two sides' derivatives agreeing within this fraction, say the kink is not at θ_i
KINK_BESIDE = 1e-10
KINK_SAME = 1e-6
KINK_FAR = 100.0  # ... and again this many times further: a kink's jump stays the same
KINK_JUMP = 2  # ... that is, the far sides differ by less than this × the near sides' gap
