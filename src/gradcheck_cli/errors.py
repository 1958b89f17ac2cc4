"""Our exceptions, and the one place exit codes live (ExitStatus). The core raises these;
only cli/ turns them into exit codes."""

from collections.abc import Iterable
from enum import IntEnum


class ExitStatus(IntEnum):
    """The process's exit status: 0 every gradient passes, 1 a gradient is wrong, 2 bad
    usage or input, 3 nothing fails but a gradient could not be checked finely enough
    (WEAK), 130 interrupted (Ctrl-C). A check's status maps here in engine/decide.py."""

    OK = 0
    FAIL = 1
    USAGE = 2
    WEAK = 3
    INTERRUPTED = 130


class GradcheckError(Exception):
    """Bad input of any kind: the message is one line naming the bad value."""

    exit_code = ExitStatus.USAGE


class UsageError(GradcheckError):
    """A flag or option value that is not allowed."""


class ConfigError(GradcheckError):
    """A config file that is missing, malformed or names unknown keys."""


class ModelError(GradcheckError):
    """A model that cannot be built or evaluated as asked."""


class OutsideDomain(ModelError):
    """The user's code raised a numeric error (calls.DOMAIN_ERRORS: a Cholesky of a matrix
    no longer positive definite, math.log of a negative number, an assert on a value): at
    the point checked, a bad model; at leaves a step moved, a point outside the loss's
    domain."""


def nearest(word: str, choices: Iterable[str]) -> str:
    """' (did you mean X?)' for the closest choice, or '' when nothing is close."""
    import difflib  # (the command line imports this module first: Ctrl-C, output.py)

    match = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.5)
    return f" (did you mean '{match[0]}'?)" if match else ""


def suggestion(word: str, choices: Iterable[str]) -> str:
    """nearest(), but 'RELU' suggests 'relu' too."""
    folded = {str(c).casefold(): c for c in choices}
    if str(word).casefold() in folded:
        return f" (did you mean '{folded[str(word).casefold()]}'?)"
    return nearest(word, choices)


def one_of(word: object, choices: Iterable[str], what: str, where: str = "") -> UsageError:
    """The error for a name that is not among `choices`, suggesting the nearest."""
    listed = ", ".join(choices)
    return UsageError(
        f"unknown {what} '{word}'{where}{suggestion(str(word), choices)}; allowed: {listed}"
    )
