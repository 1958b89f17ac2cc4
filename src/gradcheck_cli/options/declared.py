"""Every option, declared once: one field of a dataclass below per option (its name,
Python type, default, help, validation and choices, the commands that take it and the
--help panel it shows in); the tables of Options made from them.

Nothing here imports numpy: `gradcheck --help` reads this module.
"""

import math
import re
from pathlib import Path
from typing import Any

from gradcheck_cli.engine.engines import method_help  # (numpy-free: --help reads it)
from gradcheck_cli.options.spec import (
    CHECKING,
    LARGE,
    MODEL_COMMANDS,
    NUMERICS,
    OUTPUT,
    PANELS,
    SWEEPS,
    Option,
    number,
    option,
    options_of,
)
from gradcheck_cli.records import frozen


def _whole(least: int) -> dict:
    return dict(allowed=f"a whole number ≥ {least}", valid=lambda v: v >= least, metavar="INT")


def _engines() -> tuple[str, ...]:
    from gradcheck_cli.engine.engines import choices  # the ENGINES table (no numpy)

    return choices()


def _activations() -> tuple[str, ...]:
    from gradcheck_cli.models.builtin.activations import ACTIVATIONS  # numpy: only when validating

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


@frozen
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


@frozen
class SoftmaxOptions:
    """`gradcheck softmax`, and [model] with name = "softmax"."""

    n: int = option(10, "Number of classes N.", **_whole(2))
    d: int = option(5, "Input width D.", **_whole(1))
    bias: bool = option(True, "Logits W x + b, or W x.")
    batch: int = _batch()
    seed: int = _seed()
    scale: float = _scale()
    integers: bool = _integers()


@frozen
class FileOptions:
    """`gradcheck check FILE`, and [model] with path = "FILE" (a model file of the user's)."""

    path: str = option(
        "", "Your model file (Python; loading it runs its code).", argument=True, metavar="FILE"
    )
    seed: int = _seed()


@frozen
class LayerOptions:
    """`gradcheck layer FILE NAME`, and [model] with name = "layer" (models/user/layers.py)."""

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


@frozen
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


@frozen
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
