"""The configs and example model files shipped inside the package, found by name.

`gradcheck run seed-q1` and `gradcheck check mlp_buggy` find them when no file of that
name exists (a real file always wins); `gradcheck examples` lists them and copies them
out. They live in gradcheck_cli/data/ (package data, so an installed wheel has them);
configs/ and examples/ at the repository's root are symlinks to those folders.

Nothing here imports numpy: `gradcheck examples` and `gradcheck --help` read this module.
"""

import atexit
import contextlib
import os
import re
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable

from gradcheck_cli.errors import ConfigError, nearest
from gradcheck_cli.records import frozen

# kind -> (the folder under data/ and at the repository's root, the files' extension)
KINDS = {"config": ("configs", ".toml"), "example": ("examples", ".py")}

# A file without a leading docstring or comment (minimal.py: the README shows it whole).
_UNDESCRIBED = {"minimal.py": "The smallest model file: init, forward and backward."}

# Files of layer functions, not model files: `gradcheck layer` checks one layer at a time.
_LAYER = "affine --shape x=4x5 --shape w=5x3 --shape b=3"
_COMMANDS = {name: f"gradcheck layer {name} {_LAYER}" for name in ("layers", "layers_buggy")}


@frozen
class Bundled:
    name: str  # the file's name without its extension: what run and check accept
    kind: str  # "config" or "example"
    file: Traversable
    description: str  # one line, from the file's first docstring or comment

    @property
    def filename(self) -> str:
        return self.file.name

    @property
    def folder(self) -> str:
        """Where a copy goes (configs/ or examples/), as in the repository."""
        return KINDS[self.kind][0]

    def command(self) -> str:
        if self.kind == "example" and self.name in _COMMANDS:
            return _COMMANDS[self.name]
        return f"gradcheck {'run' if self.kind == 'config' else 'check'} {self.name}"


def describe(text: str, filename: str = "") -> str:
    """The first sentence of a file's leading docstring or comment, on one line (a long
    one up to its colon)."""
    paragraph: list[str] = []
    body = text.lstrip()
    if body.startswith(('"""', "'''")):
        quote = body[:3]
        paragraph = body[3:].split(quote, 1)[0].strip().split("\n\n", 1)[0].splitlines()
    else:
        for line in body.splitlines():
            if not line.startswith("#"):
                break
            paragraph.append(line.lstrip("#"))
    words = " ".join(" ".join(paragraph).split())
    if not words:
        return _UNDESCRIBED.get(filename, "")
    sentence = re.split(r"(?<=\.)\s", words, maxsplit=1)[0]
    if len(sentence) > 90 and ": " in sentence:  # a long one: up to its colon
        sentence = sentence.split(": ", 1)[0] + "."
    return sentence


@cache
def everything() -> tuple[Bundled, ...]:
    """Every bundled file, configs first, each kind by name."""
    data = resources.files("gradcheck_cli") / "data"
    out = []
    for kind, (folder, suffix) in KINDS.items():
        files = [f for f in (data / folder).iterdir() if f.name.endswith(suffix)]
        for f in sorted(files, key=lambda f: f.name):
            text = f.read_text(encoding="utf-8")
            out.append(Bundled(f.name[: -len(suffix)], kind, f, describe(text, f.name)))
    return tuple(out)


def names(kind: str | None = None) -> list[str]:
    return [b.name for b in everything() if kind in (None, b.kind)]


def find(name: str, kind: str | None = None) -> Bundled | None:
    """The bundled file called `name` (with or without its extension), or None."""
    for b in everything():
        if kind in (None, b.kind) and name in (b.name, b.filename):
            return b
    return None


_FILES = contextlib.ExitStack()  # keeps as_file's copies, if it made any, until exit
atexit.register(_FILES.close)


def path_of(b: Bundled) -> str:
    """A path on disk to the file (the installed file itself, unless zipped)."""
    return str(_FILES.enter_context(resources.as_file(b.file)))


def config_file(path: str) -> str:
    """`path` if it exists; else the bundled config of that name; else an error that
    lists the bundled configs and suggests the nearest."""
    if os.path.exists(path):
        return path
    b = find(path, "config")
    if b is None:
        raise ConfigError(f"config file '{path}' not found{missing(path, 'config')}")
    return path_of(b)


def model_file(path: str) -> str:
    """`path` if it exists or names no bundled example; else the bundled example's path.
    (A missing file is load_module's error, with missing()'s hint: the path may only
    label a model given as an object.)"""
    b = None if os.path.exists(path) else find(path, "example")
    return path if b is None else path_of(b)


def missing(path: str, kind: str) -> str:
    """What follows "FILE 'path' not found": the bundled names, the nearest suggested."""
    stem = os.path.basename(path).removesuffix(KINDS[kind][1])
    other = find(stem)
    if other is not None and other.kind != kind:  # `gradcheck run mlp`
        return f"; '{other.name}' is a bundled {other.kind}: try '{other.command()}'"
    return (
        f"{nearest(stem, names(kind))}; bundled {KINDS[kind][0]}: "
        f"{', '.join(names(kind))} (see 'gradcheck examples')"
    )
