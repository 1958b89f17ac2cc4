"""--jobs and executor=: perturbed copies in worker processes, the same bytes as here."""

import json
import platform
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pytest
from typer.testing import CliRunner

from gradcheck_cli import check
from gradcheck_cli.cli import app
from gradcheck_cli.engine import numeric, workers
from gradcheck_cli.errors import ModelError
from gradcheck_cli.testing import plant_error

runner = CliRunner()
INF = float("inf")


@pytest.fixture
def mlp(pytestconfig, tmp_path):
    """The example MLP at 40-32-5, batch 8: 1,280 entries of W1, three chunks of copies."""
    text = (pytestconfig.rootpath / "examples" / "mlp.py").read_text()
    path = tmp_path / "mlp40.py"
    path.write_text(text.replace("D, H, C, B = 4, 6, 3, 5", "D, H, C, B = 40, 32, 5, 8"))
    return str(path)


@pytest.fixture
def spread(monkeypatch):
    """Workers for any work, however small; counts the chunks they evaluated."""
    monkeypatch.setattr(workers, "PARALLEL_MIN_SECONDS", 0.0)
    sent: list[int] = []
    original = numeric._in_workers

    def counted(*args):
        sent.append(len(args[7]))
        return original(*args)

    monkeypatch.setattr(numeric, "_in_workers", counted)
    return sent


def _json(args: list[str]) -> str:
    r = runner.invoke(app, args + ["--format", "json"])
    assert r.exit_code in (0, 1), r.stderr
    return r.stdout


def test_two_jobs_print_the_same_bytes_as_one(mlp, spread):
    one = _json(["check", mlp, "--budget", "inf", "--jobs", "1"])
    assert not spread
    two = _json(["check", mlp, "--budget", "inf", "--jobs", "2"])
    assert sum(spread) >= 2 and one == two
    assert json.loads(two)["summary"]["status"] == "PASS"


def test_a_wrong_entry_fails_at_its_place_in_a_worker(mlp, spread):
    W1 = np.abs(check(mlp, jobs=1, budget=INF).arrays["analytic/W1"])
    last = np.unravel_index(W1.size - 1, W1.shape)  # in the last chunk: a worker's
    wrong = plant_error(mlp, "W1", last, 1e-8)
    row = check(wrong, jobs=2, budget=INF).row("W1").comparison
    assert spread and row.status == "FAIL" and row.failed == 1
    assert row.worst_index == tuple(int(i) for i in last)


def test_any_executor_gives_the_same_numbers(mlp, spread):
    here = check(mlp, jobs=1, budget=INF)
    with ProcessPoolExecutor(2) as executor:
        there = check(mlp, executor=executor, budget=INF)
    assert spread and there.status == here.status == "PASS"
    for key, value in here.arrays.items():
        assert np.array_equal(value, there.arrays[key], equal_nan=True), key


class _Inline:
    """A model that is no file: it cannot be rebuilt in a worker."""

    def init(self, rng):
        return {"w": rng.standard_normal(2000)}

    def forward(self, p, tap):
        return np.sum(np.sin(p["w"]))

    def backward(self, v):
        return {"w": np.cos(v["w"])}


def test_a_model_that_is_no_file_stays_here_and_says_so(spread):
    report = check(_Inline(), jobs=2, budget=INF)
    assert report.status == "PASS" and not spread
    assert any("cannot be rebuilt in a worker" in n for n in report.notes)


def test_a_worker_the_model_kills_is_one_line(tmp_path, spread):
    path = tmp_path / "dies.py"
    path.write_text(
        "import multiprocessing, os\nimport numpy as np\n"
        "def init(rng):\n    return {'w': rng.standard_normal(3000)}\n"
        "def forward(p, tap):\n"
        "    if multiprocessing.current_process().name != 'MainProcess':\n"
        "        os.kill(os.getpid(), 9)\n"
        "    return np.sum(np.sin(p['w']))\n"
        "def backward(v):\n    return {'w': np.cos(v['w'])}\n"
    )
    with pytest.raises(ModelError, match="a worker process died"):
        check(str(path), jobs=2, budget=INF)
    r = runner.invoke(app, ["check", str(path), "--jobs", "2", "--budget", "inf"])
    assert r.exit_code == 2 and len(r.stderr.strip().splitlines()) == 1
    assert "--jobs 1" in r.stderr


def test_jobs_is_a_whole_number(mlp):
    r = runner.invoke(app, ["check", mlp, "--jobs", "-1"])
    assert r.exit_code == 2 and "--jobs" in r.stderr and "-1" in r.stderr


def _children(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` (Linux /proc)."""
    out = []
    for stat in __import__("glob").glob("/proc/[0-9]*/stat"):
        try:
            fields = open(stat).read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.split("/")[2]))
    return out


@pytest.mark.skipif(not __import__("os").path.isdir("/proc"), reason="reads /proc")
def test_ctrl_c_ends_the_workers_too_with_one_line(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    path = tmp_path / "slow.py"
    path.write_text(
        "import time\nimport numpy as np\n"
        "def init(rng):\n    return {'w': rng.standard_normal(4000)}\n"
        "def forward(p, tap):\n    time.sleep(0.002)\n    return np.sum(np.sin(p['w']))\n"
        "def backward(v):\n    return {'w': np.cos(v['w'])}\n"
    )
    args = [sys.executable, "-m", "gradcheck_cli", "check", str(path), "--budget", "inf"]
    proc = subprocess.Popen(args + ["--jobs", "2"], stderr=subprocess.PIPE, stdout=subprocess.PIPE)
    workers_seen: list[int] = []
    deadline = time.monotonic() + 30
    while len(workers_seen) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
        workers_seen = [p for p in _children(proc.pid) if b"spawn_main" in _cmdline(p)]
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert len(workers_seen) == 2, "the workers never started"
    assert proc.returncode == 130 and out == b""
    assert err.decode().strip() == "gradcheck: error: interrupted"
    time.sleep(1.0)
    assert not [p for p in workers_seen if _running(p)]


def _running(pid: int) -> bool:
    """Alive, not a zombie waiting to be reaped."""
    try:
        return open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _cmdline(pid: int) -> bytes:
    try:
        return open(f"/proc/{pid}/cmdline", "rb").read()
    except OSError:
        return b""


def test_a_script_without_a_main_guard_is_not_run_again_by_the_workers(mlp, tmp_path):
    import subprocess
    import sys

    script = tmp_path / "script.py"
    script.write_text(
        "from gradcheck_cli import check\nfrom gradcheck_cli.engine import numeric, workers\n"
        "workers.PARALLEL_MIN_SECONDS = 0.0\nsent = []\noriginal = numeric._in_workers\n"
        "numeric._in_workers = lambda *a: (sent.append(1), original(*a))[1]\n"
        f"report = check({mlp!r}, jobs=2, budget=float('inf'))\n"
        "print(report.status, bool(sent))\n"
    )
    done = subprocess.run([sys.executable, str(script)], capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode()[-500:]
    assert done.stdout.decode().split() == ["PASS", "True"]


@pytest.mark.parametrize("given, seen", [(None, "1"), ("3", "3")])
def test_the_command_runs_one_blas_thread_unless_told(tmp_path, given, seen):
    import os
    import subprocess
    import sys

    path = tmp_path / "threads.py"
    path.write_text(
        "import os, sys\nimport numpy as np\n"
        "print('threads', os.environ.get('OPENBLAS_NUM_THREADS'), file=sys.stderr)\n"
        "def init(rng):\n    return {'w': rng.standard_normal(3)}\n"
        "def forward(p, tap):\n    return np.sum(np.sin(p['w']))\n"
        "def backward(v):\n    return {'w': np.cos(v['w'])}\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    if given is not None:
        env["OPENBLAS_NUM_THREADS"] = given
    args = [sys.executable, "-m", "gradcheck_cli", "check", str(path), "-q"]
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and f"threads {seen}" in done.stderr


def test_copies_are_evaluated_on_one_blas_thread_unless_the_environment_chose(monkeypatch):
    from threadpoolctl import threadpool_info, threadpool_limits

    def blas() -> set[int]:
        return {p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"}

    for key in workers.SINGLE_THREADED:
        monkeypatch.delenv(key, raising=False)
    with threadpool_limits(2, user_api="blas"):  # as a caller's numpy may run
        with workers.one_blas_thread():
            assert blas() <= {1}
        monkeypatch.setenv("OPENBLAS_NUM_THREADS", "2")
        with workers.one_blas_thread():  # the environment's choice stands
            assert blas() <= {2}


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's malloc only")
@pytest.mark.parametrize(
    "given, seen", [(None, (str(2**63), str(2**30))), ("12345", ("12345", None))]
)
def test_the_command_keeps_freed_memory_unless_told(tmp_path, given, seen):
    """The command line keeps large freed arrays for the next (cli.keep_freed_memory), and
    says so to its workers through the environment; a MALLOC_* setting of the user's wins."""
    import os
    import subprocess
    import sys

    path = tmp_path / "malloc.py"
    path.write_text(
        "import os, sys\nimport numpy as np\n"
        "print('trim', os.environ.get('MALLOC_TRIM_THRESHOLD_'), file=sys.stderr)\n"
        "print('mmap', os.environ.get('MALLOC_MMAP_THRESHOLD_'), file=sys.stderr)\n"
        "def init(rng):\n    return {'w': rng.standard_normal(3)}\n"
        "def forward(p, tap):\n    return np.sum(np.sin(p['w']))\n"
        "def backward(v):\n    return {'w': np.cos(v['w'])}\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    if given is not None:
        env["MALLOC_TRIM_THRESHOLD_"] = given
    args = [sys.executable, "-m", "gradcheck_cli", "check", str(path), "-q"]
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    assert f"trim {seen[0]}" in done.stderr and f"mmap {seen[1]}" in done.stderr
