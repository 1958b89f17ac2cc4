"""Accuracy of each engine against the exact gradient (run on demand).

    python benchmarks/accuracy.py

The tanh residual net at d = 8, float64: for every engine, the largest relative error
over all entries of W̄1, W̄2 and x̄ — entry-relative (|N − A| / |A|) and tensor-relative
(|N − A| / max|A|) — with the model evaluations it spent per entry (counted as they are
made: Richardson's retried entries count twice), and the median time of
a whole check in-process.
"""

import statistics
import time

import numpy as np

from gradcheck_cli.engine.numeric import differentiate
from gradcheck_cli.models import BUILDERS
from gradcheck_cli.pipeline import Settings, run_check

METHODS = ("forward", "central", "richardson", "complex")


def main():
    model = BUILDERS["residual"](d=8, activation="tanh")
    env = model.forward()
    exact = model.backward(env)
    print(
        "| engine | evaluations per entry | max entry-relative error | max tensor-relative error "
        "| whole check, median of 20 |"
    )
    print("|---|---|---|---|---|")
    for method in METHODS:
        entry, tensor, counted, entries = 0.0, 0.0, [], 0
        for name in ("W1", "W2", "x"):
            N = differentiate(model, env, name, method=method, progress=counted.append).value
            entries += int(np.size(env[name]))
            err = np.abs(N - exact[name])
            entry = max(entry, float(np.max(err / np.abs(exact[name]))))
            tensor = max(tensor, float(np.max(err) / np.abs(exact[name]).max()))
        times = []
        for _ in range(20):
            t0 = time.perf_counter()
            run_check(BUILDERS["residual"](d=8), Settings.of(method=method))
            times.append(time.perf_counter() - t0)
        print(
            f"| {method} | {sum(counted) / entries:.3g} | {entry:.1e} | {tensor:.1e} "
            f"| {1e3 * statistics.median(times):.1f} ms |"
        )


if __name__ == "__main__":
    main()
