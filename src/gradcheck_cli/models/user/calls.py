"""Calling the user's code: a model file loaded, and any function of it called, with its
prints sent to stderr (our stdout carries the report) and its exceptions, a sys.exit or
an os._exit turned into one ModelError naming the user's file and line; copies of its
inputs, to tell whether it changed them in place."""

import contextlib
import importlib.machinery
import importlib.util
import os
import sys
import traceback
import types
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from gradcheck_cli.errors import ModelError, OutsideDomain


def call_user(path: str, what: str, fn: Callable, *args: Any) -> Any:
    """Run the user's code: its prints go to stderr (our stdout carries the report), and
    its exceptions, or a sys.exit or os._exit, become one ModelError naming its file and
    line."""
    try:
        with contextlib.redirect_stdout(sys.stderr), _exit_guarded():
            return fn(*args)
    except ModelError:
        raise
    except (Exception, SystemExit, UserExit) as e:
        raise user_error(e, path, what) from None


class UserExit(BaseException):
    """os._exit(code), called by the user's code: raised in its place (_guarded_exit)."""

    def __init__(self, code: Any) -> None:
        super().__init__(code)
        self.code = code


_REAL_EXIT = os._exit
_running: list[int] = []  # the process ids running the user's code (nested calls: repeated)


def _guarded_exit(code: Any) -> None:
    """os._exit while the user's code runs in this process: an exception, not an exit
    (its status would be one of ours: os._exit(3) is WEAK's); else os._exit itself (a
    process forked by the user's code, a worker's end, Ctrl-C's: cli/output.py)."""
    if _running and _running[-1] == os.getpid():
        raise UserExit(code)
    _REAL_EXIT(code)


_guarded_exit.__wrapped__ = _REAL_EXIT  # type: ignore[attr-defined]  # (output.py's exit)


@contextlib.contextmanager
def _exit_guarded() -> Iterator[None]:
    """os._exit (and posix._exit, the same function) guarded while the block runs;
    left guarded after it (a user's `from os import _exit` holds the guard, which exits
    as os._exit does outside the user's code)."""
    os._exit = _guarded_exit  # type: ignore[assignment]  # (it returns: it raises instead)
    if hasattr(os, "posix_spawn"):  # a POSIX system: its posix module has _exit too
        import posix

        posix._exit = _guarded_exit  # type: ignore[assignment]
    _running.append(os.getpid())
    try:
        yield
    finally:
        _running.pop()


# what a numeric function raises outside its domain (np.linalg's LinAlgError, a
# ValueError from numpy 2 on; math.log(-1)'s), and a user's own assert on a value
DOMAIN_ERRORS = (ValueError, ArithmeticError, AssertionError, np.linalg.LinAlgError)


def user_error(e: BaseException, path: str, what: str) -> ModelError:
    """'model.py, line 12, in forward: ZeroDivisionError: ...' from the user's own frames."""
    if isinstance(e, SyntaxError) and e.filename and _same(e.filename, path):
        return ModelError(f"{path}, line {e.lineno}: SyntaxError: {e.msg}")
    frames = [f for f in traceback.extract_tb(e.__traceback__) if _same(f.filename, path)]
    where = (
        f"{path}, line {frames[-1].lineno}, in {frames[-1].name}" if frames else f"{path} ({what})"
    )
    if isinstance(e, SystemExit):
        return ModelError(f"{where}: sys.exit({e.code!r}) called; a model file must not exit")
    if isinstance(e, UserExit):
        return ModelError(f"{where}: os._exit({e.code!r}) called; a model file must not exit")
    message = str(e).splitlines()[0] if str(e) else ""
    notes = "".join(f" ({note})" for note in getattr(e, "__notes__", ()))  # our hints
    kind = OutsideDomain if isinstance(e, DOMAIN_ERRORS) else ModelError
    return kind(f"{where}: {type(e).__name__}" + (f": {message}" if message else "") + notes)


def _same(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


class _FromSource(importlib.machinery.SourceFileLoader):
    """A model file compiled from its source at every load: no bytecode read (the file
    saved again within the same second at the same size ran as it was before: a cached
    .pyc is checked by those two only) and none written (no __pycache__ beside it)."""

    def get_code(self, fullname: str) -> types.CodeType:
        return compile(self.get_data(self.path), self.path, "exec", dont_inherit=True)


def load_module(path: str) -> types.ModuleType:
    if not os.path.isfile(path):
        from gradcheck_cli.bundled import missing  # what is bundled, the nearest suggested

        raise ModelError(
            f"model file '{path}' not found{missing(path, 'example')}"
            if not os.path.exists(path)
            else f"model file '{path}' is not a file"
        )
    try:
        with open(path, "rb") as fh:
            fh.read(1)
    except PermissionError:
        raise ModelError(f"model file '{path}' cannot be read (permission denied)") from None
    except OSError as e:  # a device, a file of /proc, a disk that fails
        raise ModelError(f"model file '{path}' cannot be read: {e.strerror or e}") from None
    spec = importlib.util.spec_from_file_location("gradcheck_user_model", path)
    if spec is None or spec.loader is None:
        raise ModelError(f"model file '{path}' cannot be loaded as Python (name it *.py)")
    if type(spec.loader) is importlib.machinery.SourceFileLoader:  # (a .pyc keeps its own)
        spec.loader = _FromSource(spec.name, path)
    module = importlib.util.module_from_spec(spec)
    call_user(path, "loading", spec.loader.exec_module, module)
    return module


def leaf_copies(values: dict) -> dict:
    return {
        n: np.array(v, copy=True) if isinstance(v, np.ndarray) else v for n, v in values.items()
    }


def changed_in_place(before: dict, after: dict) -> str | None:
    """The first name whose value differs between two runs (None: all equal)."""
    for n, v in before.items():
        w = after.get(n)
        if v is not w and not (
            isinstance(w, np.ndarray)
            and isinstance(v, np.ndarray)
            and v.shape == w.shape
            and _equal(v, w)
        ):
            return n
    return None


def _equal(a: np.ndarray, b: np.ndarray) -> bool:
    try:
        return bool(np.array_equal(a, b, equal_nan=True))
    except TypeError:  # not numbers: what they hold is reported elsewhere
        return bool(np.array_equal(a, b))
