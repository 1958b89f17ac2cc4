"""A Report as HTML, for Jupyter (``Report._repr_html_``). Returns a string; never prints.

The same facts as the terminal table (render.py), cell for cell: a header, the backward
table (one ``<tr class="gc-row">`` per adjoint; a FAIL row also has class ``gc-fail``),
under each FAIL, WEAK or KINK row the lines the terminal prints under the table (a row
spanning the columns: ``gc-reason``, ``gc-diagnosis``, ``gc-kink``), the forward table
folded away, the Taylor table with --taylor, the notes and the summary line. Colours are
inline styles (no stylesheet, no script); every string is escaped.
"""

from dataclasses import replace
from html import escape

from rich.style import Style
from rich.text import Text

from gradcheck_cli import __version__
from gradcheck_cli.report.render import (
    COLUMNS,
    NUMBERS,
    failures,
    footer,
    header_lines,
    is_sampled,
    kink_line,
    ratio_of,
    row_cells,
    shape_of,
)
from gradcheck_cli.result import FAIL, WEAK, GradientRow, Report, bar

# rich's colour names as CSS colours readable on a light and on a dark notebook theme
COLOURS = {"green": "#1a7f37", "yellow": "#b08800", "red": "#cf222e"}
FAIL_ROW = "background:rgba(207,34,46,0.10);border-left:3px solid #cf222e"
CELL = "padding:2px 8px;text-align:"
TABLE = "border-collapse:collapse;margin:6px 0"
TITLE = "text-align:left;font-weight:bold;padding:2px 0"


def _style(style: str | Style | None) -> Style:
    if isinstance(style, Style):
        return style
    return Style.parse(style) if style else Style.null()


def _css(style: str | Style | None) -> str:
    """A rich style ("bold red", "dim") as an inline CSS declaration."""
    s = _style(style)
    out = []
    if s.bold:
        out.append("font-weight:bold")
    if s.dim:
        out.append("opacity:0.6")
    if s.italic:
        out.append("font-style:italic")
    if s.color is not None and s.color.name in COLOURS:
        out.append(f"color:{COLOURS[s.color.name]}")
    return ";".join(out)


def _span(text: str, style: str | Style | None) -> str:
    css = _css(style)
    return f'<span style="{css}">{escape(text)}</span>' if css else escape(text)


def _text(value: Text | str) -> str:
    """A cell or line of rich Text as escaped HTML, each styled stretch a <span>."""
    if isinstance(value, str):
        return escape(value)
    plain = value.plain
    cuts = sorted({0, len(plain), *(x for s in value.spans for x in (s.start, s.end))})
    out = []
    for start, end in zip(cuts, cuts[1:], strict=False):
        style = _style(value.style)
        for span in value.spans:
            if span.start <= start and end <= span.end:
                style += _style(span.style)
        out.append(_span(plain[start:end], style))
    return "".join(out)


def _cell(tag: str, content: str, align: str = "left") -> str:
    return f'<{tag} style="{CELL}{align}">{content}</{tag}>'


def _header(report: Report) -> str:
    rows = "".join(
        "<tr>" + _cell("th", escape(key)) + _cell("td", escape(value)) + "</tr>"
        for key, value in header_lines(report)
    )
    title = f'<caption style="{TITLE}">gradcheck {escape(__version__)}</caption>'
    return f'<table class="gc-header" style="{TABLE}">{title}{rows}</table>'


def _columns(report: Report) -> list[str]:
    """The terminal table's columns, none dropped: with --sample or --directions,
    "checked" in place of "max rel err"."""
    sampled = is_sampled(report)
    return [c for c in COLUMNS if c != ("max rel err" if sampled else "checked")]


def _lines(report: Report, row: GradientRow, width: int) -> str:
    """The lines the terminal prints under the table for this row, one <tr> each."""
    c = row.comparison
    if not (c.status in (FAIL, WEAK) or c.kinks):
        return ""
    out = []
    for line in failures(replace(report, gradients=[row])).split("\n"):
        plain = line.plain.strip()
        if not plain:
            continue
        line = line[len(line.plain) - len(line.plain.lstrip()) :]  # the terminal's indent
        kind = (
            "gc-diagnosis"
            if plain.startswith("diagnosis:")
            else "gc-kink"
            if c.kinks and plain.endswith(kink_line(c))
            else "gc-reason"
        )
        pad = "2em" if kind == "gc-diagnosis" else "1em"
        td = f'<td colspan="{width}" style="padding:0 8px 4px {pad}">{_text(line)}</td>'
        out.append(f'<tr class="gc-line {kind}">{td}</tr>')
    return "".join(out)


def _gradients(report: Report) -> str:
    columns = _columns(report)
    sampled = "checked" in columns
    head = "".join(_cell("th", escape(c), "right" if c in NUMBERS else "left") for c in columns)
    body = []
    for r in report.gradients:
        cells = row_cells(r, sampled)
        fail = r.comparison.status == FAIL
        tds = "".join(
            _cell("td", _text(cells[c]), "right" if c in NUMBERS else "left") for c in columns
        )
        cls, style = ("gc-row gc-fail", f' style="{FAIL_ROW}"') if fail else ("gc-row", "")
        body.append(f'<tr class="{cls}"{style}>{tds}</tr>')
        body.append(_lines(report, r, len(columns)))
    title = "Backward pass: hand-derived (A) vs numerical (N)"
    return (
        f'<table class="gc-gradients" style="{TABLE}">'
        f'<caption style="{TITLE}">{escape(title)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


def _table(cls: str, columns: list[str], rows: list[list[str]], title: str = "") -> str:
    """A plain table of escaped HTML cells."""
    caption = f'<caption style="{TITLE}">{escape(title)}</caption>' if title else ""
    head = "".join(_cell("th", escape(c)) for c in columns)
    body = "".join(
        f'<tr class="{cls}-row">' + "".join(_cell("td", c) for c in row) + "</tr>" for row in rows
    )
    return f'<table class="{cls}" style="{TABLE}">{caption}<tr>{head}</tr>{body}</table>'


def _forward(report: Report) -> str:
    rows = [
        [
            escape(f.name),
            escape(f.role),
            escape(f.formula or "—"),
            escape(shape_of(f.shape, f.dims)),
        ]
        for f in report.forward
    ]
    table = _table("gc-forward", ["variable", "role", "formula", "shape"], rows)
    return f"<details><summary>Forward pass: dimensions</summary>{table}</details>"


def _taylor(report: Report) -> str:
    if not report.taylor:
        return ""
    rows = [
        [
            escape(bar(t.name)),
            escape(ratio_of(t.order) if t.order == t.order else "—"),
            escape(str(t.points)),
            _span(t.verdict, _taylor_colour(t.verdict)),
        ]
        for t in report.taylor
    ]
    columns = ["adjoint", "fitted order", "points", "reading"]
    title = "Taylor remainder |L(θ+εv) − L(θ) − ε⟨ḡ, v⟩|: order 2 if ḡ is right, 1 if not"
    return _table("gc-taylor", columns, rows, title)


def _taylor_colour(verdict: str) -> str:
    return (
        "green"
        if verdict.startswith("order 2")
        else "red"
        if verdict.startswith("order 1")
        else "yellow"
    )


def _footer(report: Report) -> str:
    """Notes, the legend of replaced formulas, and the summary line (its verdict's style)."""
    lines = [line for line in footer(report).split("\n") if line.plain]
    return "".join(f'<div class="gc-footer">{_text(line)}</div>' for line in lines)


def to_html(report: Report) -> str:
    """The whole report as one HTML fragment (a <div class="gradcheck">)."""
    return (
        f'<div class="gradcheck" data-status="{escape(report.status)}">'
        + _header(report)
        + _gradients(report)
        + _forward(report)
        + _taylor(report)
        + _footer(report)
        + "</div>"
    )
