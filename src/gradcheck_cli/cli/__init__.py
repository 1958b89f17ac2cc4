"""The command line: options -> config -> model -> check -> render -> exit code.

The only module that prints or exits. Our own exceptions and every usage error become
one red line on stderr and exit status 2; a check that finds a wrong gradient exits 1,
one that cannot resolve a gradient finely enough to pass it (WEAK) exits 3.
"""

# isort: off
# First, before anything else is imported (typer, rich: ~60 ms): Ctrl-C is quiet from here.
from gradcheck_cli.cli.output import quiet_interrupts, stderr_line

# isort: on
import os
import re
import sys
import traceback
from collections.abc import Iterator, MutableMapping
from importlib import import_module
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from gradcheck_cli import __version__
from gradcheck_cli.cli.command import execute
from gradcheck_cli.cli.options import escape, options, split
from gradcheck_cli.cli.output import emit_listing
from gradcheck_cli.errors import ExitStatus, GradcheckError


class GradcheckGroup(TyperGroup):
    """Runs the app non-standalone so every error ends as one line and an exit code; its
    subcommands are made as they are asked for (Subcommands)."""

    def __init__(self, **attrs):
        super().__init__(**attrs)
        self.commands = Subcommands(SUBCOMMANDS)

    def main(  # type: ignore[override]  # (standalone_mode is always ours: False)
        self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra
    ):
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
        except KeyboardInterrupt:  # (raised by a model file, say: Ctrl-C ends in output.py)
            code = ExitStatus.INTERRUPTED
        except SystemExit:
            raise
        except BaseException as e:  # click's usage errors, or nobody's: one line each
            if hasattr(e, "format_message"):
                message, code = _usage(e)
            else:
                message, code = _unexpected(e), ExitStatus.USAGE
            if message:  # empty when the help was printed for a bare command
                stderr_line(message)
        if code == ExitStatus.INTERRUPTED:  # typer's Ctrl-C; no partial report is printed
            stderr_line("interrupted")
        sys.exit(code if isinstance(code, int) else ExitStatus.OK)


def _usage(e) -> tuple[str, int]:
    """A usage error of click's (typer may vendor click: duck-typed) as one line; an
    unknown choice in the words of ours, with the nearest suggested."""
    ctx, param = getattr(e, "ctx", None), getattr(e, "param", None)
    hint = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
    message = e.format_message().replace("\n", " ").strip()
    choice = re.search(r"""(?:^|: )(['"])(.*?)\1 is not (?:one of )?'""", message)
    choices = getattr(getattr(param, "type", None), "choices", None)
    if choice and choices and param is not None:
        from gradcheck_cli.errors import one_of

        message = str(one_of(choice.group(2), [str(c) for c in choices], str(param.name)))
    return (message + (_model_option(e, ctx) or hint) if message else ""), getattr(
        e, "exit_code", ExitStatus.USAGE
    )


def _model_option(e, ctx) -> str:
    """For `run` given a model's option (--d 16): where model options go instead."""
    flag = getattr(e, "option_name", None)
    if ctx is None or ctx.info_name != "run" or not flag:
        return ""
    from gradcheck_cli.options.declared import MODEL_OPTIONS

    commands = [m for m, specs in MODEL_OPTIONS.items() if any(o.flag() == flag for o in specs)]
    if not commands:
        return ""
    command = "|".join("check" if m == "file" else m for m in commands if m != "layer")
    return (
        f": run takes the model's options from the file's [model]; to override {flag}, "
        f"run `gradcheck {command} --config FILE {flag} ...`"
    )


def _unexpected(e: BaseException) -> str:
    """An exception nobody caught, as one line: what it says and where it was raised (a
    model file's own exception class, say, raised past the checker's net)."""
    frames = traceback.extract_tb(e.__traceback__)
    text = str(e).splitlines()[0] if str(e) else ""
    what = type(e).__name__ + (f": {text}" if text else "")
    if not frames:
        return f"unexpected {what}"
    ours = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    last = frames[-1]
    if os.path.abspath(last.filename).startswith(ours + os.sep):
        where = os.path.relpath(last.filename, os.path.dirname(ours))
        return f"internal error (please report it): {what} ({where}, line {last.lineno})"
    return f"{last.filename}, line {last.lineno}, in {last.name}: {what}"


app = typer.Typer(
    cls=GradcheckGroup,
    add_completion=False,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    help=escape(
        "Check hand-derived backward passes entry by entry against numerical gradients.\n\n"
        "Exit status: 0 every gradient passes, 1 a gradient is wrong, 2 bad usage or input, "
        "3 nothing fails but a gradient could not be checked finely enough (WEAK).\n\n"
        "Examples:\n"
        "  gradcheck residual --activation relu      the built-in residual net\n"
        "  gradcheck softmax --inject softmax-diag-y a known wrong derivation\n"
        "  gradcheck check examples/mlp.py           your own model file\n"
        "  gradcheck run configs/residual-relu.toml  a config file's check\n"
        "  gradcheck residual --help                 every option, with its default"
    ),
)


def _version(value: bool):
    if value:
        typer.echo(f"gradcheck {__version__}")
        raise typer.Exit(ExitStatus.OK)


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


@options("residual", model="residual")
def residual(**given) -> None:
    """Q1, the residual regression net: z1 = W1 x, h = φ(z1), z2 = h + x, y = W2 z2, L = ½(y − t)².

    Checks W̄1, W̄2, x̄, t̄ and the intermediates ȳ, z̄2, h̄, z̄1.

    Examples:
      gradcheck residual --d 8
      gradcheck residual --activation relu --batch 4
      gradcheck residual --inject x-skip-dropped
      gradcheck residual --format json
      gradcheck residual --grad "x = W1.T @ z1_bar + z2_bar"
    """
    execute("residual", given)


@options("softmax", model="softmax")
def softmax(**given) -> None:
    """Q2, the softmax classifier: z = W x + b, y = softmax(z), L = −Σ t log y (one-hot t).

    Checks W̄, b̄, x̄, the intermediates ȳ and z̄, and the softmax Jacobian ∂y/∂z.

    Examples:
      gradcheck softmax --n 10
      gradcheck softmax --no-bias --batch 3
      gradcheck softmax --inject softmax-diag-y
    """
    execute("softmax", given)


@options("run")
def run(
    config: Annotated[
        Path,
        typer.Argument(
            help=escape("TOML config naming the model in [model] name."),
            dir_okay=True,
            show_default=False,
        ),
    ],
    **given,
) -> None:
    """Run the check a config file describes; flags override its [check] and [gradients].

    The model's options come from the file's [model]. To override one, give
    the file to the model's command: gradcheck residual --config FILE --d 16.

    Examples:
      gradcheck run configs/residual-relu.toml
      gradcheck run configs/seed-q1.toml          (the document's formulas)
      gradcheck run configs/softmax.toml --format json
    """
    execute(None, {**given, "config": config})


@options("check", model="file")
def check_file(**given) -> None:
    """Check your own model: a Python file defining init(rng), forward(p, tap), backward(v).

    Loading a model file RUNS ITS CODE, like `python FILE`: check only files you trust.
    (TOML configs are pure data.) See the README for the protocol.

    Examples:
      gradcheck check examples/mlp.py
      gradcheck check examples/layernorm_buggy.py --format json
    """
    execute("file", given)


@options("bugs")
def bugs(**given) -> None:
    """List the injectable wrong derivations, with the adjoint each one breaks.

    Each is one formula of a built-in model's backward, as a student slips.

    Examples:
      gradcheck bugs --model residual
      gradcheck residual --inject phi-for-dphi
    """
    from gradcheck_cli.errors import one_of
    from gradcheck_cli.models.builtin.bugs import BUGS
    from gradcheck_cli.options.declared import MODELS
    from gradcheck_cli.report.listing import Listing

    cli, _ = split(given)
    built_in = [name for name in MODELS if name not in ("file", "layer")]
    if cli.model is not None and cli.model not in built_in:
        raise one_of(cli.model, built_in, "model")
    listing = Listing(
        "Injectable bugs (--inject NAME)",
        ("bug", "model", "breaks", "wrong formula", "description"),
        [
            (b.name, b.model, b.target, b.wrong, b.description)
            for b in BUGS
            if cli.model in (None, b.model)
        ],
        keys=("name", "model", "breaks", "wrong_formula", "description"),
    )
    emit_listing(listing, cli.format)


# Every subcommand in --help's order: its function (or, for sweep, its typer app) as
# "module:attribute". Each module is imported and each command made (typer reads every
# option's signature) only when the command runs or a --help lists it: `gradcheck
# residual` makes one command of eight, and imports neither layer, sweep nor bundled.
SUBCOMMANDS = {
    "residual": f"{__name__}:residual",
    "softmax": f"{__name__}:softmax",
    "run": f"{__name__}:run",
    "check": f"{__name__}:check_file",
    "layer": "gradcheck_cli.cli.layer:layer",  # a layer's forward and backward, by name
    "bugs": f"{__name__}:bugs",
    "examples": "gradcheck_cli.cli.bundled:examples",  # the configs and files shipped
    "sweep": "gradcheck_cli.cli.sweep:sweep_app",
}


class Subcommands(MutableMapping):
    """A group's commands by name, as click reads them (``group.commands``): each is made
    from its "module:attribute" the first time it is looked up."""

    def __init__(self, where: dict[str, str]):
        self.entries: dict[str, Any] = dict(where)  # a str: where it is, not made yet

    def __getitem__(self, name: str):
        entry = self.entries[name]
        if isinstance(entry, str):
            entry = self.entries[name] = made_command(name, entry)
        return entry

    def __setitem__(self, name: str, command) -> None:
        self.entries[name] = command

    def __delitem__(self, name: str) -> None:
        del self.entries[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)


def made_command(name: str, where: str):
    """The click command NAME, made by typer from the function (a command of one) or the
    typer app (a group: sweep) at ``where``, "module:attribute"."""
    module, attribute = where.split(":")
    target = getattr(import_module(module), attribute)
    if not isinstance(target, typer.Typer):
        target, function = typer.Typer(add_completion=False), target
        target.command(name)(function)
    command = typer.main.get_command(target)
    command.name = name  # (a typer app added to none has no name of its own)
    return command


def main() -> None:
    single_threaded_blas()
    keep_freed_memory()
    quiet_interrupts()
    app()


# glibc's malloc: arrays up to HEAP_ARRAYS bytes come from the heap (glibc: 128 KiB .. 32
# MiB, dynamic), and freed memory is never trimmed from it (glibc: above 128 KiB .. 64 MiB)
HEAP_ARRAYS = 2**30
# env name: (mallopt's parameter, its value, the environment's: -1 never trims, a size_t)
MALLOPT = {
    "MALLOC_MMAP_THRESHOLD_": (-3, HEAP_ARRAYS, str(HEAP_ARRAYS)),
    "MALLOC_TRIM_THRESHOLD_": (-1, -1, str(2**63)),
}


def keep_freed_memory() -> None:
    """Keep freed arrays for the next ones (glibc only; MALLOC_* in the environment win).

    A check allocates and frees arrays the size of a leaf dozens of times; by default
    each one above 32 MiB is a fresh mapping that pays a page fault every 4 KiB, about
    half of `gradcheck residual --d 2048 --budget inf` (benchmarks/speed.py); and a heap
    trimmed whenever 1 GiB of it was free paid them again as it grew back (52,000 faults
    of `gradcheck residual --d 6000`, 17,000 untrimmed: /usr/bin/time). The peak stays
    what it was: the memory is reused, not added to. Worker processes inherit it through
    the environment."""
    import ctypes

    if any(key in os.environ for key in MALLOPT):
        return
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to tune
        return
    for key, (param, value, environ) in MALLOPT.items():
        if mallopt(param, value) == 1:
            os.environ[key] = environ


def single_threaded_blas() -> None:
    """One BLAS thread, unless the environment says otherwise (set before numpy loads):
    a model's small products gain nothing from a second thread and lose much when the
    threads contend; --jobs spreads the copies over processes instead (workers.py)."""
    from gradcheck_cli.engine.workers import SINGLE_THREADED

    for key, value in SINGLE_THREADED.items():
        os.environ.setdefault(key, value)
