"""The command line: options -> config -> model -> check -> render -> exit code.

The only module that prints or exits. Our own exceptions and every usage error become
one red line on stderr and exit status 2; a check that finds a wrong gradient exits 1.
"""

import json
import math
import os
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer
from typer.core import TyperGroup

from gradcheck_cli import __version__
from gradcheck_cli.errors import GradcheckError


class Format(str, Enum):
    table = "table"
    json = "json"
    markdown = "markdown"


def _stderr_line(message: str) -> None:
    from rich.console import Console

    Console(stderr=True, highlight=False, soft_wrap=True).print(
        f"gradcheck: error: {message}", style="red", markup=False)


class GradcheckGroup(TyperGroup):
    """Runs the app non-standalone so every error ends as one line and an exit code."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        try:
            code = super().main(args=args, prog_name=prog_name or "gradcheck",
                                complete_var=complete_var, standalone_mode=False, **extra)
        except GradcheckError as e:
            _stderr_line(str(e))
            code = e.exit_code
        except KeyboardInterrupt:
            code = 130
        except Exception as e:  # click's usage errors (typer may vendor click: duck-type them)
            if not (hasattr(e, "format_message") and hasattr(e, "exit_code")):
                raise
            ctx = getattr(e, "ctx", None)
            hint = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
            message = e.format_message().replace("\n", " ").strip()
            if message:  # empty when the help was printed for a bare command
                _stderr_line(message + hint)
            code = e.exit_code
        if code == 130:  # typer turns Ctrl-C into exit status 130; no partial report is printed
            _stderr_line("interrupted")
        sys.exit(code if isinstance(code, int) else 0)


app = typer.Typer(
    cls=GradcheckGroup,
    add_completion=False,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="Check hand-derived backward passes entry by entry against numerical gradients.\n\n"
    "Exit status: 0 every gradient passes, 1 a gradient is wrong, 2 bad usage or input.",
)


def _version(value: bool):
    if value:
        typer.echo(f"gradcheck {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
):
    """Check hand-derived backward passes against numerical gradients."""


def _whole_number(text) -> int:
    try:
        return int(str(text).strip())
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a whole number") from None


def _number(text) -> float:
    try:
        return float(str(text).strip())
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a number") from None


def _int_option(*names, help):
    return typer.Option(*names, parser=_whole_number, metavar="INT", help=help)


def _float_option(help):
    return typer.Option(parser=_number, metavar="FLOAT", help=help)


# Options shared by every checking command.
ConfigOpt = Annotated[Optional[Path], typer.Option("--config", help="TOML config; flags override it.",
                                                   dir_okay=False)]
class Method(str, Enum):
    auto = "auto"
    complex = "complex"
    richardson = "richardson"
    central = "central"
    forward = "forward"


MethodOpt = Annotated[Optional[Method], typer.Option(
    help="Numerical engine: auto (complex step where the forward allows it, else richardson), "
         "complex, richardson, central or forward [default: auto].")]
EpsOpt = Annotated[Optional[float], _float_option(help="Central differences' relative step: h = eps·max(1,|θ|) [default: ∛eps ≈ 6.1e-6].")]
RtolOpt = Annotated[Optional[float], _float_option(help="Relative tolerance [default: 1e-5].")]
AtolOpt = Annotated[Optional[float], _float_option(help="Absolute tolerance [default: 0].")]
FormatOpt = Annotated[Format, typer.Option("--format", help="Output: table for people, json for scripts, markdown for reports.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing; the exit status tells.")]
InjectOpt = Annotated[Optional[str], typer.Option(help="Replace one formula with a known wrong one (see 'gradcheck bugs').")]
GradOpt = Annotated[Optional[list[str]], typer.Option(
    "--grad", metavar="'NAME = EXPR'",
    help="Your formula for an adjoint, e.g. 'x = W1.T @ z1_bar + z2_bar' (repeatable).")]
ChainOpt = Annotated[bool, typer.Option(
    "--chain", help="Evaluate your formulas on each other in backward order, not on the correct adjoints.")]
class DType(str, Enum):
    float64 = "float64"
    float32 = "float32"


DTypeOpt = Annotated[Optional[DType], typer.Option(
    "--dtype", help="Run the forward and backward in float32, checked against float64 [default: float64].")]
SampleOpt = Annotated[Optional[int], _int_option(
    "--sample", help="Check K entries per tensor: the largest-|g|, the smallest, and strata between (seeded).")]
DirectionsOpt = Annotated[Optional[int], _int_option(
    "--directions", help="Check R random directional derivatives per tensor (complex step): fast for huge tensors; "
                         "a failing tensor is bisected to the wrong entry.")]
TaylorOpt = Annotated[bool, typer.Option(
    "--taylor", help="Also run the Taylor-remainder test: fitted order 2 if a gradient is right, 1 if not.")]
SaveOpt = Annotated[Optional[Path], typer.Option(help="Save every leaf, analytic and numeric adjoint to FILE.npz.")]
MemOpt = Annotated[Optional[str], typer.Option("--max-memory", help="Memory budget, e.g. 512M or 4G [default: half the RAM].")]
BatchOpt = Annotated[Optional[int], _int_option("--batch", help="Examples per batch (columns of x); the loss is their mean [default: 1].")]
ScaleOpt = Annotated[Optional[float], _float_option(help="Multiply the inputs by this (stress tiny or huge values) [default: 1].")]
IntegersOpt = Annotated[Optional[bool], typer.Option("--integers", help="Draw the leaves as small whole numbers (exact relu kinks).",
                                                    show_default=False)]
SeedOpt = Annotated[Optional[int], _int_option("--seed", help="Seed for weights, inputs and targets [default: 0].")]


def _emit(text: str) -> None:
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader (e.g. `head`) went away: stop writing, quietly.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _console():
    """Colour and width from the terminal; off a terminal, no colour and a fixed width
    so that the same check prints the same bytes."""
    from rich.console import Console

    return Console(highlight=False, width=None if sys.stdout.isatty() else 132)


def _captured(console, renderable) -> str:
    with console.capture() as cap:
        console.print(renderable)
    # Rich pads titles and cells to the full width; trailing blanks help nobody.
    return "\n".join(line.rstrip() for line in cap.get().split("\n"))


def _output(report, fmt: Format) -> None:
    if fmt is Format.json:
        from gradcheck_cli.report import to_json

        _emit(json.dumps(to_json(report), indent=2, ensure_ascii=False) + "\n")
    elif fmt is Format.markdown:
        from gradcheck_cli.render import render_markdown

        _emit(render_markdown(report))
    else:
        from gradcheck_cli.render import render_table

        console = _console()
        _emit(_captured(console, render_table(report, console.width)))


def _check_flags(method, eps, rtol, atol, inject, max_memory, grad, chain, dtype=None, taylor=False,
                 sample=None, directions=None) -> dict:
    return dict(method=method.value if method else None, eps=eps, rtol=rtol, atol=atol,
                inject=inject, max_memory=max_memory, grad=grad, chain=chain or None,
                dtype=dtype.value if dtype else None, taylor=taylor, sample=sample, directions=directions)


class _Progress:
    """A progress bar on stderr, on a terminal only, once a check has run for a second."""

    def __init__(self):
        import time

        self.clock, self.start, self.bar, self.task, self.done = time.monotonic, time.monotonic(), None, None, 0

    def __call__(self, evaluations: int) -> None:
        self.done += evaluations
        if self.bar is None and self.clock() - self.start > 1.0:
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            self.bar = Progress(TextColumn("checking"), BarColumn(), TextColumn("{task.completed:,} evaluations"),
                                TimeElapsedColumn(), console=Console(stderr=True), transient=True)
            self.task = self.bar.add_task("check", total=None)
            self.bar.start()
        if self.bar is not None:
            self.bar.update(self.task, completed=self.done)

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def _execute(model: str | None, config: Path | None, flags: dict, fmt: Format, quiet: bool,
             save: Path | None) -> None:
    from gradcheck_cli.api import execute

    progress = _Progress() if sys.stderr.isatty() and not quiet else None
    try:
        report = execute(model, str(config) if config else None, {**flags, "progress": progress})
    finally:
        if progress is not None:
            progress.stop()
    if save is not None:
        import numpy as np

        try:
            np.savez(save, **report.arrays)
        except OSError as e:
            raise GradcheckError(f"cannot write --save file '{save}': {e.strerror}") from None
    if not quiet:
        _output(report, fmt)
    raise typer.Exit(report.exit_code)


@app.command()
def residual(
    d: Annotated[Optional[int], _int_option("--d", help="Input and hidden width d [default: 8].")] = None,
    activation: Annotated[Optional[str], typer.Option(
        help="φ: identity, relu, leaky_relu, tanh, sigmoid, softplus, elu, silu, gelu [default: tanh].")] = None,
    batch: BatchOpt = None, seed: SeedOpt = None, scale: ScaleOpt = None, integers: IntegersOpt = None,
    config: ConfigOpt = None, method: MethodOpt = None, eps: EpsOpt = None,
    rtol: RtolOpt = None, atol: AtolOpt = None, fmt: FormatOpt = Format.table, quiet: QuietOpt = False,
    inject: InjectOpt = None, grad: GradOpt = None, chain: ChainOpt = False, dtype: DTypeOpt = None,
    taylor: TaylorOpt = False, sample: SampleOpt = None, directions: DirectionsOpt = None, save: SaveOpt = None, max_memory: MemOpt = None,
):
    """Q1, the residual regression net: z1 = W1 x, h = φ(z1), z2 = h + x, y = W2 z2, L = ½(y − t)².

    Checks W̄1, W̄2, x̄, t̄ and the intermediates ȳ, z̄2, h̄, z̄1.

    Examples:  gradcheck residual --d 8 · gradcheck residual --activation relu --batch 4 ·
    gradcheck residual --inject x-skip-dropped · gradcheck residual --format json ·
    gradcheck residual --grad "x = W1.T @ z1_bar + z2_bar"
    """
    flags = dict(d=d, activation=activation, batch=batch, seed=seed, scale=scale, integers=integers,
                 **_check_flags(
        method, eps, rtol, atol, inject, max_memory, grad, chain, dtype, taylor, sample, directions))
    _execute("residual", config, flags, fmt, quiet, save)


@app.command()
def softmax(
    n: Annotated[Optional[int], _int_option("--n", help="Number of classes N [default: 10].")] = None,
    d: Annotated[Optional[int], _int_option("--d", help="Input width D [default: 5].")] = None,
    bias: Annotated[Optional[bool], typer.Option("--bias/--no-bias", help="Logits W x + b, or W x [default: bias].",
                                                 show_default=False)] = None,
    batch: BatchOpt = None, seed: SeedOpt = None, scale: ScaleOpt = None, integers: IntegersOpt = None,
    config: ConfigOpt = None, method: MethodOpt = None, eps: EpsOpt = None,
    rtol: RtolOpt = None, atol: AtolOpt = None, fmt: FormatOpt = Format.table, quiet: QuietOpt = False,
    inject: InjectOpt = None, grad: GradOpt = None, chain: ChainOpt = False, dtype: DTypeOpt = None,
    taylor: TaylorOpt = False, sample: SampleOpt = None, directions: DirectionsOpt = None, save: SaveOpt = None, max_memory: MemOpt = None,
):
    """Q2, the softmax classifier: z = W x + b, y = softmax(z), L = −Σ t log y (one-hot t).

    Checks W̄, b̄, x̄, the intermediates ȳ and z̄, and the softmax Jacobian ∂y/∂z.

    Examples:  gradcheck softmax --n 10 · gradcheck softmax --no-bias --batch 3 ·
    gradcheck softmax --inject softmax-diag-y
    """
    flags = dict(n=n, d=d, bias=bias, batch=batch, seed=seed, scale=scale, integers=integers,
                 **_check_flags(
        method, eps, rtol, atol, inject, max_memory, grad, chain, dtype, taylor, sample, directions))
    _execute("softmax", config, flags, fmt, quiet, save)


@app.command()
def run(
    config: Annotated[Path, typer.Argument(help="TOML config naming the model in [model] name.",
                                           dir_okay=True, show_default=False)],
    method: MethodOpt = None, eps: EpsOpt = None, rtol: RtolOpt = None, atol: AtolOpt = None,
    fmt: FormatOpt = Format.table, quiet: QuietOpt = False, inject: InjectOpt = None,
    grad: GradOpt = None, chain: ChainOpt = False, dtype: DTypeOpt = None, taylor: TaylorOpt = False,
    sample: SampleOpt = None, directions: DirectionsOpt = None, save: SaveOpt = None, max_memory: MemOpt = None,
):
    """Run the check a config file describes; flags override its [check] and [gradients].

    Examples:  gradcheck run configs/residual-relu.toml ·
    gradcheck run configs/seed-q1.toml (the document's formulas) ·
    gradcheck run configs/softmax.toml --format json
    """
    flags = _check_flags(method, eps, rtol, atol, inject, max_memory, grad, chain, dtype, taylor, sample, directions)
    _execute(None, config, flags, fmt, quiet, save)


@app.command("check")
def check_file(
    path: Annotated[Path, typer.Argument(help="Your model file (Python; loading it runs its code).",
                                         show_default=False)],
    seed: SeedOpt = None, config: ConfigOpt = None, method: MethodOpt = None, eps: EpsOpt = None,
    rtol: RtolOpt = None, atol: AtolOpt = None, fmt: FormatOpt = Format.table, quiet: QuietOpt = False,
    grad: GradOpt = None, dtype: DTypeOpt = None, taylor: TaylorOpt = False, sample: SampleOpt = None, directions: DirectionsOpt = None,
    save: SaveOpt = None, max_memory: MemOpt = None,
):
    """Check your own model: a Python file defining init(rng), forward(p, tap), backward(v).

    Loading a model file RUNS ITS CODE, like `python FILE`: check only files you trust.
    (TOML configs are pure data.) See the README for the protocol.

    Examples:  gradcheck check examples/mlp.py ·
    gradcheck check examples/layernorm_buggy.py --format json
    """
    flags = dict(path=str(path), seed=seed, **_check_flags(method, eps, rtol, atol, None, max_memory,
                                                            grad, None, dtype, taylor, sample, directions))
    _execute("file", config, flags, fmt, quiet, save)


sweep_app = typer.Typer(help="Error of each finite-difference engine over steps 1e-1 … 1e-14.",
                        no_args_is_help=True)
app.add_typer(sweep_app, name="sweep")

PlotOpt = Annotated[Optional[Path], typer.Option(help="Also draw the sweep to FILE.png (needs matplotlib).")]


def _sweep(model: str, flags: dict, config, plot, fmt) -> None:
    from gradcheck_cli.api import sweep_model

    result = sweep_model(model, str(config) if config else None, flags)
    if plot is not None:
        _plot(result, plot)
    if fmt is Format.json:
        _emit(json.dumps({"steps": result.steps, "errors": result.errors, "complex": result.complex_error,
                          "chosen": result.chosen}, indent=2) + "\n")
        return
    from rich.table import Table

    table = Table(title="Step sweep: max |N − A| / max |A| (← default h)", title_justify="left")
    table.add_column("h", justify="right")
    for engine in result.errors:
        table.add_column(engine, justify="right")
    for i, h in enumerate(result.steps):
        cells = []
        for engine, errors in result.errors.items():
            mark = " ←" if abs(math.log10(result.chosen[engine]) - math.log10(h)) < 0.5 else ""
            cells.append(f"{errors[i]:.1e}{mark}")
        table.add_row(f"{h:.0e}", *cells)
    _emit(_captured(_console(), table))
    if result.complex_error is not None:
        _emit(f"complex step (any h ≤ 1e-20): {result.complex_error:.1e}\n")


def _plot(result, path: Path) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise GradcheckError("--plot needs matplotlib: python3 -m pip install matplotlib") from None
    fig, ax = plt.subplots(figsize=(6, 4))
    for engine, errors in result.errors.items():
        ax.loglog(result.steps, [max(e, 1e-18) for e in errors], marker="o", label=engine)
    if result.complex_error is not None:
        ax.axhline(max(result.complex_error, 1e-18), color="k", ls="--", label="complex step")
    ax.set_xlabel("relative step h")
    ax.set_ylabel("max |N − A| / max |A|")
    ax.legend()
    try:
        fig.savefig(path, dpi=120, bbox_inches="tight")
    except OSError as e:
        raise GradcheckError(f"cannot write --plot file '{path}': {e.strerror}") from None


@sweep_app.command("residual")
def sweep_residual(
    d: Annotated[Optional[int], _int_option("--d", help="Width d [default: 8].")] = None,
    activation: Annotated[Optional[str], typer.Option(help="φ [default: tanh].")] = None,
    batch: BatchOpt = None, seed: SeedOpt = None, config: ConfigOpt = None, plot: PlotOpt = None,
    fmt: FormatOpt = Format.table,
):
    """Step sweep on the residual net.  Example:  gradcheck sweep residual --d 8 --plot v.png"""
    _sweep("residual", dict(d=d, activation=activation, batch=batch, seed=seed), config, plot, fmt)


@sweep_app.command("softmax")
def sweep_softmax(
    n: Annotated[Optional[int], _int_option("--n", help="Classes N [default: 10].")] = None,
    d: Annotated[Optional[int], _int_option("--d", help="Input width D [default: 5].")] = None,
    batch: BatchOpt = None, seed: SeedOpt = None, config: ConfigOpt = None, plot: PlotOpt = None,
    fmt: FormatOpt = Format.table,
):
    """Step sweep on the softmax classifier.  Example:  gradcheck sweep softmax --n 10"""
    _sweep("softmax", dict(n=n, d=d, batch=batch, seed=seed), config, plot, fmt)


@sweep_app.command("check")
def sweep_file(
    path: Annotated[Path, typer.Argument(help="Your model file (loading it runs its code).", show_default=False)],
    seed: SeedOpt = None, plot: PlotOpt = None, fmt: FormatOpt = Format.table,
):
    """Step sweep on your own model file.  Example:  gradcheck sweep check examples/mlp.py"""
    _sweep("file", dict(path=str(path), seed=seed), None, plot, fmt)


@app.command()
def bugs(
    model: Annotated[Optional[str], typer.Option(help="Only this model's bugs: residual or softmax.")] = None,
    fmt: FormatOpt = Format.table,
):
    """List the injectable wrong derivations, with the adjoint each one breaks.

    Example:  gradcheck bugs --model residual · gradcheck residual --inject phi-for-dphi
    """
    from gradcheck_cli.bugs import BUGS
    from gradcheck_cli.errors import one_of

    if model is not None and model not in ("residual", "softmax"):
        raise one_of(model, ["residual", "softmax"], "model")
    rows = [b for b in BUGS if model in (None, b.model)]
    if fmt is Format.json:
        data = [{"name": b.name, "model": b.model, "breaks": b.target, "wrong_formula": b.wrong,
                 "description": b.description} for b in rows]
        _emit(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        return
    if fmt is Format.markdown:
        lines = ["| bug | model | breaks | wrong formula | description |", "|---|---|---|---|---|"]
        lines += [f"| {b.name} | {b.model} | {b.target} | {b.wrong} | {b.description} |" for b in rows]
        _emit("\n".join(lines) + "\n")
        return
    from rich.table import Table

    table = Table(title="Injectable bugs (--inject NAME)", title_justify="left")
    for col in ("bug", "model", "breaks", "wrong formula", "description"):
        table.add_column(col)
    for b in rows:
        table.add_row(b.name, b.model, b.target, b.wrong, b.description)
    _emit(_captured(_console(), table))


def main() -> None:
    app()
