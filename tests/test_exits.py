"""Exit statuses that cannot lie: a backward that leaves out a leaf's adjoint fails;
--strict fails what is not checked; a model file's os._exit is no status of ours; a loss
that is not finite is no check at all (exit 2, one line)."""

import json
import re
import subprocess
import sys
import textwrap

import pytest
from typer.testing import CliRunner

from gradcheck_cli import assert_gradients, check
from gradcheck_cli.cli import app
from gradcheck_cli.errors import ModelError

runner = CliRunner()

MODEL = """
import numpy as np

TARGETS = ["t"]


def init(rng):
    return {"W": rng.standard_normal((3, 4)), "x": rng.standard_normal((4, 2)),
            "t": rng.standard_normal((3, 2))}


def forward(p, tap):
    z = tap("z", p["W"] @ p["x"])
    return 0.5 * np.sum((z - p["t"]) ** 2)


def backward(v):
    z_bar = v["z"] - v["t"]
    return {ADJOINTS}
"""
ALL = '{"z": z_bar, "W": z_bar @ v["x"].T, "x": v["W"].T @ z_bar}'
NO_X = '{"z": z_bar, "W": z_bar @ v["x"].T}'
NO_Z = '{"W": z_bar @ v["x"].T, "x": v["W"].T @ z_bar}'


def model(tmp_path, adjoints: str = ALL, name: str = "m.py", text: str = "") -> str:
    path = tmp_path / name
    path.write_text(text or MODEL.replace("{ADJOINTS}", adjoints))
    return str(path)


def rows(result) -> dict:
    return {g["id"]: g for g in json.loads(result.stdout)["gradients"]}


def test_a_missing_leaf_adjoint_is_a_fail_naming_targets(tmp_path):
    r = runner.invoke(app, ["check", model(tmp_path, NO_X)])
    assert r.exit_code == 1, r.output
    assert "x̄: backward() returned no x̄; list x in TARGETS if it is data" in r.stdout
    assert "FAIL: 1 of 3 derived gradients are wrong: x̄" in r.stdout
    with pytest.raises(AssertionError, match="returned no x̄"):
        assert_gradients(model(tmp_path, NO_X))


def test_a_missing_tap_adjoint_stays_not_checked_unless_strict(tmp_path):
    path = model(tmp_path, NO_Z)
    r = runner.invoke(app, ["check", path, "--format", "json"])
    assert r.exit_code == 0 and rows(r)["z"]["status"] == "NOT CHECKED"
    assert check(path).status == "PASS"
    assert_gradients(path)
    strict = runner.invoke(app, ["check", path, "--strict", "--format", "json"])
    assert strict.exit_code == 1, strict.output
    assert rows(strict)["z"]["status"] == "FAIL"
    reason = "not checked (--strict): no hand-derived adjoint was given"
    assert rows(strict)["z"]["reason"] == reason
    assert json.loads(strict.stdout)["summary"]["failed"] == 1
    with pytest.raises(AssertionError, match="not checked"):
        assert_gradients(path, strict=True)
    assert check(path, strict=True).status == "FAIL"


def test_strict_is_a_config_key_and_changes_nothing_when_all_is_checked(tmp_path):
    path = model(tmp_path, NO_Z)
    config = tmp_path / "c.toml"
    config.write_text(f'[model]\npath = "{path}"\n[check]\nstrict = true\n')
    assert runner.invoke(app, ["run", str(config)]).exit_code == 1
    assert runner.invoke(app, ["check", model(tmp_path, ALL), "--strict"]).exit_code == 0
    assert runner.invoke(app, ["residual", "--d", "3", "--strict"]).exit_code == 0


def test_a_missing_dx_of_a_layer_names_its_backward(tmp_path):
    layer = tmp_path / "l.py"
    layer.write_text(
        textwrap.dedent(
            """
            def scale_forward(x, w):
                return x * w, (x, w)

            def scale_backward(dout, cache):
                x, w = cache
                return {"dw": dout * x}
            """
        )
    )
    args = ["layer", str(layer), "scale", "--shape", "x=3", "--shape", "w=3"]
    r = runner.invoke(app, args)
    assert r.exit_code == 1 and "scale_backward returned no dx" in r.stdout, r.output


EXITS = {  # file -> its text
    "backward.py": MODEL.replace("{ADJOINTS}", ALL).replace(
        "    z_bar = ", "    import os\n    os._exit(3)\n    z_bar = "
    ),
    "imported.py": "from os import _exit\n"
    + MODEL.replace("{ADJOINTS}", ALL).replace("    z_bar = ", "    _exit(0)\n    z_bar = "),
    "top.py": "import os\nos._exit(1)\n",
}


@pytest.mark.parametrize("name", sorted(EXITS))
def test_os_exit_in_a_model_file_is_one_line_and_status_2(tmp_path, name):
    path = model(tmp_path, name=name, text=EXITS[name])
    argv = [sys.executable, "-m", "gradcheck_cli", "check", path]
    r = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert r.stdout == ""
    line = f"gradcheck: error: {path}, line "
    assert r.stderr.startswith(line) and r.stderr.count("\n") == 1, r.stderr
    assert "os._exit(" in r.stderr and "a model file must not exit" in r.stderr


def test_os_exit_from_check_raises(tmp_path):
    path = model(tmp_path, name="backward.py", text=EXITS["backward.py"])
    with pytest.raises(ModelError, match=r"line \d+, in backward: os._exit\(3\) called"):
        check(path)


NOT_FINITE = [  # args, what the line says
    (["residual", "--scale", "1e300"], "the loss is inf at the point checked"),
    (["residual", "--scale", "1e160", "--activation", "relu"], "the loss is inf"),
]


@pytest.mark.parametrize("args,said", NOT_FINITE, ids=[" ".join(a) for a, _ in NOT_FINITE])
def test_a_loss_that_is_not_finite_is_one_line_not_failing_rows(args, said):
    r = runner.invoke(app, args)
    assert r.exit_code == 2, r.output
    assert r.stdout == "" and said in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert "complex-safe" not in r.stderr


def test_nan_drawn_by_init_is_named(tmp_path):
    text = MODEL.replace("{ADJOINTS}", ALL).replace(
        '"t": rng.standard_normal((3, 2))}', '"t": np.full((3, 2), np.nan)}'
    )
    r = runner.invoke(app, ["check", model(tmp_path, text=text)])
    assert r.exit_code == 2, r.output
    assert "the loss is nan" in r.stderr and "the leaf t holds nan at [0, 0]" in r.stderr


def test_an_overflow_names_the_first_value_that_is_not_finite(tmp_path):
    text = MODEL.replace("{ADJOINTS}", ALL).replace(
        'z = tap("z", p["W"] @ p["x"])', 'z = tap("z", p["W"] @ p["x"] * np.exp(1000.0))'
    )
    r = runner.invoke(app, ["check", model(tmp_path, text=text)])
    assert r.exit_code == 2, r.output
    said = r"\(z is -?inf at \[0, 0\], computed from finite values: an overflow"
    assert re.search(said, r.stderr), r.stderr
    assert "RuntimeWarning" not in r.stderr, r.stderr


def test_to_dict_is_the_json_the_command_line_prints():
    r = runner.invoke(
        app, ["residual", "--d", "3", "--inject", "x-skip-dropped", "--format", "json"]
    )
    printed = json.loads(r.stdout)
    assert (
        json.loads(json.dumps(check("residual", d=3, inject="x-skip-dropped").to_dict())) == printed
    )
    assert printed["schema"] == "gradcheck/1" and printed["summary"]["status"] == "FAIL"


def test_os_exit_in_a_worker_process_names_the_line(tmp_path, monkeypatch):
    from gradcheck_cli.engine import workers

    monkeypatch.setattr(workers, "PARALLEL_MIN_SECONDS", 0.0)  # workers for any work
    path = tmp_path / "dies.py"
    path.write_text(
        "import multiprocessing, os\nimport numpy as np\n"
        "def init(rng):\n    return {'w': rng.standard_normal(3000)}\n"
        "def forward(p, tap):\n"
        "    if multiprocessing.current_process().name != 'MainProcess':\n"
        "        os._exit(3)\n"
        "    return np.sum(np.sin(p['w']))\n"
        "def backward(v):\n    return {'w': np.cos(v['w'])}\n"
    )
    r = runner.invoke(app, ["check", str(path), "--jobs", "2", "--budget", "inf"])
    assert r.exit_code == 2 and len(r.stderr.strip().splitlines()) == 1, r.output
    assert "dies.py, line 7, in forward: os._exit(3) called" in r.stderr
