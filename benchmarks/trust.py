"""Can a verdict be trusted? False PASS and false FAIL on an independent corpus (run on demand).

    python benchmarks/trust.py [--methods auto,richardson] [--category scale,kinks,...]
                               [--no-oracle] [--verbose] [--delta 1e-6]

The corpus is benchmarks/trust/*.py: model files (gradcheck's own format) written apart
from the tool, each a correct backward or one with a single realistic slip. Each file
says what it expects: ``EXPECT = []`` (every row must PASS), ``EXPECT = ["W", "b"]``
(exactly those rows must FAIL) or ``EXPECT = "refused"`` (an impure forward: the check
must refuse, exit 2); ``CATEGORY`` groups the files, ``KINKS = True`` marks exact kinks.

Outcomes, row by row: a row that must FAIL and is PASS, KINK or NOT CHECKED (or absent)
is a false PASS; a row that must PASS and FAILs is a false FAIL; WEAK (the check could
not resolve the row) is counted apart, as neither; so is a KINK row where the oracle
finds the loss smooth along every entry (a spurious KINK: it may excuse a mismatch). A
refusal (ModelError/UsageError, exit 2) is right only for EXPECT = "refused"; an impure
forward that is not refused is a false PASS when it exits 0.

Planted errors: for every correct file without exact kinks, one entry of one leaf's
adjoint times (1 + 1e-6) — the largest-|A| and the median-|A| (nonzero) entry of every
checked leaf — must FAIL on that row. Where 1e-6 |A_i| is below 1e-14 of the model's
largest adjoint entry (|A_i| < 1e-8 of it: a saturated branch) the case is counted
apart: the error is below the float64 rounding of a correct A (a few eps times the
model's scale), and no check can see it; WEAK is the honest answer there. A planted row
that FAILs without the error is not counted either.

Oracle: before any verdict is trusted, every file's backward is compared with an
independent numerical derivative computed here: the forward run in 80-bit long double,
Richardson-extrapolated central differences (h = 1e-5 · max(1, |θ|), h/2, h/4) and
one-sided differences (h = 1e-6 · max(1, |θ|), extrapolated) whose disagreement marks a
kink, where any value between the two one-sided derivatives is accepted. Its tolerance
is its own round-off (the loss's long-double rounding over the step) plus 1e-7 relative.
A correct file whose backward disagrees, or a buggy file whose wrong rows are not the
ones it declares, is reported first.

Deterministic: seed 0 for every check, the global np.random seeded before each one.
"""

import argparse
import importlib.util
import inspect
import sys
import time
import traceback
from collections import defaultdict
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from gradcheck_cli import check
from gradcheck_cli.errors import GradcheckError

HERE = Path(__file__).resolve().parent / "trust"
CATEGORIES = ["scale", "kinks", "complex-unsafe", "impure"]
DELTA = 1e-6
RESOLVABLE = 1e-14  # a planted error δ |A_i| below this fraction of the model's largest
# adjoint entry is under float64's own rounding of A: counted apart
SEED = 0
PASSING = {"PASS", "KINK", "NOT CHECKED"}  # what exit 0 lets through
EPS_LD = np.finfo(np.longdouble).eps


# --------------------------------------------------------------------------- corpus


def load(path: Path):
    spec = importlib.util.spec_from_file_location(f"trust_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def corpus(categories):
    cases = []
    for path in sorted(HERE.glob("*.py")):
        m = load(path)
        if m.CATEGORY in categories:
            cases.append(
                SimpleNamespace(
                    name=path.stem,
                    path=path,
                    module=m,
                    category=m.CATEGORY,
                    expect=m.EXPECT,
                    kinks=getattr(m, "KINKS", False),
                    bug=getattr(m, "BUG", None),
                )
            )
    return cases


def at_init(module):
    """Leaves (float64, as gradcheck casts them), taps and the hand-derived adjoints."""
    values = {
        k: np.asarray(v).astype(np.float64)
        for k, v in module.init(np.random.default_rng(SEED)).items()
    }
    taps = {}

    def tap(name, value):
        taps[name] = value
        return value

    module.forward({k: v.copy() for k, v in values.items()}, tap)
    adjoints = module.backward({**{k: v.copy() for k, v in values.items()}, **taps})
    return values, taps, {k: np.asarray(v, dtype=np.float64) for k, v in adjoints.items()}


def checked_names(module, values, taps):
    targets = set(getattr(module, "TARGETS", ()))
    return list(taps) + [n for n in values if n not in targets]


# --------------------------------------------------------------------------- oracle


def oracle(module, values, taps, names):
    """{name: (centre, left, right, noise)}: the loss's derivative along each entry, the
    forward run in long double (see the module docstring); ``noise``: the centre's error
    estimate plus its round-off, and the one-sided derivatives' round-off."""
    ld = {k: v.astype(np.longdouble) for k, v in values.items()}
    base_taps = {}

    def record(name, value):
        base_taps[name] = np.array(value, dtype=np.longdouble)
        return value

    L0 = np.longdouble(
        np.asarray(module.forward({k: v.copy() for k, v in ld.items()}, record)).reshape(())
    )

    def loss(name, i, new):
        p = {k: v.copy() for k, v in ld.items()}

        def tap(n, value):
            if n == name:
                value = np.array(value, dtype=np.longdouble, copy=True)
                value.flat[i] = new
            return value

        if name in p:
            p[name].flat[i] = new
        return np.longdouble(np.asarray(module.forward(p, tap)).reshape(()))

    out = {}
    for name in names:
        theta = (ld[name] if name in ld else base_taps[name]).ravel()
        shape = np.shape(values[name] if name in values else taps[name])
        c, lo, hi, est, side_noise = (np.empty(theta.size, dtype=np.longdouble) for _ in range(5))
        for i, t in enumerate(theta):
            scale = max(np.longdouble(1), abs(t))
            D = []
            for k in (1, 2, 4):
                h = np.longdouble(1e-5) * scale / k
                up, down = t + h, t - h
                D.append((loss(name, i, up) - loss(name, i, down)) / (up - down))
            R1, R2 = (4 * D[1] - D[0]) / 3, (4 * D[2] - D[1]) / 3
            rounding = EPS_LD * max(np.longdouble(1), abs(L0))
            c[i], est[i] = (
                (16 * R2 - R1) / 15,
                16 * abs(R2 - R1) + 32 * rounding / (np.longdouble(1e-5) * scale),
            )
            side_noise[i] = 64 * rounding / (np.longdouble(1e-6) * scale)
            sides = []
            for sign in (1, -1):
                S = []
                for k in (1, 2):
                    h = np.longdouble(1e-6) * scale / k
                    moved = t + sign * h
                    S.append((loss(name, i, moved) - L0) / (moved - t))
                sides.append(2 * S[1] - S[0])
            hi[i], lo[i] = sides
        out[name] = tuple(a.astype(np.float64).reshape(shape) for a in (c, lo, hi, est, side_noise))
    return out


def truth_intervals(orc):
    """Per entry [low, high]: the centre where the loss is smooth along the entry, the
    two one-sided derivatives where they differ (a kink)."""
    S = max(float(np.abs(c).max()) for c, *_ in orc.values())
    out = {}
    for name, (c, lo, hi, est, side_noise) in orc.items():
        kink = np.abs(hi - lo) > 1e-6 * np.maximum(np.abs(hi), np.abs(lo)) + 1e-10 * S + side_noise
        low = np.where(kink, np.minimum(lo, hi), c)
        high = np.where(kink, np.maximum(lo, hi), c)
        out[name] = (low, high, np.where(kink, est + side_noise, est), kink)
    return out, S


def deviation(A, interval, S):
    """Distance of A from the true interval over the tolerance, entry by entry."""
    low, high, est, _ = interval
    d = np.maximum(np.maximum(low - A, A - high), 0.0)
    tol = 1e-7 * np.maximum(np.abs(A), np.maximum(np.abs(low), np.abs(high))) + 1e-14 * S + est
    return d / tol


_ORACLE_CACHE = {}


def truth_for(case):
    """(values, taps, adjoints, truth, S) for a case, the oracle shared by files whose init
    and forward are the same text."""
    m = case.module
    values, taps, adjoints = at_init(m)
    if case.category == "impure" and case.expect == "refused":
        return values, taps, adjoints, None, None
    key = (
        inspect.getsource(m.init)
        + inspect.getsource(m.forward)
        + repr(
            {
                k: getattr(m, k)
                for k in dir(m)
                if k.isupper() and k not in ("EXPECT", "BUG", "CATEGORY")
            }
        )
    )
    if key not in _ORACLE_CACHE:
        orc = oracle(m, values, taps, checked_names(m, values, taps))
        _ORACLE_CACHE[key] = truth_intervals(orc)
    truth, S = _ORACLE_CACHE[key]
    return values, taps, adjoints, truth, S


def validate(cases, out):
    """Every file's backward against the oracle; prints disagreements with EXPECT."""
    out("## Oracle: each file's backward against long-double differences\n")
    problems, lines = 0, []
    for case in cases:
        values, taps, adjoints, truth, S = truth_for(case)
        case.truth, case.S, case.values, case.taps, case.adjoints = truth, S, values, taps, adjoints
        if truth is None:
            continue
        wrong, worst_ok = [], 0.0
        for name in truth:
            if name not in adjoints:
                continue
            r = float(deviation(adjoints[name], truth[name], S).max())
            if r > 1:
                wrong.append(name)
            else:
                worst_ok = max(worst_ok, r)
        declared = sorted(case.expect)
        kinks = sum(int(t[3].sum()) for t in truth.values())
        margin = min(
            (float(deviation(adjoints[n], truth[n], S).max()) for n in wrong), default=float("inf")
        )
        ok = sorted(wrong) == declared
        problems += not ok
        lines.append(
            f"| {case.name} | {', '.join(declared) or '—'} | {', '.join(sorted(wrong)) or '—'} | "
            f"{worst_ok:.2g} | {'' if margin == float('inf') else f'{margin:.2g}'} | {kinks} | "
            f"{'ok' if ok else '**DISAGREES**'} |"
        )
    out(
        "| file | declared wrong | oracle: wrong rows | worst dev/tol, right rows "
        "| smallest dev/tol, wrong rows | kink entries | |"
    )
    out("|---|---|---|---|---|---|---|")
    for line in lines:
        out(line)
    out(f"\n{problems} file(s) disagree with the oracle.\n")
    return problems


# --------------------------------------------------------------------------- checks


def run(model, method):
    """('report', Report) | ('refused', message) | ('crash', message)."""
    np.random.seed(12345)  # the impure forward draws from the global generator
    try:
        return "report", check(model, method=method, seed=SEED)
    except GradcheckError as e:
        return "refused", f"{type(e).__name__}: {e}"
    except Exception as e:  # the code under test crashed (or is being edited)
        frame = traceback.extract_tb(e.__traceback__)[-1]
        return "crash", f"{type(e).__name__}: {e} ({Path(frame.filename).name}:{frame.lineno})"


def statuses(report):
    return {r.id: r.comparison.status for r in report.gradients}


def entry_text(report, name, index):
    A = report.arrays.get(f"analytic/{name}")
    N = report.arrays.get(f"numeric/{name}")
    if index is None or A is None or N is None:
        return "?"
    idx = tuple(index)
    return f"[{','.join(map(str, idx))}] A = {A[idx]:.10g}, N = {N[idx]:.10g}"


def judge_unreported(kind, result, expect):
    """judge() for a check that crashed or was refused."""
    counters = defaultdict(int)
    if kind == "crash":
        counters["crash"] += 1
        return f"CRASH {result}", "crash", counters, []
    if expect == "refused":
        return "refused", "ok", counters, []
    counters["refused wrongly"] += 1
    if not expect:
        counters["false FAIL"] += 1
    return f"refused ({result})", "REFUSED WRONGLY", counters, []


def got_text(report, st):
    """The verdict and exit code, the rows by status, and the method."""
    got = f"{report.status} (exit {report.exit_code})"
    fails = [n for n, s in st.items() if s == "FAIL"]
    if fails:
        got += " FAIL " + ",".join(fails)
    for label in ("WEAK", "KINK", "NOT CHECKED"):
        names = [n for n, s in st.items() if s == label]
        if names:
            got += f"; {label} " + ",".join(names)
    return got + f" [{report.method}]"


def judge_not_refused(got, report):
    """judge() for an impure file that must be refused and was not."""
    counters = defaultdict(int)
    counters["not refused"] += 1
    if report.status in ("PASS",):
        counters["false PASS"] += 1
        return got, "FALSE PASS (not refused)", counters, []
    return got, "NOT REFUSED", counters, []


def spurious_kink(case, name, status):
    """A KINK row where the oracle finds the loss smooth along every entry."""
    return (
        status == "KINK"
        and case.truth is not None
        and name in case.truth
        and not case.truth[name][3].any()
    )


def row_outcomes(case, report, st, expect, counters):
    """Each row's outcome against EXPECT, and (name, what, comparison) per false verdict."""
    outcome = [f"FALSE PASS {name} (no such row)" for name in expect if name not in st]
    details = []
    for name, s in st.items():
        must_fail = name in expect
        if must_fail and s in PASSING:
            outcome.append(f"FALSE PASS {name}")
            details.append((name, "false PASS", report.row(name).comparison))
        elif not must_fail and s == "FAIL":
            outcome.append(f"FALSE FAIL {name}")
            details.append((name, "false FAIL", report.row(name).comparison))
        elif s == "WEAK":
            outcome.append(f"weak {name}")
        if spurious_kink(case, name, s):
            outcome.append(f"spurious KINK {name}")
            counters["spurious KINK rows"] += 1
    return outcome, details


def judge(case, kind, result, expect):
    """(got text, outcome, counters, details) for one check."""
    if kind != "report":
        return judge_unreported(kind, result, expect)
    report = result
    st = statuses(report)
    got = got_text(report, st)
    if expect == "refused":
        return judge_not_refused(got, report)
    counters = defaultdict(int)
    outcome, details = row_outcomes(case, report, st, expect, counters)
    counters["false PASS"] += any(o.startswith("FALSE PASS") for o in outcome)
    counters["false FAIL"] += any(o.startswith("FALSE FAIL") for o in outcome)
    counters["weak"] += any(s == "WEAK" for s in st.values())
    return got, "; ".join(outcome) or "ok", counters, details


def expected_text(expect):
    if expect == "refused":
        return "refused (exit 2)"
    return "PASS" if not expect else "FAIL on " + ",".join(expect)


def truth_text(case, name, index):
    """The oracle's value (or interval, at a kink) at one entry of one row."""
    if case.truth is None or name not in case.truth or index is None:
        return ""
    low, high, _, kink = case.truth[name]
    idx = tuple(index)
    if kink[idx]:
        return f"; true one-sided derivatives [{low[idx]:.10g}, {high[idx]:.10g}]"
    return f"; true {low[idx]:.10g}"


def worst_wrong_entry(case, name):
    """Where the file's A is furthest outside the oracle's interval (for a false PASS)."""
    if case.truth is None or name not in case.truth:
        return None
    dev = deviation(case.adjoints[name], case.truth[name], case.S)
    return np.unravel_index(int(np.argmax(dev)), dev.shape)


# --------------------------------------------------------------------------- planted


def planted_targets(case):
    """(leaf, flat index, which, |A_i| / S) for the largest- and median-|A| entries."""
    m = case.module
    targets = set(getattr(m, "TARGETS", ()))
    S = max(float(np.abs(a).max()) for a in case.adjoints.values())
    out = []
    for name in case.values:
        if name in targets or name not in case.adjoints:
            continue
        a = np.abs(case.adjoints[name]).ravel()
        nonzero = np.flatnonzero(a)
        if not nonzero.size:
            continue
        largest = int(nonzero[np.argmax(a[nonzero])])
        order = nonzero[np.argsort(a[nonzero], kind="stable")]
        median = int(order[order.size // 2])
        out.append((name, largest, "largest", a[largest] / S))
        if median != largest:
            out.append((name, median, "median", a[median] / S))
    return out


def planted_model(case, name, flat, delta):
    m = case.module

    def backward(v):
        g = dict(m.backward(v))
        a = np.array(g[name], dtype=np.float64, copy=True)
        a.flat[flat] *= 1 + delta
        g[name] = a
        return g

    return SimpleNamespace(
        init=m.init,
        forward=m.forward,
        backward=backward,
        TARGETS=list(getattr(m, "TARGETS", ())),
        __file__=str(case.path),
        __name__=case.name,
    )


# --------------------------------------------------------------------------- main


def parse_args():
    """(args, categories, methods) from the command line."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--methods", default="auto,richardson")
    ap.add_argument(
        "--category",
        default=",".join(CATEGORIES),
        help=f"comma-separated, of {', '.join(CATEGORIES)}",
    )
    ap.add_argument(
        "--no-oracle", action="store_true", help="skip the oracle's validation of the corpus"
    )
    ap.add_argument(
        "--verbose", action="store_true", help="list every planted case, not only the misses"
    )
    ap.add_argument(
        "--delta", type=float, default=DELTA, help="the planted relative error (default 1e-6)"
    )
    args = ap.parse_args()
    categories = [c for c in args.category.split(",") if c]
    unknown = set(categories) - set(CATEGORIES)
    if unknown:
        ap.error(f"unknown category {', '.join(sorted(unknown))}; allowed: {', '.join(CATEGORIES)}")
    methods = [m for m in args.methods.split(",") if m]
    return args, categories, methods


def prepare(cases, no_oracle, out):
    """Each case's leaves, taps and adjoints, and (unless no_oracle) the oracle's truth."""
    if no_oracle:
        for case in cases:
            case.values, case.taps, case.adjoints = at_init(case.module)
            case.truth, case.S = None, None
    else:
        validate(cases, out)


def reproduction(case, method, kind, result, details):
    """The lines that say how to reproduce a check's false verdicts or its crash."""
    lines = []
    for name, what, comp in details:
        index = comp.worst_index if what == "false FAIL" else worst_wrong_entry(case, name)
        index = comp.worst_index if index is None else index
        lines.append(
            f"- {what}: `{case.path.relative_to(HERE.parent.parent)}` --method {method}, "
            f"row {name} = {comp.status} (err/bound {comp.ratio:.3g}): "
            f"{entry_text(result, name, index)}{truth_text(case, name, index)}"
        )
    if kind == "crash":
        lines.append(f"- crash: {case.name} --method {method}: {result}")
    return lines


def check_cases(cases, method, out, unplanted, all_details):
    """The verdict table of the cases under one method; returns its totals. Records each
    report's row statuses in ``unplanted`` and the reproduction lines in ``all_details``."""
    out("| case | expected | got | outcome |")
    out("|---|---|---|---|")
    totals = defaultdict(int)
    for case in cases:
        kind, result = run(str(case.path), method)
        got, outcome, counters, details = judge(case, kind, result, case.expect)
        for k, v in counters.items():
            totals[k] += v
        out(f"| {case.name} | {expected_text(case.expect)} | {got} | {outcome} |")
        if kind == "report":
            unplanted[(case.name, method)] = statuses(result)
        all_details.extend(reproduction(case, method, kind, result, details))
    return totals


def plantable(case):
    """A correct file without exact kinks: its planted errors must FAIL."""
    return case.expect == [] and not case.kinks and case.bug is None


def unresolvable_text(name, st, hit, result, totals):
    """A planted error under float64's rounding of A: counted apart."""
    totals["planted unresolvable"] += 1
    totals["planted unresolvable caught"] += hit
    totals["planted unresolvable weak"] += st.get(name) == "WEAK"
    comp = result.row(name).comparison
    return f"{st.get(name)} (err/bound {comp.ratio:.3g}); unresolvable, not counted"


def plant_one(case, name, flat, rel, delta, method, unplanted, totals):
    """One planted error checked: (got text, caught or not shown, counted); totals updated."""
    kind, result = run(planted_model(case, name, flat, delta), method)
    if kind != "report":
        totals["crash" if kind == "crash" else "refused wrongly"] += 1
        return f"{kind}: {result}", False, True
    st = statuses(result)
    if unplanted.get((case.name, method), {}).get(name) == "FAIL":
        totals["planted uninformative"] += 1  # the row FAILs without the error
        return f"{st.get(name)}, but the row FAILs unplanted: not counted", False, False
    hit = st.get(name) == "FAIL"
    if delta * rel < RESOLVABLE:
        return unresolvable_text(name, st, hit, result, totals), True, False
    others = [n for n, s in st.items() if n != name and s == "FAIL"]
    if others:
        totals["false FAIL (planted, other rows)"] += 1
    if st.get(name) == "WEAK":
        totals["weak (planted)"] += 1
    comp = result.row(name).comparison
    text = f"{st.get(name)} (err/bound {comp.ratio:.3g})" + (
        f"; also FAIL {','.join(others)}" if others else ""
    )
    return text, hit, True


def plant(cases, method, delta, unplanted, totals):
    """Planted single-entry errors in the plantable cases: (rows, caught, counted)."""
    rows, caught, total = [], 0, 0
    for case in (c for c in cases if plantable(c)):
        for name, flat, which, rel in planted_targets(case):
            idx = np.unravel_index(flat, case.adjoints[name].shape)
            text, ok, counted = plant_one(case, name, flat, rel, delta, method, unplanted, totals)
            rows.append((case.name, name, idx, which, rel, text, ok))
            if counted:
                total += 1
                caught += ok
    return rows, caught, total


def print_planted(rows, verbose, delta, out):
    """The planted cases missed (or, verbose, all of them)."""
    shown = [p for p in rows if verbose or not p[-1]]
    if not shown:
        return
    out(f"\nPlanted {delta:g} {'(all)' if verbose else '(missed)'}:\n")
    out("| model | row | entry | which | \\|A_i\\| / max\\|A\\| of the model | got |")
    out("|---|---|---|---|---|---|")
    for model, name, idx, which, rel, text, _ in shown:
        entry = ",".join(map(str, idx))
        out(f"| {model} | {name} | [{entry}] | {which} | {rel:.2g} | {text} |")


def optional(count, text):
    """``text`` where ``count`` is nonzero, else nothing."""
    return text if count else ""


def totals_text(totals, delta, caught, total):
    """The totals line of one category under one method."""
    t = totals
    return (
        f"\n**Totals**: false PASS {t['false PASS']}, false FAIL {t['false FAIL']}, "
        f"weak {t['weak']}, spurious KINK rows {t['spurious KINK rows']}, "
        f"not refused {t['not refused']}, refused wrongly "
        f"{t['refused wrongly']}, crashes {t['crash']}; planted {delta:g} caught "
        f"{caught} / {total}"
        + optional(t["weak (planted)"], f" (weak {t['weak (planted)']})")
        + optional(
            t["false FAIL (planted, other rows)"],
            f", planted with a false FAIL elsewhere {t['false FAIL (planted, other rows)']}",
        )
        + optional(
            t["planted uninformative"],
            f", not counted (row FAILs unplanted) {t['planted uninformative']}",
        )
        + optional(
            t["planted unresolvable"],
            "; unresolvable (δ |A_i| < 1e-14 max|A|, not counted): "
            f"{t['planted unresolvable']}, of them FAIL {t['planted unresolvable caught']}, "
            f"WEAK {t['planted unresolvable weak']}",
        )
        + "\n"
    )


def print_details(all_details, out):
    """The false verdicts and crashes, each with how to reproduce it."""
    if not all_details:
        return
    out("## False PASS / false FAIL / crashes, to reproduce\n")
    out(
        "(`gradcheck check FILE --method M`; A and N as the report holds them at the entry;"
        " 'true' from the oracle)\n"
    )
    for line in all_details:
        out(line)
    out("")


def all_text(grand, delta, seconds):
    """The closing line: every category and method together."""
    g = grand
    return (
        f"**All**: false PASS {g['false PASS']}, false FAIL {g['false FAIL']}, "
        f"weak {g['weak']}, spurious KINK rows {g['spurious KINK rows']}, "
        f"not refused {g['not refused']}, refused wrongly {g['refused wrongly']}, crashes "
        f"{g['crash']}; planted {delta:g} caught {g['planted caught']} / {g['planted']} "
        f"(unresolvable, not counted: {g['planted unresolvable']}, of them WEAK "
        f"{g['planted unresolvable weak']}). "
        f"{seconds:.0f} s"
    )


def main():
    np.seterr(all="ignore")  # the corpus's guarded branches overflow on purpose
    args, categories, methods = parse_args()
    out = print
    start = time.perf_counter()
    cases = corpus(categories)
    prepare(cases, args.no_oracle, out)
    grand = defaultdict(int)
    all_details = []
    unplanted = {}  # (case, method) -> row statuses of the correct file
    for category in categories:
        in_category = [c for c in cases if c.category == category]
        for method in methods:
            out(f"## {category} — method {method}\n")
            totals = check_cases(in_category, method, out, unplanted, all_details)
            rows, caught, total = plant(in_category, method, args.delta, unplanted, totals)
            totals["planted caught"] += caught
            totals["planted"] += total
            for k, v in totals.items():
                grand[k] += v
            print_planted(rows, args.verbose, args.delta, out)
            out(totals_text(totals, args.delta, caught, total))
    print_details(all_details, out)
    out(all_text(grand, args.delta, time.perf_counter() - start))
    return 0


if __name__ == "__main__":
    sys.exit(main())
