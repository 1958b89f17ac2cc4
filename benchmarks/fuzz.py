"""Verdict fuzzer: random model files, adjoints from an independent autodiff (on demand).

    pip install autograd        # the oracle (HIPS autograd); not a dependency of gradcheck
    python benchmarks/fuzz.py [--programs 500] [--seed 0] [--methods auto,richardson,central]
                              [--budget-fallback] [--out DIR] [--workers 1]
    python benchmarks/fuzz.py --replay DIR/FILE.py [--methods ...] [--budget-fallback]
    python benchmarks/fuzz.py --pids 3000001,3000033 [--methods ...] [--budget-fallback]

Each program is a random model file (benchmarks/fuzzgen.py) whose backward returns HIPS
autograd's gradient, never gradcheck's: an oracle that shares no code with the checker.
Every program is checked under every engine (``--methods``; with ``--budget-fallback``
each again with ``budget=1e-6``, which forces the large-model fallback: 4 directions and a
sample), through the Python API (``check(path, method=..., seed=0, jobs=1)``), and the
properties counted:

- false FAIL: a row of the true gradient FAILs (WEAK is allowed, and counted). On a
  program with an exact kink, a FAIL where autograd's A lies outside autograd's own
  one-sided derivatives at a failing entry is counted apart ("A no subgradient"):
  autograd's abs'(0) = 0 under a tie of a sort, say, is no subgradient along the entry;
- false PASS: one entry of one adjoint times (1 + δ), δ = 10 × that row's stated
  resolution in this engine's check of the correct file, on the largest-|A| entry and on
  one random entry among those with |N| ≥ 1e-3 max|N|, PASSes or is KINK (KINK is
  excused on a program with an exact kink, where A(1 + δ) can still be a subgradient,
  and counted apart); now and then an adjoint with the wrong sign, or with the term of
  one use of a leaf dropped, where that change exceeds 10 × the entry's bound and what a
  float64 L can show (eps · |L| / max(|θ_i|, 1));
- crash: an exception, a refusal (exit 2) or an "internal error" note on a valid model.

The table counts them per engine; a second table sorts the findings into classes by
tags (the engine used, kinks, 0-d rows, A or N exactly 0, |θ| far from 1, a large |L|).
Every program with a false verdict or a crash is saved to ``--out`` (with its engine and
what was expected in its FUZZ dict; findings.jsonl has every finding) and listed, with
extended-precision references at the worst entry; ``--replay FILE`` checks it again.
Deterministic: program i of seed S is fuzzgen.generate(S * 1_000_000 + i) on any run.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
import tempfile
import time
import traceback
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import fuzzgen  # noqa: E402  (benchmarks/fuzzgen.py, beside this file)

FORCE = 1e-6  # seconds: a budget every check exceeds, so the fallback always runs
FLOOR = 1e-3  # planted entries have |N| ≥ FLOOR · max|N| of their row
PLANT_FACTOR = 10.0  # δ = PLANT_FACTOR × the row's stated resolution
SOMETIMES = 0.2  # the share of programs that also get a wrong-sign and a dropped-term variant
DEFAULT_OUT = Path(tempfile.gettempdir()) / "gradcheck-fuzz"
CHECKED = ("PASS", "WEAK", "KINK")


@dataclass(frozen=True)
class Engine:
    """An engine as the table names it: a --method, maybe with the forced fallback."""

    method: str
    budget: float | None = None

    @property
    def label(self) -> str:
        return self.method + ("+fallback" if self.budget else "")

    def options(self) -> dict:
        extra = {} if self.budget is None else {"budget": self.budget}
        return {"method": self.method, "seed": 0, "jobs": 1, **extra}


@dataclass
class Finding:
    """One false verdict or crash, with what it takes to look at it again."""

    kind: str  # "false FAIL", "false PASS", "crash", "FAIL, A no subgradient"
    engine: str
    program: int
    variant: str
    path: str = ""
    row: str | None = None
    index: list | None = None
    analytic: float | None = None
    numeric: float | None = None
    verdict: str | None = None
    resolution: float | None = None
    detail: str = ""
    tags: list = field(default_factory=list)  # features that sort findings into classes


@dataclass
class Tally:
    """Counts for one engine."""

    programs: int = 0
    kinked: int = 0  # programs with an exact kink
    checks: int = 0
    false_fail: int = 0
    false_fail_programs: int = 0
    fail_oracle_outside: int = 0  # FAIL where autograd's A is outside the one-sided derivatives
    false_pass: int = 0
    crashes: int = 0
    weak_rows: int = 0
    rows: int = 0
    kink_rows: int = 0
    kink_rows_no_kink: int = 0
    planted: int = 0
    caught: int = 0
    planted_weak: int = 0
    planted_kink_excused: int = 0
    seconds: float = 0.0
    findings: list = field(default_factory=list)

    def add(self, other: Tally) -> None:
        for f in fields(self):
            if f.name != "findings":
                setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))
        self.findings.extend(other.findings)


# --------------------------------------------------------------------------- checks


def run_check(path: Path, engine: Engine, tally: Tally):
    """(report, None), or (report or None, why) for an exception, a refusal (exit 2) or
    an "internal error" note: a crash on a valid model. Its time goes to ``tally``."""
    from gradcheck_cli import check
    from gradcheck_cli.errors import GradcheckError

    tally.checks += 1
    start = time.perf_counter()
    try:
        report = check(str(path), **engine.options())
    except GradcheckError as e:
        return None, f"refused (exit 2): {type(e).__name__}: {e}"
    except Exception as e:  # the code under test crashed
        frame = traceback.extract_tb(e.__traceback__)[-1]
        return None, f"{type(e).__name__}: {e} ({Path(frame.filename).name}:{frame.lineno})"
    finally:
        tally.seconds += time.perf_counter() - start
    internal = [n for n in report.notes if "internal error" in n.lower()]
    return report, (internal[0] if internal else None)


def row_finding(kind, engine, pid, variant, report, row, detail="") -> Finding:
    """A Finding for one row of a report: its worst entry, verdict and resolution."""
    c = report.row(row).comparison
    index = None if c.worst_index is None else [int(i) for i in np.atleast_1d(c.worst_index)]
    return Finding(
        kind,
        engine.label,
        pid,
        variant,
        row=row,
        index=index,
        analytic=_float(c.worst_analytic),
        numeric=_float(c.worst_numeric),
        verdict=c.status,
        resolution=_float(c.resolution),
        detail=(detail + (f"; reason: {c.reason}" if c.reason else "")).lstrip("; "),
    )


def _float(x):
    return None if x is None else float(x)


def failing_entries(report, row, limit: int = 8) -> list[tuple]:
    """Up to ``limit`` entries beyond their bound (the worst entry where none is known)."""
    A, N, bound = _arrays(report, row)
    worst = report.row(row).comparison.worst_index
    if A is None or N is None or bound is None or np.shape(A) != np.shape(N):
        return [] if worst is None else [tuple(worst)]
    with np.errstate(all="ignore"):
        bad = ~(np.abs(A - N) <= bound)
    found = [tuple(int(i) for i in ix) for ix in np.argwhere(bad)][:limit]
    return found or ([] if worst is None else [tuple(worst)])


def kink_oracle(program, report, row) -> tuple[bool, str]:
    """On a program with an exact kink: (is autograd's A outside the one-sided derivatives
    at some failing entry, the evidence). Where it is, autograd returned no subgradient
    along that entry (abs'(0) = 0 under a tie of a sort, say): the row's FAIL is right."""
    ns = fuzzgen.load_text(fuzzgen.render(program))
    A = _arrays(report, row)[0]
    outside, texts = False, []
    for ix in failing_entries(report, row):
        left, right = fuzzgen.one_sided(ns, program, row, ix)
        tol = 1e-6 * max(abs(left), abs(right), 1e-300)
        a = float(A[ix])
        outside |= not (min(left, right) - tol <= a <= max(left, right) + tol)
        texts.append(f"{list(ix)}: A = {a:.6g}, autograd one-sided ({left:.6g}, {right:.6g})")
    return outside, "; ".join(texts[:3])


def reference_text(program, row, index) -> str:
    """Extended-precision central differences at an entry (an independent N)."""
    if index is None:
        return ""
    ns = fuzzgen.load_text(fuzzgen.render(program))
    d = fuzzgen.extended_differences(ns, program, row, tuple(index))
    text = "longdouble central differences " + ", ".join(f"h {r:g}: {v:.10g}" for r, v in d.items())
    cs = fuzzgen.complex_step(ns, program, row, tuple(index))
    return text + ("" if cs is None else f"; longdouble complex step {cs:.16g}")


def judge_correct(program, report, engine, pid, tally: Tally) -> None:
    """Property (a) on the correct file: no row FAILs, except where the program has an
    exact kink and autograd's A lies outside the one-sided derivatives at a failing entry
    (counted apart).
    Counts WEAK and KINK rows."""
    failed = False
    for g in report.gradients:
        status = g.comparison.status
        tally.rows += 1
        if status == "FAIL":
            outside, evidence = kink_oracle(program, report, g.id) if program.kink else (False, "")
            kind = "FAIL, A no subgradient" if outside else "false FAIL"
            failed |= not outside
            tally.false_fail += not outside
            tally.fail_oracle_outside += outside
            reference = reference_text(program, g.id, g.comparison.worst_index)
            detail = "; ".join(t for t in (evidence, reference) if t)
            tally.findings.append(row_finding(kind, engine, pid, "correct", report, g.id, detail))
        tally.weak_rows += status == "WEAK"
        tally.kink_rows += status == "KINK"
        tally.kink_rows_no_kink += status == "KINK" and not program.kink
    tally.false_fail_programs += failed


def visibility_text(program, report, variant) -> str:
    """For a planted entry: its error δ|A_i| beside eps · |L| / max(|θ_i|, 1), the
    smallest change of L's derivative that float64 can show (docs/verdict-reference.md: an error
    below it is not counted against the row)."""
    if "index" not in variant or report.loss is None:
        return ""
    ns = fuzzgen.load_text(fuzzgen.render(program))
    ix = tuple(variant["index"])
    theta = fuzzgen.entry_value(ns, program, variant["row"], ix)
    floor = np.finfo(float).eps * abs(report.loss) / max(abs(theta), 1.0)
    error = variant["delta"] * abs(variant["analytic"])
    return f"; error δ|A| = {error:.3g}, eps·|L|/max(|θ|, 1) = {floor:.3g} (θ = {theta:.3g})"


def judge_planted(program, report, engine, pid, variant: dict, tally: Tally) -> None:
    """Property (b) on a variant: its row must FAIL; PASS, or KINK where the program has
    no exact kink, is a false PASS."""
    row = variant["row"]
    status = report.row(row).comparison.status
    tally.planted += 1
    if status == "FAIL":
        tally.caught += 1
    elif status == "KINK" and program.kink:
        tally.planted_kink_excused += 1
    elif status in ("PASS", "KINK"):
        tally.false_pass += 1
        detail = variant["note"] + visibility_text(program, report, variant)
        tally.findings.append(
            row_finding("false PASS", engine, pid, variant["variant"], report, row, detail)
        )
    else:
        tally.planted_weak += 1
        detail = variant["note"] + visibility_text(program, report, variant)
        tally.findings.append(
            row_finding("planted WEAK", engine, pid, variant["variant"], report, row, detail)
        )


# --------------------------------------------------------------------------- variants


def _arrays(report, row):
    """A, N and the per-entry bound of a row (None where the report has none)."""
    return tuple(report.arrays.get(f"{kind}/{row}") for kind in ("analytic", "numeric", "bound"))


def eligible_rows(report) -> list[str]:
    """Rows a planted error can be judged on: checked (PASS, WEAK, KINK), a finite
    resolution, and a finite nonzero numeric gradient somewhere."""
    rows = []
    for g in report.gradients:
        c = g.comparison
        A, N, _ = _arrays(report, g.id)
        if c.status not in CHECKED or c.resolution is None or not np.isfinite(c.resolution):
            continue
        if A is None or N is None or np.size(N) == 0:
            continue
        finite = np.abs(N[np.isfinite(N)])
        if finite.size and np.max(finite) > 0:
            rows.append(g.id)
    return rows


def planted_entries(report, row, rng) -> list[tuple]:
    """The largest-|A| entry among those with |N| ≥ FLOOR · max|N|, and a random other."""
    A, N, _ = _arrays(report, row)
    absN = np.where(np.isfinite(N), np.abs(N), 0.0)
    ok = absN >= FLOOR * np.max(absN)
    ok &= absN > 0
    candidates = [tuple(int(i) for i in ix) for ix in np.argwhere(ok)]
    largest = max(candidates, key=lambda ix: abs(A[ix]))
    others = [ix for ix in candidates if ix != largest]
    return [largest] + ([others[int(rng.integers(len(others)))]] if others else [])


def plant_variants(report, rng) -> list[dict]:
    """Two variants with one entry of one random row times (1 + 10 × resolution)."""
    rows = eligible_rows(report)
    if not rows:
        return []
    row = rows[int(rng.integers(len(rows)))]
    c = report.row(row).comparison
    delta = PLANT_FACTOR * c.resolution
    _, _, bound = _arrays(report, row)
    A, N, _ = _arrays(report, row)
    variants = []
    entries = planted_entries(report, row, rng)
    for name, ix in zip(
        ("planted-largest", "planted-random")[: len(entries)], entries, strict=True
    ):
        entry = f"A = {A[ix]:.6g}, N = {N[ix]:.6g}"
        if bound is not None:
            entry += f", bound/|A| = {bound[ix] / abs(A[ix]) if A[ix] else np.inf:.3g}"
        note = (
            f"planted δ = {delta:.3g} at {list(ix)} ({entry}); correct run: "
            f"resolution {c.resolution:.3g}, resolution_worst {c.resolution_worst:.3g}"
        )
        variants.append(
            {
                "analytic": float(A[ix]),
                "variant": name,
                "row": row,
                "render": {"plant": (row, ix, 1 + delta)},
                "note": note,
                "index": list(ix),
                "delta": delta,
            }
        )
    return variants


def sign_variant(program, report, rng) -> list[dict]:
    """A row with the wrong sign, where 2|A_i| exceeds 10 × the bound and eps · |L| /
    max(|θ_i|, 1) at some entry."""
    values = fuzzgen.forward_values(fuzzgen.load_text(fuzzgen.render(program)), program)
    eps_l = np.finfo(float).eps * abs(report.loss or 0.0)
    rows = []
    for row in eligible_rows(report):
        A, _, bound = _arrays(report, row)
        floor = eps_l / np.maximum(np.abs(values[row]), 1.0)
        if bound is not None and np.any(2 * np.abs(A) > PLANT_FACTOR * np.maximum(bound, floor)):
            rows.append(row)
    if not rows:
        return []
    row = rows[int(rng.integers(len(rows)))]
    return [{"variant": "sign", "row": row, "render": {"sign": row}, "note": "wrong sign"}]


def drop_variant(program, report, rng) -> list[dict]:
    """One use of a leaf with its term dropped from the backward (autograd's getval
    there), where the change exceeds 10 × the entry's bound and eps · |L| / max(|θ_i|, 1)
    (below that no float64 L shows it, and docs/verdict-reference.md does not count it)."""
    sites = program.sites()
    rng.shuffle(sites)
    ns = fuzzgen.load_text(fuzzgen.render(program))
    values = fuzzgen.forward_values(ns, program)
    right = ns["backward"](values)
    eps_l = np.finfo(float).eps * abs(report.loss or 0.0)
    for stmt, pos in sites[:3]:
        row = program.stmts[stmt].inputs[pos]
        _, _, bound = _arrays(report, row)
        if bound is None or row not in eligible_rows(report):
            continue
        with np.errstate(all="ignore"):
            wrong = fuzzgen.load_text(fuzzgen.render(program, drop=(stmt, pos)))["backward"](values)
        change = np.abs(wrong[row] - right[row])
        floor = eps_l / np.maximum(np.abs(values[row]), 1.0)
        if np.any(change > PLANT_FACTOR * np.maximum(bound, floor)):
            target = program.stmts[stmt].target
            note = f"dropped the term of {row} in {target}: max change {np.max(change):.3g}"
            return [{"variant": "drop", "row": row, "render": {"drop": (stmt, pos)}, "note": note}]
    return []


# --------------------------------------------------------------------------- a program


def save(out: Path, program, engine: Engine, variant: dict, finding: Finding) -> None:
    """The program of a finding, with its engine and expectation in FUZZ, for --replay."""
    out.mkdir(parents=True, exist_ok=True)
    meta = {
        "program": finding.program,
        "variant": variant["variant"],
        "method": engine.method,
        "budget": engine.budget,
        "kind": finding.kind,
        "row": variant.get("row"),
        "expect": variant["expect"],
        "note": variant.get("note", ""),
    }
    path = out / f"{engine.label.replace('+', '-')}-{variant['variant']}-p{finding.program}.py"
    path.write_text(fuzzgen.render(program, meta=meta, **variant.get("render", {})))
    finding.path = str(path)
    with open(out / "findings.jsonl", "a") as f:
        f.write(json.dumps(asdict(finding)) + "\n")


def tags_of(program, report, variant, f: Finding) -> list[str]:
    """Features of a finding that sort it into a class: the engine used, kinks, 0-d rows
    and empty leaves, A or N exactly 0, |θ| far from 1, a large |L|, an error below what
    float64 L can show."""
    ns = fuzzgen.load_text(fuzzgen.render(program))
    values = fuzzgen.forward_values(ns, program) or {}
    rows = [n for n in program.params + program.taps if n in values]
    tags = [] if report is None else [f"engine {report.method}"]
    tags += ["exact kink"] if program.kink else ["near kink"] if program.near_kink else []
    if f.row is None or f.row not in values:
        tags += ["0-d row"] if any(np.shape(values[n]) == () for n in rows) else []
        return tags + (["empty leaf"] if any(np.size(values[n]) == 0 for n in rows) else [])
    tags += ["0-d row"] if np.shape(values[f.row]) == () else []
    tags += ["N = 0"] if f.numeric == 0 and f.analytic else []
    tags += ["A = 0"] if f.analytic == 0 and f.numeric else []
    if f.index is not None and np.size(values[f.row]):
        theta = abs(float(values[f.row][tuple(f.index)]))
        tags += ["|θ| < 1e-4"] if 0 < theta < 1e-4 else ["|θ| > 1e4"] if theta > 1e4 else []
    tags += ["|L| > 1e12"] if report is not None and abs(report.loss or 0) > 1e12 else []
    if "index" in variant and report is not None and report.loss is not None:
        theta = abs(float(values[f.row][tuple(variant["index"])]))
        floor = np.finfo(float).eps * abs(report.loss) / max(theta, 1.0)
        tags += (
            ["error below eps·|L|"] if variant["delta"] * abs(variant["analytic"]) < floor else []
        )
    return tags


def check_variant(program, pid, engine, variant, work: Path, out: Path, tally: Tally):
    """Write one file, check it under one engine, judge it; save it where it is wrong."""
    stem = f"p{pid}_{engine.label}_{variant['variant']}".replace("+", "_").replace("-", "_")
    path = work / f"{stem}.py"
    meta = {"program": pid, "variant": variant["variant"]}
    path.write_text(fuzzgen.render(program, meta=meta, **variant.get("render", {})))
    report, crash = run_check(path, engine, tally)
    before = len(tally.findings)
    if crash is not None:
        tally.crashes += 1
        tally.findings.append(Finding("crash", engine.label, pid, variant["variant"], detail=crash))
    if report is not None and variant["variant"] == "correct":
        judge_correct(program, report, engine, pid, tally)
    elif report is not None:
        judge_planted(program, report, engine, pid, variant, tally)
    for finding in tally.findings[before:]:
        finding.tags = tags_of(program, report, variant, finding)
        save(out, program, engine, variant, finding)
    path.unlink()
    return report


def fuzz_program(pid: int, engines: list[Engine], work: Path, out: Path) -> dict[str, Tally]:
    """Every check of one program: the correct file under each engine, then the planted
    variants built from that engine's own report."""
    program = fuzzgen.generate(pid)
    tallies = {}
    for k, engine in enumerate(engines):
        tally = tallies[engine.label] = Tally(programs=1, kinked=int(program.kink))
        correct = {"variant": "correct", "expect": "no row FAILs", "note": ""}
        report = check_variant(program, pid, engine, correct, work, out, tally)
        if report is None:
            continue
        rng = np.random.default_rng([pid, k])
        variants = plant_variants(report, rng)
        if rng.random() < SOMETIMES:
            variants += sign_variant(program, report, rng)
        if rng.random() < SOMETIMES:
            variants += drop_variant(program, report, rng)
        for variant in variants:
            variant["expect"] = f"{variant['row']} FAILs"
            check_variant(program, pid, engine, variant, work, out, tally)
    return tallies


# --------------------------------------------------------------------------- a run


def _worker_init() -> None:
    """Quiet numpy's warnings from the programs' overflowing steps (not a verdict)."""
    import warnings

    warnings.filterwarnings("ignore", category=RuntimeWarning)
    warnings.filterwarnings("ignore", "Output seems independent of input", UserWarning)


def _one(args) -> dict[str, Tally]:
    pid, engines, work, out = args
    return fuzz_program(pid, engines, work, out)


def run(
    programs: int,
    seed: int,
    engines: list[Engine],
    out: Path = DEFAULT_OUT,
    workers: int = 1,
    progress=None,
    pids: list[int] | None = None,
) -> dict[str, Tally]:
    """Fuzz ``programs`` programs of ``seed`` (or the programs ``pids``) under ``engines``;
    the tally per engine."""
    totals = {e.label: Tally() for e in engines}
    (Path(out) / "findings.jsonl").unlink(missing_ok=True)
    pids = pids or [seed * 1_000_000 + i for i in range(programs)]
    with tempfile.TemporaryDirectory(prefix="gradcheck-fuzz-") as tmp:
        jobs = [(pid, engines, Path(tmp), Path(out)) for pid in pids]
        if workers > 1:
            ctx = multiprocessing.get_context("fork")
            with ctx.Pool(workers, initializer=_worker_init) as pool:
                results = pool.imap(_one, jobs, chunksize=4)
                _collect(results, totals, progress)
        else:
            _worker_init()
            _collect(map(_one, jobs), totals, progress)
    return totals


def _collect(results, totals: dict[str, Tally], progress) -> None:
    for i, tallies in enumerate(results, 1):
        for label, tally in tallies.items():
            totals[label].add(tally)
        if progress and i % 100 == 0:
            progress(f"{i} programs")


COLUMNS = (
    ("engine", None),
    ("programs", "programs"),
    ("checks", "checks"),
    ("false FAIL rows (programs)", None),
    ("FAIL, A no subgradient", "fail_oracle_outside"),
    ("false PASS", "false_pass"),
    ("crashes", "crashes"),
    ("WEAK rows", "weak_rows"),
    ("KINK rows (no kink)", None),
    ("planted caught", None),
    ("planted WEAK", "planted_weak"),
    ("planted KINK, kinked", "planted_kink_excused"),
    ("seconds", None),
)


def table(totals: dict[str, Tally]) -> str:
    """The counts, one markdown row per engine."""
    lines = ["| " + " | ".join(c for c, _ in COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for label, t in totals.items():
        cells = []
        for title, attr in COLUMNS:
            if attr is not None:
                cells.append(str(getattr(t, attr)))
            elif title == "engine":
                cells.append(label)
            elif title.startswith("false FAIL"):
                cells.append(f"{t.false_fail} ({t.false_fail_programs})")
            elif title.startswith("KINK"):
                cells.append(f"{t.kink_rows} ({t.kink_rows_no_kink})")
            elif title == "planted caught":
                cells.append(f"{t.caught} / {t.planted}")
            else:
                cells.append(f"{t.seconds:.1f}")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def classes(totals: dict[str, Tally]) -> str:
    """How many findings of each kind, engine and set of tags."""
    from collections import Counter

    count = Counter(
        (f.kind, f.engine, f.variant.split("-")[0], ", ".join(f.tags) or "-")
        for t in totals.values()
        for f in t.findings
    )
    lines = ["| kind | engine | variant | tags | count |", "|---|---|---|---|---|"]
    lines += [f"| {k} | {e} | {v} | {tags} | {n} |" for (k, e, v, tags), n in sorted(count.items())]
    return "\n".join(lines)


def finding_line(f: Finding) -> str:
    """One line per false verdict or crash: where, which row, A and N, the verdict."""
    if f.kind == "crash":
        return f"{f.kind} [{f.engine}] {f.variant} p{f.program}: {f.detail}\n    {f.path}"
    return (
        f"{f.kind} [{f.engine}] {f.variant} p{f.program}: row {f.row} {f.verdict}, "
        f"worst at {f.index}: A = {f.analytic!r}, N = {f.numeric!r}, resolution "
        f"{f.resolution!r}; {f.detail}\n    {f.path}"
    )


# --------------------------------------------------------------------------- replay and main


def replay(path: Path, engines: list[Engine] | None) -> int:
    """Check a saved program again under its engine (or ``engines``); print every row
    and what was expected. The exit status: 1 where the expectation is not met."""
    _worker_init()
    meta = fuzzgen.load_file(path).FUZZ
    engines = engines or [Engine(meta.get("method", "auto"), meta.get("budget"))]
    print(f"{path}: {meta.get('variant')}, expected: {meta.get('expect')}; {meta.get('note', '')}")
    print(f"kink: {meta.get('kink')}, near kink: {meta.get('near_kink')}, ops: {meta.get('ops')}")
    wrong = 0
    for engine in engines:
        report, crash = run_check(path, engine, Tally())
        print(f"[{engine.label}] " + (f"crash: {crash}" if crash else f"{report.method}"))
        if report is None:
            wrong += 1
            continue
        for g in report.gradients:
            c = g.comparison
            print(
                f"  {g.id:>4} {c.status:<11} resolution {c.resolution!s:<24} worst at "
                f"{c.worst_index}: A = {c.worst_analytic!r}, N = {c.worst_numeric!r}"
                + (f"  ({c.reason})" if c.reason else "")
            )
        statuses = {g.id: g.comparison.status for g in report.gradients}
        _replay_references(meta, report, statuses)
        if meta.get("variant") == "correct":
            wrong += "FAIL" in statuses.values()
        elif meta.get("row"):
            wrong += statuses.get(meta["row"]) != "FAIL"
    return 1 if wrong else 0


def _replay_references(meta: dict, report, statuses: dict) -> None:
    """For each FAIL row of a correct file (or the planted row): the independent
    references at its worst entry (extended-precision differences, complex step, and on
    a kinked program autograd's one-sided derivatives)."""
    if "program" not in meta:
        return
    program = fuzzgen.generate(meta["program"])
    if meta.get("variant") == "correct":
        rows = [r for r, status in statuses.items() if status == "FAIL"]
    else:
        rows = [meta.get("row")]
    for row in rows:
        if row is None or row not in statuses:
            continue
        index = report.row(row).comparison.worst_index
        print(f"  {row} at {index}: {reference_text(program, row, index)}")
        if program.kink and index is not None:
            ns = fuzzgen.load_text(fuzzgen.render(program))
            left, right = fuzzgen.one_sided(ns, program, row, tuple(index))
            print(f"  {row} at {index}: autograd one-sided ({left!r}, {right!r})")


def engines_of(methods: str, fallback: bool) -> list[Engine]:
    """The engines of ``--methods`` (comma-separated), each again with the fallback."""
    names = [m.strip() for m in methods.split(",") if m.strip()]
    return [Engine(m) for m in names] + ([Engine(m, FORCE) for m in names] if fallback else [])


def parse(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--programs", type=int, default=500)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--methods", help="engines, comma-separated (auto,richardson,central)")
    parser.add_argument(
        "--budget-fallback",
        action="store_true",
        help=f"also each method with budget={FORCE:g} (the large-model fallback)",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where failing programs go")
    parser.add_argument("--workers", type=int, default=1, help="processes (programs in parallel)")
    parser.add_argument("--replay", type=Path, help="check one saved program again")
    parser.add_argument(
        "--pids", help="these programs only (comma-separated, as findings name them)"
    )
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse(argv)
    if args.replay:
        chosen = args.methods and engines_of(args.methods, args.budget_fallback)
        return replay(args.replay, chosen or None)
    engines = engines_of(args.methods or "auto,richardson,central", args.budget_fallback)
    start = time.perf_counter()
    pids = [int(p) for p in args.pids.split(",")] if args.pids else None
    totals = run(
        args.programs,
        args.seed,
        engines,
        args.out,
        args.workers,
        progress=lambda s: print(s, file=sys.stderr, flush=True),
        pids=pids,
    )
    print(table(totals))
    kinked = next(iter(totals.values())).kinked
    which = f"{len(pids)} programs" if pids else f"{args.programs} programs, seed {args.seed}"
    print(
        f"\n{which} ({kinked} with an exact kink), "
        f"{time.perf_counter() - start:.0f} s wall; failing programs in {args.out}"
    )
    if any(t.findings for t in totals.values()):
        print("\n" + classes(totals) + "\n")
    for f in (f for t in totals.values() for f in t.findings):
        print(finding_line(f))
    return 1 if any(t.false_fail or t.false_pass or t.crashes for t in totals.values()) else 0


if __name__ == "__main__":
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    sys.exit(main())
