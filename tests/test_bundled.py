"""The configs and model files shipped in the package: run and check by name, listed and
copied out by `gradcheck examples`, and in the wheel."""

import json
import subprocess
import sys
import zipfile
from importlib import resources
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gradcheck_cli import bundled
from gradcheck_cli.cli import app

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = ["document-x-bar", "residual-relu", "residual-tanh", "seed-q1", "seed-q2", "softmax"]
EXAMPLES = ["layernorm", "layernorm_buggy", "layers", "layers_buggy", "minimal", "mlp", "mlp_buggy"]
runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def elsewhere(tmp_path, monkeypatch):
    """A directory with no configs/ or examples/ in it."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def failing(result) -> list[str]:
    return [g["id"] for g in json.loads(result.stdout)["gradients"] if g["status"] == "FAIL"]


def test_the_package_holds_what_the_repository_shows():
    assert bundled.names("config") == CONFIGS and bundled.names("example") == EXAMPLES
    data = resources.files("gradcheck_cli") / "data"
    for folder in ("configs", "examples"):
        shown = sorted(p.name for p in (ROOT / folder).iterdir())
        assert shown == sorted(f.name for f in (data / folder).iterdir())
        assert (ROOT / folder).resolve() == (ROOT / "src/gradcheck_cli/data" / folder).resolve()


@pytest.mark.parametrize("name", ["seed-q1", "seed-q1.toml"])
def test_run_by_name(elsewhere, name):
    r = invoke("run", name, "--format", "json")
    assert r.exit_code == 1, r.output
    assert failing(r) == ["x"]


@pytest.mark.parametrize("name,status", [("mlp", 0), ("mlp.py", 0), ("mlp_buggy", 1)])
def test_check_by_name(elsewhere, name, status):
    r = invoke("check", name, "--format", "json")
    assert r.exit_code == status, r.output
    assert json.loads(r.stdout)["model"]["name"] == name.removesuffix(".py") + ".py"


def test_sweep_check_and_the_api_take_a_name_too(elsewhere):
    from gradcheck_cli import check

    assert invoke("sweep", "check", "mlp", "--format", "json").exit_code == 0
    assert check("mlp_buggy").status == "FAIL"


def test_a_real_file_wins(elsewhere):
    (elsewhere / "seed-q1").write_text('[model]\nname = "softmax"\n')
    r = invoke("run", "seed-q1", "--format", "json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["model"]["name"] == "softmax"
    (elsewhere / "mlp_buggy.py").write_bytes((ROOT / "examples" / "mlp.py").read_bytes())
    assert invoke("check", "mlp_buggy.py").exit_code == 0


@pytest.mark.parametrize(
    "args,message",
    [
        (["run", "seed-q9"], "config file 'seed-q9' not found (did you mean 'seed-q"),
        (["run", "configs/nope.toml"], "config file 'configs/nope.toml' not found"),
        (["check", "mlp_bugy"], "model file 'mlp_bugy' not found (did you mean 'mlp_buggy'?)"),
        (["run", "mlp"], "'mlp' is a bundled example: try 'gradcheck check mlp'"),
        (["examples", "mlpp"], "unknown bundled config or example 'mlpp' (did you mean 'mlp'?)"),
    ],
)
def test_an_unknown_name_is_one_line_listing_what_is_bundled(elsewhere, args, message):
    r = invoke(*args)
    assert r.exit_code == 2 and r.stdout == ""
    (line,) = r.stderr.strip().splitlines()
    assert line.startswith("gradcheck: error: ") and message in line
    if args[1] != "mlp":
        kind = CONFIGS if args[0] == "run" else EXAMPLES
        assert ", ".join(kind) in line


def test_listing(elsewhere):
    r = invoke("examples", "--format", "json")
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    assert [row["name"] for row in rows] == CONFIGS + EXAMPLES
    assert {row["kind"] for row in rows} == {"config", "example"}
    assert all(row["description"] and "\n" not in row["description"] for row in rows)
    by_name = {row["name"]: row for row in rows}
    assert by_name["mlp"]["description"] == (
        "A two-layer MLP with biases and a squared-error loss, backward pass derived by hand."
    )
    assert by_name["seed-q1"]["command"] == "gradcheck run seed-q1"
    table = invoke("examples", "mlp_buggy.py", "softmax").stdout
    assert "mlp_buggy" in table and "gradcheck run softmax" in table and "seed-q1" not in table


def test_descriptions():
    assert bundled.describe('"""One.\nTwo.\n\nThree."""\nx = 1\n') == "One."
    assert bundled.describe("# Wrapped over\n# two lines. Then more.\n[model]\n") == (
        "Wrapped over two lines."
    )
    assert bundled.describe("import numpy\n", "minimal.py").startswith("The smallest")


def test_copy_refuses_to_overwrite_without_force(elsewhere, monkeypatch):
    r = invoke("examples", "mlp_buggy", "seed-q1.toml", "--copy", "out")
    assert r.exit_code == 0, r.output
    written = [elsewhere / "out/examples/mlp_buggy.py", elsewhere / "out/configs/seed-q1.toml"]
    assert r.stderr.splitlines() == [
        "gradcheck: wrote out/examples/mlp_buggy.py",
        "gradcheck: wrote out/configs/seed-q1.toml",
    ]
    assert written[0].read_bytes() == (ROOT / "examples/mlp_buggy.py").read_bytes()
    written[0].write_text("# mine\n")
    r = invoke("examples", "--copy", "out")
    assert r.exit_code == 2 and "not overwriting out/" in r.stderr and "--force" in r.stderr
    assert written[0].read_text() == "# mine\n"  # nothing is written, not even the new ones
    assert not (elsewhere / "out/examples/mlp.py").exists()
    r = invoke("examples", "--copy", "out", "--force")
    assert r.exit_code == 0 and len(r.stderr.splitlines()) == len(CONFIGS + EXAMPLES)
    assert written[0].read_bytes() == (ROOT / "examples/mlp_buggy.py").read_bytes()
    monkeypatch.chdir("out")  # the README's commands work in the copy
    assert invoke("run", "configs/seed-q1.toml", "-q").exit_code == 1


def test_examples_and_help_do_not_import_numpy():
    code = (
        "import sys\nfrom gradcheck_cli.cli import app\n"
        "for args in (['examples'], ['--help'], ['examples', '--help']):\n"
        "    try:\n        app(args)\n    except SystemExit as e:\n        assert e.code == 0\n"
        "assert 'numpy' not in sys.modules, 'numpy imported'\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr


def test_the_wheel_holds_the_bundled_files(tmp_path):
    r = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", tmp_path, ROOT],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    (wheel,) = tmp_path.glob("*.whl")
    held = set(zipfile.ZipFile(wheel).namelist())
    for name in CONFIGS:
        assert f"gradcheck_cli/data/configs/{name}.toml" in held
    for name in EXAMPLES:
        assert f"gradcheck_cli/data/examples/{name}.py" in held
