"""Rows of plain text as a table for people, markdown for reports and records for JSON:
the one place a listing (the bug catalog, the step sweep) becomes each format. The
report of a check has its own, richer renderers (render.py, schema.py)."""

from rich.table import Table

from gradcheck_cli.records import frozen
from gradcheck_cli.report.cells import plain


@frozen
class Listing:
    title: str
    columns: tuple[str, ...]
    rows: list[tuple[str, ...]]
    keys: tuple[str, ...] = ()  # the JSON records' keys, one per column (default: columns)
    caption: str | None = None
    right: tuple[str, ...] = ()  # the columns aligned right (numbers)


def table(listing: Listing) -> Table:
    caption = None if listing.caption is None else plain(listing.caption)
    t = Table(
        title=plain(listing.title), title_justify="left", caption=caption, caption_justify="left"
    )
    for col in listing.columns:
        t.add_column(col, justify="right" if col in listing.right else "left")
    for row in listing.rows:
        t.add_row(*map(plain, row))
    return t


def markdown(listing: Listing) -> str:
    align = ["---:" if col in listing.right else "---" for col in listing.columns]
    lines = [
        f"**{listing.title}**",
        "",
        "| " + " | ".join(listing.columns) + " |",
        "|" + "|".join(align) + "|",
    ]
    lines += ["| " + " | ".join(row) + " |" for row in listing.rows]
    if listing.caption:
        lines += ["", listing.caption]
    return "\n".join(lines) + "\n"


def records(listing: Listing) -> list[dict[str, str]]:
    keys = listing.keys or listing.columns
    return [dict(zip(keys, row, strict=True)) for row in listing.rows]
