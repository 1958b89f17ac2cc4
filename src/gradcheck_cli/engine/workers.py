"""Perturbed copies evaluated in worker processes: --jobs N, or the API's executor=.

A worker cannot be sent a model (its steps hold closures), so it is sent the model's
recipe: a picklable call that builds the same forward (a model file's path and seed, a
built-in's name and options), run once per worker process and kept. It then evaluates
whole chunks of copies exactly as this process would (numeric.py: the same chunks, in
the same order), so a check's numbers are the same bytes for every number of workers.

Workers start only where they win: where the work left would take longer than
PARALLEL_MIN_SECONDS in this process (a small check never pays a process's start-up),
and never for a tensor on the fast path (models/sparse.py: a built-in's copies cost
under a µs an entry, less than sending the values to a worker and back; at d = 2048
the built-in took 4.0 s in this process and 7.1 s with two workers,
benchmarks/estimates.py). --jobs above the cores is honoured up to JOBS_PER_CORE per
core, with a note. Workers run one BLAS thread each (two processes × two threads on
two cores would only contend) and ignore Ctrl-C (this process reports it, and stops
them). Any ``concurrent.futures.Executor`` does as well: a ProcessPoolExecutor, or a Dask cluster's
(``distributed.Client(...).get_executor()``); no scheduler of our own.
"""

import contextlib
import io
import os
import signal
import sys
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import TYPE_CHECKING, Any

from gradcheck_cli.errors import ModelError

if TYPE_CHECKING:  # (imported where used: the command line reads SINGLE_THREADED at start)
    from concurrent.futures import Executor, ProcessPoolExecutor

    from gradcheck_cli.models.model import Model

JOBS_PER_CORE = 2  # --jobs N above the cores: honoured up to this many workers per core
PARALLEL_MIN_SECONDS = 0.5  # work left below this, measured on the first chunks: stay here
TASKS_PER_WORKER = 4  # the work left is cut into this many tasks a worker (load balance)
SINGLE_THREADED = {  # for the BLAS libraries numpy may be built with
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "VECLIB_MAXIMUM_THREADS": "1",
}

Recipe = tuple  # (a module-level callable, *its arguments): builds the model


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class Pool:
    """The workers of one check: an executor given by the caller, or --jobs N processes
    started on first use and stopped by close(). Records why a model stayed here."""

    def __init__(self, jobs: int, executor: "Executor | None" = None):
        self.given = executor
        self._own: ProcessPoolExecutor | None = None
        self.notes: list[str] = []
        self.jobs = capped(jobs, self.notes)

    @property
    def size(self) -> int:
        """Workers the work is spread over."""
        return int(getattr(self.given, "_max_workers", 0) or self.jobs)

    def usable(self, model: "Model", wrt: str | None = None) -> bool:
        """Whether copies of ``wrt`` go to the workers: ``model`` can be rebuilt in one
        (if not, a note says so once) and ``wrt`` is not on the fast path (there, this
        process is faster than sending the values to a worker)."""
        if wrt is not None and model.sparse_for(wrt):
            return False
        if model.recipe is not None:
            return True
        note = (
            f"{model.name} cannot be rebuilt in a worker process (a model file, a module "
            "loaded from one, or a built-in can): every copy was evaluated in this process"
        )
        if note not in self.notes:
            self.notes.append(note)
        return False

    def executor(self) -> "Executor":
        if self.given is not None:
            return self.given
        if self._own is None:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            self._own = ProcessPoolExecutor(
                self.jobs,
                multiprocessing.get_context("spawn"),
                initializer=_quiet_worker,
                initargs=(os.getpid(),),
            )
        return self._own

    def map(self, fn: Callable, tasks: list[tuple]) -> Iterator[Any]:
        """fn(*task) for each task, in the workers; results in the order of ``tasks``."""
        from concurrent.futures import BrokenExecutor

        try:
            # (for workers started now: a spawn pool starts one at each submit that finds
            # none idle, up to its size)
            with _single_threaded_children(), _main_script_hidden(), _born_deaf():
                futures = [self.executor().submit(fn, *task) for task in tasks]
            for future in futures:
                yield future.result()
        except BrokenExecutor as e:  # the model killed its process (os._exit, a crash)
            raise ModelError(
                f"a worker process died evaluating the model ({e}); run with --jobs 1 "
                "to see what the model does"
            ) from None

    def close(self, abandon: bool = False) -> None:
        """Stop the workers this pool started (``abandon``: at once, mid-task)."""
        if self._own is None:
            return
        if abandon:
            for process in list(getattr(self._own, "_processes", {}).values()):
                process.terminate()
        self._own.shutdown(wait=not abandon, cancel_futures=True)
        self._own = None

    def __enter__(self) -> "Pool":
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close(abandon=kind is not None)


@contextlib.contextmanager
def one_blas_thread() -> Iterator[None]:
    """numpy's BLAS at one thread within the block (threadpoolctl), unless the environment
    chose a number: the command line sets 1 before numpy loads, and a user's own choice
    stands. For check() from Python and for workers an executor forked from the caller
    (a ProcessPoolExecutor on Linux: the caller's BLAS threads, several per worker)."""
    if any(key in os.environ for key in SINGLE_THREADED):
        yield
        return
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1, user_api="blas"):
        yield


def capped(jobs: int, notes: list[str]) -> int:
    """The workers to start for --jobs ``jobs`` (0: one per core). Above the cores, more
    processes only take turns on them, each holding its own copy of the model's values:
    up to JOBS_PER_CORE per core are started (a forward that waits, on a file or a
    lock, can use a second), with a note in ``notes``."""
    n = cores()
    if not jobs:
        return n
    if jobs <= n:
        return jobs
    most = JOBS_PER_CORE * n
    notes.append(
        f"--jobs {jobs:,} is more than the {n} core{'s' * (n != 1)} this process may run "
        f"on: at most {min(jobs, most)} worker processes ({JOBS_PER_CORE} a core; more only "
        "take turns on the cores, each holding a copy of the model's values)"
    )
    return min(jobs, most)


def pool(jobs: int, executor: "Executor | None") -> Pool | None:
    """The pool for --jobs/executor=, or None where every copy is evaluated here."""
    if executor is None and (jobs or cores()) <= 1:
        return None
    return Pool(jobs, executor)


@contextlib.contextmanager
def _single_threaded_children() -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in SINGLE_THREADED}
    os.environ.update(SINGLE_THREADED)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@contextlib.contextmanager
def _main_script_hidden() -> Iterator[None]:
    """A spawned worker runs the caller's main script again (as __mp_main__) unless it
    cannot find it; a script that calls check() without `if __name__ == "__main__":`
    would then check again in every worker. A worker needs only the recipe: the script is
    hidden while workers start."""
    main = sys.modules.get("__main__")
    saved = {k: main.__dict__[k] for k in ("__file__", "__spec__") if main and k in main.__dict__}
    try:
        for key in saved:
            setattr(main, key, None)
        yield
    finally:
        for key, value in saved.items():
            setattr(main, key, value)


@contextlib.contextmanager
def _born_deaf() -> Iterator[None]:
    """Ctrl-C ignored while workers start, in this process's main thread: a spawned
    worker inherits SIG_IGN (Python keeps it ignored), so a Ctrl-C while it is still
    importing, before _quiet_worker runs, prints no KeyboardInterrupt traceback of its
    own beside this process's one line (seen under load in tests/test_jobs.py). The
    window is the submits that fork and exec them (queueing only, besides), not their
    start-up."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, held)


def _quiet_worker(parent: int) -> None:
    """A --jobs worker: Ctrl-C is this process's to report; and on Linux the kernel ends
    the worker when the process that started it (``parent``) ends: a Ctrl-C ends
    gradcheck at once, by os._exit, with no time to stop its workers."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        import ctypes

        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):  # not Linux: the worker ends after its task
        pass
    if os.getppid() != parent:  # it ended before the line above
        os._exit(0)


PR_SET_PDEATHSIG = 1  # linux/prctl.h


_BUILT: dict[bytes, Any] = {}  # in a worker: the last model built, by its recipe


def rebuilt(recipe: Recipe) -> "Model":
    """The model ``recipe`` builds, built once per worker; the user's prints while it is
    built are dropped (this process showed them already)."""
    import pickle

    key = pickle.dumps(recipe)
    if key not in _BUILT:
        build, *args = recipe
        sink = io.StringIO()
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            model = build(*args)
        _BUILT.clear()
        _BUILT[key] = model
    return _BUILT[key]
