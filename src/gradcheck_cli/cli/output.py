"""Everything the command line writes: reports, tables, the error line, progress."""

import json
import os
import sys


def stderr_line(message: str) -> None:
    from rich.console import Console

    Console(stderr=True, highlight=False, soft_wrap=True).print(
        f"gradcheck: error: {message}", style="red", markup=False
    )


def emit(text: str) -> None:
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader (e.g. `head`) went away: stop writing, quietly.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def stdout_console():
    """Colour and width from the terminal; off a terminal, no colour and a fixed width
    so that the same check prints the same bytes."""
    from rich.console import Console

    return Console(highlight=False, width=None if sys.stdout.isatty() else 132)


def captured(console, renderable) -> str:
    with console.capture() as cap:
        console.print(renderable)
    # Rich pads titles and cells to the full width; trailing blanks help nobody.
    return "\n".join(line.rstrip() for line in cap.get().split("\n"))


def emit_listing(listing, fmt: str, extra=None) -> None:
    """A listing (report/listing.py) in the format asked for; ``extra``, if given, is the
    JSON to write instead of the rows' records."""
    from gradcheck_cli.report import listing as formats

    if fmt == "json":
        data = formats.records(listing) if extra is None else extra
        emit(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    elif fmt == "markdown":
        emit(formats.markdown(listing))
    else:
        emit(captured(stdout_console(), formats.table(listing)))


def output(report, fmt: str) -> None:
    if fmt == "json":
        from gradcheck_cli.report.schema import to_json

        emit(json.dumps(to_json(report), indent=2, ensure_ascii=False) + "\n")
    elif fmt == "markdown":
        from gradcheck_cli.report.render import render_markdown

        emit(render_markdown(report))
    else:
        from gradcheck_cli.report.render import render_table

        out = stdout_console()
        emit(captured(out, render_table(report, out.width)))


class Progress:
    """A progress bar on stderr, on a terminal only, once a check has run for a second."""

    def __init__(self):
        import time

        self.clock, self.start, self.bar, self.task, self.done = (
            time.monotonic,
            time.monotonic(),
            None,
            None,
            0,
        )

    def __call__(self, evaluations: int) -> None:
        self.done += evaluations
        if self.bar is None and self.clock() - self.start > 1.0:
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            self.bar = Progress(
                TextColumn("checking"),
                BarColumn(),
                TextColumn("{task.completed:,} evaluations"),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self.task = self.bar.add_task("check", total=None)
            self.bar.start()
        if self.bar is not None:
            self.bar.update(self.task, completed=self.done)

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()
