"""Options from defaults, a TOML config and flags, merged and validated in one place.

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
"""

import math
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from gradcheck_cli.errors import ConfigError, UsageError, nearest, one_of
from gradcheck_cli.models.activations import ACTIVATIONS


@dataclass(frozen=True)
class Option:
    key: str
    kind: type
    default: object
    allowed: str = ""
    valid: Callable[[object], bool] = lambda v: True
    choices: tuple[str, ...] = ()
    help: str = ""

    def flag(self) -> str:
        return "--" + self.key.replace("_", "-")


def _whole(least: int) -> dict:
    return dict(allowed=f"a whole number ≥ {least}", valid=lambda v: v >= least)


_SCALE = Option(
    "scale",
    float,
    1.0,
    "a number > 0",
    lambda v: math.isfinite(v) and v > 0,
    help="multiplies the inputs (stress the check with tiny or huge values)",
)
_INTEGERS = Option("integers", bool, False, help="draw the leaves as small whole numbers")
_SEED = Option("seed", int, 0, help="seed for weights, inputs and targets", **_whole(0))
_BATCH = Option(
    "batch", int, 1, help="examples per batch (columns); the loss is their mean", **_whole(1)
)

MODEL_OPTIONS: dict[str, list[Option]] = {
    "residual": [
        Option("d", int, 8, help="input and hidden width d", **_whole(1)),
        Option("activation", str, "tanh", choices=tuple(ACTIVATIONS), help="the activation φ"),
        _BATCH,
        _SEED,
        _SCALE,
        _INTEGERS,
    ],
    "softmax": [
        Option("n", int, 10, help="number of classes N", **_whole(2)),
        Option("d", int, 5, help="input width D", **_whole(1)),
        Option("bias", bool, True, help="logits z = W x + b (or W x)"),
        _BATCH,
        _SEED,
        _SCALE,
        _INTEGERS,
    ],
    "file": [  # a model file of the user's (gradcheck check FILE, or [model] path in a config)
        Option("path", str, None, help="the model file"),
        _SEED,
    ],
}

CHECK_OPTIONS: list[Option] = [
    Option(
        "method",
        str,
        "auto",
        choices=("auto", "complex", "richardson", "central", "forward"),
        help="numerical engine: complex step where the forward allows it (auto), or central",
    ),
    Option(
        "eps",
        float,
        None,
        "a number > 0 and < 1",
        lambda v: math.isfinite(v) and 0 < v < 1,
        help="relative step h = eps · max(1, |θ|); default ∛(machine eps) ≈ 6.1e-6",
    ),
    Option(
        "rtol",
        float,
        None,
        "a finite number ≥ 0",
        lambda v: math.isfinite(v) and v >= 0,
        help="relative tolerance (given rtol or atol, the classic bound replaces the estimates)",
    ),
    Option(
        "atol",
        float,
        None,
        "a finite number ≥ 0",
        lambda v: math.isfinite(v) and v >= 0,
        help="absolute tolerance",
    ),
    Option(
        "inject",
        str,
        None,
        help="replace one formula with a known wrong one (see `gradcheck bugs`)",
    ),
    Option(
        "dtype",
        str,
        "float64",
        choices=("float64", "float32"),
        help="run the forward and backward in float32 (against a float64 reference)",
    ),
    Option(
        "sample",
        int,
        None,
        "a whole number ≥ 2",
        lambda v: v >= 2,
        help="check this many entries of each tensor: the largest, the smallest, and strata "
        "between",
    ),
    Option(
        "directions",
        int,
        None,
        "a whole number ≥ 1",
        lambda v: v >= 1,
        help="check R random directional derivatives per tensor instead of every entry",
    ),
    Option("chain", bool, False, help="evaluate typed formulas on each other, in backward order"),
    Option("max_memory", str, None, "a size such as 512M or 4G", help="memory budget of a check"),
]


@dataclass(frozen=True)
class Config:
    model: str
    options: dict  # the model's options, complete
    check: dict  # the check options, complete
    source: str | None = None  # the config file, if any
    gradients: dict = field(default_factory=dict)  # typed formulas: target -> (text, where)


def _type_name(kind: type) -> str:
    return {int: "a whole number", float: "a number", str: "a string", bool: "true or false"}[kind]


def _typed(value, kind: type) -> bool:
    if kind is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, kind)


def _validate(opt: Option, value, where: str, error=UsageError):
    if not _typed(value, opt.kind):
        raise error(f"{where} must be {_type_name(opt.kind)}, got {value!r}")
    if opt.kind is float:
        value = float(value)
    if opt.choices and value not in opt.choices:
        raise one_of(value, opt.choices, opt.key, f" in {where}" if error is ConfigError else "")
    if not opt.valid(value):
        raise error(f"{where} must be {opt.allowed}, got {value!r}")
    return value


def read_toml(path: str) -> dict:
    import tomllib  # only a config file needs it

    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"config file '{path}' not found") from None
    except IsADirectoryError:
        raise ConfigError(f"config file '{path}' is a directory, not a TOML file") from None
    except PermissionError:
        raise ConfigError(f"config file '{path}' cannot be read (permission denied)") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: malformed TOML: {e}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not a text file") from None


def _table(data: dict, name: str, keys: list[str], path: str) -> dict:
    table = data.get(name, {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: '{name}' must be a table ([{name}]), got {table!r}")
    for key in table:
        if key not in keys:
            raise ConfigError(
                f"{path}: unknown key '{key}' in [{name}]{nearest(key, keys)}; "
                f"allowed: {', '.join(keys)}"
            )
    return table


def resolve(model: str | None, path: str | None, flags: dict) -> Config:
    """Merge defaults < config file < flags (flags given as None are absent)."""
    data = read_toml(path) if path else {}
    file_model, file_options, file_check = None, {}, {}
    if path:
        for key in data:
            if key not in ("model", "check", "gradients"):
                raise ConfigError(
                    f"{path}: unknown table or key '{key}'"
                    f"{nearest(key, ['model', 'check', 'gradients'])}; "
                    "allowed: [model], [check], [gradients]"
                )
        raw = _table(
            data,
            "model",
            ["name", *sorted({o.key for os_ in MODEL_OPTIONS.values() for o in os_})],
            path,
        )
        file_model = raw.get("name") or ("file" if "path" in raw else None)
        if file_model is not None and file_model not in MODEL_OPTIONS:
            raise ConfigError(
                f"{path}: unknown model '{file_model}'{nearest(str(file_model), MODEL_OPTIONS)}; "
                f"allowed: {', '.join(MODEL_OPTIONS)}"
            )
        if model and file_model and file_model != model:
            raise ConfigError(f"{path} is a config for the '{file_model}' model, not '{model}'")
        file_options = {k: v for k, v in raw.items() if k != "name"}
        file_check = _table(data, "check", [o.key for o in CHECK_OPTIONS], path)
    model = model or file_model
    if model is None:
        raise ConfigError(f"{path}: [model] name is missing; allowed: {', '.join(MODEL_OPTIONS)}")
    specs = MODEL_OPTIONS[model]
    for key in file_options:
        if key not in {o.key for o in specs}:
            keys = [o.key for o in specs]
            raise ConfigError(
                f"{path}: key '{key}' is not an option of the {model} model"
                f"{nearest(key, keys)}; allowed: {', '.join(['name', *keys])}"
            )
    options = _merge(specs, file_options, flags, path, "model")
    if model == "file":
        if not options["path"]:
            raise ConfigError(f"{path}: [model] path is missing: the model file to check")
        if path and "path" in file_options and not flags.get("path"):
            options["path"] = os.path.join(os.path.dirname(path), options["path"])
    check = _merge(CHECK_OPTIONS, file_check, flags, path, "check")
    check["max_memory"] = parse_size(check["max_memory"])
    return Config(model, options, check, path, _gradients(data.get("gradients", {}), flags, path))


def _gradients(table, flags: dict, path) -> dict:
    """Typed formulas from [gradients] (NAME = "EXPRESSION") and --grad, which overrides."""
    if table == {} and not flags.get("grad"):  # (formulas.py only when there are formulas)
        return {}
    from gradcheck_cli.models.formulas import split

    if not isinstance(table, dict):
        raise ConfigError(f"{path}: 'gradients' must be a table ([gradients]), got {table!r}")
    out = {}
    for key, text in table.items():
        where = f"{path}: [gradients] {key}"
        if not isinstance(text, str):
            raise ConfigError(
                f'{where} must be a formula in a string, e.g. "W1.T @ z1_bar", got {text!r}'
            )
        out[split(f"{key} = {text}", where)[0]] = (text, where)
    for spec in flags.get("grad") or []:
        target, text = split(spec, f"--grad '{spec}'")
        out[target] = (text, f"--grad '{spec}'")
    return out


def _merge(specs: list[Option], from_file: dict, flags: dict, path, table: str) -> dict:
    out = {}
    for opt in specs:
        value = opt.default
        if opt.key in from_file:
            value = _validate(opt, from_file[opt.key], f"{path}: [{table}] {opt.key}", ConfigError)
        if flags.get(opt.key) is not None:
            value = _validate(opt, flags[opt.key], opt.flag())
        out[opt.key] = value
    return out


_UNITS = {"": 1, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}


def parse_size(text: str | None) -> int:
    """'512M', '4G', '1.5GiB' or a plain number of bytes; None: half the machine's RAM."""
    if text is None:
        try:
            return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2
        except (ValueError, OSError, AttributeError):
            return 4 * 2**30
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?\s*", str(text), re.IGNORECASE)
    if not m or float(m.group(1)) <= 0:
        raise UsageError(f"--max-memory must be a size such as 512M or 4G, got {text!r}")
    return int(float(m.group(1)) * _UNITS[m.group(2).upper()])
