"""Rich renderables and markdown for a Report. Returns things; never prints."""

from typing import Any

from rich.cells import cell_len
from rich.console import Group
from rich.table import Table
from rich.text import Text

from gradcheck_cli import __version__
from gradcheck_cli.engine.checking import method_description
from gradcheck_cli.report.cells import plain
from gradcheck_cli.report.schema import (
    options_text,
    resolution_text,
    summary_text,
    tolerance_text,
)
from gradcheck_cli.result import (
    FAIL,
    KINK,
    NOT_CHECKED,
    PASS,
    TOGETHER,
    WEAK,
    Comparison,
    Report,
    bar,
    dims,
)

LEGENDS = {
    "injected": "* formula replaced by an injected bug (--inject)",
    "yours": "* your formula (--grad or [gradients])",
}
VERDICT_STYLE = {
    PASS: "bold green",
    KINK: "bold yellow",
    WEAK: "bold yellow",
    FAIL: "bold red",
    NOT_CHECKED: "dim",
}


def _e(x) -> str:
    return "—" if x is None or x != x else f"{x:.2e}"


def _g(x) -> str:
    return "—" if x is None else f"{x + 0.0:.8g}"  # (+ 0.0: a −0 prints as 0)


def _loss(x) -> str:
    return f"{x + 0.0:.10g}"  # (a confident softmax's −Σ t log y is −0.0: printed 0)


def ratio_of(x) -> str:
    return "—" if x is None or x != x else f"{x:.2g}"


def _errors(c: Comparison) -> tuple[float | None, float | None, float | None]:
    """max abs err, max rel err, err/bound as a row shows them: over the entries not on a
    proved kink (N there is the mean of its sides, no derivative), none where every entry
    checked is one (a 0 beside A −0.63 and N −0.59 read as a contradiction)."""
    if c.kinks and c.kinks >= c.checked:
        return None, None, None
    return c.max_abs, c.max_rel, c.ratio


def _res(c: Comparison) -> str:
    if c.resolution is None:
        return "none" if c.unresolved else "—"
    return resolution_text(c.resolution)


def _where(c: Comparison) -> str:
    if c.worst_index is None:
        return "—"
    if (
        c.directions and not c.checked
    ):  # a direction, not an entry: A, N are ⟨A, v⟩ and its numeric twin
        return f"v{c.worst_index[0]}"
    return "[" + ",".join(map(str, c.worst_index)) + "]"


def _severity(c: Comparison) -> str:
    """Colour of an error: comfortably inside the bound, near it, or beyond it."""
    if c.status == FAIL:
        return "red"
    if c.status == NOT_CHECKED:
        return "dim"
    return "yellow" if c.ratio > 0.01 else "green"


def shape_of(symbolic: str, concrete) -> str:
    if not len(concrete):  # the loss: a number, written 1×1 in the derivation
        return symbolic
    c = dims(concrete)
    return c if symbolic == c else f"{symbolic} = {c}"


def header_lines(report: Report) -> list[tuple[str, str]]:
    """The report's header, (key, value) a line: model, options, parameters, method,
    bound, loss, the injected bug. The terminal's and the notebook's (html.py) header."""
    lines = [
        ("model", report.title),
        ("options", options_text(report)),
        ("parameters", f"{report.parameters[0]} = {report.parameters[1]}"),
        (
            "method",
            method_description(report.method, report.settings)
            + ("; A in float32, N in float64" if report.settings.check.dtype == "float32" else ""),
        ),
        ("bound", tolerance_text(report)),
        ("loss", f"L = {_loss(report.loss)}"),
    ]
    if report.settings.check.inject:
        lines.append(("injected", report.settings.check.inject))
    return lines


def header(report: Report) -> Text:
    text = Text(f"gradcheck {__version__}\n", style="bold")
    for key, value in header_lines(report):
        text.append(f"{key:<11}", style="bold")
        text.append(value + "\n")
    return text


def titled(title: str) -> Text:
    """A table's title, styled as rich styles a title given as str ("table.title"), and
    printed as written like plain()'s cells: rich reads no markup or emoji codes in it
    (its table of emoji codes stays unloaded, ~2 ms of the command line's start)."""
    return Text(title, style="table.title")


def forward_table(report: Report) -> Table:
    table = Table(title=titled("Forward pass: dimensions"), title_justify="left")
    for col in ("variable", "role", "formula", "shape"):
        table.add_column(plain(col))
    for f in report.forward:
        table.add_row(*map(plain, (f.name, f.role, f.formula or "—", shape_of(f.shape, f.dims))))
    return table


WIDE = 132  # the width of a table off a terminal (cli/output.py)
# Columns given up, in this order, until the table fits its width: numbers are never cut.
# The worst entry's A and N stay in the failure lines under the table; JSON has them all.
DROPPED = (("formula",), ("A", "N"), ("worst at",), ("resolution",), ("shape",), ("err/bound",))
NUMBERS = ("checked", "max rel err", "err/bound", "resolution", "worst at", "A", "N")
COLUMNS = ("adjoint", "formula", "shape", *NUMBERS, "verdict")


def is_sampled(report: Report) -> bool:
    """Whether a row was checked on a sample of its entries or along directions (then a
    table shows "checked" in place of "max rel err")."""
    return any(
        (
            0 <= r.comparison.checked < r.comparison.entries
            and r.comparison.status != NOT_CHECKED
            and r.comparison.problem != "missing"  # no adjoint: nothing sampled
        )
        or r.comparison.directions
        for r in report.gradients
    )


def gradient_table(report: Report, width: int = WIDE) -> Table:
    """One row per adjoint, with as many columns as fit in ``width`` (see DROPPED)."""
    sampled = is_sampled(report)
    rows = [row_cells(r, sampled) for r in report.gradients]
    table = Table(
        title=titled("Backward pass: hand-derived (A) vs numerical (N)"), title_justify="left"
    )
    columns = _fitting(rows, width)
    for col in columns:
        justify: Any = "right" if col in NUMBERS else "left"
        table.add_column(plain(col), justify=justify, no_wrap=col != "formula")
    for row in rows:
        table.add_row(*(plain(row[col]) for col in columns))
    return table


def row_cells(r, sampled: bool) -> dict[str, Text | str]:
    """Every column's cell of a row (--sample, --directions: how many were checked, in
    place of max rel err)."""
    c = r.comparison
    sev = _severity(c)
    verdict = c.status + (f" ({c.kinks})" if c.kinks else "")
    _, rel, ratio = _errors(c)
    cells: dict[str, Text | str] = {
        "adjoint": r.label + (" *" if r.replaced else ""),
        "formula": r.formula,
        "shape": shape_of(r.shape, r.dims),
        "max rel err": Text(_e(rel), style=sev),
        "err/bound": Text(ratio_of(ratio), style=sev),
        "resolution": Text(_res(c), style="yellow" if c.status == WEAK else ""),
        "worst at": _where(c),
        "A": _g(c.worst_analytic),
        "N": _g(c.worst_numeric),
        "verdict": Text(verdict, style=VERDICT_STYLE[c.status]),
    }
    if sampled:
        cells["checked"] = (
            f"{c.directions} directions"
            if c.directions and c.checked == 0
            else (f"{c.directions} directions + " if c.directions else "")
            + f"{max(c.checked, 0):,} of {c.entries:,}"
        )
        del cells["max rel err"]
    return cells


def _fitting(rows: list[dict], width: int) -> list[str]:
    """The columns, less those DROPPED in turn until the table is at most ``width`` wide.
    A formula may wrap (its longest word is its least width); nothing else does."""
    columns = [c for c in COLUMNS if c in (rows[0] if rows else ("adjoint", "verdict"))]
    for dropped in ((), *DROPPED):
        columns = [c for c in columns if c not in dropped]
        widths = [_least(col, rows) for col in columns]
        if sum(widths) + 3 * len(widths) + 1 <= width:  # (one space each side, the rules)
            break
    return columns


def _least(col: str, rows: list[dict]) -> int:
    texts = [str(row[col]) for row in rows]
    if col == "formula":
        texts = [word for text in texts for word in text.split()]
    return max(cell_len(t) for t in [col, *texts])


def failures(report: Report) -> Text:
    """Lines under the table: every FAIL (with its diagnosis), WEAK and KINK row."""
    text = Text()
    for r in report.gradients:
        c = r.comparison
        if c.status == FAIL:
            text.append(f"  {r.label}: ", style="bold red")
            text.append(f"{c.reason}")
            if c.worst_index is not None and c.worst_analytic is not None:
                text.append(
                    f"; worst at {_where(c)}: A = {_g(c.worst_analytic)}, N = {_g(c.worst_numeric)}"
                )
            if c.left is not None and c.right is not None:
                alone = c.problem == TOGETHER or (  # (each a subgradient alone, within
                    # its tolerance: an A at a side may round past it)
                    c.worst_analytic is not None
                    and min(c.left, c.right) <= c.worst_analytic <= max(c.left, c.right)
                )
                text.append(
                    f"; a kink there: one-sided derivatives {_g(c.left)} (left) and "
                    f"{_g(c.right)} (right), "
                    + ("A between them, but not with the others" if alone else "A outside them")
                )
            text.append("\n")
            if r.diagnosis is not None:
                text.append("    diagnosis: ", style="bold")
                text.append(r.diagnosis.message + "\n")
        elif c.status == WEAK:
            text.append(f"  {r.label}: ", style="bold yellow")
            text.append(f"{c.reason}\n")
        if c.kinks and c.status != FAIL or c.kinks and c.kink_sides is not None:
            text.append(f"  {r.label}: ", style="yellow")
            text.append(kink_line(c) + "\n")
    return text


def kink_line(c: Comparison) -> str:
    """What the KINK entries of a row were excused for, with one of them shown."""
    if c.region is not None:
        count = f"{c.kinks} {'entry differs' if c.kinks == 1 else 'entries differ'}"
        where = "" if c.kink_index is None else f" (e.g. [{','.join(map(str, c.kink_index))}])"
        return (
            f"{count} from the loss's partial derivatives{where}: kinks or ties at θ (or "
            "nearer than the steps) where the loss is not convex, and A is the gradient of "
            f"the region beside θ entered along {c.region} (a limiting gradient)"
        )
    line = (
        f"{c.kinks} {'entry sits' if c.kinks == 1 else 'entries sit'} on a kink, A between "
        "the one-sided derivatives (a subgradient)"
    )
    if c.kink_index is not None and c.kink_sides is not None:
        left, right, a = c.kink_sides
        line += (
            f"; e.g. [{','.join(map(str, c.kink_index))}]: left {_g(left)}, right {_g(right)}, "
            f"A = {_g(a)}"
        )
    return line


def footer(report: Report) -> Text:
    text = Text()
    for note in report.notes:
        text.append(f"note: {note}\n", style="yellow")
    for origin, legend in LEGENDS.items():
        if any(r.origin == origin for r in report.gradients):
            text.append(legend + "\n", style="dim")
    if report.derivation is not None:
        path = report.derivation.path  # type: ignore[attr-defined]
        text.append(f"* read from your derivation {path}, at the line shown\n", style="dim")
    text.append(summary_text(report), style=VERDICT_STYLE[report.status])
    return text


def taylor_table(report: Report) -> Table:
    table = Table(
        title=titled(
            "Taylor remainder |L(θ+εv) − L(θ) − ε⟨ḡ, v⟩|: order 2 if ḡ is right, 1 if not"
        ),
        title_justify="left",
    )
    for col in ("adjoint", "fitted order", "points", "reading"):
        table.add_column(
            plain(col), justify="right" if col in ("fitted order", "points") else "left"
        )
    for row in report.taylor or []:
        style = (
            "green"
            if row.verdict.startswith("order 2")
            else "red"
            if row.verdict.startswith("order 1")
            else "yellow"
        )
        table.add_row(
            plain(bar(row.name)),
            ratio_of(row.order) if row.order == row.order else "—",
            str(row.points),
            Text(row.verdict, style=style),
        )
    return table


def render_table(report: Report, width: int = WIDE) -> Group:
    parts: list[Any] = [
        header(report),
        forward_table(report),
        Text(),
        gradient_table(report, width),
    ]
    if any(r.comparison.status in (FAIL, WEAK) or r.comparison.kinks for r in report.gradients):
        parts.append(failures(report))
    if report.taylor:
        parts += [taylor_table(report), Text()]
    if report.derivation is not None:
        from gradcheck_cli.report.derivation import table

        parts += [table(report.derivation), Text()]
    parts.append(footer(report))
    return Group(*parts)


def render_markdown(report: Report) -> str:
    """The same facts as a markdown document, for pasting into a report."""
    out = [
        f"## gradcheck: {report.title}",
        "",
        f"- options: `{options_text(report)}`",
        f"- parameters: {report.parameters[0]} = {report.parameters[1]}",
        f"- method: {method_description(report.method, report.settings)}",
        f"- bound: {tolerance_text(report)}",
        f"- loss: {_loss(report.loss)}",
    ]
    if report.settings.check.inject:
        out.append(f"- injected bug: `{report.settings.check.inject}`")
    out += ["", "| variable | role | formula | shape |", "|---|---|---|---|"]
    out += [
        f"| {f.name} | {f.role} | {f.formula or '—'} | {shape_of(f.shape, f.dims)} |"
        for f in report.forward
    ]
    out += [
        "",
        "| adjoint | formula | shape | max abs err | max rel err | err/bound | resolution "
        "| worst at | A | N | verdict |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in report.gradients:
        c = r.comparison
        err, rel, ratio = _errors(c)
        out.append(
            f"| {r.label}{' *' if r.replaced else ''} | {r.formula} | "
            f"{shape_of(r.shape, r.dims)} | "
            f"{_e(err)} | {_e(rel)} | {ratio_of(ratio)} | {_res(c)} | {_where(c)} | "
            f"{_g(c.worst_analytic)} | "
            f"{_g(c.worst_numeric)} | **{c.status}** |"
        )
    out.append("")
    out += [
        f"- **{r.label}**: {r.comparison.reason}"
        + (f"; diagnosis: {r.diagnosis.message}" if r.diagnosis else "")
        for r in report.gradients
        if r.comparison.status in (FAIL, WEAK)
    ]
    out += [
        f"- **{r.label}**: {kink_line(r.comparison)}"
        for r in report.gradients
        if r.comparison.kinks
    ]
    out += [f"- note: {n}" for n in report.notes]
    if report.taylor:
        out += ["", "| adjoint | Taylor order | points | reading |", "|---|---:|---:|---|"]
        out += [
            f"| {bar(t.name)} | {ratio_of(t.order)} | {t.points} | {t.verdict} |"
            for t in report.taylor
        ]
    if report.derivation is not None:
        from gradcheck_cli.report.derivation import markdown

        out += markdown(report.derivation)
    out += ["", f"**{summary_text(report)}**", ""]
    return "\n".join(out)
