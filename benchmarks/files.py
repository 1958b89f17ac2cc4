"""Model files of a realistic size: speed and sensitivity, in one run (run on demand).

    python -m pip install -e ".[bench]"     # torch 2.13.0: never a run-time dependency
    python benchmarks/files.py [--models mlp,conv,attention] [--repeats 3]

The model files of benchmarks/models/ (mlp: a 784-128-10 tanh MLP; conv: a 3→16 3×3
convolution with tanh; attention: single-head self-attention), seed 0. Speed, as medians
of --repeats whole processes of `python -m gradcheck_cli check FILE -q`:

- with the default settings (the default --budget: beyond it, 4 directional derivatives
  per tensor);
- every entry: --budget inf --jobs 1 and --jobs 2 ("n/a" while `gradcheck check --help`
  offers no --jobs: then --budget inf alone), and that time per checked entry; beside it,
  one complex-step forward of the file (one entry of a checked leaf or tapped
  intermediate stepped by 1e-20 i; the fastest of 15 calls), averaged over the checked
  entries, in a process with one BLAS thread as the command line's;
- torch.autograd.gradcheck, default and fast_mode, in-process (float64) medians, on the
  same hand-written backward: an autograd.Function whose forward is the file's numpy
  forward and whose backward returns the file's backward() for the checked leaves (torch
  checks leaves only; gradcheck also checks the tapped intermediates); then gradcheck's
  times over torch's default.

Sensitivity, with the default settings: the median-|A| entry of each weight leaf (a 2-D
leaf named W…) times (1 + 1e-8), through a temporary model file that wraps the original
(whole process: exit status and time), and in-process through
gradcheck_cli.testing.plant_error and gradcheck_cli.check: the leaf's row, and the entry
it names; and the MLP with tanh′ slipped
as 1 − z1² (z̄1 = h̄ ∘ (1 − z1²), not 1 − h²). Each planted error is a FAIL to be found:
a PASS there is a false PASS.
"""

import argparse
import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
import time
import timeit

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.join(HERE, "models")
DELTA = 1e-8
VERDICT = {0: "PASS", 1: "FAIL", 3: "WEAK"}
# As a user's machine runs it: bytecode cached (speed.py reports the start-up without)
CACHED = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

WRAPPER = """import importlib.util

import numpy as np

_spec = importlib.util.spec_from_file_location("_wrapped_model", {path!r})
_base = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_base)
TARGETS, init, forward = _base.TARGETS, _base.init, _base.forward

"""

PLANTED = """
def backward(v):
    out = dict(_base.backward(v))
    g = np.array(out[{leaf!r}], dtype=np.float64)
    g[{index!r}] *= 1 + {delta!r}
    out[{leaf!r}] = g
    return out
"""

SLIP = """
def backward(v):  # tanh' as 1 - z1**2: the slip
    out = dict(_base.backward(v))
    h_bar = v["W2"].T @ out["z2"]
    z1_bar = h_bar * (1 - v["z1"] ** 2)
    out.update(z1=z1_bar, W1=z1_bar @ v["x"].T, x=v["W1"].T @ z1_bar)
    out["b1"] = z1_bar.sum(axis=1, keepdims=True)
    return out
"""


def load(path):
    spec = importlib.util.spec_from_file_location("_bench_model", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def evaluate(module, leaves):
    """The loss and every value (leaves and taps) of the file's forward."""
    taps = {}
    loss = module.forward(dict(leaves), lambda name, value: taps.setdefault(name, value))
    return loss, {**leaves, **taps}


def seed0(module):
    return module.init(np.random.default_rng(0))


def checked_entries(module):
    leaves = seed0(module)
    _, values = evaluate(module, leaves)
    return sum(np.size(v) for n, v in values.items() if n not in module.TARGETS)


def stepped_forward(module, leaves, name, value):
    """A call of the file's forward with entry 0 of ``name`` (leaf or tap) stepped by 1e-20 i."""
    stepped = np.array(value, dtype=complex)
    stepped.flat[0] += 1e-20j
    p = {**leaves, name: stepped} if name in leaves else leaves
    return lambda: module.forward(dict(p), lambda n, v: stepped if n == name else v)


def forward_cost(module, repeats=15):
    """Seconds of one complex-step forward, averaged over the checked entries (for each
    checked name, the fastest of ``repeats`` calls: the least disturbed by other work)."""
    leaves = seed0(module)
    checked = {n: v for n, v in evaluate(module, leaves)[1].items() if n not in module.TARGETS}
    sizes = {n: np.size(v) for n, v in checked.items()}
    seconds = {
        n: min(timeit.repeat(stepped_forward(module, leaves, n, v), number=1, repeat=repeats))
        for n, v in checked.items()
    }
    return sum(seconds[n] * sizes[n] for n in sizes) / sum(sizes.values())


def forward_cost_cli(path):
    """forward_cost in a process with one BLAS thread, as the command line runs numpy."""
    from gradcheck_cli.engine.workers import SINGLE_THREADED

    code = f"import files; print(files.forward_cost(files.load({path!r})))"
    env = {**SINGLE_THREADED, **CACHED}  # the environment's own setting wins, as there
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=HERE, env=env, capture_output=True, text=True
    )
    return float(done.stdout)


def median_time(fn, repeats):
    times, result = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def cli(path, flags, repeats):
    """Median seconds of a whole `gradcheck check` process, and its verdict."""
    cmd = [sys.executable, "-m", "gradcheck_cli", "check", path, "-q", *flags]
    run = lambda: subprocess.run(cmd, capture_output=True, env=CACHED)  # noqa: E731
    seconds, done = median_time(run, repeats)
    if done.returncode not in VERDICT:
        sys.exit(f"{' '.join(cmd)}: exit {done.returncode}\n{done.stderr.decode()}")
    return seconds, VERDICT[done.returncode]


def has_jobs():
    cmd = [sys.executable, "-m", "gradcheck_cli", "check", "--help"]
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    return "--jobs" in subprocess.run(cmd, capture_output=True, text=True, env=env).stdout


def torch_loss(module):
    """The file's loss as a torch function of its checked leaves, whose gradient is the
    file's hand-written backward(); and those leaves, as float64 tensors."""
    import torch

    leaves = seed0(module)
    names = [n for n in leaves if n not in module.TARGETS]
    fixed = {n: leaves[n] for n in module.TARGETS}

    def numpy(tensors):
        arrays = (t.detach().numpy() for t in tensors)
        return {**fixed, **dict(zip(names, arrays, strict=True))}

    class Loss(torch.autograd.Function):
        @staticmethod
        def forward(ctx, *tensors):
            ctx.leaves = [t.detach() for t in tensors]
            return torch.tensor(float(evaluate(module, numpy(tensors))[0]), dtype=torch.float64)

        @staticmethod
        def backward(ctx, grad):
            adjoints = module.backward(evaluate(module, numpy(ctx.leaves))[1])
            return tuple(grad * torch.from_numpy(np.asarray(adjoints[n])) for n in names)

    args = [torch.tensor(leaves[n], dtype=torch.float64, requires_grad=True) for n in names]
    return Loss.apply, args


def torch_time(module, fast, repeats):
    import torch

    fn, args = torch_loss(module)
    seconds, ok = median_time(
        lambda: torch.autograd.gradcheck(fn, args, fast_mode=fast, raise_exception=False),
        repeats,
    )
    return seconds, "PASS" if ok else "FAIL"


def cell(t, verdict="PASS"):
    """A time as the table shows it (ms under a second), with any verdict but PASS."""
    if t is None:
        return "n/a"
    text = f"{t * 1e3:.0f} ms" if t < 1 else f"{t:.2f} s" if t < 100 else f"{t:.0f} s"
    return text if verdict == "PASS" else f"{text} ({verdict}!)"


def ratio(ours, theirs):
    return "n/a" if ours is None or theirs is None else f"{ours / theirs:.3g}×"


def every_entry(path, jobs, repeats):
    """--budget inf with --jobs 1 and 2; without --jobs, --budget inf alone, and n/a."""
    if not jobs:
        return [cli(path, ["--budget", "inf"], repeats), (None, None)]
    return [cli(path, ["--budget", "inf", "--jobs", str(j)], repeats) for j in (1, 2)]


def speed_row(name, args, jobs, has_torch):
    path = os.path.join(MODELS, f"{name}.py")
    module = load(path)
    entries = checked_entries(module)
    default = cli(path, [], args.repeats)
    one, two = every_entry(path, jobs, args.repeats)
    torch_t = [torch_time(module, f, args.repeats) if has_torch else (None, None) for f in (0, 1)]
    return (
        f"| {name} ({entries:,}) | {cell(*default)} | {cell(*one)} | {cell(*two)} "
        f"| {one[0] / entries * 1e6:.0f} µs | {forward_cost_cli(path) * 1e6:.0f} µs "
        f"| {cell(*torch_t[0])} | {cell(*torch_t[1])} "
        f"| {ratio(default[0], torch_t[0][0])} | {ratio(one[0], torch_t[0][0])} |"
    )


def median_entry(module, leaf):
    """The index of the median-|A| entry of the file's adjoint of ``leaf`` (seed 0)."""
    g = np.abs(module.backward(evaluate(module, seed0(module))[1])[leaf])
    order = np.argsort(g.ravel(), kind="stable")
    return tuple(int(i) for i in np.unravel_index(order[len(order) // 2], g.shape))


def wrapper(tmp, path, label, body):
    out = os.path.join(tmp, f"{label}.py")
    with open(out, "w") as fh:
        fh.write(WRAPPER.format(path=path) + body)
    return out


def planted_rows(name, tmp, repeats):
    """One row per weight leaf of the file: its median-|A| entry times (1 + DELTA)."""
    from gradcheck_cli import check
    from gradcheck_cli.testing import plant_error

    path = os.path.join(MODELS, f"{name}.py")
    module = load(path)
    rows = []
    for leaf, value in seed0(module).items():
        if leaf in module.TARGETS or not leaf.startswith("W") or np.ndim(value) != 2:
            continue
        index = median_entry(module, leaf)
        body = PLANTED.format(leaf=leaf, index=index, delta=DELTA)
        seconds, verdict = cli(wrapper(tmp, path, f"{name}_{leaf}", body), [], repeats)
        row = check(plant_error(path, leaf, index, DELTA)).row(leaf).comparison
        where = f" at {list(row.worst_index)}" if row.status == "FAIL" else ""
        rows.append(
            f"| {name} | {leaf}{list(index)} × (1 + {DELTA:g}) ({np.size(value):,} entries) "
            f"| {verdict} | {leaf} row {row.status}{where} | {cell(seconds)} |"
        )
    return rows


def slip_row(tmp, repeats):
    from gradcheck_cli import check

    path = wrapper(tmp, os.path.join(MODELS, "mlp.py"), "mlp_tanh_slip", SLIP)
    seconds, verdict = cli(path, [], repeats)
    failing = [r.id for r in check(path).gradients if r.comparison.status == "FAIL"]
    return (
        f"| mlp | tanh′ as 1 − z1² (z̄1, W̄1, b̄1, x̄ wrong) | {verdict} "
        f"| {', '.join(failing)} | {cell(seconds)} |"
    )


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", default="mlp,conv,attention")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    names = args.models.split(",")
    jobs, has_torch = has_jobs(), importlib.util.find_spec("torch") is not None
    cli(os.path.join(MODELS, "attention.py"), [], 1)  # writes the bytecode
    print(f"load average at the start: {os.getloadavg()[0]:.2f} (on {os.cpu_count()} cores)\n")
    print(
        "| model (checked entries) | default | every entry, --jobs 1 | every entry, --jobs 2 "
        "| per entry (--jobs 1) | complex forward | torch gradcheck | torch fast_mode "
        "| default / torch | every entry / torch |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name in names:
        print(speed_row(name, args, jobs, has_torch), flush=True)
    if not jobs:
        print("(no --jobs yet: 'every entry, --jobs 1' is --budget inf alone)")
    if not has_torch:
        print("torch: not installed")
    print("\n| model | planted error | verdict (CLI) | in-process: the rows that FAIL | time |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            print("\n".join(planted_rows(name, tmp, args.repeats)), flush=True)
        if "mlp" in names:
            print(slip_row(tmp, args.repeats))
    print(f"\nload average at the end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
