"""How defaults, a TOML config and flags merge into one Config: defaults < config file <
flags (or check()'s keywords), each value validated; every error names the bad value,
where it came from, and what is allowed."""

import os
from collections.abc import Mapping
from dataclasses import field, replace
from typing import Any

from gradcheck_cli.errors import ConfigError, GradcheckError, UsageError, one_of, suggestion
from gradcheck_cli.options.declared import (
    CHECK_OPTIONS,
    MODEL_OPTIONS,
    MODELS,
    CheckOptions,
    FileOptions,
    LayerOptions,
    ModelOptions,
)
from gradcheck_cli.options.size import parse_size
from gradcheck_cli.options.spec import Option
from gradcheck_cli.options.toml import read_toml
from gradcheck_cli.records import frozen


@frozen
class Config:
    """A check's settings, resolved: flags over the config file over the defaults."""

    model: str
    options: ModelOptions  # the model's options, complete
    check: CheckOptions  # the check options, complete
    max_memory: int  # check.max_memory in bytes
    source: str | None = None  # the config file, if any
    gradients: dict = field(default_factory=dict)  # typed formulas: target -> (text, where)


def _type_name(kind: type) -> str:
    return {
        int: "a whole number",
        float: "a number",
        str: "a string",
        bool: "true or false",
        tuple: "a list of formulas",
    }[kind]


def _typed(value: Any, kind: type) -> bool:
    if kind is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, kind)


def _validate(opt: Option, value: Any, where: str, error: type[GradcheckError] = UsageError) -> Any:
    if opt.kind is tuple and isinstance(value, list):
        value = tuple(value)
    if not _typed(value, opt.kind):
        raise error(f"{where} must be {_type_name(opt.kind)}, got {value!r}")
    if opt.kind is float:
        value = float(value)
    if opt.choices and value not in opt.names():
        raise one_of(value, opt.names(), opt.key, f" in {where}" if error is ConfigError else "")
    if not opt.valid(value):
        raise error(f"{where} must be {opt.allowed}, got {value!r}")
    return value


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
    if path:  # a bundled config's name, when no such file exists
        from gradcheck_cli.bundled import config_file

        path = config_file(path)
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
        from gradcheck_cli.bundled import model_file  # a bundled model file's name, likewise

        options = replace(options, path=model_file(options.path))
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


def _gradients(table: Any, grad: tuple[str, ...], path: str | None) -> dict:
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


def _once(formulas: dict, target: str, second: str, error: type[GradcheckError]) -> None:
    """Two formulas for one adjoint (x = … and x_bar = … too) are refused, naming both."""
    if target in formulas:
        raise error(
            f"{formulas[target][1]} and {second} are both formulas for the adjoint of "
            f"{target}; give one"
        )


def _merge(
    specs: tuple[Option, ...],
    from_file: dict,
    given: Mapping[str, Any],
    path: str | None,
    table: str,
) -> dict:
    out = {}
    for opt in specs:
        value = opt.default
        if opt.key in from_file:
            value = _validate(opt, from_file[opt.key], f"{path}: [{table}] {opt.key}", ConfigError)
        if given.get(opt.key) is not None:
            value = _validate(opt, given[opt.key], opt.flag())
        out[opt.key] = value
    return out
