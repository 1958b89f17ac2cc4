"""Does a FAIL's diagnosis name the cause? A corpus of realistic one-line slips (on demand).

    python benchmarks/diagnoses.py [--only batchnorm,fft_conv]

The corpus is benchmarks/diagnoses/*.py: model files (gradcheck's own format), each a
small layer written apart from the tool, correct (``EXPECT = None``, a "twin") or with one
line of its backward changed the way a student slips. A bug file says what a good
diagnosis is: ``EXPECT`` (the diagnosis's kind, e.g. "reversed"), ``FIRST`` (the first
failing row, in backward order: the reversed taps, then the leaves) and ``SAYS`` (a phrase
of the message naming the cause), with ``BUG`` the slip in words; ``PLACE``, where given,
is a phrase of a "where" diagnosis that names exactly the wrong entries (which counts too).

A bug is named when its first failing row is FIRST and the diagnosis there is of kind
EXPECT and contains SAYS. A twin must PASS with no diagnosis on any row. Every file is
checked by ``gradcheck_cli.check(path)`` with the default settings and seed 0.

"""

import argparse
import importlib.util
import sys
from dataclasses import dataclass
from pathlib import Path

from gradcheck_cli import check
from gradcheck_cli.report.listing import Listing, markdown

HERE = Path(__file__).resolve().parent / "diagnoses"


@dataclass(frozen=True)
class Outcome:
    name: str
    bug: str | None  # None: a correct twin
    expect: str | None
    first: str | None  # the first failing row, as checked
    said: str  # the diagnosis there (kind: message), or the twin's status
    ok: bool


def declared(path: Path):
    """The module's declarations (loading runs the file's top level only)."""
    spec = importlib.util.spec_from_file_location(f"diagnoses_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def named(m, d) -> bool:
    """The diagnosis names the cause (EXPECT's kind, saying SAYS) or, where the file gives
    a PLACE, exactly the wrong entries (a "where" saying PLACE)."""
    if d.kind == m.EXPECT and m.SAYS in d.message:
        return True
    place = getattr(m, "PLACE", None)
    return bool(place) and d.kind == "where" and place in d.message


def outcome(path: Path) -> Outcome:
    m = declared(path)
    report = check(str(path), seed=0)
    failing = [r for r in report.gradients if r.comparison.status == "FAIL"]
    first = failing[0] if failing else None
    if m.EXPECT is None:
        clean = report.status == "PASS" and all(r.diagnosis is None for r in report.gradients)
        return Outcome(path.stem, None, None, first and first.id, report.status, clean)
    d = first.diagnosis if first else None
    said = f"{d.kind}: {d.message}" if d else "(no FAIL row)" if first is None else "(none)"
    ok = first is not None and d is not None and first.id == m.FIRST and named(m, d)
    return Outcome(path.stem, m.BUG, m.EXPECT, first and first.id, said, ok)


def corpus(only: list[str] | None = None) -> list[Path]:
    """The corpus's files, all or those of the named twins (and their bugs)."""
    paths = sorted(HERE.glob("*.py"))
    if only:
        paths = [p for p in paths if any(p.stem == o or p.stem.startswith(o + "_") for o in only)]
    return paths


def _cell(text: str | None) -> str:
    return (text or "").replace("|", "\\|")


def listing(outcomes: list[Outcome]) -> Listing:
    bugs = [o for o in outcomes if o.bug is not None]
    twins = [o for o in outcomes if o.bug is None]
    rows = [
        (
            f"`{o.name}`: {_cell(o.bug)}",
            _cell(o.first) or "—",
            o.expect or "",
            _cell(o.said),
            "yes" if o.ok else "**no**",
        )
        for o in bugs
    ]
    caption = (
        f"{sum(o.ok for o in bugs)} of {len(bugs)} bugs named at their first failing row; "
        f"{sum(o.ok for o in twins)} of {len(twins)} correct twins PASS with no diagnosis"
        + "".join(f"; twin {o.name}: {o.said}" for o in twins if not o.ok)
    )
    return Listing(
        "Diagnoses of the corpus's bugs",
        ("bug", "first failing row", "expected", "said", "ok"),
        rows,
        caption=caption,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", default="", help="twins to run, comma-separated")
    args = parser.parse_args(argv)
    paths = corpus([o for o in args.only.split(",") if o])
    outcomes = [outcome(p) for p in paths]
    print(markdown(listing(outcomes)), end="")
    return 0 if all(o.ok for o in outcomes if o.bug is None) else 1


if __name__ == "__main__":
    sys.exit(main())
