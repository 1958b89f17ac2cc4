"""Our exceptions. The core raises these; only cli.py turns them into exit codes."""

import difflib


class GradcheckError(Exception):
    """Bad input of any kind: the message is one line naming the bad value."""

    exit_code = 2


class UsageError(GradcheckError):
    """A flag or option value that is not allowed."""


class ConfigError(GradcheckError):
    """A config file that is missing, malformed or names unknown keys."""


class ModelError(GradcheckError):
    """A model that cannot be built or evaluated as asked."""


def nearest(word: str, choices) -> str:
    """' (did you mean X?)' for the closest choice, or '' when nothing is close."""
    match = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.5)
    return f" (did you mean '{match[0]}'?)" if match else ""


def one_of(word: str, choices, what: str, where: str = "") -> GradcheckError:
    """The error for a name that is not among `choices`, suggesting the nearest."""
    listed = ", ".join(choices)
    return UsageError(f"unknown {what} '{word}'{where}{nearest(word, choices)}; allowed: {listed}")
