"""gradcheck sweep: the error of each finite-difference engine against the step size."""

import json
import math
from pathlib import Path

import typer

from gradcheck_cli.cli.options import options, split
from gradcheck_cli.cli.output import captured, emit, stdout_console
from gradcheck_cli.errors import GradcheckError

sweep_app = typer.Typer(
    help="Error of each finite-difference engine over steps 1e-1 … 1e-14.", no_args_is_help=True
)


def _sweep(model: str, given: dict) -> None:
    from gradcheck_cli.api import sweep_model
    from gradcheck_cli.config import resolve

    cli, flags = split(given)
    result = sweep_model(resolve(model, str(cli.config) if cli.config else None, flags))
    if cli.plot is not None:
        _plot(result, cli.plot)
    if cli.format == "json":
        emit(
            json.dumps(
                {
                    "steps": result.steps,
                    "errors": result.errors,
                    "complex": result.complex_error,
                    "chosen": result.chosen,
                },
                indent=2,
            )
            + "\n"
        )
        return
    from rich.table import Table

    table = Table(
        title="Step sweep: max |N − A| / max |A|",
        title_justify="left",
        caption="← the engine's default step",
        caption_justify="left",
    )
    table.add_column("h", justify="right")
    for engine in result.errors:
        table.add_column(engine, justify="right")
    for i, h in enumerate(result.steps):
        cells = []
        for engine, errors in result.errors.items():
            mark = " ←" if abs(math.log10(result.chosen[engine]) - math.log10(h)) < 0.5 else ""
            cells.append(f"{errors[i]:.1e}{mark}")
        table.add_row(f"{h:.0e}", *cells)
    emit(captured(stdout_console(), table))
    if result.complex_error is not None:
        emit(f"complex step (any h ≤ 1e-20): {result.complex_error:.1e}\n")


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
@options("sweep residual", model="residual")
def sweep_residual(**given) -> None:
    """Step sweep on the residual net.  Example:  gradcheck sweep residual --d 8 --plot v.png"""
    _sweep("residual", given)


@sweep_app.command("softmax")
@options("sweep softmax", model="softmax")
def sweep_softmax(**given) -> None:
    """Step sweep on the softmax classifier.  Example:  gradcheck sweep softmax --n 10"""
    _sweep("softmax", given)


@sweep_app.command("check")
@options("sweep check", model="file")
def sweep_file(**given) -> None:
    """Step sweep on your own model file.  Example:  gradcheck sweep check examples/mlp.py"""
    _sweep("file", given)
