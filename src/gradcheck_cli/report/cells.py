"""Table cells and titles as plain text."""

from typing import Any

from rich.text import Text


def plain(value: Any) -> Any:
    """A string as rich Text, printed as written: a user's ``b[i]``, a LaTeX ``\\left[``
    or ``:smile:`` would be read as markup or an emoji code in a plain str (other
    renderables pass as they are)."""
    return Text(value) if isinstance(value, str) else value
