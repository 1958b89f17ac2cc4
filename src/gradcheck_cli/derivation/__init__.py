"""--derivation FILE: read a student's write-up and check every equation in it.

document.py finds the math and the sections, grammar.py parses it (lark), reader.py
classifies each equation and translate.py turns each step into a typed formula, which
check.py checks as --grad formulas are checked. Loaded only when --derivation is given:
lark is imported here and nowhere else.
"""

from dataclasses import dataclass, field, replace

from gradcheck_cli.errors import UsageError

MAX_BYTES = 2_000_000


@dataclass
class Derivation:
    """Every equation found in a document (or its section), with its verdict."""

    path: str
    section: str | None
    equations: list = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """Formulas found, understood (translated), checked, and checked right."""
        from gradcheck_cli.derivation.reader import ADJOINT, FORWARD, JACOBIAN

        steps = [
            s for e in self.equations if e.kind in (ADJOINT, JACOBIAN, FORWARD) for s in e.steps
        ]
        found = len(steps) + sum(1 for e in self.equations if not e.steps)
        checked = [s for s in steps if s.status in ("PASS", "FAIL", "WEAK", "KINK")]
        forward = [s for s in steps if s.status in ("matches", "differs")]
        return {
            "equations": len(self.equations),
            "found": found,
            "understood": sum(1 for s in steps if s.formula is not None),
            "checked": len(checked) + len(forward),
            "right": sum(
                1 for s in [*checked, *forward] if s.status in ("PASS", "KINK", "matches")
            ),
            "passed": sum(1 for s in checked if s.status in ("PASS", "KINK")),
            "failed": sum(1 for s in checked if s.status == "FAIL"),
            "forward_matches": sum(1 for s in forward if s.status == "matches"),
        }


def read_text(path: str) -> str:
    """The document's text; a missing, unreadable, huge or binary file is a usage error."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise UsageError(f"--derivation: file '{path}' not found") from None
    except IsADirectoryError:
        raise UsageError(f"--derivation: '{path}' is a directory, not a document") from None
    except PermissionError:
        raise UsageError(f"--derivation: '{path}' cannot be read (permission denied)") from None
    if len(data) > MAX_BYTES:
        raise UsageError(f"--derivation: '{path}' is over {MAX_BYTES:,} bytes; not a write-up")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError(f"--derivation: '{path}' is not a UTF-8 text file") from None


def check_document(path: str, section: str | None, model, check):
    """The report of ``check(model with the document's formulas)``, with the listing of
    every equation found attached (report.derivation) and notes on the steps before a
    result that fail, and on wrong dimension annotations."""
    from gradcheck_cli.derivation import check as checking
    from gradcheck_cli.derivation import document, reader
    from gradcheck_cli.engine.policy import FORWARD_RTOL

    text = read_text(path)
    try:
        doc = document.read(path, text)
        if section:
            doc = doc.section(section)
    except ValueError as e:
        raise UsageError(f"--derivation {path}: {e}") from None
    equations = reader.read(doc, model)
    report = checking.run(model, equations, path, check, FORWARD_RTOL)
    listing = Derivation(path, section, equations)
    return replace(report, derivation=listing, notes=report.notes + _notes(listing))


def _notes(listing: Derivation) -> list[str]:
    """Notes for the report: wrong dimension annotations, steps before a result that
    FAIL, forward definitions that differ from the forward."""
    out = []
    for e in listing.equations:
        out += [f"{listing.path}:{e.line}: {n}" for n in e.notes]
        for s in e.steps:
            out += [f"{listing.path}:{s.line}: {n}" for n in s.notes]
            if s.status == "FAIL" and not s.main:
                out.append(
                    f"{listing.path}:{s.line}: a step of {e.label} before its result FAILs"
                    + (f" ({s.diagnosis})" if s.diagnosis else "")
                )
            if s.status == "wrong":
                out.append(f"{listing.path}:{s.line}: {s.reason}")
            if s.status == "differs":
                out.append(
                    f"{listing.path}:{s.line}: the forward definition of {e.label} {s.reason}"
                )
    return out
