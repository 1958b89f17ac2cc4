"""Reading a TOML config file: its errors name the file, and where an array, inline table
or string was opened and never closed."""

import os
import re

from gradcheck_cli.errors import ConfigError


def read_toml(path: str) -> dict:
    import tomllib  # only a config file needs it

    if path.endswith(".py") and os.path.isfile(path):
        raise ConfigError(
            f"{path} is a Python model file, not a TOML config: "
            f"check it with 'gradcheck check {path}'"
        )
    try:
        with open(path, "rb") as fh:
            text = fh.read().decode()
        if text.startswith("\ufeff"):
            raise ConfigError(
                f"{path} starts with a byte order mark (BOM, bytes EF BB BF), which TOML does "
                "not allow; save it as UTF-8 without a BOM"
            )
        return tomllib.loads(text)
    except FileNotFoundError:
        raise ConfigError(f"config file '{path}' not found") from None
    except IsADirectoryError:
        raise ConfigError(f"config file '{path}' is a directory, not a TOML file") from None
    except PermissionError:
        raise ConfigError(f"config file '{path}' cannot be read (permission denied)") from None
    except OSError as e:  # a device, a file of /proc, a disk that fails
        raise ConfigError(f"config file '{path}' cannot be read: {e.strerror or e}") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: malformed TOML: {toml_message(str(e), text)}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not a text file") from None


def toml_message(message: str, text: str) -> str:
    """tomllib's message and, for an array, inline table or string never closed, where it
    was opened: tomllib says only "at end of document", or where it gave up (the next
    key, lines later)."""
    found = unclosed(text)
    at = re.search(r" \(at line (\d+), column (\d+)\)$", message)
    if found is None or not (at or message.endswith("(at end of document)")):
        return message
    line = text.count("\n", 0, found[1]) + 1
    column = found[1] - (text.rfind("\n", 0, found[1]) + 1) + 1
    if at and (line, column) > (int(at.group(1)), int(at.group(2))):
        return message  # opened after the error: not its cause
    shown = f"'{found[0]}'" if found[0] in "[{" else f"string opened with {found[0]}"
    head = message.removesuffix(" (at end of document)")
    return f"{head}: the {shown} at line {line}, column {column} is never closed"


def unclosed(text: str) -> tuple[str, int] | None:
    """The innermost array '[', inline table '{' or string opened in a TOML text and
    never closed, with its offset; strings, comments and [table] headers are skipped."""
    stack: list[tuple[str, int]] = []
    last, i = "\n", 0  # the last character read that is not blank
    while i < len(text):
        c = text[i]
        if c in "\"'":
            quote, end = _string_end(text, i)
            if end < 0:
                return quote, i
            last, i = c, end
            continue
        if c == "#" or (c == "[" and not stack and last != "="):  # a comment, a [header]
            i = text.find("\n", i) % (len(text) + 1)  # (-1: to the end)
            last = "\n"
            continue
        if c in "[{":
            stack.append((c, i))
        elif c in "]}" and stack and stack[-1][0] == {"]": "[", "}": "{"}[c]:
            stack.pop()
        last = c if not c.isspace() else last
        i += 1
    return stack[-1] if stack else None


def _string_end(text: str, i: int) -> tuple[str, int]:
    """The quote that opens the string at ``i`` and the offset just after the string
    (-1: never closed). A basic string's backslash escapes the next character."""
    q = text[i]
    quote = q * 3 if text.startswith(q * 3, i) else q
    j = i + len(quote)
    while j < len(text):
        if q == '"' and text[j] == "\\":
            j += 2
        elif text.startswith(quote, j):
            end = j + len(quote)
            while len(quote) == 3 and text.startswith(q, end) and end - j < 5:
                end += 1  # """a"""" is the string a": up to two quotes more
            return quote, end
        elif len(quote) == 1 and text[j] == "\n":
            return quote, -1
        else:
            j += 1
    return quote, -1
