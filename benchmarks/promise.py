"""Is the stated resolution a promise? (run on demand; docs/benchmarks.md)

    python benchmarks/promise.py [--configs 200] [--methods auto,richardson] [--seed 0]
                                 [--directions]

For every random configuration of the built-ins (benchmarks/detection.py's stress set:
every activation, inputs scaled 1e-6 … 1e3, integer-valued leaves, confident softmaxes)
and every row that PASSes or is KINK, a relative error ten times the row's stated
resolution is planted at the entry that sets the resolution and at the largest-|A| entry
that carries the gradient (gradcheck_cli.testing.broken_promises). Each must FAIL.
Prints, per engine: rows checked, errors planted, promises broken (with the first few),
and the time.
"""

import argparse
import time

import numpy as np
from detection import random_config

from gradcheck_cli.engine.checking import Settings
from gradcheck_cli.models import BUILDERS
from gradcheck_cli.testing import broken_promises


def run(method: str, configs: int, seed: int, directions: bool) -> tuple[int, list[str]]:
    """(configurations checked, every broken promise, with its configuration)."""
    rng = np.random.default_rng(seed)
    broken: list[str] = []
    settings = Settings.of(method=method, directions=4 if directions else None)
    for k in range(configs):
        name, opts = random_config(k, rng)
        for line in broken_promises(BUILDERS[name](**opts), settings):
            broken.append(f"{name} {opts}: {line}")
    return configs, broken


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--configs", type=int, default=200)
    parser.add_argument("--methods", default="auto,richardson")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--directions", action="store_true", help="--directions 4")
    args = parser.parse_args()
    print("| method | configurations | promises broken | time |")
    print("|---|---|---|---|")
    shown = []
    for method in args.methods.split(","):
        start = time.perf_counter()
        configs, broken = run(method, args.configs, args.seed, args.directions)
        print(f"| {method} | {configs} | {len(broken)} | {time.perf_counter() - start:.0f} s |")
        shown += [f"   [{method}] {line}" for line in broken[:5]]
    print("\n".join(shown))


if __name__ == "__main__":
    main()
