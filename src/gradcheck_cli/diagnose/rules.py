"""Say what is wrong with a failing gradient, not only that it is wrong.

Given the analytic adjoint A, the numeric one N, and named quantities of the model
(other adjoints, numerically, and forward values), find the simplest explanation that
fits within the check's own bound, or say "no simple pattern" and what is true of A − N.
Every rule is verified: a pattern is reported only when its prediction matches A entry
by entry. The rules know nothing model-specific; docs/diagnoses.md lists them, with the
realistic slips of benchmarks/diagnoses/ they are measured on.
"""

import math
from collections.abc import Callable
from itertools import permutations

import numpy as np

from gradcheck_cli.diagnose.case import NONE, Case, Rule
from gradcheck_cli.engine.compare import entry_bound
from gradcheck_cli.engine.policy import (
    CHANCE,
    COMBINATIONS_MOST,
    CORRELATED,
    DEGENERATE,
    EPS,
    FEW_ENTRIES,
    FIT_CONVERGED,
    LEFT_OVER,
    MAX_SHIFT,
    NAMED_RTOL,
    PATTERN_ROUNDING,
    POINT_PROBE,
    POINT_PROBE_RTOL,
    RANK_ONE,
    RANK_ONE_MOST,
    ROOT_RTOL,
    SMALL_SPREAD,
    SPREAD,
    TINY,
    TOO_FEW_DIGITS,
)
from gradcheck_cli.result import Diagnosis, Tolerance, dims


def _kept(X: np.ndarray, keep: np.ndarray | None) -> np.ndarray:
    """X's entries that count: all, or those of the mask ``keep`` (flattened)."""
    return X if keep is None else X[keep]


def _fits(A, predicted, tol: Tolerance, keep: np.ndarray | None = None) -> bool:
    """``predicted`` matches A within the bound on every entry of ``keep`` (all if None);
    the bound's floor is taken over those entries only."""
    if predicted.shape != A.shape or not np.all(np.isfinite(predicted)):
        return False
    err, _, bound = entry_bound(_kept(A, keep), _kept(predicted, keep), tol)
    return bool(np.all(err <= bound))


def _lsq(target, basis, keep: np.ndarray | None = None) -> float:
    """The scalar k minimising |target − k·basis| over the entries of ``keep``."""
    target, basis = _kept(target, keep), _kept(basis, keep)
    den = float(np.vdot(basis, basis))
    return float(np.vdot(basis, target)) / den if den > 0 else 0.0


def _explains(A, N, predicted, effect, tol: Tolerance, keep, spread: int) -> bool:
    """``predicted`` explains A − N far better than A = N does, entry by entry.

    ``effect`` is predicted − N, what the pattern adds. It must stand above N's rounding
    (32 eps of max|N|, below any verdict's bound); every kept entry must fit within the
    bound and leave at most 1% of the effect there (of the largest effect's 1% where the
    effect is smaller, so rounding where it vanishes does not count); and at least
    ``spread`` entries must carry that much effect. A few wrong entries, or noise, leave
    residuals as large as the effect itself: a constant fitted to them does not pass.
    """
    a, n, p, e = (_kept(X, keep) for X in (A, N, predicted, effect))
    if a.size == 0 or not _fits(a, p, tol):
        return False
    size = np.abs(e)
    top = float(size.max())
    if top <= PATTERN_ROUNDING * EPS * float(np.abs(n).max()):
        return False
    seen = np.maximum(size, LEFT_OVER * top)
    fit = bool(np.all(np.abs(a - p) <= LEFT_OVER * seen))
    return fit and int(np.sum(size >= LEFT_OVER * top)) >= spread


def _scale(A, N, tol: Tolerance, keep, spread: int) -> float | None:
    """The c with A = c·N on every kept entry (c ≠ 0, 1), verified by ``_explains``."""
    c = _lsq(A, N, keep)
    if c == 0:
        return None
    return c if _explains(A, N, c * N, (c - 1) * N, tol, keep, spread) else None


def _c_text(c: float) -> str:
    """c with enough digits to show how far it is from 1 (0.99999916, not 1)."""
    if abs(c - 1) >= TOO_FEW_DIGITS:
        return f"{c:.6g}"
    gap = float(f"{abs(c - 1):.1e}")  # two digits of the gap: round-off never adds a digit
    if not gap > 0:  # (c within a subnormal of 1, or not finite: every digit it has)
        return repr(float(c))
    return f"{c:.{int(np.ceil(-np.log10(gap))) + 1}f}"


def _scale_diagnosis(c: float, symbols: dict) -> Diagnosis:
    named = _named_constant(c, symbols)
    if named:
        return Diagnosis("scale", f"scaled: A = c·N with c = {named}", {"c": c})
    hint = " (a constant typed with too few digits?)" if abs(c - 1) < TOO_FEW_DIGITS else ""
    return Diagnosis("scale", f"scaled: A = c·N with c = {_c_text(c)}{hint}", {"c": c})


def _own_term(A, N, tol: Tolerance, keep, own, name: str | None, spread: int) -> Diagnosis | None:
    """N − A = k·own, own the variable's own forward value: a weight-decay or L2 term's
    derivative (2λW) missing, or written with the wrong factor (λW). k by least squares,
    verified by ``_explains``; detail k as in the other terms (N − A = k·term)."""
    if own is None or own.shape != A.shape or not _kept(own, keep).any():
        return None
    k = _lsq(N - A, own, keep)
    if k == 0 or not _explains(A, N, N - k * own, -k * own, tol, keep, spread):
        return None
    term = (
        f"{abs(k):.6g}·{name} (the variable's own value)"
        if name
        else f"{abs(k):.6g}× the variable's own value"
    )
    what = "missing a term" if k > 0 else "an extra term"
    return Diagnosis(
        "term", f"{what} {term}: a weight-decay or L2 term's derivative", {"term": name, "k": k}
    )


def _named_constant(c: float, symbols: dict) -> str | None:
    """Relate a scale factor to the problem: the batch size, or the loss's ½."""
    B = symbols.get("B", 1)
    named = []
    if B > 1:
        named += [
            (B, f"B = {B}: the batch mean's 1/B is missing (a sum where a mean belongs)"),
            (1 / B, f"1/B = 1/{B}: divided by the batch size once too often"),
        ]
    named += [
        (2.0, "2: the ½ of the loss is missing, or a term counted twice"),
        (0.5, "½: an extra ½, or an adjoint split between two paths instead of copied"),
    ]
    for value, text in named:
        if abs(c - value) <= NAMED_RTOL * abs(value):
            return text
    return _root_name(c)


def _root_name(c: float) -> str | None:
    """c = √k or 1/√k for a whole k ≥ 2, not a square: a 1/√k factor (attention's 1/√d)
    missing, or applied once too often."""
    if c <= 0:
        return None
    for square, text in (
        (c * c, "√{k}: a factor 1/√{k} missing (a 1/√d scale?)"),
        (1 / (c * c), "1/√{k}: a factor 1/√{k} once too often (a 1/√d scale?)"),
    ):
        k = round(square)
        if k >= 2 and abs(square - k) <= ROOT_RTOL * k and math.isqrt(k) ** 2 != k:
            return f"{c:.6g} = " + text.format(k=k)
    return None


def nonfinite_rule(c: Case) -> Diagnosis | None:
    """A not finite where N is (a division by zero, an overflow in the backward)."""
    A = c.A
    if np.all(np.isfinite(A)):
        return None
    i = tuple(int(j) for j in np.argwhere(~np.isfinite(A))[0])
    return Diagnosis("nonfinite", f"A is not finite ({A[i]} at {list(i)}) where N is finite")


def shape_rule(c: Case) -> Diagnosis | None:
    """A of another shape than N: transposed (and its values Nᵀ: kind transpose), an outer
    product u qᵀ where N = u ∘ q (kind outer), not summed over the batch, the right values
    reshaped; else just the two shapes."""
    A, N = c.A, c.N
    if A.shape == N.shape:
        return None
    return _shape_rules(A, N, c.tol, c.adjoints) or Diagnosis(
        "shape", f"A is {dims(A.shape)}, expected {dims(N.shape)}"
    )


def zero_rule(c: Case) -> Diagnosis | None:
    """A all zero (on the kept entries) where N is not: a gradient missing or never
    accumulated."""
    if not _kept(c.A, c.keep).any() and _kept(c.N, c.keep).any():
        return Diagnosis("zero", "A is all zero: the gradient is missing or never accumulated")
    return None


def _shape_rules(A, N, tol, candidates) -> Diagnosis | None:
    if A.ndim == 2 and N.ndim == 2 and A.shape == N.shape[::-1]:
        if _fits(A, N.T, tol):
            return Diagnosis(
                "transpose",
                f"transposed: A is {dims(A.shape)} and equals Nᵀ; "
                f"the adjoint must have the variable's shape {dims(N.shape)}",
            )
        return Diagnosis(
            "shape",
            f"A has the transposed shape {dims(A.shape)} (expected "
            f"{dims(N.shape)}), and its values are not Nᵀ either",
        )
    if A.ndim == 2 and A.shape[0] == A.shape[1] == N.shape[0] and N.ndim == 2:
        # A = P qᵀ where N = P ∘ q: a matrix (outer) product in place of ∘.
        for name, P in candidates.items():
            if P.shape == N.shape and np.all(P != 0):
                q = N / P
                if _fits(A, P @ q.T, tol):
                    return Diagnosis(
                        "outer",
                        f"A is {dims(A.shape)} = u qᵀ where N = u ∘ q, u = {name}: "
                        "a matrix product in place of the elementwise ∘",
                        {"term": name},
                    )
        return None
    if (
        A.ndim == 2
        and N.ndim == 2
        and A.shape[0] == N.shape[0]
        and N.shape[1] == 1
        and _fits(A.sum(axis=1, keepdims=True), N, tol)
    ):
        return Diagnosis(
            "shape",
            f"A is {dims(A.shape)} and its row sums equal N: not summed over "
            "the batch (a bias is added to every column, so its adjoint sums them)",
        )
    if A.size == N.size and _fits(A.reshape(N.shape), N, tol):
        return Diagnosis(
            "shape",
            f"right values in the wrong shape: A is {dims(A.shape)}, expected {dims(N.shape)}",
        )
    return None


def sign_rule(c: Case) -> Diagnosis | None:
    """A = −N: a flipped sign (t − y for y − t)."""
    if _fits(c.A, -c.N, c.tol, c.keep):
        return Diagnosis("sign", "sign: A = −N (a flipped sign, e.g. t − y for y − t)")
    return None


def scale_rule(c: Case) -> Diagnosis | None:
    """A = c·N, c uniform (two entries at least carry it); c named when it is B, 1/B, 2, ½,
    √k or 1/√k."""
    k = _scale(c.A, c.N, c.tol, c.keep, spread=SPREAD)
    return None if k is None else _scale_diagnosis(k, c.symbols)


def transpose_rule(c: Case) -> Diagnosis | None:
    """A = Nᵀ in value (a square matrix, or square in its last two axes): the factors of an
    outer product swapped."""
    A, N = c.A, c.N
    if (
        A.ndim >= 2
        and A.shape[-1] == A.shape[-2]
        and _fits(A, np.swapaxes(N, -1, -2), c.tol, c.keep)
    ):
        return Diagnosis(
            "transpose", "transposed values: A = Nᵀ (the factors of an outer product swapped?)"
        )
    return None


def term_rule(c: Case) -> Diagnosis | None:
    """N − A = k·V: the variable's own value (a weight-decay term), then another adjoint or
    a forward value of the same shape (a skip connection dropped); k = ±1 is said as a
    missing or extra term."""
    A, N, tol, keep = c.A, c.N, c.tol, c.keep
    own_rule = _own_term(A, N, tol, keep, c.own, c.own_name, spread=SPREAD)
    if own_rule:
        return own_rule
    for name, V in c.candidates.items():
        if V.shape != N.shape or not np.any(V):
            continue
        k = _lsq(N - A, V, keep)
        if k == 0 or not _fits(A, N - k * V, tol, keep):
            continue
        if abs(k - 1) <= NAMED_RTOL:
            return Diagnosis("term", f"missing a term equal to {name}", {"term": name, "k": k})
        if abs(k + 1) <= NAMED_RTOL:
            return Diagnosis("term", f"an extra term equal to {name}", {"term": name, "k": k})
        if A.size > 1:
            return Diagnosis(
                "term",
                f"off by a multiple of {name}: N − A = {k:.6g}·{name}",
                {"term": name, "k": k},
            )
    return None


def product_rule(c: Case) -> Diagnosis | None:
    """A = Ū ∘ F for a named adjoint Ū and forward value F: a function's value where its
    derivative belongs (h̄ ∘ φ(z1) for h̄ ∘ φ'(z1))."""
    A, tol, keep = c.A, c.tol, c.keep
    adjoints, values = c.adjoints, c.values
    for uname, U in adjoints.items():
        if U.shape != A.shape:
            continue
        for fname, F in values.items():
            if F.shape == A.shape and _fits(A, U * F, tol, keep):
                return Diagnosis(
                    "product",
                    f"A = u ∘ {fname} with u = {uname}: the forward "
                    f"value {fname} where a derivative belongs?",
                    {"adjoint": uname, "value": fname},
                )
    return None


# ----------------------------------------------------------------- permuted copies


def _along(axis: int, ndim: int) -> str:
    return "" if ndim == 1 else f" along axis {axis}"


def reversed_rule(c: Case) -> Diagnosis | None:
    """A = N with one axis reversed: plainly (A[i] = N[n−1−i]: a flip missing or extra,
    a kernel not flipped) or circularly (A[i] = N[(n−i) mod n]: what a conjugate on the
    wrong factor of an FFT product gives)."""
    A, N, tol, keep = c.A, c.N, c.tol, c.keep
    for axis in range(A.ndim):
        if A.shape[axis] < 2:
            continue
        flipped = np.flip(N, axis)
        for P, how, cause in (
            (
                flipped,
                "A[i] = N[n−1−i]",
                "a flip missing or extra (a kernel not flipped, a reversed sum not reversed back?)",
            ),
            (
                np.roll(flipped, 1, axis),
                "A[i] = N[(n−i) mod n], circularly",
                "reversed in time, as a conjugate on the wrong factor of an FFT product makes it",
            ),
        ):
            if _explains(A, N, P, P - N, tol, keep, spread=SPREAD):
                return Diagnosis(
                    "reversed",
                    f"reversed: A equals N reversed{_along(axis, A.ndim)} ({how}): {cause}",
                    {"axis": axis},
                )
    return None


def _overlap(shape, axis: int, s: int) -> np.ndarray:
    """The entries i whose i − s along ``axis`` is inside the array."""
    i = np.arange(shape[axis]) - s
    line = (i >= 0) & (i < shape[axis])
    return np.broadcast_to(np.expand_dims(line, [d for d in range(len(shape)) if d != axis]), shape)


def shifted_rule(c: Case) -> Diagnosis | None:
    """A[i] = N[i − s] along one axis, for a small offset s: circularly on every entry (an
    index that wraps around), or on the entries where N[i − s] exists (the edge left out:
    a slice, a padding or a loop bound off by s)."""
    A, N, tol, keep = c.A, c.N, c.tol, c.keep
    kept = np.ones(A.shape, bool) if keep is None else keep
    for axis in range(A.ndim):
        n = A.shape[axis]
        for s in [k * sign for k in range(1, min(MAX_SHIFT, n // 3) + 1) for sign in (1, -1)]:
            P = np.roll(N, s, axis)
            idx = f"A[i] = N[i {'−' if s > 0 else '+'} {abs(s)}]"
            if _explains(A, N, P, P - N, tol, keep, spread=max(SPREAD, int(kept.sum()) // 2)):
                return Diagnosis(
                    "shifted",
                    f"shifted: A equals N rolled by {s}{_along(axis, A.ndim)} ({idx}, "
                    f"circularly): an index off by {abs(s)} that wraps around",
                    {"axis": axis, "shift": s},
                )
            inner = _overlap(A.shape, axis, s) & kept
            if _explains(A, N, P, P - N, tol, inner, spread=max(SPREAD, int(inner.sum()) // 2)):
                return Diagnosis(
                    "shifted",
                    f"shifted by {abs(s)}: {idx}{_along(axis, A.ndim)} on the "
                    f"{int(inner.sum())} entries where N[i {'−' if s > 0 else '+'} {abs(s)}] "
                    f"exists: an index off by {abs(s)} (a slice, a padding or a loop bound?)",
                    {"axis": axis, "shift": s},
                )
    return None


# ----------------------------------------------------------------- convolutions


def _combinations(U, K, u: str, k: str) -> list[tuple[bool, str, np.ndarray]]:
    """(is a convolution, how, value): the ways to combine 1-D U (named u) with a kernel K."""
    ways = []
    for mode in ("full", "same", "valid"):
        ways += [
            (True, f"np.convolve({u}, {k}, '{mode}')", np.convolve(U, K, mode)),
            (False, f"np.correlate({u}, {k}, '{mode}')", np.correlate(U, K, mode)),
            (False, f"np.correlate({k}, {u}, '{mode}')", np.correlate(K, U, mode)),
        ]
    if U.size == K.size:
        FU, FK = np.fft.fft(U), np.fft.fft(K)
        ways += [
            (True, f"the circular convolution of {u} and {k}", np.fft.ifft(FU * FK).real),
            (
                False,
                f"the circular correlation of {u} with {k}",
                np.fft.ifft(FU * np.conj(FK)).real,
            ),
            (
                False,
                f"the circular correlation of {k} with {u}",
                np.fft.ifft(np.conj(FU) * FK).real,
            ),
        ]
    return ways


def convolution_rule(c: Case) -> Diagnosis | None:
    """N is a correlation of an adjoint u with a forward value k and A the convolution (or
    the other way round): the kernel's flip, or in the Fourier domain its conjugate, is
    missing or extra. 1-D only; both N and A verified entry by entry."""
    A, N, tol, keep = c.A, c.N, c.tol, c.keep
    adjoints, values = c.adjoints, c.values
    if A.ndim != 1 or A.size < 3:
        return None
    for uname, U in adjoints.items():
        for kname, K in values.items():
            small = 2 <= min(U.size, K.size) <= U.size * K.size <= COMBINATIONS_MOST
            if U.ndim != 1 or K.ndim != 1 or not small:
                continue
            ways = _combinations(U, K.astype(float), uname, kname)
            ways = [w for w in ways if w[2].shape == A.shape]
            right = next((w for w in ways if _fits(N, w[2], tol, keep)), None)
            if right is None:
                continue
            for conv, how, P in ways:
                if conv != right[0] and _explains(A, N, P, P - N, tol, keep, spread=SPREAD):
                    kinds = ("correlation", "convolution")
                    return Diagnosis(
                        "convolution",
                        f"a {kinds[conv]} where a {kinds[right[0]]} belongs: A = {how} "
                        f"while N = {right[1]}: the kernel's flip (in the Fourier domain, "
                        "its conjugate) is missing or extra",
                        {"adjoint": uname, "value": kname},
                    )
    return None


# ----------------------------------------------------------------- support


def _bad_entries(A, N, tol, keep) -> tuple[np.ndarray, np.ndarray]:
    """(bad, kept): the kept entries beyond the bound, its floor from kept entries only."""
    kept = np.ones(A.shape, bool) if keep is None else keep
    err, _, bound = entry_bound(A, N, tol)
    bound[kept] = entry_bound(A[kept], N[kept], tol)[2]
    return (err > bound) & kept, kept


SIGN_TESTS = (("≤ 0", np.less_equal), ("< 0", np.less), ("= 0", np.equal), ("> 0", np.greater))


def _sign_place(bad, values) -> str:
    """', all where z ≤ 0' when every bad entry has a forward value of that sign."""
    for name, F in values.items():
        if F.shape == bad.shape:
            for text, test in SIGN_TESTS:
                inside = test(F, 0)
                if not (bad & ~inside).any() and not inside.all():
                    return f", all where {name} {text}"
    return ""


def _entries(mask: np.ndarray) -> str:
    if mask.sum() > FEW_ENTRIES:
        return ""
    return " (" + ", ".join(str([int(i) for i in idx]) for idx in np.argwhere(mask)) + ")"


def support_rule(c: Case) -> Diagnosis | None:
    """A right where N is nonzero, wrong only where N is exactly zero (A reaches entries
    that do not change the loss) or only where A is zero and N is not (a branch's
    derivative missing)."""
    A, N, tol, keep, values = c.A, c.N, c.tol, c.keep, c.mine
    bad, kept = _bad_entries(A, N, tol, keep)
    if not bad.any():
        return None
    zero_n, zero_a = (N == 0) & kept, (A == 0) & kept
    k = int(bad.sum())
    if not (bad & ~zero_n).any() and (kept & ~zero_n).any():
        z = int(zero_n.sum())
        what = f"nonzero on {'all ' if k == z else ''}{k}{'' if k == z else f' of the {z}'}"
        what += " entries where N is exactly zero"
        cause = (
            "the gradient reaches entries that do not change the loss (a mask or a "
            "routing forgotten: a max's other entries, a relu's inactive units?)"
        )
    elif not (bad & ~zero_a).any() and (kept & ~zero_a).any():
        what = f"zero on {k} entries where N is not"
        cause = "a branch's derivative is missing (a mask too strict, a leak forgotten?)"
    else:
        return None
    return Diagnosis(
        "support",
        f"wrong support: A is {what}{_entries(bad)}{_sign_place(bad, values)}, and equals N "
        f"everywhere else: {cause}",
        {"entries": k},
    )


# ----------------------------------------------------------------- derivatives


def _sigmoid(v):
    return 0.5 * (1 + np.tanh(0.5 * v))


FORMS: tuple[tuple[str, Callable[[np.ndarray], np.ndarray]], ...] = (  # derivatives, by value
    ("1 − {v}²", lambda v: 1 - v**2),
    ("{v}(1 − {v})", lambda v: v * (1 - v)),
    ("1 − tanh({v})²", lambda v: 1 - np.tanh(v) ** 2),
    ("σ({v})(1 − σ({v}))", lambda v: _sigmoid(v) * (1 - _sigmoid(v))),
    ("σ({v})", _sigmoid),
    ("exp({v})", np.exp),
    ("1/{v}", lambda v: 1 / v),
)


def _factors(values: dict, shape) -> list[tuple[int, str, str, np.ndarray]]:
    """(form, value's name, text, array): every form of FORMS at every forward value of
    the given shape, where finite."""
    out = []
    with np.errstate(all="ignore"):
        for name, V in values.items():
            if V.shape != shape or V.dtype.kind not in "iuf":
                continue
            for i, (text, f) in enumerate(FORMS):
                F = f(V.astype(float))
                if np.all(np.isfinite(F)):
                    out.append((i, name, text.format(v=name), F))
    return out


def _paren(text: str) -> str:
    return f"({text})" if " " in text else text


def _point_candidates(factors):
    """(kind, message, f, g) with A/N = f/g (None: 1): an extra or a missing factor, the
    same derivative at another value, or another derivative at the same value."""
    for _, _, text, F in factors:
        if text.startswith("1/"):  # A = N ∘ 1/v is v missing, A = N / (1/v) is v extra
            v = text[2:]
            yield "factor", f"a factor {v} missing: A = N / {v} (a factor left out?)", F, None
            yield "factor", f"an extra factor {v}: A = N ∘ {v} (a factor applied twice?)", None, F
            continue
        yield "factor", f"an extra factor: A = N ∘ {text} (a derivative applied twice?)", F, None
        yield "factor", f"a factor missing: A = N / {text} (a derivative left out?)", None, F
    for (fw, vw, tw, Fw), (fr, vr, tr, Fr) in permutations(factors, 2):
        if fw == fr or vw == vr:
            where = (
                f"the same derivative at {vw} where it belongs at {vr}"
                if fw == fr
                else f"another formula, at {vw}"
            )
            yield (
                "point",
                f"the derivative at the wrong point: A = N ∘ {_paren(tw)}/{_paren(tr)}: {tw} "
                f"where {tr} belongs ({where})",
                Fw,
                Fr,
            )


def _ratio(f, g, at=None):
    """f/g (each None for 1), on the flat entries ``at`` or all."""
    take = (lambda X: X.ravel()[at]) if at is not None else (lambda X: X)
    return (1.0 if f is None else take(f)) / (1.0 if g is None else take(g))


def point_rule(c: Case) -> Diagnosis | None:
    """A = N ∘ f(v) / g(w): a derivative at the wrong point (tanh′ as 1 − z² for 1 − h², σ′
    at the pre-activation), a wrong derivative, or a factor extra or missing; f and g from
    FORMS, v and w forward values. Screened on the largest entries, then verified on all."""
    A, N, tol, keep, values = c.A, c.N, c.tol, c.keep, c.mine
    factors = _factors(values, A.shape)
    kept = np.ones(A.shape, bool) if keep is None else keep
    live = kept & (N != 0)
    if not factors or live.sum() < 2:
        return None
    probe = np.flatnonzero(live)[np.argsort(-np.abs(N[live]))[:POINT_PROBE]]
    a, n = A.ravel()[probe], N.ravel()[probe]
    with np.errstate(all="ignore"):
        for kind, message, f, g in _point_candidates(factors):
            if not np.allclose(n * _ratio(f, g, probe), a, rtol=POINT_PROBE_RTOL, atol=0):
                continue
            P = np.where(N == 0, 0.0, N * _ratio(f, g))
            if _explains(A, N, P, P - N, tol, keep, spread=SPREAD):
                return Diagnosis(kind, message)
    return None


# ----------------------------------------------------------------- offsets along an axis


def _grouped(X: np.ndarray, axis: int | None) -> np.ndarray:
    """X as (groups, entries): one group of all (axis None), or one per line along axis."""
    return X.reshape(1, -1) if axis is None else np.moveaxis(X, axis, -1).reshape(-1, X.shape[axis])


def _ungrouped(G: np.ndarray, shape, axis: int | None) -> np.ndarray:
    if axis is None:
        return G.reshape(shape)
    moved = [n for i, n in enumerate(shape) if i != axis] + [shape[axis]]
    return np.moveaxis(G.reshape(moved), -1, axis)


def _line_fit(D, V, W, model: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per group (row), least squares of D over the entries W marks: a constant ("a"), a
    multiple of V ("b"), or both ("ab"); (fitted values on every entry, a, b)."""
    S1, Sd = W.sum(1), (W * D).sum(1)
    Sv, Svv, Svd = (W * V).sum(1), (W * V * V).sum(1), (W * V * D).sum(1)
    zero = np.zeros_like(S1)
    if model == "a":
        a, b = Sd / np.maximum(S1, 1), zero
    elif model == "b":
        a, b = zero, Svd / np.where(Svv > 0, Svv, 1)
    else:
        det = S1 * Svv - Sv**2
        ok = det > DEGENERATE * np.maximum(S1 * Svv, TINY)
        b = np.where(ok, (S1 * Svd - Sv * Sd) / np.where(ok, det, 1), 0.0)
        a = (Sd - b * Sv) / np.maximum(S1, 1)
    return a[:, None] + b[:, None] * V, a, b


def _offset_text(model: str, axis: int | None, ndim: int, vname: str, a: float, b: float) -> str:
    """What an offset model says, in words (a and b: the whole tensor's, for axis None)."""
    if axis is None and model == "a":
        return f"A − N = {a:.6g} on every entry: a constant term missing or extra"
    if axis is None:
        return (
            f"A − N = {a:.6g} {'−' if b < 0 else '+'} {abs(b):.6g}·{vname} on every entry: a "
            f"constant and a multiple of {vname} missing or extra"
        )
    each = {0: "in each column", 1: "in each row"}.get(axis, "") if ndim == 2 else ""
    each = each or f"along axis {axis}, in each line"
    if model == "a":
        return (
            f"A − N is constant {each}, a different constant in each: a term that "
            f"depends only on the other indices (as the derivative through a mean or sum "
            f"over axis {axis} does) missing or extra"
        )
    if model == "b":
        return (
            f"A − N = b·{vname} {each}, b varying: a term proportional to {vname} through a "
            f"sum over axis {axis} missing or extra (as a softmax's or a norm's projection "
            "term is)"
        )
    return (
        f"A − N = a + b·{vname} {each}, a and b varying: terms through a mean and a "
        f"variance over axis {axis} missing or extra (as a batch or layer norm's are)"
    )


def _offset_models(shape, values: dict):
    """(model, axis, name, V): the offsets tried, simplest first."""
    axes = list(range(len(shape))) if len(shape) > 1 else []
    ones = np.ones(shape)
    yield "a", None, "", ones
    for axis in axes:
        yield "a", axis, "", ones
    named = [(n, V.astype(float)) for n, V in values.items() if V.shape == shape and np.ptp(V) > 0]
    for name, V in named:
        yield "ab", None, name, V
    for model in ("b", "ab"):
        for axis in axes:
            for name, V in named:
                yield model, axis, name, V


def offset_rule(c: Case) -> Diagnosis | None:
    """A − N = a (+ b·V), a and b constant over the whole tensor or along one axis (one
    pair per line): a term through a mean, a sum or a norm, a constant missing. Each line
    must hold two entries more than the parameters fitted to it, and all the parameters
    at most half the entries."""
    A, N, tol, keep, values = c.A, c.N, c.tol, c.keep, c.mine
    kept = np.ones(A.shape, bool) if keep is None else keep
    D = A - N
    for model, axis, name, V in _offset_models(A.shape, values):
        W = _grouped(kept, axis).astype(float)
        # entries where V is zero say nothing of b: only those where it is not count
        counted = W if model == "a" else _grouped(kept & (V != 0), axis)
        params = len(model)
        if counted.sum(1).min() < params + 2 or W.shape[0] * params > counted.sum() / 2:
            continue
        fit, a, b = _line_fit(_grouped(D, axis), _grouped(V, axis), W, model)
        fit = _ungrouped(fit, A.shape, axis)
        if _explains(A, N, N + fit, fit, tol, keep, spread=SPREAD):
            text = _offset_text(model, axis, A.ndim, name, float(a[0]), float(b[0]))
            return Diagnosis("offset", "an offset: " + text, {"axis": axis, "term": name or None})
    return _two_way_offset(A, N, tol, values, keep)


def _two_way_fit(D, V, kept, sweeps: int = 200) -> np.ndarray:
    """a_i + b_j minimising Σ (D − V ∘ (a_i + b_j))² over the kept entries, by
    alternating least squares (exact when an exact fit exists; verified by the caller)."""
    W = kept * V * V
    a, b = np.zeros(D.shape[0]), np.zeros(D.shape[1])
    Vd = kept * V * D
    for _ in range(sweeps):
        a = (Vd - W * b).sum(1) / np.maximum(W.sum(1), TINY)
        b_new = (Vd - W * a[:, None]).sum(0) / np.maximum(W.sum(0), TINY)
        done = np.allclose(b_new, b, rtol=FIT_CONVERGED, atol=0)
        b = b_new
        if done:
            break
    return a[:, None] + b[None, :]


def _two_way_offset(A, N, tol, values, keep) -> Diagnosis | None:
    """A − N = V ∘ (a_i + b_j) for a matrix: a multiple of V through a sum over rows and
    one through a sum over columns, as when a term's sum is taken over the wrong axis.
    Fitted by least squares over the kept entries (m + n − 1 parameters, at most half the
    entries where V is nonzero, three at least in every row and column), verified entry by
    entry."""
    if A.ndim != 2 or min(A.shape) < 3:
        return None
    m, n = A.shape
    kept = np.ones(A.shape, bool) if keep is None else keep
    D = A - N
    for name, V in values.items():
        counted = kept & (V != 0) if V.shape == A.shape else None  # where V is zero: no say
        if counted is None or min(counted.sum(0).min(), counted.sum(1).min()) < 3:
            continue
        if m + n - 1 > counted.sum() / 2:
            continue
        fit = V * _two_way_fit(D, V.astype(float), kept)
        if _explains(A, N, N + fit, fit, tol, keep, spread=SPREAD):
            return Diagnosis(
                "offset",
                f"an offset: A − N = {name} ∘ (a_i + b_j), a by row and b by column: a "
                f"multiple of {name} through a sum over one axis and one through a sum over "
                "the other (a sum taken over the wrong axis?)",
                {"axis": None, "term": name},
            )
    return None


def where_rule(c: Case) -> Diagnosis | None:
    """The error confined to a part of the tensor: a few entries, the diagonal, rows,
    columns, the entries where a forward value is zero, negative or positive, or those
    beyond a threshold of |N| or of a forward value.

    Only "live" entries count (A or N nonzero, and kept): an error that is zero wherever
    both are zero (relu's inactive units) says nothing about where it is, and an entry
    excused as a kink is neither wrong nor right.
    """
    A, N, tol, keep, values = c.A, c.N, c.tol, c.keep, c.mine
    bad, kept = _bad_entries(A, N, tol, keep)
    live = ((A != 0) | (N != 0)) & kept
    good = live & ~bad
    if not bad.any() or not good.any():
        return None
    if bad.sum() <= FEW_ENTRIES:
        where = ", ".join(str([int(i) for i in idx]) for idx in np.argwhere(bad))
        return Diagnosis(  # (beyond a classic rtol: a finer bound may fail more entries)
            "where",
            f"the error is confined to "
            f"{'entry' if bad.sum() == 1 else 'entries'} "
            f"{where} ({int(bad.sum())} of {A.size} beyond rtol {tol.rtol:g})",
        )
    return (
        _where_lines(A, bad, good, live)
        or _where_signs(A, bad, good, values)
        or _where_threshold(A, N, tol, bad, good, values)
    )


def _where_lines(A, bad, good, live) -> Diagnosis | None:
    """The error on the diagonal only, or on whole rows or columns only."""
    if A.ndim >= 2 and A.shape[-1] == A.shape[-2] and A.shape[-1] > 1:
        diag = np.zeros(A.shape[-2:], bool)
        np.fill_diagonal(diag, True)
        if not (bad & ~diag).any() and (good & ~diag).any():
            return Diagnosis("where", "the error is confined to the diagonal")
    if A.ndim == 2:
        bad_rows, good_rows = bad.any(axis=1), good.any(axis=1) & ~bad.any(axis=1)
        if A.shape[1] > 1 and good_rows.any() and bad[bad_rows][live[bad_rows]].all():
            return Diagnosis(
                "where",
                "the error is confined to row(s) " + ", ".join(map(str, np.flatnonzero(bad_rows))),
            )
        bad_cols, good_cols = bad.any(axis=0), good.any(axis=0) & ~bad.any(axis=0)
        if A.shape[0] > 1 and good_cols.any() and bad[:, bad_cols][live[:, bad_cols]].all():
            return Diagnosis(
                "where",
                "the error is confined to column(s) "
                + ", ".join(map(str, np.flatnonzero(bad_cols))),
            )
    return None


def _where_signs(A, bad, good, values) -> Diagnosis | None:
    """The error only where a forward value is ≤ 0, < 0, = 0 or > 0."""
    for name, F in values.items():
        if F.shape != A.shape:
            continue
        for text, test in SIGN_TESTS:
            inside = test(F, 0)
            if bad.sum() > 1 and not (bad & ~inside).any() and (good & ~inside).any():
                return Diagnosis(
                    "where",
                    f"the error is confined to entries where {name} "
                    f"{text} ({int(bad.sum())} of {A.size})",
                    {"value": name},
                )
    return None


def _where_threshold(A, N, tol, bad, good, values) -> Diagnosis | None:
    """The error exactly on the entries where |N|, or a forward value or its size, passes
    a threshold (a clipped branch: Huber's, a gradient clip). Claimed only when so clean a
    split is far from chance: fewer than 1 in 100 of the ways to choose as many entries,
    per threshold tried."""
    tests = [(f"|{n}|", np.abs(V)) for n, V in [("N", N), *values.items()] if V.shape == A.shape]
    tests += [(n, V) for n, V in values.items() if V.shape == A.shape]
    nb, ng = int(bad.sum()), int(good.sum())
    if nb < 2 or ng < 2 or math.comb(nb + ng, nb) < CHANCE * 2 * len(tests):
        return None
    for text, T in tests:
        lo, hi = T[bad], T[good]
        if lo.min() > hi.max():
            where = f"{text} ≥ {_c_text(float(lo.min()))}"
        elif lo.max() < hi.min():
            where = f"{text} ≤ {_c_text(float(lo.max()))}"
        else:
            continue
        c = _lsq(A, N, bad)
        there = f"; A = {_c_text(c)}·N there" if c and _fits(A, c * N, tol, bad) else ""
        return Diagnosis(
            "where",
            f"the error is confined to the {nb} entries where {where} ({nb} of {A.size})"
            f"{there}: a branch taken beyond a threshold is wrong",
            {"value": text},
        )
    return None


def _small(A, N, tol, keep=None, worst=None) -> Diagnosis:
    """A within the classic tolerance of N: the error-estimate bound found what no
    formula-sized mistake explains (one entry slightly off, noise). Where the verdict
    named its worst failing entry (``worst``), that one is named, with its relative
    difference; else the largest relative difference among the kept entries."""
    err, denom, _ = entry_bound(A, N, tol)
    rel = err / np.where(denom > 0, denom, 1.0)
    if keep is not None:
        rel = np.where(keep, rel, -1.0)
    usable = worst is not None and len(worst) == A.ndim and (keep is None or keep[worst])
    if usable:
        i = tuple(int(j) for j in worst)
        where = f"the entry furthest beyond its own bound, {list(i)}, differs by"
    else:
        i = tuple(int(j) for j in np.unravel_index(int(np.argmax(rel)), A.shape))
        where = f"the largest difference, at {list(i)}, is"
    return Diagnosis(
        "small",
        f"small: A agrees with N to rtol {tol.rtol:g} everywhere; {where} "
        f"{float(rel[i]):.2g} relative",
        {"index": i},
    )


def _small_pattern(A, N, tol, symbols, keep, own, own_name) -> Diagnosis | None:
    """Within the classic tolerance, a pattern still named when it explains every entry:
    a uniform scale within 1e-5 of 1 (π typed as 3.14159), or a tiny own-value term.
    Four entries at least must carry it, so noise on a few does not pass for one."""
    c = _scale(A, N, tol, keep, spread=SMALL_SPREAD)
    if c is not None:
        return _scale_diagnosis(c, symbols)
    return _own_term(A, N, tol, keep, own, own_name, spread=SMALL_SPREAD)


def small_rule(c: Case) -> Diagnosis | None:
    """A within the classic tolerance of N on every kept entry, though beyond the check's
    own finer bound: a pattern still named when it explains every entry (a scale within
    1e-5 of 1, a tiny own-value term), else the largest relative difference and where."""
    if not _fits(c.A, c.N, c.tol, c.keep):
        return None
    A, N, tol, keep = c.A, c.N, c.tol, c.keep
    pattern = _small_pattern(A, N, tol, c.symbols, keep, c.own, c.own_name)
    return pattern or _small(A, N, tol, keep, c.worst)


def none_rule(c: Case) -> Diagnosis:
    """No pattern fits: the true things that help. How many entries are wrong; whether
    A − N mostly has N's sign (A too large) or the opposite; whether it is a rank-one
    matrix; which forward value it correlates with (|r| ≥ 0.9). Nothing is guessed."""
    A, N, tol, keep, values = c.A, c.N, c.tol, c.keep, c.mine
    bad, kept = _bad_entries(A, N, tol, keep)
    D = A - N
    facts = [f"{int(bad.sum())} of {int(kept.sum())} entries differ"]
    facts += _sizes(A, N, bad)
    if D.ndim == 2 and min(D.shape) > 1 and D.size <= RANK_ONE_MOST and keep is None:
        sv = np.linalg.svd(D, compute_uv=False)
        if sv[1] <= RANK_ONE * sv[0]:
            facts.append("A − N is a rank-one matrix (an outer product u vᵀ)")
    best = _correlated(D, [("N", N), *values.items()], kept)
    if best:
        facts.append(f"A − N correlates with {best[0]} (r = {best[1]:.2f})")
    return Diagnosis("none", f"{NONE}: " + "; ".join(facts), {"entries": int(bad.sum())})


def _sizes(A, N, bad) -> list[str]:
    """How the wrong entries are wrong: A too large (N's sign, |A| > |N|), too small, of
    the opposite sign, zero, or nonzero where N is 0 ("all of them" only where one kind
    covers every wrong entry)."""
    counts = (
        ("too large (|A| > |N|)", bad & (A * N > 0) & (np.abs(A) > np.abs(N))),
        ("too small (|A| < |N|, same sign)", bad & (A * N > 0) & (np.abs(A) < np.abs(N))),
        ("of the opposite sign", bad & (A * N < 0)),
        ("zero", bad & (A == 0)),
        ("nonzero where N is 0", bad & (N == 0) & (A != 0)),
    )
    said = [(text, int(mask.sum())) for text, mask in counts if mask.any()]
    if len(said) == 1 and said[0][1] == int(bad.sum()):
        return [f"A is {said[0][0]} on all of them"]
    return ["A is " + ", ".join(f"{text} on {k}" for text, k in said)] if said else []


def _correlated(D, named, kept) -> tuple[str, float] | None:
    """The forward value (or N) whose entries A − N follows most linearly, if |r| ≥ 0.9."""
    best = None
    d = D[kept]
    if d.size < 4 or np.ptp(d) == 0:
        return None
    for name, V in named:
        if V.shape != D.shape or np.ptp(V[kept]) == 0:
            continue
        r = float(np.corrcoef(d, V[kept].astype(float))[0, 1])
        if abs(r) >= CORRELATED and (best is None or abs(r) > abs(best[1])):
            best = (name, r)
    return best


# ----------------------------------------------------------------- the rules, in order

RULES: list[Rule] = [
    Rule("nonfinite", nonfinite_rule, entrywise=False),
    Rule("shape", shape_rule, also=("transpose", "outer"), entrywise=False),
    Rule("zero", zero_rule),
    Rule("small", small_rule, also=("scale", "term")),
    Rule("sign", sign_rule),
    Rule("scale", scale_rule),
    Rule("transpose", transpose_rule),
    Rule("term", term_rule),
    Rule("reversed", reversed_rule),
    Rule("shifted", shifted_rule),
    Rule("convolution", convolution_rule),
    Rule("support", support_rule),
    Rule("offset", offset_rule),
    Rule("product", product_rule),
    Rule("point", point_rule, also=("factor",)),
    Rule("where", where_rule),
    Rule("none", none_rule),
]
"""Tried in this order, simplest first; the first that fits names the diagnosis. Each
has its row in docs/diagnoses.md (tests/test_diagnose.py holds them to it)."""
