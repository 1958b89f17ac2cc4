"""Layers as CS231n writes them, checked like any model: a pair by name, or a loss.

    NAME_forward(x, w, b, ...) -> (out, cache)
    NAME_backward(dout, cache) -> (dx, dw, db)     or {"x": dx, ...}, or dx alone
    NAME(x, y, ...)            -> (loss, dx, ...)  a loss: its value and its gradients

A pair is checked as the model L = Σ dout ∘ out, with dout drawn at random in out's
shape: the gradient of L is the vector-Jacobian product NAME_backward computes, so every
input's row compares NAME_backward(dout, cache) with the numerical one. A loss is its own
L. The backward's outputs match the forward's array inputs by position (integer inputs
may be left out), or by name in a dict ("x" or "dx").

The forward's parameters, in order, are drawn (seeded): floats of the shape given
(--shape x=4x5), whole numbers in [0, HIGH) (--labels y=4:5; data, not checked), and the
rest are settings: a parameter named like a --param key takes its value, one named
*_param (CS231n's bn_param) the dict of the other --param values, one with a default
keeps it. The user's errors are one line naming their file and line (calls.call_user).
"""

import inspect
import os
import re
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any

import numpy as np

from gradcheck_cli.errors import ModelError, UsageError, nearest
from gradcheck_cli.models.user.calls import load_module
from gradcheck_cli.models.user.files import UserModel
from gradcheck_cli.options.declared import LayerOptions
from gradcheck_cli.records import frozen

Shape = tuple[int, ...]
DOUT = "dout"  # the upstream gradient's leaf


# --- the flags' text: NAME=4x5, NAME=4:5, KEY=VALUE -------------------------------------


def _split(entry: str, flag: str, form: str) -> tuple[str, str]:
    name, sep, value = str(entry).partition("=")
    name = name.strip()
    if not sep or not name.isidentifier():
        raise UsageError(f"{flag} {entry!r}: expected {form}")
    return name, value.strip()


def parse_shape(text: str, where: str) -> Shape:
    """'4x5', '4×5', '3' -> (4, 5), (3,)."""
    parts = re.split(r"\s*[x×X,]\s*", text.strip())
    if not all(p.isdigit() for p in parts) or not all(int(p) >= 1 for p in parts):
        raise UsageError(f"{where}: a shape is sizes ≥ 1 joined by x, e.g. 4x5 or 3; got {text!r}")
    return tuple(int(p) for p in parts)


def _once(out: dict, name: str, flag: str) -> None:
    if name in out:
        raise UsageError(f"{flag} {name}=… is given twice")


def parse_shapes(entries: Iterable[str]) -> dict[str, Shape]:
    out: dict[str, Shape] = {}
    for entry in entries:
        name, value = _split(entry, "--shape", "NAME=SHAPE, e.g. x=4x5")
        _once(out, name, "--shape")
        out[name] = parse_shape(value, f"--shape {entry}")
    return out


def parse_labels(entries: Iterable[str]) -> dict[str, tuple[Shape, int]]:
    out: dict[str, tuple[Shape, int]] = {}
    for entry in entries:
        form = "NAME=SHAPE:HIGH, e.g. y=4:5 (4 whole numbers in [0, 5))"
        name, value = _split(entry, "--labels", form)
        shape, sep, high = value.rpartition(":")
        if not sep or not high.strip().isdigit() or int(high) < 1:
            raise UsageError(f"--labels {entry}: expected {form}")
        _once(out, name, "--labels")
        out[name] = (parse_shape(shape, f"--labels {entry}"), int(high))
    return out


def parse_value(text: str) -> Any:
    """'3' -> 3, '1e-5' -> 1e-05, 'true' -> True, anything else as written."""
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def parse_params(entries: Iterable[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for entry in entries:
        key, value = _split(entry, "--param", "KEY=VALUE, e.g. mode=train or eps=1e-5")
        _once(out, key, "--param")
        out[key] = parse_value(value)
    return out


def shape_text(shape: int | Iterable[int]) -> str:
    """(4, 5) -> '4x5': the flag's form."""
    return "x".join(map(str, (shape,) if isinstance(shape, int) else shape))


# --- the user's functions ----------------------------------------------------------------


@frozen
class Layer:
    """A pair (forward and backward) or a loss (backward None), found in a file."""

    path: str
    name: str  # the stem: "affine", or the loss's own name
    forward: Callable
    backward: Callable | None

    @property
    def called(self) -> str:
        return f"{self.name}_forward" if self.backward else self.name

    @property
    def inputs(self) -> list[inspect.Parameter]:
        """The forward's parameters, *args and **kwargs aside."""
        try:
            params = inspect.signature(self.forward).parameters.values()
        except (TypeError, ValueError):
            raise ModelError(f"{self.path}: cannot read the parameters of {self.called}") from None
        variadic = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
        return [p for p in params if p.kind not in variadic]


def _functions(module: Any) -> dict[str, Callable]:
    return {
        n: f
        for n in dir(module)
        if not n.startswith("_") and callable(f := getattr(module, n, None))
    }


def find(module: Any, path: str, name: str) -> Layer:
    """NAME_forward and NAME_backward, or a loss called NAME (affine_forward: affine)."""
    fns = _functions(module)
    stem = re.sub(r"_(forward|backward)$", "", name)
    pair = [fns.get(f"{stem}_forward"), fns.get(f"{stem}_backward")]
    if pair[0] and pair[1]:
        return Layer(path, stem, pair[0], pair[1])
    if pair[0] or pair[1]:
        half = "backward" if pair[0] else "forward"
        raise ModelError(f"{path} defines {stem}_{'forward' if pair[0] else 'backward'} "
                         f"but no {stem}_{half}; a layer needs both")  # fmt: skip
    if name in fns:
        return Layer(path, name, fns[name], None)
    pairs = sorted(n[: -len("_forward")] for n in fns if n.endswith("_forward"))
    pairs = [p for p in pairs if f"{p}_backward" in fns]
    others = [n for n in fns if not re.search(r"_(forward|backward)$", n) and n[0].islower()]
    raise ModelError(
        f"{path} defines no {name}_forward and {name}_backward, nor a loss {name}()"
        f"{nearest(name, pairs + others)}; layers: {', '.join(pairs) or 'none'}"
        + (f"; other functions: {', '.join(others)}" if others else "")
    )


# --- the inputs: drawn, given, or left to their defaults ----------------------------------

DRAWN = ("array", "labels")


@frozen
class Input:
    """One parameter of the forward, and how it gets its value."""

    name: str
    kind: str  # "array" (drawn, checked), "labels" (drawn, whole numbers), "value", "default"
    shape: Shape = ()
    high: int = 0
    value: Any = None
    positional_only: bool = False


def _settings(p: inspect.Parameter) -> bool:
    return p.name.endswith(("param", "params"))


def plan(layer: Layer, shapes: Mapping, labels: Mapping, params: Mapping) -> list[Input]:
    """How each parameter of the forward is given, in order; every name given must be one."""
    params_of = layer.inputs
    names = [p.name for p in params_of]
    where = f"{layer.called}({', '.join(names)})"
    for flag, given in (("--shape", shapes), ("--labels", labels)):
        for n in given:
            if n not in names:
                raise UsageError(f"{flag} {n}=…: {where} has no parameter '{n}'{nearest(n, names)}")
    for n in set(shapes) & set(labels):
        raise UsageError(f"--shape {n}=… and --labels {n}=… both give {n}; give one")
    settings = {k: v for k, v in params.items() if k not in names}
    out, taken = [], False
    for p in params_of:
        only = p.kind is inspect.Parameter.POSITIONAL_ONLY
        if p.name in shapes:
            out.append(Input(p.name, "array", shapes[p.name], positional_only=only))
        elif p.name in labels:
            shape, high = labels[p.name]
            out.append(Input(p.name, "labels", shape, high, positional_only=only))
        elif p.name in params or _settings(p):
            value = params[p.name] if p.name in params else dict(settings)
            taken = taken or p.name not in params
            out.append(Input(p.name, "value", value=value, positional_only=only))
        elif p.default is not inspect.Parameter.empty:
            out.append(Input(p.name, "default"))
        else:
            raise UsageError(_give(where, p.name))
    _check_plan(out, where, settings, taken, names)
    return out


def _check_plan(
    inputs: list[Input], where: str, settings: dict, taken: bool, names: Iterable[str]
) -> None:
    if settings and not taken:
        key = next(iter(settings))
        raise UsageError(
            f"--param {key}=…: {where} has no parameter '{key}'{nearest(key, names)}, nor "
            "a settings dict (a parameter named *_param) to put it in"
        )
    if not any(i.kind == "array" for i in inputs):
        raise UsageError(f"{where}: nothing to check; give an input's shape, e.g. --shape x=4x5")


def _inputs_fit(inputs: list[Input], max_memory: int | None) -> None:
    """Refused before anything is drawn (memory.beyond_budget)."""
    from gradcheck_cli.models.memory import beyond_budget

    entries = sum(int(np.prod(i.shape, dtype=object)) for i in inputs if i.kind in DRAWN)
    beyond = beyond_budget(entries, max_memory)
    if beyond:
        raise UsageError(f"the inputs have {entries:,} entries; {beyond}")


def call(fn: Callable, inputs: list[Input], p: Mapping) -> Any:
    """fn on the drawn values in ``p`` and the settings (a fresh copy each call: a forward
    may write into its bn_param); after a parameter left to its default, by keyword."""
    import copy

    args: list = []
    kwargs: dict = {}
    by_name = False
    for i in inputs:
        if i.kind == "default":
            by_name = True
            continue
        value = p[i.name] if i.kind in DRAWN else copy.deepcopy(i.value)
        if by_name and not i.positional_only:
            kwargs[i.name] = value
        else:
            args.append(value)
    try:
        return fn(*args, **kwargs)
    except KeyError as e:  # a setting the settings dict (bn_param) lacks: say how to give it
        key = e.args[0] if e.args else None
        held = [i.name for i in inputs if i.kind == "value" and isinstance(i.value, dict)]
        if (
            isinstance(key, str)
            and held
            and all(key not in i.value for i in inputs if i.name in held)
        ):
            e.add_note(f"{held[0]} has no '{key}': give it with --param {key}={_example(key)}")
        raise


def _give(where: str, name: str) -> str:
    """How to give a parameter that has no default: a setting's value first if its name
    is one (mode), else a shape."""
    ways = [
        f"a shape (--shape {name}=4x5)",
        f"whole numbers (--labels {name}=4:10)",
        f"a value (--param {name}={_example(name)})",
    ]
    if _example(name) != "…":
        ways = [ways[2], *ways[:2]]
    return f"{where}: give {name} {ways[0]}, {ways[1]} or {ways[2]}"


def _example(key: str) -> str:
    """A value to show for a setting: CS231n's mode is train or test."""
    return {"mode": "train", "p": "0.5", "eps": "1e-5", "momentum": "0.9"}.get(key, "…")


# --- what the user's functions return ----------------------------------------------------


def _what(x: Any) -> str:
    if isinstance(x, np.ndarray):
        return f"an array of shape {'×'.join(map(str, x.shape)) or '()'}"
    return f"a {type(x).__name__}" + (f" of {len(x)}" if isinstance(x, (tuple, list)) else "")


def output(layer: Layer, result: Any) -> Any:
    """out from a forward's (out, cache); a loss's value from (loss, dx, ...)."""
    if layer.backward is not None:
        if not (isinstance(result, (tuple, list)) and len(result) == 2):
            raise ModelError(
                f"{layer.path}: {layer.called} must return (out, cache), got {_what(result)}"
            )
        return result[0]
    if not (isinstance(result, (tuple, list)) and len(result) >= 2):
        raise ModelError(
            f"{layer.path}: a loss {layer.name}() must return (loss, dx), got {_what(result)}"
        )
    if np.size(result[0]) != 1:
        raise ModelError(
            f"{layer.path}: {layer.name}() must return (loss, dx) with a scalar loss, "
            f"got a loss of shape {'×'.join(map(str, np.shape(result[0])))}"
        )
    return result[0]


def gradients(layer: Layer, raw: Any, inputs: list[Input]) -> dict[str, np.ndarray]:
    """The backward's gradients by input name: by position among the float inputs (or
    among every array input, integer ones' entries ignored), or by name from a dict."""
    who = f"{layer.name}_backward" if layer.backward else f"{layer.name}()"
    if layer.backward is None:
        raw = raw[1:]
        raw = raw[0] if len(raw) == 1 and isinstance(raw[0], dict) else raw
    elif isinstance(raw, np.ndarray):
        raw = (raw,)  # dx alone
    floats = [i.name for i in inputs if i.kind == "array"]
    every = [i.name for i in inputs if i.kind in DRAWN]
    if isinstance(raw, dict):
        return _by_name(layer, who, raw, floats, every)
    if not isinstance(raw, (tuple, list)):
        raise ModelError(
            f"{layer.path}: {who} must return the gradients (dx, dw, …) or a dict of them, "
            f"got {_what(raw)}"
        )
    names = every if len(raw) == len(every) and len(raw) != len(floats) else floats
    if len(raw) != len(names):
        raise ModelError(
            f"{layer.path}: {who} returned {len(raw)} gradient(s) for the {len(floats)} "
            f"input(s) {', '.join(floats)}; return one each, in the forward's order"
        )
    return {n: _array(layer, who, n, g) for n, g in zip(names, raw, strict=True) if n in floats}


def _by_name(layer: Layer, who: str, raw: dict, floats: list, every: list) -> dict:
    out = {}
    for key, g in raw.items():
        name = key if key in every else str(key)[1:] if str(key)[1:] in every else None
        if name is None:
            raise ModelError(
                f"{layer.path}: {who} returned a gradient '{key}', which names no input"
                f"{nearest(str(key), every + ['d' + n for n in every])}; inputs: "
                f"{', '.join(every)}"
            )
        if name in floats:
            out[name] = _array(layer, who, name, g)
    return out


def _array(layer: Layer, who: str, name: str, g: Any) -> Any:
    if isinstance(g, np.generic):  # a numpy scalar: the gradient of a 0-d input
        g = np.asarray(g)
    if not isinstance(g, np.ndarray):
        raise ModelError(f"{layer.path}: {who} returned d{name} as {_what(g)}, not a numpy array")
    return g


# --- the model: L = Σ dout ∘ out, or the loss -------------------------------------------


def _probe(layer: Layer, inputs: list[Input], values: dict) -> Any:
    """The forward twice on copies of the same inputs: one line where it changes an input
    in place or gives another result the second time (randomness not seeded); its out."""
    from gradcheck_cli.models.user.calls import changed_in_place, leaf_copies

    results = []
    for _ in range(2):
        given = leaf_copies(values)
        results.append(np.asarray(output(layer, call(layer.forward, inputs, given))))
        touched = changed_in_place(values, given)
        if touched:
            raise ModelError(
                f"{layer.path}: {layer.called} changed its input {touched} in place; "
                f"build new arrays ({touched} * 0.5, not {touched} *= 0.5)"
            )
    if results[0].shape != results[1].shape or not np.array_equal(
        results[0], results[1], equal_nan=results[0].dtype.kind in "fc"
    ):
        raise ModelError(
            f"{layer.path}: {layer.called} is not deterministic: two calls on the same "
            "inputs differ; seed its randomness (a --param such as seed=0)"
        )
    return results[0]


def _free(name: str, taken: Collection[str]) -> str:
    while name in taken:
        name += "_"
    return name


def _functions_of(layer: Layer, inputs: list[Input], dout: str) -> dict[str, Callable]:
    """init, forward and backward of a model file (files.py) for the layer."""

    def init(rng: np.random.Generator) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for i in inputs:
            if i.kind == "array":
                values[i.name] = rng.standard_normal(i.shape)
            elif i.kind == "labels":
                values[i.name] = rng.integers(0, i.high, i.shape)
        out = _probe(layer, inputs, values)
        if layer.backward is not None:
            if out.dtype.kind not in "iuf":
                raise ModelError(
                    f"{layer.path}: {layer.called} returned out of dtype {out.dtype}; "
                    "expected real numbers"
                )
            values[dout] = rng.standard_normal(out.shape)
        return values

    def forward(p: Mapping[str, Any], tap: Callable) -> Any:
        out = output(layer, call(layer.forward, inputs, p))
        return out if layer.backward is None else np.sum(p[dout] * out)

    def backward(v: Mapping[str, Any]) -> dict[str, np.ndarray]:
        from gradcheck_cli.models.user.calls import leaf_copies

        p = leaf_copies({i.name: v[i.name] for i in inputs if i.kind in DRAWN})
        result = call(layer.forward, inputs, p)
        if layer.backward is None:
            return gradients(layer, result, inputs)
        output(layer, result)  # (out, cache), or one line
        return gradients(layer, layer.backward(np.array(v[dout], copy=True), result[1]), inputs)

    return {"init": init, "forward": forward, "backward": backward}


def build(
    module: Any,
    path: str,
    name: str,
    shapes: Mapping[str, Shape],
    labels: Mapping[str, tuple[Shape, int]],
    params: Mapping[str, Any],
    seed: int,
    max_memory: int | None = None,
) -> UserModel:
    """The model checking layer ``name`` of ``module`` (a module, or any object with the
    functions), its inputs drawn from ``seed``."""
    layer = find(module, path, name)
    inputs = plan(layer, shapes, labels, params)
    _inputs_fit(inputs, max_memory)
    drawn = [i.name for i in inputs if i.kind in DRAWN]
    dout = _free(DOUT, [i.name for i in inputs])
    given = ", ".join(i.name for i in inputs if i.kind != "default")
    if layer.backward is not None:
        loss, by = f"Σ {dout} ∘ {layer.called}({given})[0]", f"{layer.name}_backward"
    else:
        loss, by = f"{layer.name}({given})[0]", layer.name
    model = UserModel.build(
        path,
        seed,
        max_memory,
        _functions_of(layer, inputs, dout),
        [n for n in drawn if n not in shapes] + ([dout] if layer.backward else []),
        {},
        {"L": loss},
        {i.name: f"{by} → d{i.name}" for i in inputs if i.kind == "array"},
    )
    model.name = f"{os.path.basename(path)}:{layer.name}"
    model.title = f"your layer {layer.name}, {os.path.basename(path)}"
    model.recipe = None  # not a model file: load() gives the recipe where it has one
    model.no_adjoint = f"{by} returned no d{{name}}"
    return model


def load(
    options: LayerOptions,
    max_memory: int | None = None,
    module: Any = None,
    params: Mapping[str, Any] | None = None,
) -> UserModel:
    """The model of a resolved config's LayerOptions (options/declared.py): the flags' text parsed;
    ``module`` and ``params`` (Python values) if given, instead of the file and --param."""
    model = build(
        load_module(options.path) if module is None else module,
        options.path,
        options.layer,
        parse_shapes(options.shape),
        parse_labels(options.labels),
        parse_params(options.param) if params is None else params,
        options.seed,
        max_memory,
    )
    if module is None and params is None:  # a worker process loads the same (workers.py)
        model.recipe = (load, options, max_memory)
    return model
