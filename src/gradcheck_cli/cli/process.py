"""This process's own tuning for a large check: the command line owns the process (the
library, called from someone else's, leaves theirs alone).

A check of d = 2048 allocates and frees arrays of 32 MiB … 512 MiB hundreds of times.
glibc's malloc serves each from a fresh mmap (beyond its 32 MiB threshold) and returns it
on free, so the kernel zeroes its pages again every time: a third of the wall time at
d = 2048 was system time (benchmarks/speed.py). Kept in the heap once freed, the next array
reuses them.
"""

import sys

REUSE_FROM = 64 * 2**20  # bytes a check needs, at least, before the allocator is tuned
MMAP_THRESHOLD = 2**30  # allocations below this come from the heap, reused once freed
TRIM_THRESHOLD = 2**31 - 1  # ... and freed memory at its top is kept up to this
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # mallopt's parameters (malloc.h)


def reuse_freed_memory(need: int) -> bool:
    """Where a check needs at least REUSE_FROM bytes and malloc is glibc's, keep freed
    arrays for reuse (mallopt); returns whether it did. Called once the check's bytes
    are estimated (engine.checking.Runtime.sized)."""
    if need < REUSE_FROM or not sys.platform.startswith("linux"):
        return False
    import ctypes  # (2 ms: only for a check this large)

    try:
        libc = ctypes.CDLL("libc.so.6")
        return bool(
            libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)
            and libc.mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD)
        )
    except (OSError, AttributeError):  # another C library (musl): as it is
        return False
