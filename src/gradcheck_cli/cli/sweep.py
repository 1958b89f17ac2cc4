"""gradcheck sweep: the error of each finite-difference engine against the step size."""

import importlib.util
import math
import os
from typing import TYPE_CHECKING

import typer

from gradcheck_cli.cli.options import options, split
from gradcheck_cli.cli.output import emit, emit_listing, output_file, resume_collector, write_file
from gradcheck_cli.errors import GradcheckError, UsageError

if TYPE_CHECKING:  # (rich.table: imported where a listing is printed)
    from gradcheck_cli.report.listing import Listing

# The formats matplotlib writes without extra software (pgf needs LaTeX), by extension.
PLOT_FORMATS = (
    "png", "pdf", "svg", "svgz", "eps", "ps", "jpg", "jpeg", "tif", "tiff", "webp", "raw", "rgba"
)  # fmt: skip

sweep_app = typer.Typer(
    help="Error of each finite-difference engine over steps 1e-1 … 1e-14.",
    no_args_is_help=True,
    add_completion=False,  # made into a command of its own (cli/__init__.py, SUBCOMMANDS)
)


def _sweep(model: str, given: dict) -> None:
    from gradcheck_cli.api import sweep_model
    from gradcheck_cli.options.resolve import resolve

    cli, flags = split(given)
    cfg = resolve(model, str(cli.config) if cli.config else None, flags)
    plot = plot_file(str(cli.plot)) if cli.plot is not None else None
    resume_collector()
    result = sweep_model(cfg)
    if plot is not None:
        _plot(result, *plot)
    data = {
        "steps": result.steps,
        "errors": result.errors,
        "complex": result.complex_error,
        "chosen": result.chosen,
    }
    emit_listing(_listing(result), cli.format, data)
    if result.complex_error is not None and cli.format != "json":
        emit(f"complex step (any h ≤ 1e-20): {result.complex_error:.1e}\n")


def _listing(result) -> "Listing":
    """The sweep as rows: one per step, one column per engine, its default step marked."""
    from gradcheck_cli.report.listing import Listing

    def cell(engine: str, i: int, h: float) -> str:
        near = abs(math.log10(result.chosen[engine]) - math.log10(h)) < 0.5
        return f"{result.errors[engine][i]:.1e}" + (" ←" if near else "")

    engines = tuple(result.errors)
    rows = [(f"{h:.0e}", *(cell(e, i, h) for e in engines)) for i, h in enumerate(result.steps)]
    return Listing(
        "Step sweep: max |N − A| / max |A|",
        ("h", *engines),
        rows,
        caption="← the engine's default step",
        right=("h", *engines),
    )


def plot_file(given: str) -> tuple[str, str]:
    """The file --plot writes and its format, refused before the sweep runs: an unknown
    extension, a path that cannot be written, matplotlib missing. No extension: .png."""
    if given in ("", "."):
        output_file("--plot", given)  # (refuses it)
    extension = os.path.splitext(given)[1]
    fmt = extension[1:].lower() if extension else "png"
    if fmt not in PLOT_FORMATS:
        allowed = ", ".join(PLOT_FORMATS)
        raise UsageError(f"--plot '{given}': unknown format '{extension[1:]}'; allowed: {allowed}")
    path = output_file("--plot", given, given if extension else given + ".png")
    if importlib.util.find_spec("matplotlib") is None:
        from gradcheck_cli.report.plot import MISSING

        raise GradcheckError(MISSING)
    return path, fmt


def _plot(result, path: str, fmt: str) -> None:
    from gradcheck_cli.report.plot import pyplot

    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6, 4))
    for engine, errors in result.errors.items():
        ax.loglog(result.steps, [max(e, 1e-18) for e in errors], marker="o", label=engine)
    if result.complex_error is not None:
        ax.axhline(max(result.complex_error, 1e-18), color="k", ls="--", label="complex step")
    ax.set_xlabel("relative step h")
    ax.set_ylabel("max |N − A| / max |A|")
    ax.legend()

    def draw(fh) -> None:
        fig.savefig(fh, format=fmt, dpi=120, bbox_inches="tight")

    try:
        write_file("--plot", path, draw, False)
    except (ValueError, RuntimeError) as e:  # (matplotlib's, for a format it cannot write)
        raise GradcheckError(f"cannot write --plot file '{path}': {e}") from None
    finally:
        plt.close(fig)


@sweep_app.command("residual")
@options("sweep residual", model="residual")
def sweep_residual(**given) -> None:
    """Step sweep on the residual net.

    The error of each finite-difference engine against its step, measured on the
    model's correct gradients.

    Examples:
      gradcheck sweep residual --d 8 --plot v.png
    """
    _sweep("residual", given)


@sweep_app.command("softmax")
@options("sweep softmax", model="softmax")
def sweep_softmax(**given) -> None:
    """Step sweep on the softmax classifier.

    The error of each finite-difference engine against its step, measured on the
    model's correct gradients.

    Examples:
      gradcheck sweep softmax --n 10
    """
    _sweep("softmax", given)


@sweep_app.command("check")
@options("sweep check", model="file")
def sweep_file(**given) -> None:
    """Step sweep on your own model file.

    The error of each finite-difference engine against its step, measured on the
    model's correct gradients.

    Examples:
      gradcheck sweep check examples/mlp.py
    """
    _sweep("file", given)
