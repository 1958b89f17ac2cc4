"""The listing of a derivation's equations (--derivation): table, markdown and JSON.

Every equation found is a row, and every step of a chain a row of its own: its line,
the formula as written, what gradcheck read it as (the typed formula), and its status:
a verdict (PASS, FAIL, ...), `matches`/`differs` for a forward definition, or why it is
not checked (`name`: the adjoint's own notation again; `not evaluated`: a Jacobian a
formula cannot use; `not understood`: with the reason).
"""

from rich.table import Table
from rich.text import Text

from gradcheck_cli.report.cells import plain

STYLE = {
    "PASS": "bold green",
    "KINK": "bold yellow",
    "WEAK": "bold yellow",
    "FAIL": "bold red",
    "matches": "green",
    "right": "green",
    "differs": "red",
    "wrong": "red",
}


def rows(derivation) -> list[dict]:
    """One dict per equation without steps, and per step, in document order."""
    out = []
    for e in derivation.equations:
        if not e.steps:
            out.append(_row(e, e.line, e.latex, None, e.kind, e.reason, "", False))
        for s in e.steps:
            reason = s.diagnosis or s.reason
            status = s.status or e.kind
            out.append(_row(e, s.line, s.latex, s.formula, status, reason, e.label, s.main))
    return out


def _row(e, line, latex, formula, status, reason, label, main) -> dict:
    """One row of the listing as plain data (JSON's, and the table's cells)."""
    return {
        "line": line,
        "kind": e.kind,
        "target": e.target,
        "label": label or e.label,
        "case": e.case,
        "latex": latex,
        "formula": formula,
        "status": status,
        "reason": reason,
        "result": main,
    }


def table(derivation) -> Table:
    """The listing as a rich table, titled with the counts."""
    counts = derivation.counts()
    where = derivation.path + (f", section {derivation.section}" if derivation.section else "")
    table = Table(
        title=plain(
            f"Derivation {where}: {counts['found']} formulas found, {counts['understood']} "
            f"understood, {counts['checked']} checked, {counts['right']} right "
            "(▸: the step the report's row checks)"
        ),
        title_justify="left",
    )
    for col in ("line", "defines", "as written", "read as", "status", "why"):
        table.add_column(col, justify="right" if col == "line" else "left", overflow="fold")
    for r in rows(derivation):
        table.add_row(
            *map(plain, (str(r["line"]), ("▸ " if r["result"] else "") + (r["label"] or "—"))),
            plain(clean(r["latex"])),
            plain(r["formula"] or "—"),
            Text(r["status"], style=STYLE.get(r["status"], "dim")),
            plain(r["reason"] or ""),
        )
    return table


def markdown(derivation) -> list[str]:
    """The listing as markdown lines, for --format markdown."""
    counts = derivation.counts()
    out = [
        "",
        f"### Derivation `{derivation.path}`",
        "",
        f"{counts['found']} formulas found, {counts['understood']} understood, "
        f"{counts['checked']} checked, {counts['right']} right.",
        "",
        "| line | defines | as written | read as | status | why |",
        "|---:|---|---|---|---|---|",
    ]
    for r in rows(derivation):
        cells = [
            str(r["line"]),
            ("▸ " if r["result"] else "") + (r["label"] or "—"),
            f"`{clean(r['latex'])}`",
            f"`{r['formula']}`" if r["formula"] else "—",
            r["status"],
            (r["reason"] or "").replace("|", "\\|"),
        ]
        out.append("| " + " | ".join(c.replace("\n", " ") for c in cells) + " |")
    return out


def to_json(derivation) -> dict:
    return {
        "file": derivation.path,
        "section": derivation.section,
        "counts": derivation.counts(),
        "equations": [{**r, "origin": f"{derivation.path}:{r['line']}"} for r in rows(derivation)],
    }


def clean(latex: str) -> str:
    """The formula as written, without the noise gradcheck ignores (\\underline{...}
    wrappers, \\quad): what the table shows."""
    out, i = [], 0
    while i < len(latex):
        if latex.startswith("\\underline{", i):
            i += len("\\underline{")
            out.append("\x00")  # a brace to drop when it closes
            continue
        out.append(latex[i])
        i += 1
    text, depth, stack = [], 0, []
    for ch in out:
        if ch == "\x00":
            stack.append(depth)
            depth += 1
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if stack and stack[-1] == depth:
                stack.pop()
                continue
        text.append(ch)
    return " ".join("".join(text).replace("\\quad", " ").split())
