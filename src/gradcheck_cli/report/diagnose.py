"""Say what is wrong with a failing gradient, not only that it is wrong.

Given the analytic adjoint A, the numeric one N, and named quantities of the model
(other adjoints, numerically, and forward values), find the simplest explanation that
fits within the check's own bound, or say "no simple pattern". Every rule is verified:
a pattern is reported only when its prediction matches A entry by entry. The rules know
nothing model-specific.
"""

from dataclasses import dataclass, field

import numpy as np

from gradcheck_cli.engine.compare import Tolerance, dims, entry_bound

EPS = float(np.finfo(np.float64).eps)


@dataclass(frozen=True)
class Diagnosis:
    # nonfinite, zero, transpose, shape, sign, scale, term, product, outer, where, small, none
    kind: str
    message: str
    detail: dict = field(default_factory=dict)


NONE = "no simple pattern"


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
    if top <= 32 * EPS * float(np.abs(n).max()):
        return False
    seen = np.maximum(size, 0.01 * top)
    return bool(np.all(np.abs(a - p) <= 0.01 * seen)) and int(np.sum(size >= 0.01 * top)) >= spread


def _scale(A, N, tol: Tolerance, keep, spread: int) -> float | None:
    """The c with A = c·N on every kept entry (c ≠ 0, 1), verified by ``_explains``."""
    c = _lsq(A, N, keep)
    if c == 0:
        return None
    return c if _explains(A, N, c * N, (c - 1) * N, tol, keep, spread) else None


def _c_text(c: float) -> str:
    """c with enough digits to show how far it is from 1 (0.99999916, not 1)."""
    if abs(c - 1) >= 1e-3:
        return f"{c:.6g}"
    return f"{c:.{int(np.ceil(-np.log10(abs(c - 1)))) + 1}f}"


def _scale_diagnosis(c: float, symbols: dict) -> Diagnosis:
    named = _named_constant(c, symbols)
    if named:
        return Diagnosis("scale", f"scaled: A = c·N with c = {named}", {"c": c})
    hint = " (a constant typed with too few digits?)" if abs(c - 1) < 1e-3 else ""
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
        if abs(c - value) <= 1e-6 * abs(value):
            return text
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


def _value_rules(
    A, N, tol, candidates, symbols, keep=None, own=None, own_name: str | None = None
) -> Diagnosis | None:
    """Sign, scale, transposed values, the variable's own value, then a named term."""
    if _fits(A, -N, tol, keep):
        return Diagnosis("sign", "sign: A = −N (a flipped sign, e.g. t − y for y − t)")
    c = _scale(A, N, tol, keep, spread=2)
    if c is not None:
        return _scale_diagnosis(c, symbols)
    if A.ndim >= 2 and A.shape[-1] == A.shape[-2] and _fits(A, np.swapaxes(N, -1, -2), tol, keep):
        return Diagnosis(
            "transpose", "transposed values: A = Nᵀ (the factors of an outer product swapped?)"
        )
    own_rule = _own_term(A, N, tol, keep, own, own_name, spread=2)
    if own_rule:
        return own_rule
    for name, V in candidates.items():
        if V.shape != N.shape or not np.any(V):
            continue
        k = _lsq(N - A, V, keep)
        if k == 0 or not _fits(A, N - k * V, tol, keep):
            continue
        if abs(k - 1) <= 1e-6:
            return Diagnosis("term", f"missing a term equal to {name}", {"term": name, "k": k})
        if abs(k + 1) <= 1e-6:
            return Diagnosis("term", f"an extra term equal to {name}", {"term": name, "k": k})
        if A.size > 1:
            return Diagnosis(
                "term",
                f"off by a multiple of {name}: N − A = {k:.6g}·{name}",
                {"term": name, "k": k},
            )
    return None


def _product_rule(A, N, tol, adjoints, values, keep=None) -> Diagnosis | None:
    """A = Ū ∘ F for a named adjoint Ū and forward value F: a function's value where its
    derivative belongs (h̄ ∘ φ(z1) for h̄ ∘ φ'(z1))."""
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


def _where_rule(A, N, tol, values, keep=None) -> Diagnosis | None:
    """The error confined to a part of the tensor: the diagonal, rows, columns, or the
    entries where a forward value is zero, negative or positive.

    Only "live" entries count (A or N nonzero, and kept): an error that is zero wherever
    both are zero (relu's inactive units) says nothing about where it is, and an entry
    excused as a kink is neither wrong nor right.
    """
    kept = np.ones(A.shape, bool) if keep is None else keep
    err, _, bound = entry_bound(A, N, tol)
    bound[kept] = entry_bound(A[kept], N[kept], tol)[2]  # the floor from kept entries only
    bad = (err > bound) & kept
    live = ((A != 0) | (N != 0)) & kept
    good = live & ~bad
    if not bad.any() or not good.any():
        return None
    if bad.sum() <= 3:
        where = ", ".join(str([int(i) for i in idx]) for idx in np.argwhere(bad))
        return Diagnosis(
            "where",
            f"the error is confined to "
            f"{'entry' if bad.sum() == 1 else 'entries'} "
            f"{where} ({int(bad.sum())} of {A.size})",
        )
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
    for name, F in values.items():
        if F.shape != A.shape:
            continue
        for test, text in ((F <= 0, "≤ 0"), (F < 0, "< 0"), (F == 0, "= 0"), (F > 0, "> 0")):
            if bad.sum() > 1 and not (bad & ~test).any() and (good & ~test).any():
                return Diagnosis(
                    "where",
                    f"the error is confined to entries where {name} "
                    f"{text} ({int(bad.sum())} of {A.size})",
                    {"value": name},
                )
    return None


def _small(A, N, tol, keep=None) -> Diagnosis:
    """A within the classic tolerance of N: the error-estimate bound found what no
    formula-sized mistake explains (one entry slightly off, noise). The largest difference
    is looked for among the kept entries only."""
    err, denom, _ = entry_bound(A, N, tol)
    rel = err / np.where(denom > 0, denom, 1.0)
    if keep is not None:
        rel = np.where(keep, rel, -1.0)
    i = tuple(int(j) for j in np.unravel_index(int(np.argmax(rel)), A.shape))
    return Diagnosis(
        "small",
        f"small: A agrees with N to rtol {tol.rtol:g} everywhere; the "
        f"largest difference, {float(rel[i]):.2g} relative, is at {list(i)}",
        {"index": i},
    )


def _small_pattern(A, N, tol, symbols, keep, own, own_name) -> Diagnosis | None:
    """Within the classic tolerance, a pattern still named when it explains every entry:
    a uniform scale within 1e-5 of 1 (π typed as 3.14159), or a tiny own-value term.
    Four entries at least must carry it, so noise on a few does not pass for one."""
    c = _scale(A, N, tol, keep, spread=4)
    if c is not None:
        return _scale_diagnosis(c, symbols)
    return _own_term(A, N, tol, keep, own, own_name, spread=4)


def diagnose(
    analytic,
    numeric: np.ndarray,
    tol: Tolerance,
    adjoints: dict | None = None,
    values: dict | None = None,
    symbols: dict | None = None,
    *,
    own: np.ndarray | None = None,
    own_name: str | None = None,
    exclude: np.ndarray | None = None,
) -> Diagnosis:
    """The simplest explanation of A ≠ N that fits within the bound, or "no simple pattern".

    ``adjoints``: other adjoints by printed name (numeric values, the true ones);
    ``values``: forward values by name; ``symbols``: sizes such as B; ``own``: the
    variable's own forward value, named ``own_name`` (a weight-decay term is a multiple of
    it); ``exclude``: a mask of entries excused as kinks, on which nothing is fitted,
    verified or named.
    """
    adjoints, values, symbols = adjoints or {}, values or {}, symbols or {}
    if not isinstance(analytic, np.ndarray) or not np.all(np.isfinite(numeric)):
        return Diagnosis("none", NONE)
    A, N = analytic.astype(float), numeric
    if not np.all(np.isfinite(A)):
        i = tuple(int(j) for j in np.argwhere(~np.isfinite(A))[0])
        return Diagnosis("nonfinite", f"A is not finite ({A[i]} at {list(i)}) where N is finite")
    if A.shape != N.shape:
        return _shape_rules(A, N, tol, adjoints) or Diagnosis(
            "shape", f"A is {dims(A.shape)}, expected {dims(N.shape)}"
        )
    keep = None
    if exclude is not None and exclude.shape == A.shape and exclude.any():
        keep = ~exclude.astype(bool)
        if not keep.any():
            return Diagnosis("none", NONE)
    if not _kept(A, keep).any() and _kept(N, keep).any():
        return Diagnosis("zero", "A is all zero: the gradient is missing or never accumulated")
    if _fits(A, N, tol, keep):
        return _small_pattern(A, N, tol, symbols, keep, own, own_name) or _small(A, N, tol, keep)
    candidates = {**adjoints, **values}
    return (
        _value_rules(A, N, tol, candidates, symbols, keep, own, own_name)
        or _product_rule(A, N, tol, adjoints, values, keep)
        or _where_rule(A, N, tol, values, keep)
        or Diagnosis("none", NONE)
    )
