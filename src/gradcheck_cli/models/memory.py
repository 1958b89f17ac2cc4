"""What a check holds in memory per checked entry, for the memory estimate
(engine/estimate.py) and for refusing leaves too large before a forward runs (model
files, layer pairs): measured against whole processes' peak resident set
(benchmarks/estimates.py)."""

HELD_PER_ENTRY = 15  # float64 arrays per checked entry at a check's peak
HELD_FALLBACK = 12  # ... where it checks by directions and a sample (the budget's fallback)
BASE_BYTES = 44 * 2**20  # the interpreter, numpy, rich and gradcheck: 44 MiB at d = 8


def leaves_bytes(entries: int) -> int:
    """Bytes a check of leaves of ``entries`` entries holds at the least (before the
    forward has run, its intermediates are unknown): files and layers refuse by it."""
    return 8 * HELD_PER_ENTRY * entries + BASE_BYTES


def beyond_budget(entries: int, max_memory: int | None) -> str | None:
    """Where leaves of ``entries`` entries need more than ``max_memory`` bytes to check:
    'checking them needs about 3.0 GiB, more than the memory budget of 2.0 GiB
    (--max-memory)'; None where they fit (or there is no budget)."""
    need = leaves_bytes(entries)
    if max_memory is None or need <= max_memory:
        return None
    return (
        f"checking them needs about {need / 2**30:.1f} GiB, more than the memory budget of "
        f"{max_memory / 2**30:.1f} GiB (--max-memory)"
    )
