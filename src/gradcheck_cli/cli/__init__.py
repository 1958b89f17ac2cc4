"""The command line: options -> config -> model -> check -> render -> exit code.

The only module that prints or exits. Our own exceptions and every usage error become
one red line on stderr and exit status 2; a check that finds a wrong gradient exits 1,
one that cannot resolve a gradient finely enough to pass it (WEAK) exits 3.
"""

import sys
from pathlib import Path
from typing import Annotated

import typer
from typer.core import TyperGroup

from gradcheck_cli import __version__
from gradcheck_cli.cli.options import (
    AtolOpt,
    BatchOpt,
    ChainOpt,
    ConfigOpt,
    DirectionsOpt,
    DTypeOpt,
    EpsOpt,
    Format,
    FormatOpt,
    GradOpt,
    InjectOpt,
    IntegersOpt,
    MemOpt,
    MethodOpt,
    QuietOpt,
    RtolOpt,
    SampleOpt,
    SaveOpt,
    ScaleOpt,
    SeedOpt,
    TaylorOpt,
    check_flags,
    int_option,
)
from gradcheck_cli.cli.output import Progress, captured, emit, output, stderr_line, stdout_console
from gradcheck_cli.cli.sweep import sweep_app
from gradcheck_cli.errors import GradcheckError


class GradcheckGroup(TyperGroup):
    """Runs the app non-standalone so every error ends as one line and an exit code."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        try:
            code = super().main(
                args=args,
                prog_name=prog_name or "gradcheck",
                complete_var=complete_var,
                standalone_mode=False,
                **extra,
            )
        except GradcheckError as e:
            stderr_line(str(e))
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
                stderr_line(message + hint)
            code = e.exit_code
        if code == 130:  # typer turns Ctrl-C into exit status 130; no partial report is printed
            stderr_line("interrupted")
        sys.exit(code if isinstance(code, int) else 0)


app = typer.Typer(
    cls=GradcheckGroup,
    add_completion=False,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="Check hand-derived backward passes entry by entry against numerical gradients.\n\n"
    "Exit status: 0 every gradient passes, 1 a gradient is wrong, 2 bad usage or input, "
    "3 nothing fails but a gradient could not be checked finely enough (WEAK).",
)


def _version(value: bool):
    if value:
        typer.echo(f"gradcheck {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
):
    """Check hand-derived backward passes against numerical gradients."""


def _execute(
    model: str | None, config: Path | None, flags: dict, fmt: Format, quiet: bool, save: Path | None
) -> None:
    from gradcheck_cli.api import execute

    progress = Progress() if sys.stderr.isatty() and not quiet else None
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
        output(report, fmt)
    raise typer.Exit(report.exit_code)


@app.command()
def residual(
    d: Annotated[
        int | None, int_option("--d", help="Input and hidden width d [default: 8].")
    ] = None,
    activation: Annotated[
        str | None,
        typer.Option(
            help="φ: identity, relu, leaky_relu, tanh, sigmoid, softplus, elu, silu, gelu "
            "[default: tanh]."
        ),
    ] = None,
    batch: BatchOpt = None,
    seed: SeedOpt = None,
    scale: ScaleOpt = None,
    integers: IntegersOpt = None,
    config: ConfigOpt = None,
    method: MethodOpt = None,
    eps: EpsOpt = None,
    rtol: RtolOpt = None,
    atol: AtolOpt = None,
    fmt: FormatOpt = Format.table,
    quiet: QuietOpt = False,
    inject: InjectOpt = None,
    grad: GradOpt = None,
    chain: ChainOpt = False,
    dtype: DTypeOpt = None,
    taylor: TaylorOpt = False,
    sample: SampleOpt = None,
    directions: DirectionsOpt = None,
    save: SaveOpt = None,
    max_memory: MemOpt = None,
):
    """Q1, the residual regression net: z1 = W1 x, h = φ(z1), z2 = h + x, y = W2 z2, L = ½(y − t)².

    Checks W̄1, W̄2, x̄, t̄ and the intermediates ȳ, z̄2, h̄, z̄1.

    Examples:  gradcheck residual --d 8 · gradcheck residual --activation relu --batch 4 ·
    gradcheck residual --inject x-skip-dropped · gradcheck residual --format json ·
    gradcheck residual --grad "x = W1.T @ z1_bar + z2_bar"
    """
    flags = dict(
        d=d,
        activation=activation,
        batch=batch,
        seed=seed,
        scale=scale,
        integers=integers,
        **check_flags(
            method,
            eps,
            rtol,
            atol,
            inject,
            max_memory,
            grad,
            chain,
            dtype,
            taylor,
            sample,
            directions,
        ),
    )
    _execute("residual", config, flags, fmt, quiet, save)


@app.command()
def softmax(
    n: Annotated[int | None, int_option("--n", help="Number of classes N [default: 10].")] = None,
    d: Annotated[int | None, int_option("--d", help="Input width D [default: 5].")] = None,
    bias: Annotated[
        bool | None,
        typer.Option(
            "--bias/--no-bias", help="Logits W x + b, or W x [default: bias].", show_default=False
        ),
    ] = None,
    batch: BatchOpt = None,
    seed: SeedOpt = None,
    scale: ScaleOpt = None,
    integers: IntegersOpt = None,
    config: ConfigOpt = None,
    method: MethodOpt = None,
    eps: EpsOpt = None,
    rtol: RtolOpt = None,
    atol: AtolOpt = None,
    fmt: FormatOpt = Format.table,
    quiet: QuietOpt = False,
    inject: InjectOpt = None,
    grad: GradOpt = None,
    chain: ChainOpt = False,
    dtype: DTypeOpt = None,
    taylor: TaylorOpt = False,
    sample: SampleOpt = None,
    directions: DirectionsOpt = None,
    save: SaveOpt = None,
    max_memory: MemOpt = None,
):
    """Q2, the softmax classifier: z = W x + b, y = softmax(z), L = −Σ t log y (one-hot t).

    Checks W̄, b̄, x̄, the intermediates ȳ and z̄, and the softmax Jacobian ∂y/∂z.

    Examples:  gradcheck softmax --n 10 · gradcheck softmax --no-bias --batch 3 ·
    gradcheck softmax --inject softmax-diag-y
    """
    flags = dict(
        n=n,
        d=d,
        bias=bias,
        batch=batch,
        seed=seed,
        scale=scale,
        integers=integers,
        **check_flags(
            method,
            eps,
            rtol,
            atol,
            inject,
            max_memory,
            grad,
            chain,
            dtype,
            taylor,
            sample,
            directions,
        ),
    )
    _execute("softmax", config, flags, fmt, quiet, save)


@app.command()
def run(
    config: Annotated[
        Path,
        typer.Argument(
            help="TOML config naming the model in [model] name.", dir_okay=True, show_default=False
        ),
    ],
    method: MethodOpt = None,
    eps: EpsOpt = None,
    rtol: RtolOpt = None,
    atol: AtolOpt = None,
    fmt: FormatOpt = Format.table,
    quiet: QuietOpt = False,
    inject: InjectOpt = None,
    grad: GradOpt = None,
    chain: ChainOpt = False,
    dtype: DTypeOpt = None,
    taylor: TaylorOpt = False,
    sample: SampleOpt = None,
    directions: DirectionsOpt = None,
    save: SaveOpt = None,
    max_memory: MemOpt = None,
):
    """Run the check a config file describes; flags override its [check] and [gradients].

    Examples:  gradcheck run configs/residual-relu.toml ·
    gradcheck run configs/seed-q1.toml (the document's formulas) ·
    gradcheck run configs/softmax.toml --format json
    """
    flags = check_flags(
        method, eps, rtol, atol, inject, max_memory, grad, chain, dtype, taylor, sample, directions
    )
    _execute(None, config, flags, fmt, quiet, save)


@app.command("check")
def check_file(
    path: Annotated[
        Path,
        typer.Argument(
            help="Your model file (Python; loading it runs its code).", show_default=False
        ),
    ],
    seed: SeedOpt = None,
    config: ConfigOpt = None,
    method: MethodOpt = None,
    eps: EpsOpt = None,
    rtol: RtolOpt = None,
    atol: AtolOpt = None,
    fmt: FormatOpt = Format.table,
    quiet: QuietOpt = False,
    grad: GradOpt = None,
    dtype: DTypeOpt = None,
    taylor: TaylorOpt = False,
    sample: SampleOpt = None,
    directions: DirectionsOpt = None,
    save: SaveOpt = None,
    max_memory: MemOpt = None,
):
    """Check your own model: a Python file defining init(rng), forward(p, tap), backward(v).

    Loading a model file RUNS ITS CODE, like `python FILE`: check only files you trust.
    (TOML configs are pure data.) See the README for the protocol.

    Examples:  gradcheck check examples/mlp.py ·
    gradcheck check examples/layernorm_buggy.py --format json
    """
    flags = dict(
        path=str(path),
        seed=seed,
        **check_flags(
            method, eps, rtol, atol, None, max_memory, grad, None, dtype, taylor, sample, directions
        ),
    )
    _execute("file", config, flags, fmt, quiet, save)


app.add_typer(sweep_app, name="sweep")


@app.command()
def bugs(
    model: Annotated[
        str | None, typer.Option(help="Only this model's bugs: residual or softmax.")
    ] = None,
    fmt: FormatOpt = Format.table,
):
    """List the injectable wrong derivations, with the adjoint each one breaks.

    Example:  gradcheck bugs --model residual · gradcheck residual --inject phi-for-dphi
    """
    import json

    from gradcheck_cli.errors import one_of
    from gradcheck_cli.models.bugs import BUGS

    if model is not None and model not in ("residual", "softmax"):
        raise one_of(model, ["residual", "softmax"], "model")
    rows = [b for b in BUGS if model in (None, b.model)]
    if fmt is Format.json:
        data = [
            {
                "name": b.name,
                "model": b.model,
                "breaks": b.target,
                "wrong_formula": b.wrong,
                "description": b.description,
            }
            for b in rows
        ]
        emit(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        return
    if fmt is Format.markdown:
        lines = ["| bug | model | breaks | wrong formula | description |", "|---|---|---|---|---|"]
        lines += [
            f"| {b.name} | {b.model} | {b.target} | {b.wrong} | {b.description} |" for b in rows
        ]
        emit("\n".join(lines) + "\n")
        return
    from rich.table import Table

    table = Table(title="Injectable bugs (--inject NAME)", title_justify="left")
    for col in ("bug", "model", "breaks", "wrong formula", "description"):
        table.add_column(col)
    for b in rows:
        table.add_row(b.name, b.model, b.target, b.wrong, b.description)
    emit(captured(stdout_console(), table))


def main() -> None:
    app()
