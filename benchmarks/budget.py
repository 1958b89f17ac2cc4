"""The budget fallback's verdicts on the trust corpus: false PASS and false FAIL (on demand).

    python benchmarks/budget.py [--methods auto,richardson] [--category scale,kinks,...]
                                [--budget 1e-6] [--deltas 1e-8,1e-10] [--no-inf]
                                [--no-oracle] [--verbose]

When checking every entry would exceed ``--budget SECONDS``, gradcheck checks each tensor
by 4 directional derivatives instead (a flagged tensor located entry by entry, by
bisection where it is large). ``budget=1e-6`` forces that fallback on any model. This runs
benchmarks/trust.py's outcomes under it, with trust.py's own functions (its corpus, oracle,
judging, planted 1e-6 errors on the largest- and median-|A| entry of every checked leaf,
totals), the budget passed to every check:

- per category and method, the verdict table, false PASS, false FAIL, WEAK, planted 1e-6
  caught, exactly as trust.py counts them;
- smaller planted errors, 1e-8 and 1e-10 relative on the median-|A| entry of every
  checked leaf of each correct file (gradcheck_cli.testing.plant_error), caught under the
  fallback and, for comparison, with ``budget=inf`` (every entry); a planted error below
  float64's rounding of A (δ |A_i| < 1e-14 of the model's largest adjoint entry, trust.py's
  RESOLVABLE) is counted apart, as is one on a row that FAILs unplanted;
- the seconds each file's checks take, under the fallback and with ``budget=inf``;
- every false verdict and every missed planted error, with a one-line reproduction.

Deterministic, as trust.py: seed 0 for every check, the global np.random seeded before
each one.
"""

import argparse
import contextlib
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
import trust  # benchmarks/trust.py: the script's own directory is on sys.path

from gradcheck_cli.errors import GradcheckError
from gradcheck_cli.testing import plant_error

DELTAS = (1e-8, 1e-10)
FORCE = 1e-6  # seconds: less than any check's estimate, so the fallback always runs
INF = float("inf")
ROOT = trust.HERE.parent.parent


# --------------------------------------------------------------------------- the budget


def _key(model) -> str:
    """The corpus file a check is of: a path (trust.check_cases), a planted module
    (trust.planted_model's __name__) or a built model (plant_error's)."""
    if isinstance(model, (str, os.PathLike)):
        return Path(model).stem
    return str(getattr(model, "__name__", None) or Path(getattr(model, "name", "?")).stem)


@contextlib.contextmanager
def budget_of(budget: float, seconds: dict):
    """trust.py's checks with ``budget`` passed to each (trust.run calls the module's
    ``check``); each check's time is added to ``seconds[file]``."""
    original = trust.check

    def timed(model, **options):
        start = time.perf_counter()
        try:
            return original(model, budget=budget, **options)
        finally:
            seconds[_key(model)] += time.perf_counter() - start

    trust.check = timed
    try:
        yield
    finally:
        trust.check = original


def budget_text(budget: float) -> str:
    return "inf" if budget == INF else f"{budget:g}"


# --------------------------------------------------------------------------- reproduction


def command(case, method: str, budget: float) -> str:
    return (
        f"gradcheck check {case.path.relative_to(ROOT)} --budget {budget_text(budget)} "
        f"--method {method}"
    )


def snippet(case, name: str, idx, delta: float, method: str, budget: float) -> str:
    """A python one-liner that checks one planted error and prints its row's verdict."""
    b = "float('inf')" if budget == INF else f"{budget:g}"
    return (
        'python -c "from gradcheck_cli import check; from gradcheck_cli.testing import '
        f"plant_error as p; r = check(p('{case.path.relative_to(ROOT)}', '{name}', "
        f"{tuple(int(i) for i in idx)}, {delta:g}), budget={b}, method='{method}', seed=0); "
        f"print(r.row('{name}').comparison)\""
    )


# --------------------------------------------------------------------------- verdicts


def check_cases(cases, method, budget, out, unplanted, all_details):
    """trust.check_cases under ``budget``, with this script's reproduction lines."""
    details: list = []
    totals = trust.check_cases(cases, method, out, unplanted, details)
    # trust's lines name the file and method; the command adds the budget
    by_name = {c.name: c for c in cases}
    for line in details:
        case = next(
            (c for n, c in by_name.items() if f"/{n}.py`" in line or f"crash: {n} " in line),
            None,
        )
        all_details.append(line if case is None else f"{line}\n  `{command(case, method, budget)}`")
    return totals


def planted_misses(rows, cases, method, budget, delta):
    """Reproductions for the planted errors trust.plant counted and missed."""
    by_name = {c.name: c for c in cases}
    lines = []
    for model, name, idx, which, rel, text, ok in rows:
        if ok or "not counted" in text:
            continue
        case = by_name[model]
        lines.append(
            f"- planted {delta:g} missed: {model} row {name} [{','.join(map(str, idx))}] "
            f"({which}, |A_i| / max|A| {rel:.2g}): {text}\n"
            f"  `{snippet(case, name, idx, delta, method, budget)}`"
        )
    return lines


def verdicts(cases, categories, methods, budget, seconds, out):
    """trust.py's run under ``budget``: (grand totals, reproduction lines, unplanted)."""
    grand: dict = defaultdict(int)
    lines: list = []
    unplanted: dict = {}
    with budget_of(budget, seconds):
        for category in categories:
            in_category = [c for c in cases if c.category == category]
            for method in methods:
                out(f"### {category} — method {method}, budget {budget_text(budget)}\n")
                totals = check_cases(in_category, method, budget, out, unplanted, lines)
                rows, caught, total = trust.plant(
                    in_category, method, trust.DELTA, unplanted, totals
                )
                totals["planted caught"] += caught
                totals["planted"] += total
                for k, v in totals.items():
                    grand[k] += v
                trust.print_planted(rows, False, trust.DELTA, out)
                out(trust.totals_text(totals, trust.DELTA, caught, total))
                lines += planted_misses(rows, in_category, method, budget, trust.DELTA)
    return grand, lines, unplanted


# --------------------------------------------------------------------------- small deltas


def median_targets(case):
    """(leaf, index, |A_i| / S) of each checked leaf's median-|A| entry (trust.py's)."""
    return [
        (name, np.unravel_index(flat, case.adjoints[name].shape), rel)
        for name, flat, which, rel in trust.planted_targets(case)
        if which == "median"
    ]


def plant_small(case, name, idx, delta, method, budget, seconds):
    """The planted row's status under ``budget`` (or 'crash: …' / 'refused: …')."""
    np.random.seed(12345)  # as trust.run
    start = time.perf_counter()
    try:
        report = trust.check(
            plant_error(str(case.path), name, idx, delta),
            budget=budget,
            method=method,
            seed=trust.SEED,
        )
    except GradcheckError as e:
        return f"refused: {type(e).__name__}: {e}", None
    except Exception as e:  # the code under test crashed (or is being edited)
        return f"crash: {type(e).__name__}: {e}", None
    finally:
        seconds[case.name] += time.perf_counter() - start
    return report.row(name).comparison.status, report


def resolution_text(comp) -> str:
    return "none" if comp.resolution is None else f"{comp.resolution:.1g}"


def small_one(case, target, delta, method, budget, ctx):
    """One planted error: (counted, caught, line or None) and ctx's tallies updated."""
    name, idx, rel = target
    status, report = plant_small(case, name, idx, delta, method, budget, ctx["seconds"])
    tally = ctx["tally"][(method, budget_text(budget), delta)]
    if ctx["unplanted"][budget].get((case.name, method), {}).get(name) == "FAIL":
        tally["not counted (row FAILs unplanted)"] += 1
        return
    if delta * rel < trust.RESOLVABLE:
        tally["unresolvable"] += 1
        tally["unresolvable WEAK"] += status == "WEAK"
        tally["unresolvable FAIL"] += status == "FAIL"
        return
    tally["planted"] += 1
    tally["caught"] += status == "FAIL"
    tally["WEAK"] += status == "WEAK"
    if report is not None:
        others = [r.id for r in report.gradients if r.id != name and r.comparison.status == "FAIL"]
        tally["false FAIL elsewhere"] += bool(others)
    if status != "FAIL":
        claim = ""
        if report is not None:
            comp = report.row(name).comparison
            claim = f" (err/bound {comp.ratio:.3g}, resolution {resolution_text(comp)})"
            if comp.resolution is not None and comp.resolution <= delta:
                tally["missed, resolution ≤ δ"] += 1
                claim += " **the row claims to resolve δ**"
        ctx["missed"].append(
            f"- planted {delta:g} missed, budget {budget_text(budget)}, method {method}: "
            f"{case.name} row {name} [{','.join(map(str, idx))}] (|A_i| / max|A| {rel:.2g}) "
            f"is {status}{claim}\n  `{snippet(case, name, idx, delta, method, budget)}`"
        )


def small_deltas(cases, methods, budgets, deltas, ctx):
    for case in (c for c in cases if trust.plantable(c)):
        for target in median_targets(case):
            for method in methods:
                for budget in budgets:
                    for delta in deltas:
                        small_one(case, target, delta, method, budget, ctx)


def print_small(ctx, methods, budgets, deltas, out):
    out("## Smaller planted errors on the median-|A| entry of every checked leaf\n")
    out(
        "| method | budget | δ | caught | missed where the row's resolution ≤ δ | WEAK "
        "| false FAIL elsewhere | unresolvable (of them WEAK / FAIL) "
        "| not counted (row FAILs unplanted) |"
    )
    out("|---|---|---|---|---|---|---|---|---|")
    for method in methods:
        for budget in budgets:
            for delta in deltas:
                t = ctx["tally"][(method, budget_text(budget), delta)]
                out(
                    f"| {method} | {budget_text(budget)} | {delta:g} | "
                    f"{t['caught']} / {t['planted']} | {t['missed, resolution ≤ δ']} | "
                    f"{t['WEAK']} | "
                    f"{t['false FAIL elsewhere']} | {t['unresolvable']} "
                    f"({t['unresolvable WEAK']} / {t['unresolvable FAIL']}) | "
                    f"{t['not counted (row FAILs unplanted)']} |"
                )
    out("")


# --------------------------------------------------------------------------- main


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--methods", default="auto,richardson")
    ap.add_argument(
        "--category",
        default=",".join(trust.CATEGORIES),
        help=f"comma-separated, of {', '.join(trust.CATEGORIES)}",
    )
    ap.add_argument("--budget", type=float, default=FORCE, help="seconds (default 1e-6)")
    ap.add_argument("--deltas", default=",".join(f"{d:g}" for d in DELTAS))
    ap.add_argument("--no-inf", action="store_true", help="skip the budget=inf comparison")
    ap.add_argument("--no-oracle", action="store_true", help="skip the oracle's validation")
    args = ap.parse_args()
    categories = [c for c in args.category.split(",") if c]
    unknown = set(categories) - set(trust.CATEGORIES)
    if unknown:
        ap.error(f"unknown category {', '.join(sorted(unknown))}")
    methods = [m for m in args.methods.split(",") if m]
    deltas = [float(d) for d in args.deltas.split(",") if d]
    budgets = [args.budget] + ([] if args.no_inf or args.budget == INF else [INF])
    return args, categories, methods, deltas, budgets


def print_times(cases, budgets, seconds, out):
    out("## Seconds per file (every check of it: unplanted, planted, both methods)\n")
    out("| file | " + " | ".join(f"budget {budget_text(b)}" for b in budgets) + " |")
    out("|---|" + "---:|" * len(budgets))
    for case in cases:
        out(
            f"| {case.name} | "
            + " | ".join(f"{seconds[budget_text(b)][case.name]:.2f}" for b in budgets)
            + " |"
        )
    out(
        "| **all** | "
        + " | ".join(f"**{sum(seconds[budget_text(b)].values()):.1f}**" for b in budgets)
        + " |\n"
    )


def print_differences(cases, methods, budgets, unplanted, out):
    """Rows of the unplanted files whose verdict under the first budget is not budget inf's."""
    if len(budgets) < 2:
        return
    first, inf = budgets[0], budgets[-1]
    out(f"## Rows whose verdict under budget {budget_text(first)} differs from budget inf\n")
    out(f"| file | method | row | budget {budget_text(first)} | budget inf |")
    out("|---|---|---|---|---|")
    for case in cases:
        for method in methods:
            a = unplanted[first].get((case.name, method), {})
            b = unplanted[inf].get((case.name, method), {})
            for name in a:
                if a[name] != b.get(name):
                    out(f"| {case.name} | {method} | {name} | {a[name]} | {b.get(name)} |")
    out("")


def main():
    np.seterr(all="ignore")  # the corpus's guarded branches overflow on purpose
    args, categories, methods, deltas, budgets = parse_args()
    out = print
    start = time.perf_counter()
    cases = trust.corpus(categories)
    trust.prepare(cases, args.no_oracle, out)
    seconds = {budget_text(b): defaultdict(float) for b in budgets}
    grand, details, unplanted = {}, {}, {}
    for budget in budgets:
        out(f"## trust.py's outcomes, budget {budget_text(budget)}\n")
        key = budget_text(budget)
        grand[key], details[key], unplanted[budget] = verdicts(
            cases, categories, methods, budget, seconds[key], out
        )
    ctx = {
        "seconds": seconds[budget_text(budgets[0])],
        "tally": defaultdict(lambda: defaultdict(int)),
        "unplanted": unplanted,
        "missed": [],
    }
    for budget in budgets:  # each budget's planted checks timed under its own column
        ctx["seconds"] = seconds[budget_text(budget)]
        small_deltas(cases, methods, [budget], deltas, ctx)
    print_differences(cases, methods, budgets, unplanted, out)
    print_small(ctx, methods, budgets, deltas, out)
    print_times(cases, budgets, seconds, out)
    for budget in budgets:
        key = budget_text(budget)
        out(f"## False verdicts, missed planted errors, crashes: budget {key}\n")
        out("\n".join(details[key] + [m for m in ctx["missed"] if f"budget {key}," in m]))
        out("\n" + trust.all_text(grand[key], trust.DELTA, 0).rsplit(". ", 1)[0] + ".\n")
    out(f"{time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
