"""The README and docs/ say what the code does: size, links, commands, examples, options."""

import json
import re
import shlex
import unicodedata
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from gradcheck_cli.cli import app

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").glob("*.md"))
PAGES = [README, *DOCS]

runner = CliRunner()

FENCE = re.compile(r"^```[^\n]*\n(.*?)^```", re.M | re.S)
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
COMMAND = re.compile(r"^\s*(?:\$ )?gradcheck (?P<args>.+?)\s+#\s*exit (?P<status>\d+)\b")


def text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def fenced_blocks(source: str) -> list[str]:
    return [m.group(1) for m in FENCE.finditer(source)]


def indented_blocks(source: str) -> list[str]:
    """Markdown's indented code blocks: 4-space lines after a blank line, outside fences."""
    outside = FENCE.sub("", source)
    blocks, current, previous_blank = [], [], True
    for line in outside.split("\n"):
        if line.startswith("    ") and (current or previous_blank):
            current.append(line[4:])
        elif current and not line.strip():
            current.append("")
        else:
            if current:
                blocks.append("\n".join(current).strip("\n"))
            current = []
        previous_blank = not line.strip()
    if current:
        blocks.append("\n".join(current).strip("\n"))
    return blocks


def section(source: str, heading: str) -> str:
    """The text under a '## heading', up to the next heading of level 2 or above."""
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", source, re.M | re.S)
    assert match, f"README has no section '## {heading}'"
    return match.group(1)


def invoke(args: list[str]):
    return runner.invoke(app, args)


def stripped(output: str) -> list[str]:
    return [line.rstrip() for line in output.rstrip("\n").split("\n")]


# --- size and links -------------------------------------------------------------------


def test_readme_is_under_16_kb():
    size = len(README.read_bytes())
    assert size < 16_000, f"README.md is {size} bytes; move detail to docs/"


@pytest.mark.parametrize("page", PAGES, ids=rel)
def test_no_link_outside_the_repository(page):
    assert "../shared" not in text(page)


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    heading = heading.strip().lower()
    kept = "".join(c for c in heading if c in " -_" or unicodedata.category(c)[0] in "LNM")
    return kept.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    source = FENCE.sub("", text(page))
    return {slug(m.group(1)) for m in re.finditer(r"^#+ (.+)$", source, re.M)}


LINKS = [
    (page, target)
    for page in PAGES
    for target in LINK.findall(FENCE.sub("", text(page)))
    if not re.match(r"[a-z]+:", target)
]


def test_the_pages_link_to_each_other():
    assert len(LINKS) >= 10
    linked = {(page.parent / t.split("#")[0]).resolve() for page, t in LINKS if t.split("#")[0]}
    for doc in DOCS:
        assert doc.resolve() in linked, f"nothing links to {rel(doc)}"


@pytest.mark.parametrize("page, target", LINKS, ids=[f"{rel(p)}->{t}" for p, t in LINKS])
def test_relative_links_point_at_files_that_exist(page, target):
    path, _, anchor = target.partition("#")
    file = (page.parent / path).resolve() if path else page
    assert file.exists(), f"{rel(page)} links to {target}, which does not exist"
    if anchor and file.suffix == ".md":
        assert anchor in anchors(file), f"{rel(page)} links to {target}: no such heading"


# --- commands and their exit status ---------------------------------------------------


def stated_commands():
    found = []
    for page in PAGES:
        source = text(page)
        for block in fenced_blocks(source) + indented_blocks(source):
            for line in block.split("\n"):
                m = COMMAND.match(line)
                if m:
                    found.append((page, m.group("args"), int(m.group("status"))))
    return found


COMMANDS = stated_commands()


def test_the_docs_state_commands_with_their_exit_status():
    assert len(COMMANDS) >= 15
    assert {status for _, _, status in COMMANDS} >= {0, 1}


@pytest.mark.parametrize(
    "page, args, status", COMMANDS, ids=[f"{rel(p)}: {a}" for p, a, _ in COMMANDS]
)
def test_every_stated_command_gives_its_exit_status(page, args, status, monkeypatch):
    monkeypatch.chdir(ROOT)  # configs/ and examples/ are relative to the repository
    r = invoke(shlex.split(args))
    assert r.exit_code == status, f"gradcheck {args}: exit {r.exit_code}\n{r.output}"


def example(heading: str) -> tuple[list[str], list[str]]:
    """The first fenced block of a README section: the command, and the output shown."""
    block = fenced_blocks(section(text(README), heading))[0]
    first, *shown = stripped(block)
    m = COMMAND.match(first)
    assert m and first.startswith("$ gradcheck "), first
    return shlex.split(m.group("args")), shown


NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[-+]\d+)?")
BORDER = set("┏┳┓┡╇┩└┴┘━─ ")
ROUNDOFF = {"max rel err", "err/bound", "worst at", "A", "N", "resolution"}  # of a PASS row
MAGNITUDE = {"err/bound", "resolution"}  # of a FAIL row: a bound made of measured rounding
WORST = {"worst at", "A", "N"}  # of a FAIL row whose every entry fails: the nearest of ties
EVERY = re.compile(r"^\s*(\S+): (\d+) of \2 entries differ")
WORST_AT = re.compile(r"worst at \[[\d,]*\]: A = \S+, N = \S+")


def parts(text: str, rel: float = 1e-6) -> tuple:
    """The words of ``text`` exactly, its numbers to ``rel`` (shown numbers: pytest.approx)."""
    words = tuple(NUMBER.split(text))
    return words, [pytest.approx(float(n), rel=rel) for n in NUMBER.findall(text)]


def settled(lines: list[str]) -> list:
    """The lines as far as round-off cannot change them: on another BLAS kernel the last
    bits of a sum differ, so a PASS row's error columns (and its worst entry) are left
    out, a FAIL row's bound is compared to its magnitude, every other number to 6 digits,
    and a table's borders by their columns, not their widths. Where every entry of a row
    fails, its worst is the largest of near-equal err/bound (bounds of measured rounding)
    and is left out too."""
    out: list = []
    header: list[str] = []
    every = {m.group(1) for m in map(EVERY.match, lines) if m}
    for line in lines:
        if EVERY.match(line):
            line = WORST_AT.sub("worst at …", line)
        if line.strip() and set(line) <= BORDER:
            out.append(re.sub("[━─]+", "━", line.strip()))
        elif line.startswith("┃"):
            header = [c.strip() for c in line.strip("┃ ").split("┃")]
            out.append(tuple(header))
        elif line.startswith("│") and "verdict" in header:
            row = dict(zip(header, (c.strip() for c in line.strip("│ ").split("│")), strict=True))
            passed = row["verdict"] in ("PASS", "KINK")
            tied = row.get("adjoint", "").split(" ")[0] in every
            out.append(
                tuple(
                    (k, parts(v, 0.9 if k in MAGNITUDE else 1e-6))
                    for k, v in row.items()
                    if not (passed and k in ROUNDOFF) and not (tied and k in WORST)
                )
            )
        else:
            out.append(parts(line))
    return out


def test_what_it_prints_is_the_output_of_its_command(monkeypatch):
    monkeypatch.chdir(ROOT)
    args, shown = example("What it prints")
    assert settled(stripped(invoke(args).stdout)) == settled(shown)


def test_settled_keeps_what_round_off_cannot_change():
    args, shown = example("What it prints")
    rows = [i for i, line in enumerate(shown) if line.startswith("│ x̄")]
    assert rows
    moved = list(shown)
    moved[rows[0]] = moved[rows[0]].replace("PASS", "FAIL")
    assert settled(moved) != settled(shown)  # a verdict is never round-off
    loss = next(i for i, line in enumerate(shown) if line.startswith("loss"))
    moved = list(shown)
    moved[loss] = moved[loss].replace("0.008269", "0.008279")
    assert settled(moved) != settled(shown)


def test_the_fail_example_is_the_end_of_its_commands_output(monkeypatch):
    monkeypatch.chdir(ROOT)
    args, shown = example("How to read a FAIL")
    assert shown[0] == "..."
    tail = shown[1:]
    assert len(tail) >= 5 and "FAIL" in tail[-1]
    printed = stripped(invoke(args).stdout)
    header = [line for line in printed[: -len(tail)] if line.startswith("┃")][-1:]
    assert settled(header + printed[-len(tail) :]) == settled(header + tail)


# --- set-up, code and options ----------------------------------------------------------


def test_set_up_commands_are_the_ci_install():
    ci = [line.strip() for line in (ROOT / ".ci" / "run").read_text().split("\n")]
    blocks = indented_blocks(section(text(README), "Set up"))
    assert blocks == [
        'python3 -m venv .venv && . .venv/bin/activate && python3 -m pip install -e ".[test]"'
        " && gradcheck residual --d 8",
        "python3 -m pytest",
    ]
    install = blocks[0].split(" && ")[2]
    assert install == 'python3 -m pip install -e ".[test]"'
    assert install in ci and "python3 -m pytest" in ci
    assert "gradcheck residual --d 8" in ci


def test_the_model_file_shown_is_examples_minimal():
    blocks = [b for b in FENCE.finditer(text(README)) if b.group(0).startswith("```python")]
    shown = [b.group(1) for b in blocks if "def backward" in b.group(1)]
    assert shown == [text(ROOT / "examples" / "minimal.py")]


def test_the_python_api_example_runs():
    block = next(
        b.group(1)
        for b in FENCE.finditer(text(README))
        if b.group(0).startswith("```python") and "assert_gradients" in b.group(1)
    )
    namespace: dict = {}
    exec(compile(block, "README.md", "exec"), namespace)
    assert namespace["report"].status == "PASS"


def options_by_command() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}

    def walk(command, prefix):
        for name, sub in getattr(command, "commands", {}).items():
            found[prefix + name] = {
                o for p in sub.params for o in p.opts + p.secondary_opts if o.startswith("-")
            }
            walk(sub, prefix + name + " ")

    walk(typer.main.get_command(app), "")
    return found


def test_the_readme_names_every_option():
    readme = text(README)
    for command, options in options_by_command().items():
        for option in options:
            assert re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", readme), (
                f"README does not mention {option} of gradcheck {command}"
            )


def test_every_option_the_readme_names_exists():
    known = set().union(*options_by_command().values()) | {"--help", "--version", "-h"}
    named = set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", text(README)))
    assert named <= known, f"README names options gradcheck does not have: {named - known}"


# --- no history, and the JSON page matches the output ---------------------------------

HISTORY = [r"\(was\b", r"\bwas \d", r"\bearlier\b", r"\bthis session\b", r"\bbefore its\b"]


@pytest.mark.parametrize("page", PAGES, ids=rel)
def test_the_pages_describe_the_present(page):
    for pattern in HISTORY:
        m = re.search(pattern, text(page), re.I)
        assert not m, f"{rel(page)}: history ({m.group(0)!r}): say what is, not what was"


def shape(value):
    """The keys of a JSON value, recursively (lists by their first element)."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return None


def test_the_json_page_shows_every_field_of_the_output():
    page = text(ROOT / "docs" / "json.md")
    block = next(b for b in FENCE.finditer(page) if b.group(0).startswith("```json"))
    shown = json.loads(block.group(1))
    r = invoke(["residual", "--d", "8", "--format", "json"])
    assert r.exit_code == 0
    actual = json.loads(r.stdout)
    assert shape(shown) == shape(actual)
    fields = set(re.findall(r"`([a-z_]+)`", page))
    gradient = actual["gradients"][0]
    for key in [*actual, *actual["model"], *actual["check"], *gradient, *actual["summary"]]:
        assert key in fields, f"docs/json.md does not describe '{key}'"
