"""gradcheck examples: the configs and model files shipped with gradcheck, listed or copied
out (bundled.py finds them)."""

import os
import sys
from pathlib import Path

from gradcheck_cli.cli.options import options, split
from gradcheck_cli.errors import GradcheckError


@options("examples")
def examples(**given) -> None:
    """List the configs and model files shipped with gradcheck, or copy them out.

    Each runs by its name from any directory (a file of that name wins).
    Copied with --copy DIR to DIR/configs/NAME.toml and DIR/examples/NAME.py,
    where the README's commands expect them, each file is named on stderr;
    none is overwritten unless given --force.

    Examples:
      gradcheck examples
      gradcheck run seed-q1
      gradcheck check mlp_buggy
      gradcheck examples --copy .
      gradcheck examples mlp_buggy --copy scratch
    """
    cli, _ = split(given)
    chosen = _chosen(cli.names)
    if cli.copy is None:
        _list(chosen, cli.format)
    elif not str(cli.copy).strip():
        raise GradcheckError("--copy needs a folder, got an empty name (use . for this one)")
    elif Path(cli.copy).exists() and not Path(cli.copy).is_dir():
        raise GradcheckError(f"--copy {cli.copy}: Not a directory")
    elif not Path(cli.copy).exists() and not Path(cli.copy).absolute().parent.is_dir():
        parent = os.path.dirname(os.path.normpath(cli.copy))
        raise GradcheckError(
            f"--copy '{cli.copy}': directory '{parent}' does not exist (--copy makes one "
            "folder, not its parents)"
        )
    else:
        _copy(chosen, Path(cli.copy), cli.force)


def _chosen(names: tuple[str, ...]) -> list:
    """The bundled files named (each once, in the order given); every one if none is."""
    from gradcheck_cli import bundled
    from gradcheck_cli.errors import one_of

    if not names:
        return list(bundled.everything())
    out = []
    for name in names:
        found = bundled.find(name)
        if found is None:
            raise one_of(name, bundled.names(), "bundled config or example")
        if found not in out:
            out.append(found)
    return out


def _list(chosen: list, fmt: str) -> None:
    from gradcheck_cli.cli.output import emit_listing
    from gradcheck_cli.report.listing import Listing

    listing = Listing(
        "Bundled configs and model files",
        ("name", "kind", "run it", "description"),
        [(b.name, b.kind, b.command(), b.description) for b in chosen],
        keys=("name", "kind", "command", "description"),
        caption="Copy them out: gradcheck examples --copy DIR (or NAME --copy DIR).",
    )
    emit_listing(listing, fmt)


def _copy(chosen: list, folder: Path, force: bool) -> None:
    """Every file or none: those that exist are named, and nothing is written, without
    --force."""
    targets = [(b, folder / b.folder / b.filename) for b in chosen]
    there = [str(target) for _, target in targets if target.exists()]
    if there and not force:
        raise GradcheckError(
            f"not overwriting {', '.join(there)} (--force overwrites); nothing was copied"
        )
    for b, target in targets:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(b.file.read_bytes())
        except OSError as e:
            raise GradcheckError(f"cannot write '{target}': {e.strerror}") from None
        print(f"gradcheck: wrote {target}", file=sys.stderr)
