"""Every option, declared once; and how defaults, a TOML config and flags merge.

Each option is one field of a dataclass below: its name, Python type, default, help,
validation and choices, the commands that take it and the --help panel it shows in.
Everything else is generated from these fields: the typer parameters of every command
and the defaults --help shows (cli/options.py), the checks of a config file's tables
(here), the keywords of gradcheck_cli.check (api.py), and the defaults of the built-in
models' build functions (models/residual.py, models/softmax.py).

To add an option, add a field: `name: type = option(default, "Help.", ...)` to the model's
dataclass (a [model] key), to CheckOptions (a [check] key) or to CommandLine (a flag only),
then read it where it acts (api.py's execute, say). Nothing else declares it.

A config file is pure data:

    [model]
    name = "residual"      # which model (required by `gradcheck run`)
    d = 8                  # any of the model's options
    activation = "relu"

    [check]
    rtol = 1e-5            # any of the check options
    inject = "x-skip-dropped"

Flags given on the command line override the file; the file overrides the defaults.
Every error names the bad value, where it came from, and what is allowed.

Nothing here imports numpy: `gradcheck --help` reads this module.
"""

import math
import os
import re
import types
from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Union, get_args, get_origin

from gradcheck_cli.engine.engines import method_help  # (numpy-free: --help reads it)
from gradcheck_cli.errors import ConfigError, UsageError, nearest

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


@dataclass(frozen=True, eq=False)  # (eq=False: hashed by identity, quicker to define)
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


def _whole(least: int) -> dict:
    return dict(allowed=f"a whole number ≥ {least}", valid=lambda v: v >= least, metavar="INT")


def _engines() -> tuple[str, ...]:
    from gradcheck_cli.engine.engines import choices  # the ENGINES table (no numpy)

    return choices()


def _activations() -> tuple[str, ...]:
    from gradcheck_cli.models.activations import ACTIVATIONS  # numpy: only when validating

    return tuple(ACTIVATIONS)


# Options several models share: a fresh field for each dataclass.
def _batch() -> Any:
    return option(1, "Examples per batch (columns of x); the loss is their mean.", **_whole(1))


def _seed() -> Any:
    return option(0, "Seed for weights, inputs and targets.", **_whole(0))


def _scale() -> Any:
    return option(
        1.0,
        "Multiply the inputs by this (stress tiny or huge values).",
        allowed="a number > 0",
        valid=lambda v: math.isfinite(v) and v > 0,
        metavar="FLOAT",
    )


def _integers() -> Any:
    return option(False, "Draw the leaves as small whole numbers (values exactly on kinks, ties).")


@dataclass(frozen=True)
class ResidualOptions:
    """`gradcheck residual`, and [model] with name = "residual"."""

    d: int = option(8, "Input and hidden width d.", **_whole(1))
    activation: str = option(
        "tanh",
        "φ: identity, relu, leaky_relu, tanh, sigmoid, softplus, elu, silu, gelu.",
        choices=_activations,
        metavar="NAME",
    )
    batch: int = _batch()
    seed: int = _seed()
    scale: float = _scale()
    integers: bool = _integers()


@dataclass(frozen=True)
class SoftmaxOptions:
    """`gradcheck softmax`, and [model] with name = "softmax"."""

    n: int = option(10, "Number of classes N.", **_whole(2))
    d: int = option(5, "Input width D.", **_whole(1))
    bias: bool = option(True, "Logits W x + b, or W x.")
    batch: int = _batch()
    seed: int = _seed()
    scale: float = _scale()
    integers: bool = _integers()


@dataclass(frozen=True)
class FileOptions:
    """`gradcheck check FILE`, and [model] with path = "FILE" (a model file of the user's)."""

    path: str = option(
        "", "Your model file (Python; loading it runs its code).", argument=True, metavar="FILE"
    )
    seed: int = _seed()


@dataclass(frozen=True)
class LayerOptions:
    """`gradcheck layer FILE NAME`, and [model] with name = "layer" (models/layers.py)."""

    path: str = option(
        "",
        "Your file of layer functions (Python; loading it runs its code).",
        argument=True,
        metavar="FILE",
    )
    layer: str = option(
        "",
        "The layer: NAME_forward and NAME_backward, or a loss NAME returning (loss, dx).",
        argument=True,
        metavar="NAME",
    )
    shape: tuple[str, ...] = option(
        (),
        "An input's shape, e.g. x=4x5 or b=3; inputs are drawn in the forward's order "
        "(repeatable).",
        shown="none",
        metavar="NAME=SHAPE",
    )
    labels: tuple[str, ...] = option(
        (),
        "An integer input, not checked: y=4:10 draws 4 whole numbers in [0, 10) (repeatable).",
        shown="none",
        metavar="NAME=SHAPE:HIGH",
    )
    param: tuple[str, ...] = option(
        (),
        "A setting: the parameter KEY's value, else a key of the *_param dict (bn_param), "
        "e.g. mode=train or eps=1e-5 (repeatable).",
        shown="none",
        metavar="KEY=VALUE",
    )
    seed: int = _seed()


CLASSIC_RTOL, CLASSIC_ATOL = 1e-5, 0.0  # the classic bound's, when only the other is given
_TOLERANCE = dict(
    allowed="a finite number ≥ 0",
    valid=lambda v: math.isfinite(v) and v >= 0,
    panel=NUMERICS,
    metavar="FLOAT",
)


@dataclass(frozen=True)
class CheckOptions:
    """[check] in a config file; the same flags on every checking command."""

    method: str = option(
        "auto",
        method_help(),
        choices=_engines,
        panel=NUMERICS,
        metavar="ENGINE",  # (the choices, listed above, would not fit a column of 80)
    )
    eps: float | None = option(
        None,
        "Finite differences' relative step: h = eps·max(1,|θ|).",
        allowed="a number > 0 and < 1",
        valid=lambda v: math.isfinite(v) and 0 < v < 1,
        shown="the engine's; ∛eps ≈ 6.1e-6 for central",
        panel=NUMERICS,
        metavar="FLOAT",
    )
    rtol: float | None = option(
        None,
        "Relative tolerance: the classic bound replaces the error estimates.",
        shown=f"estimates; {number(CLASSIC_RTOL)} with --atol",
        **_TOLERANCE,
    )
    atol: float | None = option(
        None,
        "Absolute tolerance: the classic bound replaces the error estimates.",
        shown=f"estimates; {number(CLASSIC_ATOL)} with --rtol",
        **_TOLERANCE,
    )
    inject: str | None = option(
        None,
        "Replace one formula with a known wrong one (see 'gradcheck bugs').",
        commands=("residual", "softmax", "run"),
        shown="none",
        metavar="BUG",
    )
    dtype: str = option(
        "float64",
        "Run the forward and backward in float32, checked against float64.",
        choices=("float64", "float32"),
        panel=NUMERICS,
    )
    sample: int | None = option(
        None,
        "Check K entries per tensor: the largest-|g|, the smallest, and strata between (seeded).",
        shown="every entry",
        panel=LARGE,
        **_whole(2),
    )
    directions: int | None = option(
        None,
        "Check R random sign directions per tensor (complex step): fast for huge tensors; "
        "a failing tensor is checked entry by entry to name the wrong entry.",
        shown="off",
        panel=LARGE,
        **_whole(1),
    )
    budget: float = option(
        10.0,
        "Seconds a check of every entry may take; beyond, each tensor is checked by 4 "
        "directional derivatives and a stratified sample of entries (a note says so). "
        "inf: every entry, however long.",
        allowed="a number of seconds > 0, or inf",
        valid=lambda v: v > 0,
        panel=LARGE,
        metavar="SECONDS",
    )
    jobs: int = option(
        0,
        "Worker processes for the perturbed copies (one BLAS thread each); 0: one per "
        "core. Results are the same bytes for every N.",
        shown="0 (every core)",
        panel=LARGE,
        **_whole(0),
    )
    chain: bool = option(
        False,
        "Evaluate your formulas on each other in backward order, not on the correct adjoints.",
        commands=("residual", "softmax", "run"),
    )
    strict: bool = option(
        False,
        "Fail (exit 1) where an adjoint is NOT CHECKED (a tapped intermediate's not "
        "given, a value float64 cannot hold), as where it is wrong.",
        panel=NUMERICS,
    )
    max_memory: str | None = option(
        None,
        "Memory budget, e.g. 512M or 4G.",
        allowed="a size such as 512M or 4G",
        shown="half the RAM",
        panel=LARGE,
        metavar="SIZE",
    )
    # Flags and keywords only: a config file has [gradients] for formulas.
    grad: tuple[str, ...] = option(
        (),
        "Your formula for an adjoint, 'NAME = EXPRESSION' over the model's values and the "
        "adjoints before it, e.g. 'x = W1.T @ z1_bar + z2_bar' in residual (repeatable).",
        table=None,
        shown="none",
        metavar="'NAME = EXPR'",
    )
    derivation: str | None = option(
        None,
        "Your derivation (Markdown, LaTeX or text with $...$ math): every equation for an "
        "adjoint or a Jacobian is read, translated and checked as a --grad formula; every "
        "equation found is listed (docs/derivation-reader.md).",
        commands=("residual", "softmax", "run", "check"),
        shown="none",
        metavar="FILE",
    )
    section: str | None = option(
        None,
        "With --derivation: only the part under this heading or label (Q2, 'Part (b)').",
        commands=("residual", "softmax", "run", "check"),
        shown="the whole document",
        metavar="TEXT",
    )
    taylor: bool = option(
        False,
        "Also run the Taylor-remainder test: fitted order 2 if a gradient is right, 1 if not.",
        table=None,
        panel=NUMERICS,
    )


@dataclass(frozen=True)
class CommandLine:
    """Options of the command line alone: not in a config file, not check()'s keywords."""

    config: Path | None = option(
        None,
        "TOML config; flags override it.",
        commands=("residual", "softmax", "check", "sweep residual", "sweep softmax"),
        shown="none",
        metavar="FILE",
    )
    format: str = option(
        "table",
        "Output: table for people, json for scripts, markdown for reports.",
        choices=("table", "json", "markdown"),
        commands=(*CHECKING, *SWEEPS, "bugs", "examples"),
        panel=OUTPUT,
    )
    quiet: bool = option(False, "Print nothing; the exit status tells.", short="-q", panel=OUTPUT)
    save: Path | None = option(
        None,
        "Save every leaf, analytic and numeric adjoint to FILE.npz.",
        shown="none",
        panel=OUTPUT,
        metavar="FILE",
    )
    plot: Path | None = option(
        None,
        "Also draw to FILE.png (needs matplotlib): a sweep's errors against the step; a "
        "check's err / bound per entry of each failing tensor, as a heatmap.",
        commands=(*CHECKING, *SWEEPS),
        shown="none",
        panel=OUTPUT,
        metavar="FILE",
    )
    plot_all: bool = option(
        False, "With --plot: draw every tensor, not only those that fail.", panel=OUTPUT
    )
    model: str | None = option(
        None,
        "Only this model's bugs: residual or softmax.",
        commands=("bugs",),
        shown="every model",
        metavar="NAME",
    )
    names: tuple[str, ...] = option(
        (),
        "Only these: a name, with or without its extension.",
        commands=("examples",),
        argument=True,
        metavar="[NAME]...",
    )
    copy: str | None = option(
        None,
        "Copy them to DIR/configs/ and DIR/examples/, where the README's commands expect them.",
        commands=("examples",),
        shown="none",
        panel=OUTPUT,
        metavar="DIR",
    )
    force: bool = option(
        False, "Let --copy overwrite files that exist.", commands=("examples",), panel=OUTPUT
    )


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


ModelOptions = ResidualOptions | SoftmaxOptions | FileOptions | LayerOptions
MODELS: dict[str, type] = {
    "residual": ResidualOptions,
    "softmax": SoftmaxOptions,
    "file": FileOptions,
    "layer": LayerOptions,
}
MODEL_OPTIONS: dict[str, tuple[Option, ...]] = {
    name: options_of(cls, "model", MODEL_COMMANDS[name]) for name, cls in MODELS.items()
}
CHECK_OPTIONS = options_of(CheckOptions, "check", CHECKING)
CLI_OPTIONS = options_of(CommandLine, None, CHECKING)


def command_options(command: str, model: str | None = None) -> list[Option]:
    """The options of a command (`model`'s, the check's, the command line's), by panel."""
    specs = [*(MODEL_OPTIONS[model] if model else ()), *CHECK_OPTIONS, *CLI_OPTIONS]
    mine = [o for o in specs if command in o.commands]
    return sorted(mine, key=lambda o: PANELS.index(o.panel))


def api_keywords(model: str) -> list[str]:
    """The keywords gradcheck_cli.check takes for a model."""
    return [o.key for o in (*MODEL_OPTIONS[model], *CHECK_OPTIONS)]


def api_text(message: str) -> str:
    """An error's message as check() is called: its keywords, not the flags (d must be
    ..., not --d must be ...). Only the options' flags change."""
    keys = {o.flag(): o.key for specs in (*MODEL_OPTIONS.values(), CHECK_OPTIONS) for o in specs}
    return re.sub(r"(?<![\w-])--[a-z][a-z-]*(?![\w-])", lambda m: keys.get(m[0], m[0]), message)


@dataclass(frozen=True)
class Config:
    model: str
    options: ModelOptions  # the model's options, complete
    check: CheckOptions  # the check options, complete
    max_memory: int  # check.max_memory in bytes
    source: str | None = None  # the config file, if any
    gradients: dict = field(default_factory=dict)  # typed formulas: target -> (text, where)


def suggestion(word: str, choices) -> str:
    """nearest(), but 'RELU' suggests 'relu' too."""
    folded = {str(c).casefold(): c for c in choices}
    if str(word).casefold() in folded:
        return f" (did you mean '{folded[str(word).casefold()]}'?)"
    return nearest(word, choices)


def unknown(word, choices, what: str, where: str = "") -> UsageError:
    """The error for a name that is not among `choices`, suggesting the nearest."""
    listed = ", ".join(choices)
    return UsageError(
        f"unknown {what} '{word}'{where}{suggestion(word, choices)}; allowed: {listed}"
    )


def _type_name(kind: type) -> str:
    return {
        int: "a whole number",
        float: "a number",
        str: "a string",
        bool: "true or false",
        tuple: "a list of formulas",
    }[kind]


def _typed(value, kind: type) -> bool:
    if kind is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, kind)


def _validate(opt: Option, value, where: str, error=UsageError):
    if opt.kind is tuple and isinstance(value, list):
        value = tuple(value)
    if not _typed(value, opt.kind):
        raise error(f"{where} must be {_type_name(opt.kind)}, got {value!r}")
    if opt.kind is float:
        value = float(value)
    if opt.choices and value not in opt.names():
        raise unknown(value, opt.names(), opt.key, f" in {where}" if error is ConfigError else "")
    if not opt.valid(value):
        raise error(f"{where} must be {opt.allowed}, got {value!r}")
    return value


def read_toml(path: str) -> dict:
    import tomllib  # only a config file needs it

    if path.endswith(".py") and os.path.isfile(path):
        raise ConfigError(
            f"{path} is a Python model file, not a TOML config: "
            f"check it with 'gradcheck check {path}'"
        )
    try:
        with open(path, "rb") as fh:
            text = fh.read().decode()
        if text.startswith("\ufeff"):
            raise ConfigError(
                f"{path} starts with a byte order mark (BOM, bytes EF BB BF), which TOML does "
                "not allow; save it as UTF-8 without a BOM"
            )
        return tomllib.loads(text)
    except FileNotFoundError:
        raise ConfigError(f"config file '{path}' not found") from None
    except IsADirectoryError:
        raise ConfigError(f"config file '{path}' is a directory, not a TOML file") from None
    except PermissionError:
        raise ConfigError(f"config file '{path}' cannot be read (permission denied)") from None
    except OSError as e:  # a device, a file of /proc, a disk that fails
        raise ConfigError(f"config file '{path}' cannot be read: {e.strerror or e}") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: malformed TOML: {toml_message(str(e), text)}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not a text file") from None


def toml_message(message: str, text: str) -> str:
    """tomllib's message and, for an array, inline table or string never closed, where it
    was opened: tomllib says only "at end of document", or where it gave up (the next
    key, lines later)."""
    found = unclosed(text)
    at = re.search(r" \(at line (\d+), column (\d+)\)$", message)
    if found is None or not (at or message.endswith("(at end of document)")):
        return message
    line = text.count("\n", 0, found[1]) + 1
    column = found[1] - (text.rfind("\n", 0, found[1]) + 1) + 1
    if at and (line, column) > (int(at.group(1)), int(at.group(2))):
        return message  # opened after the error: not its cause
    shown = f"'{found[0]}'" if found[0] in "[{" else f"string opened with {found[0]}"
    head = message.removesuffix(" (at end of document)")
    return f"{head}: the {shown} at line {line}, column {column} is never closed"


def unclosed(text: str) -> tuple[str, int] | None:
    """The innermost array '[', inline table '{' or string opened in a TOML text and
    never closed, with its offset; strings, comments and [table] headers are skipped."""
    stack: list[tuple[str, int]] = []
    last, i = "\n", 0  # the last character read that is not blank
    while i < len(text):
        c = text[i]
        if c in "\"'":
            quote, end = _string_end(text, i)
            if end < 0:
                return quote, i
            last, i = c, end
            continue
        if c == "#" or (c == "[" and not stack and last != "="):  # a comment, a [header]
            i = text.find("\n", i) % (len(text) + 1)  # (-1: to the end)
            last = "\n"
            continue
        if c in "[{":
            stack.append((c, i))
        elif c in "]}" and stack and stack[-1][0] == {"]": "[", "}": "{"}[c]:
            stack.pop()
        last = c if not c.isspace() else last
        i += 1
    return stack[-1] if stack else None


def _string_end(text: str, i: int) -> tuple[str, int]:
    """The quote that opens the string at ``i`` and the offset just after the string
    (-1: never closed). A basic string's backslash escapes the next character."""
    q = text[i]
    quote = q * 3 if text.startswith(q * 3, i) else q
    j = i + len(quote)
    while j < len(text):
        if q == '"' and text[j] == "\\":
            j += 2
        elif text.startswith(quote, j):
            end = j + len(quote)
            while len(quote) == 3 and text.startswith(q, end) and end - j < 5:
                end += 1  # """a"""" is the string a": up to two quotes more
            return quote, end
        elif len(quote) == 1 and text[j] == "\n":
            return quote, -1
        else:
            j += 1
    return quote, -1


def _table(data: dict, name: str, keys: list[str], path: str) -> dict:
    table = data.get(name, {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: '{name}' must be a table ([{name}]), got {table!r}")
    for key in table:
        if key not in keys:
            raise ConfigError(
                f"{path}: unknown key '{key}' in [{name}]{suggestion(key, keys)}; "
                f"allowed: {', '.join(keys)}"
            )
    return table


def _read(path: str, model: str | None) -> tuple[str | None, dict, dict, dict]:
    """A config file's model name, [model] options, [check] options and [gradients]."""
    data = read_toml(path)
    for key in data:
        if key not in ("model", "check", "gradients"):
            raise ConfigError(
                f"{path}: unknown table or key '{key}'"
                f"{suggestion(key, ['model', 'check', 'gradients'])}; "
                "allowed: [model], [check], [gradients]"
            )
    model_keys = sorted({o.key for specs in MODEL_OPTIONS.values() for o in specs})
    raw = _table(data, "model", ["name", *model_keys], path)
    file_model = raw.get("name") or ("file" if "path" in raw else None)
    if file_model is not None and file_model not in MODEL_OPTIONS:
        raise ConfigError(
            f"{path}: unknown model '{file_model}'{suggestion(str(file_model), MODEL_OPTIONS)}; "
            f"allowed: {', '.join(MODEL_OPTIONS)}"
        )
    if model and file_model and file_model != model:
        raise ConfigError(f"{path} is a config for the '{file_model}' model, not '{model}'")
    options = {k: v for k, v in raw.items() if k != "name"}
    check_keys = [o.key for o in CHECK_OPTIONS if o.table == "check"]
    return file_model, options, _table(data, "check", check_keys, path), data


def resolve(model: str | None, path: str | None, given: Mapping[str, Any]) -> Config:
    """Merge defaults < config file < `given` (flags or check()'s keywords; None: absent)."""
    from gradcheck_cli import bundled  # a name of a bundled file, when no such file exists

    path = bundled.config_file(path) if path else path
    file_model, file_options, file_check, data = _read(path, model) if path else (None, {}, {}, {})
    model = model or file_model
    if model is None:
        raise ConfigError(f"{path}: [model] name is missing; allowed: {', '.join(MODEL_OPTIONS)}")
    specs = MODEL_OPTIONS[model]
    keys = [o.key for o in specs]
    for key in file_options:
        if key not in keys:
            raise ConfigError(
                f"{path}: key '{key}' is not an option of the {model} model"
                f"{suggestion(key, keys)}; allowed: {', '.join(['name', *keys])}"
            )
    options = MODELS[model](**_merge(specs, file_options, given, path, "model"))
    if isinstance(options, (FileOptions, LayerOptions)):
        if not options.path:
            raise ConfigError(f"{path}: [model] path is missing: the model file to check")
        if isinstance(options, LayerOptions) and not options.layer:
            raise ConfigError(f"{path}: [model] layer is missing: the layer's NAME")
        if path and "path" in file_options and not given.get("path"):
            options = replace(options, path=os.path.join(os.path.dirname(path), options.path))
        options = replace(options, path=bundled.model_file(options.path))
    check = CheckOptions(**_merge(CHECK_OPTIONS, file_check, given, path, "check"))
    if path and check.derivation and "derivation" in file_check and not given.get("derivation"):
        # a config's derivation is found beside the config, as its model file is
        check = replace(check, derivation=os.path.join(os.path.dirname(path), check.derivation))
    gradients = _gradients(data.get("gradients", {}), check.grad, path)
    return Config(model, options, check, parse_size(check.max_memory), path, gradients)


def split_formula(spec: str, where: str) -> tuple[str, str]:
    """'x = W1.T @ z1_bar' -> ('x', 'W1.T @ z1_bar'); the target may be 'x_bar' too. (The
    expression is parsed and vetted where the model is known: models/formulas.py.)"""
    if "=" not in spec:
        raise UsageError(
            f"{where}: a formula reads NAME = EXPRESSION, e.g. 'x = W1.T @ z1_bar + z2_bar'"
        )
    target, text = (part.strip() for part in spec.split("=", 1))
    if target.endswith("_bar"):
        target = target[:-4]
    return target, text


def _gradients(table, grad: tuple[str, ...], path) -> dict:
    """Typed formulas from [gradients] (NAME = "EXPRESSION") and --grad, which overrides."""
    if table == {} and not grad:  # (formulas.py only when there are formulas)
        return {}
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: 'gradients' must be a table ([gradients]), got {table!r}")
    out: dict[str, tuple[str, str]] = {}
    for key, text in table.items():
        where = f"{path}: [gradients] {key}"
        if not isinstance(text, str):
            raise ConfigError(
                f'{where} must be a formula in a string, e.g. "W1.T @ z1_bar", got {text!r}'
            )
        target = split_formula(f"{key} = {text}", where)[0]
        _once(out, target, key, ConfigError)
        out[target] = (text, where)
    mine: dict[str, tuple[str, str]] = {}
    for spec in grad:
        target, text = split_formula(spec, f"--grad '{spec}'")
        _once(mine, target, f"--grad '{spec}'", UsageError)
        mine[target] = (text, f"--grad '{spec}'")
    return {**out, **mine}


def _once(formulas: dict, target: str, second: str, error) -> None:
    """Two formulas for one adjoint (x = … and x_bar = … too) are refused, naming both."""
    if target in formulas:
        raise error(
            f"{formulas[target][1]} and {second} are both formulas for the adjoint of "
            f"{target}; give one"
        )


def _merge(specs, from_file: dict, given: Mapping[str, Any], path, table: str) -> dict:
    out = {}
    for opt in specs:
        value = opt.default
        if opt.key in from_file:
            value = _validate(opt, from_file[opt.key], f"{path}: [{table}] {opt.key}", ConfigError)
        if given.get(opt.key) is not None:
            value = _validate(opt, given[opt.key], opt.flag())
        out[opt.key] = value
    return out


_UNITS = {"": 1, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}


def parse_size(text: str | None) -> int:
    """'512M', '4G', '1.5GiB' or a plain number of bytes; None: half the machine's RAM.

    A size above the machine's RAM is refused: the limit promises that a check needing
    more is refused before it runs, and past the RAM the kernel kills the process first
    (exit 137, no message), so such a limit would promise nothing."""
    ram = physical_memory()
    if text is None:
        return ram // 2 if ram else 4 * 2**30
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?\s*", str(text), re.IGNORECASE)
    if not m or float(m.group(1)) <= 0:
        raise UsageError(f"--max-memory must be a size such as 512M or 4G, got {text!r}")
    size = int(float(m.group(1)) * _UNITS[m.group(2).upper()])
    if ram and size > ram:
        raise UsageError(
            f"--max-memory {str(text).strip()} is more than this machine's RAM "
            f"({ram / 2**30:.1f} GiB): a check needing more would be killed by the kernel, "
            f"not refused; give at most {ram // 2**20}M"
        )
    return size


def physical_memory() -> int:
    """Bytes of RAM this machine has (0 where the system does not say)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 0
