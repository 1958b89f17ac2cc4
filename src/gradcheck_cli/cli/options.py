"""The command line's options, declared once and shared by every command."""

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer


class Format(str, Enum):
    table = "table"
    json = "json"
    markdown = "markdown"


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


def int_option(*names, help):
    return typer.Option(*names, parser=whole_number, metavar="INT", help=help)


def float_option(help):
    return typer.Option(parser=_number, metavar="FLOAT", help=help)


# Options shared by every checking command.
ConfigOpt = Annotated[
    Path | None, typer.Option("--config", help="TOML config; flags override it.", dir_okay=False)
]


class Method(str, Enum):
    auto = "auto"
    complex = "complex"
    richardson = "richardson"
    central = "central"
    forward = "forward"


MethodOpt = Annotated[
    Method | None,
    typer.Option(
        help="Numerical engine: auto (complex step where the forward allows it, else richardson), "
        "complex, richardson, central or forward [default: auto]."
    ),
]
EpsOpt = Annotated[
    float | None,
    float_option(
        help="Central differences' relative step: h = eps·max(1,|θ|) [default: ∛eps ≈ 6.1e-6]."
    ),
]
RtolOpt = Annotated[float | None, float_option(help="Relative tolerance [default: 1e-5].")]
AtolOpt = Annotated[float | None, float_option(help="Absolute tolerance [default: 0].")]
FormatOpt = Annotated[
    Format,
    typer.Option(
        "--format", help="Output: table for people, json for scripts, markdown for reports."
    ),
]
QuietOpt = Annotated[
    bool, typer.Option("--quiet", "-q", help="Print nothing; the exit status tells.")
]
InjectOpt = Annotated[
    str | None,
    typer.Option(help="Replace one formula with a known wrong one (see 'gradcheck bugs')."),
]
GradOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--grad",
        metavar="'NAME = EXPR'",
        help="Your formula for an adjoint, e.g. 'x = W1.T @ z1_bar + z2_bar' (repeatable).",
    ),
]
ChainOpt = Annotated[
    bool,
    typer.Option(
        "--chain",
        help="Evaluate your formulas on each other in backward order, not on the correct adjoints.",
    ),
]


class DType(str, Enum):
    float64 = "float64"
    float32 = "float32"


DTypeOpt = Annotated[
    DType | None,
    typer.Option(
        "--dtype",
        help="Run the forward and backward in float32, checked against float64 [default: float64].",
    ),
]
SampleOpt = Annotated[
    int | None,
    int_option(
        "--sample",
        help="Check K entries per tensor: the largest-|g|, the smallest, and strata between "
        "(seeded).",
    ),
]
DirectionsOpt = Annotated[
    int | None,
    int_option(
        "--directions",
        help="Check R random sign directions per tensor (complex step): fast for huge tensors; "
        "a failing tensor is checked entry by entry to name the wrong entry.",
    ),
]
TaylorOpt = Annotated[
    bool,
    typer.Option(
        "--taylor",
        help="Also run the Taylor-remainder test: fitted order 2 if a gradient is right, 1 if not.",
    ),
]
SaveOpt = Annotated[
    Path | None, typer.Option(help="Save every leaf, analytic and numeric adjoint to FILE.npz.")
]
MemOpt = Annotated[
    str | None,
    typer.Option("--max-memory", help="Memory budget, e.g. 512M or 4G [default: half the RAM]."),
]
BatchOpt = Annotated[
    int | None,
    int_option(
        "--batch", help="Examples per batch (columns of x); the loss is their mean [default: 1]."
    ),
]
ScaleOpt = Annotated[
    float | None,
    float_option(help="Multiply the inputs by this (stress tiny or huge values) [default: 1]."),
]
IntegersOpt = Annotated[
    bool | None,
    typer.Option(
        "--integers",
        help="Draw the leaves as small whole numbers (exact relu kinks).",
        show_default=False,
    ),
]
SeedOpt = Annotated[
    int | None, int_option("--seed", help="Seed for weights, inputs and targets [default: 0].")
]


def check_flags(
    method,
    eps,
    rtol,
    atol,
    inject,
    max_memory,
    grad,
    chain,
    dtype=None,
    taylor=False,
    sample=None,
    directions=None,
) -> dict:
    return dict(
        method=method.value if method else None,
        eps=eps,
        rtol=rtol,
        atol=atol,
        inject=inject,
        max_memory=max_memory,
        grad=grad,
        chain=chain or None,
        dtype=dtype.value if dtype else None,
        taylor=taylor,
        sample=sample,
        directions=directions,
    )
