"""What every check command does once its options are parsed (cli/__init__.py and
cli/layer.py call it): resolve, check, write, exit."""

import sys

import typer

from gradcheck_cli.cli.options import split
from gradcheck_cli.cli.output import Progress, output_file, resume_collector, write_file, writer
from gradcheck_cli.errors import UsageError


def execute(model: str | None, given: dict) -> None:
    """Run one check command: resolve its flags and config, check, write what was asked
    (--save, --plot, the report) and exit with the check's status."""
    from gradcheck_cli.api import execute as run
    from gradcheck_cli.options.resolve import resolve

    cli, flags = split(given)
    cfg = resolve(model, str(cli.config) if cli.config else None, flags)
    save = None
    if cli.save is not None:  # numpy's savez appends .npz when it is missing
        text = str(cli.save)
        save = output_file("--save", cli.save, text if text.endswith(".npz") else text + ".npz")
    plot = _plot_file(cli)  # (refused before the check: a bad name, matplotlib missing)
    progress = Progress() if sys.stderr.isatty() and not cli.quiet else None
    write = None if cli.quiet else writer(cli.format)
    resume_collector()
    try:
        report = run(cfg, progress=progress)
    finally:
        if progress is not None:
            progress.stop()
    if save is not None:
        import numpy as np

        def savez(fh) -> None:
            np.savez(fh, **report.arrays)  # type: ignore[arg-type]  # (numpy's stub)

        write_file("--save", save, savez, cli.quiet)
    if plot is not None:
        _heatmaps(report, *plot, cli)
    if write is not None:
        write(report)
    raise typer.Exit(report.exit_code)


def _plot_file(cli) -> tuple[str, str] | None:
    """The file --plot draws the check's heatmaps to, and its format (sweep's checks)."""
    if cli.plot is None:
        if cli.plot_all:
            raise UsageError("--plot-all needs --plot FILE.png, the file to draw to")
        return None
    from gradcheck_cli.cli.sweep import plot_file as checked

    return checked(str(cli.plot))


def _heatmaps(report, path: str, fmt: str, cli) -> None:
    """err / bound per entry of each failing tensor (every one with --plot-all), drawn to
    ``path``; when nothing fails, no file, and one line on stderr saying so."""
    from gradcheck_cli.report.plot import writer

    draw = writer(report, fmt, every=cli.plot_all)
    if draw is not None:
        write_file("--plot", path, draw, cli.quiet)
    elif not cli.quiet:
        sys.stderr.write(f"gradcheck: nothing plotted to {path}: no tensor fails (--plot-all)\n")
