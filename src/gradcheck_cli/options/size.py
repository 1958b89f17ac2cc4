"""--max-memory: a size such as 512M or 4G, in bytes, within this machine's RAM."""

import os
import re

from gradcheck_cli.errors import UsageError

_UNITS = {"": 1, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}


def parse_size(text: str | None) -> int:
    """'512M', '4G', '1.5GiB' or a plain number of bytes; None: half the machine's RAM.

    A size above the machine's RAM is refused: the limit promises that a check needing
    more is refused before it runs, and past the RAM the kernel kills the process first
    (exit 137, no message), so such a limit would promise nothing."""
    ram = physical_memory()
    if text is None:
        return ram // 2 if ram else 4 * 2**30
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?\s*", str(text), re.IGNORECASE)
    if not m or float(m.group(1)) <= 0:
        raise UsageError(f"--max-memory must be a size such as 512M or 4G, got {text!r}")
    size = int(float(m.group(1)) * _UNITS[m.group(2).upper()])
    if ram and size > ram:
        raise UsageError(
            f"--max-memory {str(text).strip()} is more than this machine's RAM "
            f"({ram / 2**30:.1f} GiB): a check needing more would be killed by the kernel, "
            f"not refused; give at most {ram // 2**20}M"
        )
    return size


def physical_memory() -> int:
    """Bytes of RAM this machine has (0 where the system does not say)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 0
