"""gradcheck's estimates against what happens: seconds, peak memory, workers (on demand).

    python benchmarks/estimates.py [--repeats 3] [--cases residual-256,mlp,...]
                                   [--what time,memory,jobs,budget] [--generated 3]

For each case (a built-in at a size, a benchmark model file, a generated model file):

- **time**: estimate.seconds' "every entry" (what --budget compares with), computed in a
  fresh process as the check computes it, against the median wall time of whole
  processes of ``gradcheck … -q --budget inf --jobs 1`` (ratio estimate / measured);
- **memory**: estimate.held_bytes (what --max-memory compares with) against the peak
  resident set of the same process (``resource.getrusage`` of the child);
- **jobs**: the same check with ``--jobs 1`` and ``--jobs 2`` (workers only where they
  win: workers.py);
- **budget**: the default (``--budget 10``) whole process, against the budget.

Timings on a shared 2-core machine move from run to run: medians of ``--repeats``
processes (one where it takes over 30 s), and ratios within one run. Generated model
files are dense tanh MLPs of random widths (seeded), written to a temporary directory.
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
MODELS = HERE / "models"

CASES = {
    "residual-256": ["residual", "--d", "256"],
    "residual-1024": ["residual", "--d", "1024"],
    "residual-2048": ["residual", "--d", "2048"],
    "residual-4000": ["residual", "--d", "4000"],
    "softmax-large": ["softmax", "--n", "100", "--d", "1000", "--batch", "8"],
    "mlp": ["check", str(MODELS / "mlp.py")],
    "conv": ["check", str(MODELS / "conv.py")],
    "attention": ["check", str(MODELS / "attention.py")],
}
MEMORY_SIZES = [1000, 2000, 4000, 6000, 8000]

GENERATED = '''"""A generated tanh MLP {d}-{h}-{c}, batch {b} (benchmarks/estimates.py)."""
import numpy as np

D, H, C, B = {d}, {h}, {c}, {b}


def init(rng):
    return {{
        "W1": rng.standard_normal((H, D)) / np.sqrt(D),
        "W2": rng.standard_normal((C, H)) / np.sqrt(H),
        "x": rng.standard_normal((D, B)),
        "t": rng.standard_normal((C, B)),
    }}


TARGETS = ["t"]


def forward(p, tap):
    z = tap("z", p["W1"] @ p["x"])
    h = np.tanh(z)
    y = p["W2"] @ h
    return 0.5 * np.sum((y - p["t"]) ** 2) / B


def backward(v):
    p = v
    z = p["W1"] @ p["x"]
    h = np.tanh(z)
    y_bar = (p["W2"] @ h - p["t"]) / B
    h_bar = p["W2"].T @ y_bar
    z_bar = h_bar * (1 - h**2)
    return {{
        "W2": y_bar @ h.T,
        "W1": z_bar @ p["x"].T,
        "x": p["W1"].T @ z_bar,
        "z": z_bar,
    }}
'''

ESTIMATE = """
import json, sys
from dataclasses import asdict
from gradcheck_cli import api
from gradcheck_cli.cli import app
from gradcheck_cli.options.resolve import resolve
from gradcheck_cli.engine import checking, estimate
from gradcheck_cli.engine.numeric import complex_safe
args = json.loads(sys.argv[1])
name, options = args[0], {}
rest = args[1:]
if name == "check":
    options["path"], rest = rest[0], rest[1:]
    name = "file"
for flag, value in zip(rest[::2], rest[1::2]):
    key = flag.lstrip("-").replace("-", "_")
    options[key] = int(value) if value.isdigit() else value
cfg = resolve(name, None, options)
model = api._build(cfg)
env = model.forward()
method = "complex" if complex_safe(model, env) else "richardson"
cost = estimate.seconds(model, env, method)
print(json.dumps({"every": cost.every_entry, "numeric": cost.numeric, "passes": cost.passes,
                  "arrays": cost.arrays, "fallback": cost.fallback(0.0),
                  "entries": cost.entries, "bytes": checking.estimate_bytes(model),
                  "bytes_fallback": checking.estimate_bytes(model, fallback=True)}))
"""


WRAPPER = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
out = subprocess.run(sys.argv[1:], capture_output=True, text=True)
took = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
print(json.dumps([took, peak, out.returncode, out.stdout + out.stderr]))
"""


def run(args: list[str]) -> tuple[float, int, str]:
    """Wall seconds and peak resident bytes (getrusage of its own wrapper's only child)
    of one whole gradcheck process; its output."""
    out = subprocess.run(
        [sys.executable, "-c", WRAPPER, sys.executable, "-m", "gradcheck_cli", *args],
        capture_output=True,
        text=True,
        check=True,
    )
    took, peak, code, text = json.loads(out.stdout)
    if code not in (0, 1, 3):
        raise SystemExit(f"{' '.join(args)}: exit {code}: {text.strip()}")
    return took, peak, text


def estimated(args: list[str]) -> dict:
    """estimate.seconds and estimate_bytes of a case, in a fresh process (one BLAS
    thread, as the command line runs)."""
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    out = subprocess.run(
        [sys.executable, "-c", ESTIMATE, json.dumps(args)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    return json.loads(out.stdout)


_RUNS: dict[tuple, tuple[float, int]] = {}


def median_run(args: list[str], repeats: int) -> tuple[float, int]:
    """Median seconds and largest peak of ``repeats`` processes (one where the first took
    over LONG seconds); each command measured once per run of this script."""
    key = tuple(args)
    if key not in _RUNS:
        runs = [run(args)]
        while len(runs) < repeats and runs[0][0] < LONG:
            runs.append(run(args))
        _RUNS[key] = statistics.median(r[0] for r in runs), max(r[1] for r in runs)
    return _RUNS[key]


LONG = 30.0


def generated(count: int, where: Path) -> dict:
    """``count`` generated tanh MLP files (seeded widths)."""
    import random

    rng = random.Random(23)
    cases = {}
    for k in range(count):
        d, h, c, b = rng.choice([64, 200, 500]), rng.choice([32, 100, 300]), 10, rng.choice([4, 16])
        path = where / f"gen{k}.py"
        path.write_text(GENERATED.format(d=d, h=h, c=c, b=b))
        cases[f"generated {d}-{h}-{c} b{b}"] = ["check", str(path)]
    return cases


def time_table(cases: dict, repeats: int) -> None:
    """Estimated seconds against whole processes; the estimate is of the check, so the
    start-up (``gradcheck residual --d 8 -q``, measured in the same run) is added."""
    start, _ = median_run(["residual", "--d", "8", "-q", "--budget", "inf"], 2 * repeats + 1)
    print(f"start-up (`gradcheck residual --d 8 -q`, median): {start:.2f} s\n")
    print(
        "| case | entries | estimated every entry | + start-up | measured (--budget inf "
        "--jobs 1) | (estimate + start-up) / measured | peak RSS | estimated bytes | "
        "bytes: estimate / peak |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for name, args in cases.items():
        e = estimated(args)
        took, peak = median_run([*args, "-q", "--budget", "inf", "--jobs", "1"], repeats)
        print(
            f"| {name} | {e['entries']:,} | {e['every']:.2f} s | {e['every'] + start:.2f} s | "
            f"{took:.2f} s | {(e['every'] + start) / took:.2f} | {peak / 2**20:.0f} MiB | "
            f"{e['bytes'] / 2**20:.0f} MiB | {e['bytes'] / peak:.2f} |",
            flush=True,
        )


def memory_table(sizes: list[int]) -> None:
    """The estimate of the path the default budget took (every entry, or directions and
    a sample: its note says which) against the whole process's peak."""
    print(
        "| gradcheck residual --d | checked by | estimated | peak RSS (default budget) | "
        "estimate / peak | time |"
    )
    print("|---|---|---|---|---|---|")
    for d in sizes:
        args = ["residual", "--d", str(d)]
        e = estimated(args)
        took, peak, text = run([*args, "--format", "json"])
        fallback = "directional derivatives and" in " ".join(text.split())
        est = e["bytes_fallback"] if fallback else e["bytes"]
        print(
            f"| {d} | {'directions, a sample' if fallback else 'every entry'} | "
            f"{est / 2**30:.2f} GiB | {peak / 2**30:.2f} GiB | {est / peak:.2f} | {took:.1f} s |",
            flush=True,
        )


def jobs_table(cases: dict, repeats: int) -> None:
    print("| case | --jobs 1 | --jobs 2 | jobs 2 / jobs 1 |")
    print("|---|---|---|---|")
    for name, args in cases.items():
        one, _ = median_run([*args, "-q", "--budget", "inf", "--jobs", "1"], repeats)
        two, _ = median_run([*args, "-q", "--budget", "inf", "--jobs", "2"], repeats)
        print(f"| {name} | {one:.2f} s | {two:.2f} s | {two / one:.2f} |", flush=True)


BUDGET_CASES = {  # beyond the time table's: where every entry takes longer than the budget
    "residual-6000": ["residual", "--d", "6000"],
    "residual-8000": ["residual", "--d", "8000"],
}


def budget_table(cases: dict, repeats: int) -> None:
    """The default whole process against the budget, and against the time its note says
    the path it took would take (where it says one: over the budget)."""
    print("| case | default (--budget 10) | what it did | the note's estimate | measured / it |")
    print("|---|---|---|---|---|")
    for name, args in {**cases, **BUDGET_CASES}.items():
        runs = [run([*args])]
        while len(runs) < repeats and runs[0][0] < LONG:
            runs.append(run([*args]))
        took = statistics.median(r[0] for r in runs)
        text = " ".join(runs[0][2].split())
        every = "every entry is checked" in text or "directional derivatives and" not in text
        said = re.search(EVERY_SAID if every else FALLBACK_SAID, text)
        did = "every entry" if every else "fallback"
        if said is None:
            print(f"| {name} | {took:.2f} s | {did} | — | — |", flush=True)
            continue
        stated = float(said.group(1))
        print(f"| {name} | {took:.2f} s | {did} | {stated:g} s | {took / stated:.2f} |", flush=True)


# what a note says the path taken takes: every entry over the budget, or the fallback
EVERY_SAID = r"every entry takes about ([0-9.e+-]+) s,"
FALLBACK_SAID = r"directional derivatives and .*?, about ([0-9.e+-]+) s;"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--cases", default=",".join(CASES))
    ap.add_argument("--what", default="time,memory,jobs,budget")
    ap.add_argument("--generated", type=int, default=3)
    ap.add_argument("--sizes", default=",".join(map(str, MEMORY_SIZES)))
    a = ap.parse_args()
    what = a.what.split(",")
    cases = {k: CASES[k] for k in a.cases.split(",") if k}
    with tempfile.TemporaryDirectory() as tmp:
        cases.update(generated(a.generated, Path(tmp)))
        print(f"load average at the start: {os.getloadavg()[0]:.2f}\n")
        if "time" in what:
            time_table(cases, a.repeats)
            print()
        if "memory" in what:
            memory_table([int(s) for s in a.sizes.split(",")])
            print()
        if "jobs" in what:
            jobs_table(cases, a.repeats)
            print()
        if "budget" in what:
            budget_table(cases, a.repeats)


if __name__ == "__main__":
    main()
