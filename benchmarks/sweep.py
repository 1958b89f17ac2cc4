"""Specificity and sensitivity sweep of the default verdicts (run on demand).

    python benchmarks/sweep.py [--seeds 200] [--method auto|complex|central]

Checks every correct built-in configuration over seeds 0..S-1 (residual: every
activation, d drawn from 1..32, batch from 1..4; softmax: N from 2..20, D from 1..32,
batch 1..4, with and without bias) and counts false FAILs and KINK rows; then injects
every bug wherever it changes the gradient and counts the misses. Prints the worst
margin: the largest err/bound seen on a correct gradient (a FAIL is err/bound > 1).
"""

import argparse
import time
from collections import Counter

import numpy as np

from gradcheck_cli.models import BUILDERS
from gradcheck_cli.models.builtin import bugs
from gradcheck_cli.models.builtin.activations import ACTIVATIONS
from gradcheck_cli.pipeline import Settings, run_check


def configs(seeds: int):
    rng = np.random.default_rng(12345)
    for seed in range(seeds):
        for act in ACTIVATIONS:
            yield (
                "residual",
                dict(
                    d=int(rng.integers(1, 33)),
                    activation=act,
                    batch=int(rng.integers(1, 5)),
                    seed=seed,
                ),
            )
        for bias in (True, False):
            yield (
                "softmax",
                dict(
                    n=int(rng.integers(2, 21)),
                    d=int(rng.integers(1, 33)),
                    bias=bias,
                    batch=int(rng.integers(1, 5)),
                    seed=seed,
                ),
            )


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=200)
    ap.add_argument("--method", default="auto", choices=["auto", "complex", "central"])
    args = ap.parse_args()
    settings = Settings.of(method=args.method)
    t0 = time.perf_counter()
    runs, false_fails, kink_rows, worst = 0, [], 0, (0.0, None)
    missed, caught, inert = [], Counter(), 0
    for model, opts in configs(args.seeds):
        report = run_check(BUILDERS[model](**opts), settings, opts)
        runs += 1
        for row in report.gradients:
            c = row.comparison
            if c.status == "FAIL":
                false_fails.append((model, opts, row.id, c.max_rel, c.reason))
            kink_rows += c.status == "KINK"
            if c.ratio > worst[0]:
                worst = (c.ratio, (model, opts, row.id))
        for bug in bugs.bugs_for(model).values():
            if bug.inert(opts):
                inert += 1
                continue
            m = BUILDERS[model](**opts)
            m = bugs.inject(m, bug)
            r = run_check(m, settings, opts)
            failing = [row.id for row in r.gradients if row.comparison.status == "FAIL"]
            if failing == [bug.target]:
                caught[bug.name] += 1
            else:
                missed.append((model, opts, bug.name, failing))
    elapsed = time.perf_counter() - t0
    print(f"method {args.method}, seeds 0..{args.seeds - 1}")
    print(
        f"correct configurations: {runs}, rows with a false FAIL: {len(false_fails)}, "
        f"KINK rows: {kink_rows}"
    )
    print(f"worst err/bound on a correct gradient: {worst[0]:.3g} at {worst[1]}")
    print(
        f"injected bugs caught on exactly their row: {sum(caught.values())}, "
        f"missed: {len(missed)}, inert (skipped): {inert}"
    )
    for item in false_fails[:10] + missed[:10]:
        print("  ", item)
    print(f"elapsed {elapsed:.1f} s")


if __name__ == "__main__":
    main()
