"""Directional mode at scale: false FAILs and the detection curve (run on demand).

    python benchmarks/directions.py [--d 2048] [--seeds 20] [--directions 4]
                                    [--activations tanh,relu]

For each seed (activation cycling through --activations, all nine by default): checks
the correct residual net with --directions, then plants a relative error of 1e-8 in one
entry of W̄1 — the largest, the median and the smallest nonzero |g| — and counts the
seeds where the check fails and names that exact entry; then, per activation, the
misses on the median entry.
"""

import argparse
import statistics
import time

import numpy as np

from gradcheck_cli.models import BUILDERS
from gradcheck_cli.models.builtin.activations import ACTIVATIONS
from gradcheck_cli.pipeline import Settings, run_check
from gradcheck_cli.testing import plant_error


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--d", type=int, default=2048)
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--directions", type=int, default=4)
    ap.add_argument("--delta", type=float, default=1e-8)
    ap.add_argument("--activations", default=",".join(ACTIVATIONS))
    args = ap.parse_args()
    acts = args.activations.split(",")
    false, times, found = 0, [], {"largest": 0, "median": 0, "smallest": 0}
    missed = {a: 0 for a in acts}
    for seed in range(args.seeds):
        act = acts[seed % len(acts)]
        settings = Settings.of(directions=args.directions, seed=seed)
        t0 = time.perf_counter()
        false += (
            run_check(BUILDERS["residual"](d=args.d, activation=act, seed=seed), settings).status
            == "FAIL"
        )
        times.append(time.perf_counter() - t0)
        model = BUILDERS["residual"](d=args.d, activation=act, seed=seed)
        g = np.abs(model.backward(model.forward())["W1"])
        order = np.argsort(g.ravel())
        order = order[g.ravel()[order] > 0]
        for where, flat in (
            ("largest", order[-1]),
            ("median", order[len(order) // 2]),
            ("smallest", order[0]),
        ):
            index = tuple(int(i) for i in np.unravel_index(flat, g.shape))
            m = plant_error(
                BUILDERS["residual"](d=args.d, activation=act, seed=seed), "W1", index, args.delta
            )
            c = run_check(m, settings).row("W1").comparison
            hit = c.status == "FAIL" and c.worst_index == index
            found[where] += hit
            missed[act] += where == "median" and not hit
    n = args.seeds
    print(
        f"d = {args.d} ({args.d**2 + 2 * args.d:,} entries), --directions {args.directions}, "
        f"{n} seeds, activations {', '.join(acts)}:"
    )
    print(
        f"  correct model: {false} false FAILs; median whole check {statistics.median(times):.2f} s"
    )
    print(
        f"  relative error {args.delta:g} in one entry of W̄1, failed and located: "
        + ", ".join(f"{k} {v}/{n}" for k, v in found.items())
    )
    print(
        "  median entry missed, by activation: " + ", ".join(f"{a} {k}" for a, k in missed.items())
    )


if __name__ == "__main__":
    main()
