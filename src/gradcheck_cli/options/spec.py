"""The option spec: what one option is (Option), the field that declares it (option()),
the --help panels and the commands; Option objects read from a dataclass's fields.

Nothing here imports numpy: `gradcheck --help` reads this module.
"""

import re
import types
from collections.abc import Callable
from dataclasses import MISSING, field, fields
from typing import Any, Union, get_args, get_origin

from gradcheck_cli.records import frozen

# The panels of --help, in the order they are shown.
MODEL, NUMERICS, OUTPUT, LARGE = "Model", "Numerics", "Output", "Large models"
PANELS = (MODEL, NUMERICS, OUTPUT, LARGE)

# The commands (a sweep's subcommands by their full name).
CHECKING = ("residual", "softmax", "run", "check", "layer")
SWEEPS = ("sweep residual", "sweep softmax", "sweep check")
MODEL_COMMANDS = {
    "residual": ("residual", "sweep residual"),
    "softmax": ("softmax", "sweep softmax"),
    "file": ("check", "sweep check"),
    "layer": ("layer",),
}


@frozen(eq=False)  # (eq=False: hashed by identity)
class Option:
    """One option, as every part of the program sees it (made from a field below)."""

    key: str  # the Python name; the flag is --key with '-' for '_'
    kind: type  # int, float, str, bool, tuple (repeatable) or Path (a flag only)
    default: Any
    help: str
    commands: tuple[str, ...]  # the commands that take it
    table: str | None  # "model" or "check": the config file's table; None: not in a file
    panel: str = MODEL
    allowed: str = ""  # what `valid` accepts, for the error message
    valid: Callable[[Any], bool] = lambda v: True
    choices: tuple[str, ...] | Callable[[], tuple[str, ...]] = ()  # callable: loaded on use
    shown: str = ""  # the default as --help shows it, when not the default itself
    short: str = ""  # a one-letter flag, e.g. -q
    metavar: str = ""
    argument: bool = False  # a command-line argument, not an --option

    def flag(self) -> str:
        return "--" + self.key.replace("_", "-")

    def names(self) -> tuple[str, ...]:
        """The allowed values: the choices, loaded if they are loaded on use."""
        return self.choices() if callable(self.choices) else self.choices

    def shown_default(self) -> str:
        if self.shown:
            return self.shown
        if isinstance(self.default, bool):
            return "on" if self.default else "off"
        if isinstance(self.default, float):
            return number(self.default)
        return str(self.default)


def number(x: float) -> str:
    """1e-5, not 1e-05; 1, not 1.0."""
    return re.sub(r"e([+-])0*(\d)", r"e\1\2", f"{x:g}")


def option(default: Any, help: str, **spec: Any) -> Any:
    """A dataclass field that declares an option (the keywords of Option, but key and kind)."""
    return field(default=default, metadata={"option": {"help": help, **spec}})


def _kind(annotation: Any) -> type:
    """int from `int | None`; tuple from `tuple[str, ...]`."""
    if get_origin(annotation) in (Union, types.UnionType):
        (annotation,) = [a for a in get_args(annotation) if a is not type(None)]
    return get_origin(annotation) or annotation


def options_of(cls: type, table: str | None, commands: tuple[str, ...]) -> tuple[Option, ...]:
    """The Option of each field of `cls`; `table` and `commands` unless a field says."""
    out = []
    for f in fields(cls):
        spec = {"table": table, "commands": commands, **f.metadata["option"]}
        default = f.default if f.default is not MISSING else None
        out.append(Option(key=f.name, kind=_kind(f.type), default=default, **spec))
    return tuple(out)
