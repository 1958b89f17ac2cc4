"""Everything the command line writes: reports, tables, the error line, progress; and the
quiet end of a Ctrl-C.

Imported first by the command line, before typer and rich, and itself imports only what
Python has loaded already or has built in (gc): when this process is the gradcheck
command, Ctrl-C is caught from here on (see quiet_interrupts), and the garbage collector
waits until the check starts (see pause_collector).
"""

import gc
import os
import signal
import sys

from gradcheck_cli.errors import ExitStatus  # (enum only: difflib is imported when needed)

FIXED_WIDTH = 132  # off a terminal with COLUMNS unset: the same check prints the same bytes
writing: set[str] = set()  # files being written: removed if Ctrl-C ends the run


def _interrupted(signum, frame) -> None:  # (a signal handler: os calls only)
    tty = sys.stderr.isatty()
    line = "gradcheck: error: interrupted"
    for path in list(writing):
        try:
            os.unlink(path)
        except OSError:
            pass
    _end_resource_tracker()
    # On a terminal: clear a progress bar's line and show the cursor it hid.
    text = f"\r\x1b[2K\x1b[?25h\x1b[31m{line}\x1b[0m\n" if tty else f"{line}\n"
    try:
        os.write(2, text.encode())
    finally:  # (os._exit itself, if a model file's guard (models/user/calls.py) replaced it)
        getattr(os._exit, "__wrapped__", os._exit)(ExitStatus.INTERRUPTED)


def _end_resource_tracker() -> None:
    """--jobs workers end with this process (workers.py); multiprocessing's resource
    tracker would print a warning about their semaphores (unlinked already on Linux)."""
    tracker = sys.modules.get("multiprocessing.resource_tracker")
    pid = getattr(getattr(tracker, "_resource_tracker", None), "_pid", None)
    if pid:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def quiet_interrupts() -> None:
    """Ctrl-C, at any moment, ends with one line and exit status 130: no traceback, no
    partial report, no half-written file. (os._exit: nothing runs after it.)"""
    try:
        signal.signal(signal.SIGINT, _interrupted)
    except ValueError:  # not the main thread: leave Ctrl-C as it is
        pass


def _program() -> bool:
    """Whether this process is the gradcheck command (`gradcheck` or `python -m
    gradcheck_cli`), not a program that imports us (tests, scripts)."""
    spec = getattr(sys.modules.get("__main__"), "__spec__", None)
    if spec is not None:
        return spec.name == "gradcheck_cli.__main__"
    name = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else ""
    return name.lower() in ("gradcheck", "gradcheck.exe", "gradcheck-script.py")


def pause_collector() -> None:
    """Turn the cyclic garbage collector off for the start-up (resume_collector turns it
    back on). Start-up makes some 50,000 objects that live as long as the process
    (modules, classes, typer's parameters) and few cycles: walking them again and again
    would cost about 10 ms of `gradcheck residual --d 8` (docs/benchmarks.md)."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume_collector() -> None:
    """Once the imports are done, before a check or a sweep runs: what start-up made is
    frozen (gc.freeze: never walked again) and the collector runs as usual from here,
    so the check frees its cycles (and their arrays) as it always did."""
    global _paused
    if _paused:
        gc.freeze()
        gc.enable()
        _paused = False


_paused = False
if _program():
    quiet_interrupts()
    pause_collector()


def stderr_line(message: str) -> None:
    from rich.console import Console

    Console(stderr=True, highlight=False, soft_wrap=True).print(
        f"gradcheck: error: {message}", style="red", markup=False
    )


def wrote(path) -> None:
    """Where a file was written: one line on stderr (stdout carries the report)."""
    sys.stderr.write(f"gradcheck: wrote {path}\n")
    sys.stderr.flush()


def output_file(flag: str, given, written: str | None = None) -> str:
    """The file a --save or --plot will write (``written``: given's name as the writer
    completes it, e.g. with '.npz'), refused in one line before anything runs: an empty
    name, a directory, a directory that does not exist, a file that cannot be written.
    A device or a pipe that exists (/dev/null) is written as it is."""
    from gradcheck_cli.errors import UsageError

    text = str(given)
    if text in ("", "."):  # (click makes '' the path '.'; a real '.' is refused as a directory)
        raise UsageError(f"{flag} needs a file name, got ''")
    if text == "-":
        raise UsageError(f"{flag} needs a file name, not '-' (stdout carries the report)")
    if os.path.exists(text) and not os.path.isfile(text) and not os.path.isdir(text):
        return text
    path = written or text
    named = f"{flag} '{text}'" + (f" (written as '{path}')" if path != text else "")
    if os.path.isdir(path):
        raise UsageError(f"{named} is a directory; give a file name in it")
    if text.endswith(os.sep):
        raise UsageError(f"{named} ends in '{os.sep}'; give a file name")
    parent = os.path.dirname(path) or "."
    if not os.path.exists(parent):
        raise UsageError(f"{named}: directory '{parent}' does not exist")
    if not os.path.isdir(parent):
        raise UsageError(f"{named}: '{parent}' is not a directory")
    if not os.access(path if os.path.exists(path) else parent, os.W_OK):
        raise UsageError(f"{named}: cannot write '{path}' (permission denied)")
    return path


def write_file(flag: str, path: str, write, quiet: bool) -> None:
    """``write(binary file)`` into ``path`` by way of a temporary file beside it: an error
    or Ctrl-C leaves no half-written file. Says where it wrote, on stderr, unless quiet."""
    from gradcheck_cli.errors import GradcheckError

    direct = os.path.exists(path) and not os.path.isfile(path)  # /dev/null, a pipe
    folder, name = os.path.split(path)
    temporary = path if direct else os.path.join(folder, f".{name}.{os.getpid()}.partial")
    if not direct:
        writing.add(temporary)
    try:
        with open(temporary, "wb") as fh:
            write(fh)
        if not direct:
            os.replace(temporary, path)
    except OSError as e:
        raise GradcheckError(f"cannot write {flag} file '{path}': {e.strerror or e}") from None
    finally:
        if not direct and os.path.exists(temporary):
            os.unlink(temporary)
        writing.discard(temporary)
    if not quiet:
        wrote(path)


def emit(text: str) -> None:
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader (e.g. `head`) went away: stop writing, quietly.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def width() -> int | None:
    """The width of stdout's tables: COLUMNS when set; else the terminal's (None: rich
    asks it); off a terminal, FIXED_WIDTH."""
    columns = os.environ.get("COLUMNS", "").strip()
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    return None if sys.stdout.isatty() else FIXED_WIDTH


def stdout_console():
    """Colour from the terminal; off a terminal, no colour. Width: see width()."""
    from rich.console import Console

    return Console(highlight=False, width=width())


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
        import json

        data = formats.records(listing) if extra is None else extra
        emit(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    elif fmt == "markdown":
        emit(formats.markdown(listing))
    else:
        emit(captured(stdout_console(), formats.table(listing)))


def writer(fmt: str):
    """What writes a report in ``fmt`` to stdout, its modules imported now: the command
    line makes it before the check, so that rich loads (for a table) while the
    collector still waits (pause_collector)."""
    if fmt == "json":
        import json

        return lambda report: emit(
            json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"
        )
    if fmt == "markdown":
        from gradcheck_cli.report.render import render_markdown

        return lambda report: emit(render_markdown(report))
    from gradcheck_cli.report.render import render_table

    def table(report) -> None:
        out = stdout_console()
        emit(captured(out, render_table(report, out.width)))

    return table


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
