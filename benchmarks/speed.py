"""Speed of a whole check against the peers, side by side in one run (run on demand).

    python -m pip install -e ".[bench]"     # scipy, torch 2.13.0, jax: never runtime deps
    python benchmarks/speed.py [--sizes 8,32,64,128,256] [--repeats 5] [--start-up]

The tanh residual net (W1, W2, x checked), in-process medians: gradcheck's complex-step
(default) and central engines; torch.autograd.gradcheck (default and fast_mode),
jax.test_util.check_grads (float64, reverse mode, order 1) and scipy.optimize.check_grad,
each where installed (a peer that is missing is reported as such). Each is called once
before it is timed (imports, jax's dispatch caches). The process keeps freed memory for
the next arrays as the command line does (cli.keep_freed_memory), for every check timed
in it: torch's and jax's too. Then the whole per-entry check and
--directions at d = 2048 (in-process, and as whole processes), and process start-up:
`python -c pass`, `import numpy`, the libraries `gradcheck residual` loads imported alone
(numpy, numpy.random, typer, rich; one BLAS thread, as gradcheck runs), `gradcheck
--help`, `gradcheck residual --d 8`, and `gradcheck residual --d 256` against
the same check through torch and through jax in a script (bytecode cached, as on a
user's machine; once more with PYTHONDONTWRITEBYTECODE=1). --start-up: that table only.
"""

import argparse
import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

from gradcheck_cli.cli import keep_freed_memory
from gradcheck_cli.engine.workers import SINGLE_THREADED
from gradcheck_cli.models import BUILDERS
from gradcheck_cli.pipeline import Settings, run_check


def median_time(fn, repeats, warm=False):
    if warm:
        fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def leaves(d):
    v = BUILDERS["residual"](d=d).values
    return v["W1"], v["W2"], v["x"], v["t"]


def torch_check(d, fast):
    import torch

    W1, W2, x, t = (
        torch.tensor(a, dtype=torch.float64, requires_grad=k < 3) for k, a in enumerate(leaves(d))
    )

    def loss(W1, W2, x):
        y = W2 @ (torch.tanh(W1 @ x) + x)
        return 0.5 * ((y - t) ** 2).sum()

    return lambda: torch.autograd.gradcheck(loss, (W1, W2, x), fast_mode=fast)


def jax_check(d):
    import jax

    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    from jax.test_util import check_grads

    W1, W2, x, t = (jnp.asarray(a) for a in leaves(d))

    def loss(W1, W2, x):
        y = W2 @ (jnp.tanh(W1 @ x) + x)
        return 0.5 * jnp.sum((y - t) ** 2)

    return lambda: check_grads(loss, (W1, W2, x), order=1, modes=("rev",))


def scipy_check(d):
    from scipy.optimize import check_grad

    W1, W2, x, t = leaves(d)
    sizes = [W1.size, W2.size, x.size]
    model = BUILDERS["residual"](d=d)

    def unpack(theta):
        a, b = sizes[0], sizes[0] + sizes[1]
        return theta[:a].reshape(W1.shape), theta[a:b].reshape(W2.shape), theta[b:].reshape(x.shape)

    def f(theta):
        W1_, W2_, x_ = unpack(theta)
        return float(np.sum((W2_ @ (np.tanh(W1_ @ x_) + x_) - t) ** 2) / 2)

    def g(theta):
        W1_, W2_, x_ = unpack(theta)
        env = dict(model.values, W1=W1_, W2=W2_, x=x_)
        for step in model.steps:
            env[step.name] = step.fn(*(env[i] for i in step.inputs))
        adj = model.backward(env)
        return np.concatenate([adj["W1"].ravel(), adj["W2"].ravel(), adj["x"].ravel()])

    theta = np.concatenate([W1.ravel(), W2.ravel(), x.ravel()])
    return lambda: check_grad(f, g, theta)


# As a user's machine runs it: bytecode cached (PYTHONDONTWRITEBYTECODE, set on some
# machines, makes Python compile gradcheck's own modules at every start: reported apart).
CACHED = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def process(cmd, repeats=7, env=None):
    env = CACHED if env is None else env
    subprocess.run(cmd, capture_output=True, check=False, env=env)  # writes the bytecode
    return median_time(
        lambda: subprocess.run(cmd, capture_output=True, check=False, env=env), repeats
    )


def cell(t):
    """A time as the table shows it: ms under a second, "—" for none."""
    return "—" if t is None else f"{t * 1e3:.1f} ms" if t < 1 else f"{t:.2f} s"


def size_row(d, reps, has):
    """The table's row for size d: gradcheck's two engines and each installed peer."""

    def peer(name, make):
        return median_time(make(), reps, warm=True) if has[name] else None

    def missing(name, t):
        return cell(t) if has[name] else "not installed"

    ours = median_time(lambda: run_check(BUILDERS["residual"](d=d)), reps, warm=True)
    central = median_time(
        lambda: run_check(BUILDERS["residual"](d=d), Settings.of(method="central")), reps
    )
    torch_t = peer("torch", lambda: torch_check(d, False))
    fast_t = peer("torch", lambda: torch_check(d, True))
    scipy_t = peer("scipy", lambda: scipy_check(d))
    jax_t = peer("jax", lambda: jax_check(d))
    ratio = "—" if torch_t is None else f"{torch_t / ours:.0f}×"
    return (
        f"| {d} ({d * d + 2 * d:,}) | {cell(ours)} | {cell(central)} "
        f"| {missing('torch', torch_t)} | {missing('torch', fast_t)} "
        f"| {missing('scipy', scipy_t)} | {missing('jax', jax_t)} | {ratio} |"
    )


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="8,32,64,128,256")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--start-up", action="store_true", help="only the processes' start-up table")
    args = ap.parse_args()
    has = {name: importlib.util.find_spec(name) is not None for name in ("torch", "scipy", "jax")}
    if not args.start_up:
        keep_freed_memory()  # (as `gradcheck` runs a check; the peers run under it too)
        in_process(args, has)
    start_up(has)


def in_process(args, has):
    """The in-process tables: each size against the peers, then d = 2048."""
    print(
        "| d (entries) | gradcheck complex | gradcheck central | torch gradcheck | torch fast_mode "
        "| scipy check_grad | jax check_grads | torch / gradcheck complex |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for d in map(int, args.sizes.split(",")):
        reps = args.repeats if d <= 128 else max(1, args.repeats // 2)
        print(size_row(d, reps, has))
    full = median_time(lambda: run_check(BUILDERS["residual"](d=2048)), 3)
    t = median_time(lambda: run_check(BUILDERS["residual"](d=2048), Settings.of(directions=4)), 3)
    print(
        f"\nd = 2048 ({2048 * 2048 + 2 * 2048:,} entries), whole check: every entry {cell(full)}, "
        f"--directions 4 {cell(t)}"
    )


NUMPY = "python -c 'import numpy'"
# What `gradcheck residual --d 8` imports besides its own modules, imported alone: its floor
LIBRARIES = "import numpy, numpy.random, typer, rich.console, rich.table"


TOUCH = "import numpy; numpy.ones(2**27)"  # 1 GiB of float64, touched once


def start_up(has):
    """Whole processes, bytecode cached (once more without): start-up and the large checks."""
    exe = [sys.executable, "-m", "gradcheck_cli"]
    script = os.path.join(os.path.dirname(sys.executable), "gradcheck")
    cli = [script] if os.path.exists(script) else exe
    rows = [
        ("python -c pass", [sys.executable, "-c", "pass"]),
        (NUMPY, [sys.executable, "-c", "import numpy"]),
        (f"python -c '{LIBRARIES}'", [sys.executable, "-c", LIBRARIES]),
        ("gradcheck --help", cli + ["--help"]),
        ("gradcheck residual --d 8", cli + ["residual", "--d", "8"]),
        ("gradcheck residual --d 8, PYTHONDONTWRITEBYTECODE=1", cli + ["residual", "--d", "8"]),
        ("gradcheck residual --d 256", cli + ["residual", "--d", "256", "-q"]),
        (
            "gradcheck residual --d 2048 --budget inf",
            cli + ["residual", "--d", "2048", "-q", "--budget", "inf"],
        ),
        (
            "gradcheck residual --d 2048 --directions 4",
            cli + ["residual", "--d", "2048", "-q", "--directions", "4"],
        ),
        # the machine's own cost of memory a process touches first (a virtual machine's
        # page faults can cost 30 times a bare one's): d = 2048 touches about 0.6 GiB
        (f"python -c '{TOUCH}'", [sys.executable, "-c", TOUCH]),
    ]
    here = os.path.dirname(os.path.abspath(__file__))
    for name, call in (
        ("torch", "speed.torch_check(256, False)()"),
        ("jax", "speed.jax_check(256)()"),
    ):
        if has[name]:
            with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as fh:
                fh.write(f"import sys; sys.path.insert(0, {here!r})\nimport speed\n{call}\n")
            rows.append((f"{name} check, d = 256, as a script", [sys.executable, fh.name]))
    print("\n| process | median |\n|---|---|")
    base = ours_256 = None
    for label, cmd in rows:
        env = None
        if "PYTHONDONTWRITEBYTECODE" in label:
            env = {**CACHED, "PYTHONDONTWRITEBYTECODE": "1"}
        elif LIBRARIES in label:  # one BLAS thread, as the command line sets it
            env = {**CACHED, **SINGLE_THREADED}
        t = process(cmd, 3 if any(k in label for k in ("256", "2048", TOUCH)) else 21, env)
        base = t if label == NUMPY else base
        ours_256 = t if label == "gradcheck residual --d 256" else ours_256
        if "2048" in label or TOUCH in label:
            ratio = ""
        elif label.startswith("gradcheck") or LIBRARIES in label:
            ratio = f" ({t / base:.2f}× import numpy)"
        else:
            ratio = (
                f" ({t / ours_256:.1f}× gradcheck residual --d 256)" if "script" in label else ""
            )
        print(f"| `{label}` | {t * 1e3:.0f} ms{ratio} |")


if __name__ == "__main__":
    main()
