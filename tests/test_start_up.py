"""What the command line's start-up does and does not do (docs/benchmarks.md, "Start-up").

Each test runs the command line in a fresh process, as a user's shell does, and reads what
it imported or how it ran; none is timed.
"""

import json
import subprocess
import sys

RUN_AS_GRADCHECK = (
    "import atexit, gc, json, runpy, sys\n"
    "def _dump():\n"
    "    with open({out!r}, 'w') as fh:\n"
    "        json.dump({{'modules': sorted(sys.modules), 'gc': gc.isenabled()}}, fh)\n"
    "atexit.register(_dump)\n"
    "sys.argv = ['gradcheck', *{args!r}]\n"
    "runpy.run_module('gradcheck_cli', run_name='__main__')\n"
)


def run_as_gradcheck(tmp_path, *args: str) -> dict:
    """`gradcheck ARGS` in a fresh process: its exit status, and at its exit the modules it
    had imported and whether the garbage collector was on."""
    out = tmp_path / "state.json"
    code = RUN_AS_GRADCHECK.format(out=str(out), args=list(args))
    r = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    state = json.loads(out.read_text())
    state["exit"] = r.returncode
    return state


GC_AT_IMPORT = (
    "import gc, sys\nsys.argv = ['gradcheck']\nimport gradcheck_cli.cli\nprint(gc.isenabled())\n"
)


def test_the_collector_is_paused_for_the_start_up_only():
    # The command line's imports run without the cyclic collector ...
    r = subprocess.run([sys.executable, "-c", GC_AT_IMPORT], capture_output=True, text=True)
    assert r.stdout.strip() == "False", r.stderr
    # ... a program that imports gradcheck keeps its collector as it was
    r = subprocess.run(
        [sys.executable, "-c", GC_AT_IMPORT.replace("['gradcheck']", "['script.py']")],
        capture_output=True,
        text=True,
    )
    assert r.stdout.strip() == "True", r.stderr


SEEN_BY_THE_MODEL = """
import gc
import numpy as np

SEEN = []


def init(rng):
    return {"W": rng.standard_normal((2, 2))}


def forward(p, tap):
    if not SEEN:
        SEEN.append(gc.isenabled())
        print("collector on:", gc.isenabled())
    return float(np.sum(np.tanh(p["W"])))


def backward(v):
    return {"W": 1 - np.tanh(v["W"]) ** 2}
"""


def test_the_collector_runs_again_when_the_check_starts(tmp_path):
    model = tmp_path / "model.py"
    model.write_text(SEEN_BY_THE_MODEL)
    for args in (["check", str(model), "-q"], ["sweep", "check", str(model)]):
        r = subprocess.run(
            [sys.executable, "-m", "gradcheck_cli", *args], capture_output=True, text=True
        )
        assert r.returncode == 0, r.stderr
        assert "collector on: True" in r.stderr + r.stdout, (args, r.stderr)


# Modules `gradcheck residual --d 8` (a PASS, as a table) does without, and why.
NOT_IMPORTED = {
    # the other commands' modules: each command is made when it runs (cli/__init__.py)
    "gradcheck_cli.cli.layer": "layer's command",
    "gradcheck_cli.cli.sweep": "sweep's commands",
    "gradcheck_cli.cli.bundled": "examples' command",
    # rich's table of emoji codes: the report's titles and headers are Text (report/render.py)
    "rich._emoji_codes": "an emoji code read in a title or header",
}


def test_a_passing_check_imports_only_what_it_needs(tmp_path):
    state = run_as_gradcheck(tmp_path, "residual", "--d", "8")
    assert state["exit"] == 0
    imported = {m for m in NOT_IMPORTED if m in state["modules"]}
    assert not imported, {m: NOT_IMPORTED[m] for m in imported}


def test_the_root_help_lists_every_command_in_order():
    from typer.testing import CliRunner

    from gradcheck_cli.cli import SUBCOMMANDS, app

    r = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "100"})
    assert r.exit_code == 0, r.output
    listed = [
        line.split()[1]
        for line in r.stdout.splitlines()
        if line.startswith("│ ") and line.split()[1] in SUBCOMMANDS
    ]
    assert (
        listed
        == list(SUBCOMMANDS)
        == ["residual", "softmax", "run", "check", "layer", "bugs", "examples", "sweep"]
    )


def test_json_and_quiet_load_no_rich(tmp_path):
    for args in (["--format", "json"], ["-q"]):
        state = run_as_gradcheck(tmp_path, "residual", "--d", "4", *args)
        assert state["exit"] == 0
        assert not [m for m in state["modules"] if m.split(".")[0] == "rich"], args
