"""The installed console script, as a shell user meets it."""

import os
import shutil
import subprocess
import sys

import pytest

GRADCHECK = shutil.which("gradcheck")
needs_script = pytest.mark.skipif(GRADCHECK is None, reason="the gradcheck script is not installed")


def run(*args, env=None, **kw):
    return subprocess.run(
        args, capture_output=True, text=True, timeout=120, env={**os.environ, **(env or {})}, **kw
    )


@needs_script
def test_console_script_runs_the_main_job():
    r = run("gradcheck", "residual", "--d", "8")
    assert r.returncode == 0, r.stderr
    assert "Backward pass" in r.stdout and "PASS" in r.stdout and r.stderr == ""


def test_python_dash_m():
    r = run(sys.executable, "-m", "gradcheck_cli", "softmax", "--n", "4", "--format", "json")
    assert r.returncode == 0, r.stderr
    assert '"schema": "gradcheck/1"' in r.stdout


@needs_script
@pytest.mark.parametrize(
    "args",
    [
        ["residual", "--d", "0"],
        ["residual", "--d", "abc"],
        ["residual", "--activation", "nope"],
        ["run", "/nonexistent.toml"],
    ],
)
def test_bad_input_exit_2_without_traceback(args):
    r = run("gradcheck", *args)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert r.stdout == ""


@needs_script
def test_pipe_into_head_ends_quietly():
    r = subprocess.run(
        "gradcheck residual --d 24 | head -n 2",
        shell=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert len(r.stdout.splitlines()) == 2
    assert "Traceback" not in r.stderr and "Error" not in r.stderr


@needs_script
def test_no_colour_in_a_pipe_and_no_color_respected():
    r = run("gradcheck", "residual", env={"NO_COLOR": "1", "FORCE_COLOR": ""})
    assert "\x1b[" not in r.stdout


@needs_script
def test_errors_go_to_stderr_only():
    r = run("gradcheck", "softmax", "--n", "1")
    assert r.stdout == "" and "--n must be" in r.stderr


@needs_script
def test_ctrl_c_ends_quietly_with_130(tmp_path):
    import signal
    import time

    # a model slow enough to interrupt mid-check: it says when its forward first runs
    started = tmp_path / "started"
    model = tmp_path / "slow.py"
    model.write_text(
        "import pathlib, time\nimport numpy as np\n"
        "def init(rng): return {'w': rng.standard_normal((50, 1))}\n"
        f"def forward(p, tap):\n    pathlib.Path({str(started)!r}).touch()\n    time.sleep(0.05)\n"
        "    return np.sum(p['w'] ** 2)\n"
        "def backward(v): return {'w': 2 * v['w']}\n"
    )
    p = subprocess.Popen(
        ["gradcheck", "check", str(model)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while not started.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=60)
    assert p.returncode == 130, err
    assert out == "" and "Traceback" not in err and "interrupted" in err
