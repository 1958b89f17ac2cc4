"""Sensitivity and specificity of the verdicts, per engine (run on demand).

    python benchmarks/detection.py [--configs 10000] [--methods auto,richardson,central]
    python benchmarks/detection.py --configs 1000 --methods auto --dtype float32
    python benchmarks/detection.py --configs 2000 --methods auto --directions 4 --no-sensitivity

Specificity: correct random configurations (every activation, d 1–64, batch 1–8, inputs
scaled 1e-6…1e3, a fifth with integer-valued leaves; softmax N 2–20, D 1–32, logits up to
a few hundred) and counts false FAILs.
Sensitivity: for the residual model (every activation, d = 8) and the softmax (N = 10),
multiplies one entry of one analytic adjoint by (1 + δ) — the largest-|g|, the median
and the smallest-|g| nonzero entry of each tensor — and finds the smallest δ in
1e-1 … 1e-12 that is still caught on that row.
"""

import argparse
import time
from collections import defaultdict

import numpy as np

from gradcheck_cli.models import BUILDERS
from gradcheck_cli.models.builtin.activations import ACTIVATIONS
from gradcheck_cli.pipeline import Settings, run_check
from gradcheck_cli.testing import plant_error

DELTAS = [10.0**-k for k in range(1, 13)]


def random_config(k: int, rng, stress: bool = True):
    if not stress:  # ordinary scales: float32 cannot hold inputs of 1e-6 … 1e3 through a net
        if k % 3:
            return "residual", dict(
                d=int(rng.integers(1, 65)),
                activation=list(ACTIVATIONS)[k % 9],
                batch=int(rng.integers(1, 9)),
                seed=k,
            )
        return "softmax", dict(
            n=int(rng.integers(2, 21)),
            d=int(rng.integers(1, 33)),
            batch=int(rng.integers(1, 9)),
            seed=k,
            bias=bool(k % 2),
        )
    if k % 3:
        return "residual", dict(
            d=int(rng.integers(1, 65)),
            activation=list(ACTIVATIONS)[k % 9],
            batch=int(rng.integers(1, 9)),
            seed=k,
            scale=float(10 ** rng.uniform(-6, 3)),
            integers=bool(k % 5 == 0),
        )
    return "softmax", dict(
        n=int(rng.integers(2, 21)),
        d=int(rng.integers(1, 33)),
        batch=int(rng.integers(1, 9)),
        seed=k,
        scale=float(10 ** rng.uniform(-6, 2)),
        integers=bool(k % 5 == 0),
        bias=bool(k % 2),
    )


def specificity(method: str, configs: int, dtype: str = "float64", directions: int | None = None):
    rng = np.random.default_rng(2026)
    false, kinks, weak, where = 0, 0, 0, []
    for k in range(configs):
        model, opts = random_config(k, rng, stress=dtype == "float64")
        report = run_check(
            BUILDERS[model](**opts),
            Settings.of(method=method, dtype=dtype, directions=directions, seed=k),
        )
        bad = [r.id for r in report.gradients if r.comparison.status == "FAIL"]
        false += bool(bad)
        kinks += report.count("KINK")
        weak += report.count("WEAK") > 0
        if bad and len(where) < 5:
            where.append((model, opts, bad))
    return false, kinks, weak, where


def planted(model_name, opts, target, index, delta, method, dtype="float64"):
    model = plant_error(BUILDERS[model_name](**opts), target, index, delta)
    row = run_check(model, Settings.of(method=method, dtype=dtype)).row(target)
    return row.comparison.status == "FAIL"


def sensitivity(method: str, dtype: str = "float64"):
    cases = [("residual", dict(d=8, activation=a, seed=s)) for a in ACTIVATIONS for s in range(2)]
    cases += [("softmax", dict(n=10, d=5, seed=s)) for s in range(4)]
    smallest = defaultdict(list)  # position -> smallest caught δ per (case, tensor)
    for name, opts in cases:
        model = BUILDERS[name](**opts)
        env = model.forward()
        good = model.backward(env)
        for target in model.checked():
            g = np.abs(good[target])
            nonzero = np.flatnonzero(g > 0)
            if nonzero.size == 0:
                continue
            order = nonzero[np.argsort(g.ravel()[nonzero])]
            for position, flat in (
                ("largest", order[-1]),
                ("median", order[len(order) // 2]),
                ("smallest", order[0]),
            ):
                index = np.unravel_index(flat, g.shape)
                caught = [d for d in DELTAS if planted(name, opts, target, index, d, method, dtype)]
                smallest[position].append(min(caught) if caught else np.inf)
    return {p: (max(v), float(np.median(v))) for p, v in smallest.items()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--configs", type=int, default=10000)
    ap.add_argument("--methods", default="auto,richardson,central")
    ap.add_argument("--dtype", default="float64", choices=["float64", "float32"])
    ap.add_argument("--directions", type=int, default=None, help="check with --directions R")
    ap.add_argument("--no-sensitivity", action="store_true", help="false FAILs only")
    args = ap.parse_args()
    print(
        "| method | correct configurations | with a false FAIL | with a WEAK row | KINK rows "
        "| δ caught on every tensor: largest / median / smallest-|g| entry (median over tensors) "
        "| time |"
    )
    print("|---|---|---|---|---|---|---|")
    for method in args.methods.split(","):
        t0 = time.perf_counter()
        false, kinks, weak, where = specificity(method, args.configs, args.dtype, args.directions)
        cells = "—"
        if not args.no_sensitivity:
            sens = sensitivity(method, args.dtype)
            cells = " / ".join(
                f"{sens[p][0]:.0e} ({sens[p][1]:.0e})" for p in ("largest", "median", "smallest")
            )
        label = (
            method
            + ("" if args.dtype == "float64" else ", " + args.dtype)
            + (f", --directions {args.directions}" if args.directions else "")
        )
        print(
            f"| {label} | {args.configs} | {false} | {weak} | {kinks} | {cells} "
            f"| {time.perf_counter() - t0:.0f} s |"
        )
        for item in where:
            print("   false FAIL:", item)


if __name__ == "__main__":
    main()
