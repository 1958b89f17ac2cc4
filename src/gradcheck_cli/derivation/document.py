"""A derivation document (Markdown, LaTeX or plain text) as pieces of math with lines.

Math is what `$...$`, `$$...$$`, `\\[...\\]`, `\\(...\\)` and the `equation`, `align`,
`gather`, `multline` environments (starred or not) enclose; one row of an `align` (or
of an `aligned` inside a display) is one piece, on its own line. Text between math is
prose, read only for section markers: Markdown headings, `\\section{...}` and labels
such as `Q2)` or `Question 2` at the start of a line or of a piece of math (where the
seed writes them). Code blocks (```) are skipped. A label at the start of a piece of
math (`Q1) a) \\quad h = ...`) is taken off the math and kept as its label.
"""

import re

from gradcheck_cli.records import frozen

ENVIRONMENTS = ("equation", "align", "gather", "multline", "eqnarray", "displaymath", "math")
ROWED = ("align", "gather", "eqnarray", "aligned", "gathered", "split")
_LABEL = re.compile(
    r"^\s*((?:\\textbf\{)?(?:Q\d+|Question\s*\d+|Problem\s*\d+|Exercise\s*\d+)\b\}?[).:]?)"
)
_SUBLABEL = re.compile(r"^\s*\(?(?:[a-h]|[ivx]{1,4}|\d{1,2})\)\s+")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_SECTION = re.compile(r"\\(section|subsection|subsubsection|paragraph)\*?\{([^}]*)\}")
_LEAD = re.compile(r"(?:\s|\\label\{[^{}]*\})*")
_ENV = re.compile(r"\\begin\{(" + "|".join(ENVIRONMENTS) + r")(\*?)\}")


@frozen
class Math:
    """One piece of math: its first line in the file, its text, and what precedes it."""

    line: int
    text: str  # without delimiters and labels
    display: bool
    label: str = ""  # a label written at its start (Q1), a))


@frozen
class Marker:
    """A section marker: a heading, \\section, or a label such as Q2)."""

    line: int
    title: str
    level: int


@frozen
class Document:
    path: str
    pieces: list[Math]
    markers: list[Marker]

    def section(self, text: str) -> "Document":
        """The part of the document under the first marker whose title contains ``text``
        (Q1 does not match Q10), up to the next marker of the same or a higher level."""
        want = re.compile(re.escape(text.strip()) + r"(?![0-9])", re.IGNORECASE)
        for i, m in enumerate(self.markers):
            if want.search(m.title):
                ends = [n.line for n in self.markers[i + 1 :] if n.level <= m.level]
                end = ends[0] if ends else 10**9
                pieces = [p for p in self.pieces if m.line <= p.line < end]
                return Document(self.path, pieces, self.markers[i : i + 1])
        found = ", ".join(f"'{m.title}' (line {m.line})" for m in self.markers) or "none"
        raise ValueError(f"no section matches '{text}'; the sections are: {found}")


def read(path: str, text: str) -> Document:
    """Every piece of math of ``text`` and every section marker, in order."""
    pieces: list[Math] = []
    markers: list[Marker] = []
    _prose_markers(text, markers)
    for start, body, (display, rowed) in _math_spans(text):
        line = text.count("\n", 0, start) + 1
        for offset, row in _rows(body, rowed):
            row_line = line + body.count("\n", 0, offset)
            _add_piece(pieces, markers, row_line, row, display)
    markers.sort(key=lambda m: m.line)
    return Document(path, pieces, _dedup(markers))


def _add_piece(pieces, markers, line, row, display) -> None:
    """A row of math as a piece: a label at its start (Q1), a)) taken off and kept,
    a section label (Q1)) also made a marker."""
    label = ""
    m = _LABEL.match(row)
    if m:
        label = m.group(1)
        markers.append(Marker(line, _clean(label), 1))
        row = row[m.end() :]
    while True:
        s = _SUBLABEL.match(row)
        if not s:
            break
        label = (label + " " + s.group(0).strip()).strip()
        row = row[s.end() :]
    if row.strip():
        pieces.append(Math(line, row.strip(), display, label))


def _prose_markers(text: str, markers: list[Marker]) -> None:
    """Section markers in the prose: Markdown headings, \\section{...}, labels (Q2))."""
    fenced = False
    for number, raw in enumerate(text.splitlines(), 1):
        if raw.lstrip().startswith("```"):
            fenced = not fenced
            continue
        if fenced:
            continue
        h = _HEADING.match(raw)
        if h:
            markers.append(Marker(number, h.group(2), len(h.group(1))))
            continue
        s = _SECTION.search(raw)
        if s:
            level = ("section", "subsection", "subsubsection", "paragraph").index(s.group(1)) + 1
            markers.append(Marker(number, s.group(2), level))
            continue
        if not raw.lstrip().startswith(("$", "\\[")):
            m = _LABEL.match(raw.replace("*", ""))
            if m:
                markers.append(Marker(number, _clean(m.group(1)), 1))


def _clean(label: str) -> str:
    return label.replace("\\textbf{", "").replace("}", "").strip()


def _dedup(markers: list[Marker]) -> list[Marker]:
    out: list[Marker] = []
    for m in markers:
        if not out or (out[-1].line, out[-1].title) != (m.line, m.title):
            out.append(m)
    return out


def _math_spans(text: str):
    """(offset of the math, its text, display?) for every piece of math, in order."""
    i, n = 0, len(text)
    while i < n:
        if text.startswith("```", i) and (i == 0 or text[i - 1] == "\n"):
            end = text.find("\n```", i + 3)
            i = n if end < 0 else text.find("\n", end + 4) % (n + 1) or n
            continue
        c = text[i]
        if c == "\\" and i + 1 < n and text[i + 1] in "$%\\":
            i += 2
            continue
        if c == "%" and _latex_comment(text, i):
            i = text.find("\n", i) % (n + 1) or n
            continue
        found = _opening(text, i)
        if found is None:
            i += 1
            continue
        close, body_start, display = found
        end = _closing(text, body_start, close)
        if end < 0:
            line = text.count("\n", 0, i) + 1
            raise ValueError(f"line {line}: the math opened with {close!r} is never closed")
        rowed = any(close.startswith(f"\\end{{{env}") for env in ROWED)
        yield body_start, text[body_start:end], (display, rowed)
        i = end + len(close)


def _latex_comment(text: str, i: int) -> bool:
    return i == 0 or text[i - 1] != "\\"


def _opening(text: str, i: int):
    """(closing delimiter, offset of the body, display?) if math opens at ``i``."""
    if text.startswith("$$", i):
        return "$$", i + 2, True
    if text.startswith("\\[", i):
        return "\\]", i + 2, True
    if text.startswith("\\(", i):
        return "\\)", i + 2, False
    if text[i] == "$":
        return "$", i + 1, False
    m = _ENV.match(text, i)
    if m:
        return f"\\end{{{m.group(1)}{m.group(2)}}}", m.end(), True
    return None


def _closing(text: str, start: int, close: str) -> int:
    """Where the math opened at ``start`` closes (-1: never); an inline $ does not
    run past a blank line, and \\$ is a dollar sign."""
    j = start
    while True:
        j = text.find(close, j)
        if j < 0:
            return -1
        if close == "$" and text.startswith("$$", j) and j == start:
            return -1
        if close.startswith("$") and _escaped(text, j):
            j += 1
            continue
        if close == "$" and "\n\n" in text[start:j]:
            return -1
        return j


def _escaped(text: str, j: int) -> bool:
    """Whether text[j] follows an odd run of backslashes (\\$ is a dollar sign)."""
    run = 0
    while j - run - 1 >= 0 and text[j - run - 1] == "\\":
        run += 1
    return run % 2 == 1


def _rows(body: str, rowed: bool):
    """(offset, text) of each row: an align's rows split at \\\\ (not inside cases);
    elsewhere \\\\ is a line break inside one equation (& is ignored by the grammar)."""
    inner = re.search(r"\\begin\{(" + "|".join(ROWED) + r")\*?\}(.*?)\\end\{\1\*?\}", body, re.S)
    rowed = rowed or inner is not None
    offset = 0
    if inner is not None:
        offset, body = inner.start(2), inner.group(2)
    if not rowed:
        yield offset + _lead(body), _unalign(_unbreak(body))
        return
    for start, row in _split_rows(body):
        yield offset + start, _unalign(row)


def _split_rows(body: str):
    """An align's rows, split at \\\\ outside any cases environment."""
    depth, start, i = 0, 0, 0
    while i < len(body):
        if body.startswith("\\begin{cases}", i):
            depth += 1
        elif body.startswith("\\end{cases}", i):
            depth -= 1
        elif body.startswith("\\\\", i) and depth == 0:
            yield start + _lead(body[start:i]), body[start:i].strip()
            start = i + 2
            i += 2
            continue
        i += 1
    yield start + _lead(body[start:]), body[start:].strip()


def _unalign(row: str) -> str:
    """An align's & dropped, but not a cases environment's (it separates a condition)."""
    out, depth, i = [], 0, 0
    while i < len(row):
        if row.startswith("\\begin{cases}", i):
            depth += 1
        elif row.startswith("\\end{cases}", i):
            depth -= 1
        elif row[i] == "&" and not depth and (i == 0 or row[i - 1] != "\\"):
            out.append(" ")
            i += 1
            continue
        out.append(row[i])
        i += 1
    return "".join(out)


def _lead(text: str) -> int:
    """Characters before a row's math: blanks, and a \\label{...} (the row's line is
    where its math is)."""
    return _LEAD.match(text).end()  # type: ignore[union-attr]  # (matches the empty string)


def _unbreak(body: str) -> str:
    """\\\\ outside a cases environment is a line break: a space."""
    out, depth, i = [], 0, 0
    while i < len(body):
        if body.startswith("\\begin{cases}", i):
            depth += 1
        elif body.startswith("\\end{cases}", i):
            depth -= 1
        if body.startswith("\\\\", i):
            out.append("\\\\" if depth else " ")
            i += 2
            continue
        out.append(body[i])
        i += 1
    return "".join(out)
