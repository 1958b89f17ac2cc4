"""What a check will cost, before it runs: seconds (for --budget) and bytes (--max-memory).

Seconds are measured, not guessed. First, up to QUICK entries of the largest tensor
are timed, their call's own cost included (clearly_within): a model that fits the
budget QUICK_MARGIN times over is not probed further. Otherwise each checked tensor's numeric
reference is timed on a growing probe of its entries, and a call's own cost (arrays the
size of the tensor, the same for 1 entry or 4,000) told apart from each entry's: the
budget once divided a 20 ms call by the 8 entries probed, and said 1766 s of a check
that took 4 s. One backward pass and one pass over an array of the largest tensor's
size are timed too. The rest of a check is counted in those units, with the counts
measured by benchmarks/estimates.py (the built-ins at d = 256 … 4000, the benchmark
model files and generated ones):

- ``numeric``: Σ over tensors of CALLS × a call's own cost + entries × seconds an
  entry (over the workers, where they start: workers.py);
- ``passes``: the backward passes the verdict makes besides the numeric reference (A,
  A again in 80-bit extended precision, A at three ulp-moved forwards, the second look's
  two jittered checks): PASSES backwards, LONGDOUBLE_PASSES of them in extended
  precision;
- ``arrays``: the verdict's elementwise work (bounds, comparison, resolution,
  rounding), ARRAY_PASSES passes over every checked entry;
- ``fresh``: the memory a check holds at its peak (held_bytes, below) touched once,
  at the seconds a byte of memory the process never touched costs (timed on a fresh
  mapping of FRESH_PROBE bytes): the command line's heap keeps what it frees
  (cli.keep_freed_memory), so each page of the peak faults once. 0.6 ms a MiB on a
  virtual machine that backs its pages on demand: 3 s of the 10 s of
  ``gradcheck residual --d 6000``.

The fallback (--directions 4 and a stratified sample) is counted the same way: its
directions, and the sample's verdict over arrays the size of each tensor, read every
entry FALLBACK_PASSES times; each sampled entry's numeric reference is taken
SAMPLE_CALLS times (the sample's, and verdict.forward_rounding's at the three ulp-moved
forwards: there every sampled entry whose A moves), and costs SAMPLE_EACH besides.

Bytes: each checked entry is held, at the verdict's peak, as about HELD_PER_ENTRY
float64 arrays (value, adjoint, numeric, bound, error, rounding, moved adjoints, the
comparison's temporaries), HELD_FALLBACK where the check is by directions and a sample
(the sample is compared in arrays of its own size), on top of the chunks of perturbed
copies (DENSE_CHUNK times their nominal size where a built-in's step turns them
dense); measured as the peak resident set of whole processes by benchmarks/estimates.py.
"""

import time
from collections.abc import Callable

import numpy as np

from gradcheck_cli.engine.numeric import CHUNK_BYTES, differentiate
from gradcheck_cli.engine.workers import Pool
from gradcheck_cli.models.memory import BASE_BYTES, HELD_FALLBACK, HELD_PER_ENTRY
from gradcheck_cli.models.model import Model, Values
from gradcheck_cli.records import frozen

QUICK = 4096  # entries of the largest tensor the first, quick probe times at most ...
QUICK_SECONDS = 0.01  # ... or fewer, once it takes this long ...
QUICK_MARGIN = 16  # ... and the margin by which its bound must fit the budget to stop there
PROBE_SECONDS = 0.03  # a tensor's probe grows until its last step adds this long ...
PROBE_MOST = 0.5  # ... or one probe takes this many seconds, or it covers the tensor
PROBE_START = 4096  # the first probe: this fraction of a tensor's entries (or 1)
CALLS = 3  # numeric references a check makes of each tensor (the second look's too)
PASSES = 9  # float64 backward passes a check makes besides its numeric reference
LONGDOUBLE_PASSES = 2  # ... and in 80-bit extended precision (A_ext; exact values)
LONGDOUBLE_COST = 10.0  # an extended-precision backward, in float64 backwards (measured)
ARRAY_PASSES = 80  # the verdict's passes over every checked entry, every-entry check
FALLBACK_PASSES = 64  # ... and the fallback's (directions, the sample's verdict; wall time)
SAMPLE_CALLS = 4  # numeric references of each sampled entry (forward_rounding's three)
SAMPLE_EACH = 2e-6  # seconds a sampled entry costs the fallback besides its references
UNIT_ENTRIES = 2**22  # entries the unit array pass is timed on, at most (32 MiB arrays)
DENSE_CHUNK = 4  # a chunk of copies turned dense holds this many times its bytes (measured)
FRESH_PROBE = 32 * 2**20  # bytes of memory never touched, timed page by page (cost.fresh)


@frozen
class Cost:
    """Seconds a check would take, by part; ``each``: seconds an entry's numeric reference
    takes, per checked tensor (and Jacobian id), over the workers."""

    numeric: float
    passes: float
    arrays: float
    fallback_arrays: float
    entries: int
    each: dict
    fresh: float = 0.0  # seconds of first touches of the every-entry check's peak memory
    fallback_fresh: float = 0.0  # ... and of the fallback's

    @property
    def every_entry(self) -> float:
        """Seconds a check of every entry takes."""
        return self.numeric + self.passes + self.arrays + self.fresh

    def fallback(self, fill: float) -> float:
        """Seconds the fallback takes with ``fill`` of the entries sampled."""
        return self.passes + self.fallback_arrays + self.fallback_fresh + fill * self.sampled

    @property
    def sampled(self) -> float:
        """Seconds the fallback's sample of every entry would take (fill = 1)."""
        return SAMPLE_CALLS * self.numeric + SAMPLE_EACH * self.entries


def seconds(model: Model, env: Values, method: str, pool: Pool | None = None) -> Cost:
    """The Cost of checking ``model`` at ``env`` with ``method`` (see the module)."""
    names = model.checked()
    each, numeric = {}, 0.0
    probes = [(n, n, None) for n in names] + [(j.id, j.wrt, j.of) for j in model.jacobians]
    for row, wrt, out in probes:
        call, each[row] = _per_entry(model, env, wrt, out, method)
        each[row] /= _spread(model, wrt, pool)
        numeric += CALLS * call + each[row] * int(np.size(env[wrt]))
    entries = sum(int(np.size(env[n])) for n in names)
    entries += sum(int(np.size(env[j.of]) * np.size(env[j.wrt])) for j in model.jacobians)
    backward = _timed(lambda: model.backward(env))
    sizes = [int(np.size(env[n])) for n in names]
    unit = _array_pass(max(sizes, default=0))
    fallback = FALLBACK_PASSES * sum(sizes)  # (the sample is selected, not sorted: strata.py)
    fresh = _fresh_byte() if max(sizes, default=0) * 8 > FRESH_PROBE else 0.0
    return Cost(
        numeric=numeric,
        passes=backward * (PASSES + LONGDOUBLE_PASSES * LONGDOUBLE_COST),
        arrays=ARRAY_PASSES * unit * entries,
        fallback_arrays=float(unit * fallback),
        entries=entries,
        each=each,
        fresh=fresh * max(0, held_bytes(model) - BASE_BYTES),
        fallback_fresh=fresh * max(0, held_bytes(model, fallback=True) - BASE_BYTES),
    )


def clearly_within(model: Model, env: Values, method: str, budget: float) -> bool:
    """Whether the check clearly fits ``budget``: a probe of the largest tensor, growing
    ×4 from 16 entries until it takes QUICK_SECONDS or covers QUICK entries, gives an
    upper bound of each entry's cost (its call's own cost included, over fewer entries
    the smaller the probe: the first that fits decides); times every entry and
    QUICK_MARGIN, within the budget? Then no tensor is probed further (which would cost
    a small model more than its check)."""
    names = model.checked()
    if not names:
        return True
    largest = max(names, key=lambda n: np.size(env[n]))
    size, k = int(np.size(env[largest])), 16
    if size == 0:  # every checked tensor is empty: there is nothing to time
        return True
    entries = sum(int(np.size(env[n])) for n in names)
    entries += sum(int(np.size(env[j.wrt])) for j in model.jacobians)
    while True:
        probe = _evenly(size, min(k, size))

        def once(probe: np.ndarray = probe) -> float:
            return _timed(lambda: differentiate(model, env, largest, None, method, indices=probe))

        took = min(once(), once())  # (the first call of a check is slower: new arrays)
        fits = QUICK_MARGIN * took / probe.size * entries <= budget
        if fits or took >= QUICK_SECONDS or k >= min(size, QUICK):
            return fits
        k *= 4


def _spread(model: Model, name: str, pool: Pool | None) -> int:
    """Workers a tensor's copies are spread over (workers.Pool.usable's rule)."""
    if pool is None or model.recipe is None or model.sparse_for(name):
        return 1
    return max(1, int(pool.size))


def _per_entry(
    model: Model, env: Values, wrt: str, out: str | None, method: str
) -> tuple[float, float]:
    """(seconds a call, seconds an entry) of the numeric reference of ``wrt``: a call's
    own cost (arrays the size of the tensor: 0.1 s at 16 M entries) apart from each
    entry's (0.3 µs on a built-in's fast path), told apart by probes of k entries spread
    over the tensor, k growing ×4 from 1/PROBE_START of it until the last ×4 adds
    PROBE_SECONDS (each entry's cost then stands out of the call's noise), a probe
    takes PROBE_MOST seconds, or k covers the tensor (its time is then the tensor's:
    no call cost apart); where the first probe takes PROBE_MOST, its time over k is each
    entry's, the call's cost in it (an upper bound). A probe that took under
    PROBE_SECONDS is timed twice (the faster counts: a shared machine only slows a
    probe down), and so are the two probes that decide, whatever they took: at 64 M
    entries a call's own 0.05 s once took 1 s (cold, or pages zeroed for another
    process), and a spike in the later of the two is read as the entries' cost (at d =
    8000, one run estimated 273 s of a check that takes 30)."""
    size = int(np.size(env[wrt]))
    if size == 0:
        return 0.0, 0.0

    def once(k: int) -> float:
        probe = _evenly(size, k)
        return _timed(lambda: differentiate(model, env, wrt, out, method, indices=probe))

    k, before = max(1, size // PROBE_START), None
    while True:
        took = once(k)
        if took < PROBE_SECONDS:
            took = min(took, once(k))
        if k >= size:  # the whole tensor: its time, exactly
            return 0.0, took / k
        if before is None and took >= PROBE_MOST:  # (entries slow enough alone: its call's
            return 0.0, took / k  # cost counted in each, an upper bound; a forward of 5 ms
            # over 2e5 entries took 52 s a row growing this probe ×4 and timing both again)
        if before is not None and (took - before[1] >= PROBE_SECONDS or took >= PROBE_MOST):
            took, first = min(took, once(k)), min(before[1], once(before[0]))
            each = max(took - first, 0.0) / (k - before[0])
            return max(0.0, took - each * k), each
        before, k = (k, took), min(4 * k, size)


def _evenly(size: int, k: int) -> np.ndarray:
    """k entries spread evenly over 0 … size − 1, each once, in order: np.unique of
    them, by hand (np.unique imports numpy.ma, 7 ms of every check's start)."""
    points = np.linspace(0, size - 1, k).astype(int)  # (non-decreasing)
    return points[np.diff(points, prepend=-1) > 0]


def _array_pass(n: int) -> float:
    """Seconds an elementwise pass over an array of n float64 entries takes, a
    difference and an absolute value of it, per entry: the verdict's unit of work. Timed
    on at most UNIT_ENTRIES (memory-bound beyond a cache either way: a pass over a 64 M
    entry leaf's copies, 1 GiB, took longer than the check it was to time)."""
    if n == 0:
        return 0.0
    n = min(n, UNIT_ENTRIES)
    a, b = np.ones(n), np.full(n, 2.0)
    np.abs(a - b)  # (pages touched first: not timed)
    return min(_timed(lambda: np.abs(a - b)) for _ in range(3)) / n


def _fresh_byte() -> float:
    """Seconds a byte of memory costs on its first touch: FRESH_PROBE bytes of a new
    anonymous mapping (never the heap's: freed pages there are touched already), one
    write a page. Timed only where the largest tensor is larger (a smaller check's peak
    is mostly the interpreter's own)."""
    import mmap

    try:
        mapping = mmap.mmap(-1, FRESH_PROBE)
    except (OSError, ValueError):  # no memory to map: the check will say so
        return 0.0
    pages = np.frombuffer(mapping, dtype=np.uint8)
    start = time.perf_counter()
    pages[:: mmap.PAGESIZE] = 1
    took = time.perf_counter() - start
    del pages  # (a mapping with a view of it cannot close)
    mapping.close()
    return took / FRESH_PROBE


def _timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def held_bytes(model: Model, fallback: bool = False) -> int:
    """Bytes a check holds at its peak, from symbolic shapes only (no values drawn):
    HELD_PER_ENTRY float64 arrays per checked entry (HELD_FALLBACK by directions and a
    sample) and every value twice (the forward, and moved copies of it), a Jacobian's
    entries(of) × entries(wrt) numbers four times, the chunks of perturbed copies, and
    the process itself."""
    checked = set(model.checked())
    names = [leaf.name for leaf in model.leaves] + [s.name for s in model.steps]
    sizes = {n: model.entries(n) for n in names}
    held = HELD_FALLBACK if fallback else HELD_PER_ENTRY
    total = held * sum(sizes[n] for n in checked) + 2 * sum(sizes.values())
    total += sum(4 * model.entries(j.of) * model.entries(j.wrt) for j in model.jacobians)
    copies = 2 * 16 * sum(sizes.values()) * max(sizes.values(), default=0)
    return 8 * total + min(_chunk_bytes(model), copies) + BASE_BYTES


def _chunk_bytes(model: Model) -> int:
    """What a chunk of perturbed copies holds at its peak: half its nominal CHUNK_BYTES
    where they stay one row each (models/sparse.py: the residual net), DENSE_CHUNK times
    it where a built-in's step turns them dense (a softmax over each column: numpy's
    temporaries, 126 MiB of a 32 MiB chunk by tracemalloc). Model files, with no fast
    path, run their copies through the forward as they are (within 1.06x at half)."""
    sparse_first = any(s.onehot is not None for s in model.steps)  # (built-ins: Rows)
    dense = sparse_first and any(
        not s.elementwise and getattr(s.onehot, "rows", None) is None and s.name != model.loss
        for s in model.steps
    )
    return DENSE_CHUNK * CHUNK_BYTES if dense else CHUNK_BYTES // 2


def worker_bytes(model: Model, pool: Pool | None) -> int:
    """Bytes the workers hold besides this process, where copies of a checked tensor may
    go to them (workers.Pool.usable): each the values and a chunk of copies (their
    interpreters, 40 MiB each, are left out: they start only for work of seconds, and a
    limit that refused a small model for them would protect nothing)."""
    if pool is None or model.recipe is None:
        return 0
    if all(model.sparse_for(n) for n in model.checked()):
        return 0
    sizes = [
        model.entries(n) for n in [l.name for l in model.leaves] + [s.name for s in model.steps]
    ]
    copies = 2 * 16 * sum(sizes) * max(sizes, default=0)
    return int(pool.size) * (8 * sum(sizes) + min(CHUNK_BYTES, copies))
