"""The budget's stratified sample of a large tensor, drawn without sorting every entry.

verdict.sample_indices draws K entries: those of the smallest and largest |A|, and one
from each of K − 2 equal strata of the stable order of |A| between them (ties in index
order), seeded per tensor. Which ranks of that order it draws does not depend on A (the
strata's sizes, and a seeded draw within each), so the same entries are found by
selecting those ranks: a radix select on |A|'s bits (values ≥ 0 order as their IEEE-754
bit patterns). The first level counts every entry by its top bits, chunk by chunk (no
copy of the tensor), and keeps the entries of the buckets that hold a drawn rank; each
further level splits the kept buckets by their next bits; the few candidates left are
sorted. Sorting every |A| of a 64 M-entry tensor took 5 s of the fallback's budget: this
reads it twice.
"""

import zlib
from collections.abc import Callable, Iterable
from functools import partial
from typing import TYPE_CHECKING

import numpy as np

from gradcheck_cli.engine.verdict import drawn_ranks, sample_indices

if TYPE_CHECKING:
    from gradcheck_cli.engine.checking import Settings

SELECT_BINS = 2**20  # buckets the first level counts, at most (8 MiB of counts, each chunk) ...
SELECT_BINS_MOST = 2**24  # ... and a later level (in one count: at most one per candidate)
SELECT_SORTED = 2**16  # candidates sorted outright, at the most ...
SORTED_PER_RANK = 8  # ... or this many per rank sought
CHUNK = 2**21  # entries the first level reads at a time (16 MiB arrays, reused)
KEEP_MOST = 0.75  # a level that keeps more of its candidates than this ends the levels

# (offset of the chunk, its keys, each key's bucket at the level above or None)
Chunks = Callable[[], Iterable[tuple[int, np.ndarray, np.ndarray | None]]]


def stratified(
    A: object, shape: tuple[int, ...], settings: "Settings", name: str
) -> np.ndarray | None:
    """verdict.sample_indices(A, shape, settings, name), the same entries: for a large
    finite float A of which few are drawn, their ranks drawn at once and found by
    selecting them (see the module); else by sample_indices itself (a stable sort of
    every |A|, or a random order where A is not finite)."""
    n, k = int(np.prod(shape)), settings.check.sample
    if k is None or k >= n:
        return None
    usable = isinstance(A, np.ndarray) and A.shape == tuple(shape) and A.dtype.kind == "f"
    few = n <= max(SORTED_PER_RANK * k, SELECT_SORTED)  # (few entries, or most drawn)
    if not usable or k < 3 or few:  # (no strata, an order the bits do not give, or a sort)
        return sample_indices(A, shape, settings, name)
    flat = np.ravel(np.asarray(A, dtype=np.float64))
    lo, hi = _key_range(flat)
    if lo is None or hi is None:  # not finite: sample_indices draws in random order
        return sample_indices(A, shape, settings, name)
    rng = np.random.default_rng([settings.options.seed, zlib.crc32(name.encode())])
    return np.sort(at_ranks(flat, drawn_ranks(n, k, rng), lo, hi))


def at_ranks(flat: np.ndarray, ranks: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """np.argsort(np.abs(flat), kind="stable")[ranks] for finite float64 entries whose
    |flat| spans the bits lo … hi (_key_range) and sorted, distinct ranks, without that
    sort (see the module)."""
    if lo == hi:  # every |A_i| the same: the stable order is the index order
        return ranks.copy()

    def first() -> Iterable[tuple[int, np.ndarray, np.ndarray | None]]:
        for start in range(0, flat.size, CHUNK):
            keys = np.abs(flat[start : start + CHUNK]).view(np.int64)
            keys -= lo
            yield start, keys, None

    level = _Level(ranks, 1, (hi - lo).bit_length())
    idx, keys, parent = level.narrow(first, SELECT_BINS)
    while keys.size > max(SORTED_PER_RANK * level.ranks.size, SELECT_SORTED) and level.shift:
        before = keys.size
        bins = min(SELECT_BINS_MOST, max(SELECT_BINS, before))
        here: list[tuple[int, np.ndarray, np.ndarray | None]] = [(0, keys, parent)]
        pos, keys, parent = level.narrow(partial(list, here), bins)
        idx = idx[pos]
        if keys.size > KEEP_MOST * before:  # ties, or ranks in most buckets: sort them
            break
    return idx[np.argsort(keys, kind="stable")[level.ranks]]


def _key_range(flat: np.ndarray) -> tuple[int | None, int | None]:
    """The smallest and largest |A_i| as their bits (int64), chunk by chunk; (None, None)
    where an entry is not finite (a NaN is neither: its min and max are NaN)."""
    lows, highs = [], []
    for s in range(0, flat.size, CHUNK):
        part = np.abs(flat[s : s + CHUNK])
        lows.append(part.min())
        highs.append(part.max())
    lo, hi = np.min(lows), np.max(highs)  # (NaN wherever a part holds one)
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return None, None
    return int(np.float64(lo).view(np.int64)), int(np.float64(hi).view(np.int64))


class _Level:
    """The radix select's state between levels: the ranks sought among the candidates
    (in the candidates' stable order), how many buckets the last level kept, and the
    bits of the keys below those buckets."""

    def __init__(self, ranks: np.ndarray, parents: int, shift: int) -> None:
        self.ranks, self.parents, self.shift = ranks, parents, shift

    def narrow(self, chunks: Chunks, bins: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """One level: the candidates split by their bucket (the kept bucket above, and
        the next bits: about ``bins`` buckets in all), counted; those in a bucket that
        holds a rank kept, in order. Returns their positions among ``chunks``, their keys
        and their buckets' new numbers; updates the ranks to count among them."""
        bits = min(self.shift, max(1, (bins // self.parents).bit_length() - 1))
        shift, mask = self.shift - bits, (1 << bits) - 1

        def bucket(keys: np.ndarray, parent: np.ndarray | None) -> np.ndarray:
            b = keys >> shift
            b &= mask
            if parent is not None:
                b += parent << bits
            return b

        counts = np.zeros(self.parents << bits, dtype=np.int64)
        for _, keys, parent in chunks():
            counts += np.bincount(bucket(keys, parent), minlength=counts.size)
        ends = np.cumsum(counts)
        which = np.searchsorted(ends, self.ranks, side="right")  # each rank's bucket
        needed = np.zeros(counts.size, dtype=bool)
        needed[which] = True
        kept = np.where(needed, counts, 0)
        self.ranks = self.ranks - (ends - counts)[which] + (np.cumsum(kept) - kept)[which]
        self.parents, self.shift = int(np.count_nonzero(needed)), shift
        renumber = np.cumsum(needed) - 1
        pieces = []
        for start, keys, parent in chunks():
            b = bucket(keys, parent)
            pos = np.flatnonzero(needed[b])
            pieces.append((pos + start, keys[pos], renumber[b[pos]]))
        pos, keys, parent = (np.concatenate(p) for p in zip(*pieces, strict=True))
        return pos, keys, parent
