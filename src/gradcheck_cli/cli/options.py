"""The typer parameters of every command, made from the option spec in options/.

A command declares none of its options: `@options("residual", model="residual")` gives
it every option whose spec names the command, as keyword arguments (None when not
given, so that a config file can supply the value), with the spec's help, default
(shown in --help), panel, parser and choices.
"""

import inspect
import re
from enum import Enum
from functools import cache
from pathlib import Path
from typing import Annotated, Any

import typer

from gradcheck_cli.options.declared import CLI_OPTIONS, CommandLine, command_options
from gradcheck_cli.options.spec import Option


def whole_number(text) -> int:
    try:
        return int(str(text).strip())
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a whole number") from None


def _number(text) -> float:
    try:
        return float(str(text).strip())
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a number") from None


_PARSERS: dict[type, Any] = {int: whole_number, float: _number}
_MARKUP = re.compile(r"(\\*)(\[[a-z#/@][^[]*?])")  # what rich would read as a tag


def escape(text: str) -> str:
    """Text that --help prints as written: rich would take '[check]' for a style and drop it
    (rich.markup.escape, without importing rich at every start)."""
    return _MARKUP.sub(lambda m: f"{m.group(1)}{m.group(1)}\\{m.group(2)}", text)


def _type(opt: Option) -> Any:
    """The Python type typer sees: an Enum for fixed choices, so --help lists them."""
    if opt.choices and not callable(opt.choices):
        return Enum(opt.key.capitalize(), [(c, c) for c in opt.choices], type=str)
    return list[str] if opt.kind is tuple else opt.kind


def _info(opt: Option) -> Any:
    if opt.argument:
        return typer.Argument(help=escape(opt.help), metavar=opt.metavar, show_default=False)
    names = [opt.flag()]
    if opt.kind is bool and opt.default:
        names = [f"{opt.flag()}/--no-{opt.flag()[2:]}"]
    names += [opt.short] if opt.short else []
    extra: dict[str, Any] = {"metavar": opt.metavar} if opt.metavar else {}
    if opt.kind in _PARSERS:
        extra["parser"] = _PARSERS[opt.kind]
    if opt.kind is Path:
        extra["dir_okay"] = False
    return typer.Option(
        *names,
        help=escape(f"{opt.help} [default: {opt.shown_default()}]"),
        rich_help_panel=opt.panel,
        show_default=False,
        **extra,
    )


@cache  # one per option: the commands that share an option share its parameter
def parameter(opt: Option) -> inspect.Parameter:
    """The typer parameter of an option: its default None means 'not given'."""
    kind = inspect.Parameter.KEYWORD_ONLY
    if opt.argument:  # required, but for a repeatable one: NAME... may be left out
        default = None if opt.kind is tuple else inspect.Parameter.empty
        return inspect.Parameter(
            opt.key, kind, default=default, annotation=Annotated[_type(opt), _info(opt)]
        )
    typed: Any = Annotated[_type(opt) | None, _info(opt)]
    return inspect.Parameter(opt.key, kind, default=None, annotation=typed)


def options(command: str, model: str | None = None):
    """Decorator: the command's options, from the spec, as keyword arguments (**given)."""

    def decorate(fn):
        own = inspect.signature(fn).parameters.values()
        made = [parameter(o) for o in command_options(command, model)]
        fn.__signature__ = inspect.Signature([p for p in own if p.kind is not p.VAR_KEYWORD] + made)
        fn.__doc__ = escape(inspect.getdoc(fn) or "")
        return fn

    return decorate


def split(given: dict[str, Any]) -> tuple[CommandLine, dict[str, Any]]:
    """The command line's own options, and the rest by name (the values given: for
    options.resolve), as plain values: an Enum's value, a tuple for a list."""
    plain = {k: _plain(v) for k, v in given.items() if v is not None}
    mine = {o.key for o in CLI_OPTIONS}
    return (
        CommandLine(**{k: v for k, v in plain.items() if k in mine}),
        {k: v for k, v in plain.items() if k not in mine},
    )


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    return tuple(value) if isinstance(value, list) else value
