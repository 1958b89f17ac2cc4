"""The command line through CliRunner: exit codes, messages, formats, configs."""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from rich.cells import cell_len
from typer.testing import CliRunner

from gradcheck_cli.cli import app

runner = CliRunner()
MLP = Path(__file__).resolve().parent.parent / "examples" / "mlp.py"


def invoke(*args, **kw):
    return runner.invoke(app, [str(a) for a in args], **kw)


def test_residual_default_passes_and_prints_both_tables():
    r = invoke("residual", "--d", 8, env={"COLUMNS": "200"})  # (wide: the formula column)
    assert r.exit_code == 0, r.output
    for text in (
        "Forward pass",
        "Backward pass",
        "W̄1",
        "x̄",
        "W1ᵀ z̄1 + z̄2",
        "d² + d = 72",
        "PASS: all 8",
    ):
        assert text in r.stdout


def test_softmax_default_passes_and_checks_the_jacobian():
    r = invoke("softmax", "--n", 10)
    assert r.exit_code == 0, r.output
    assert "∂y/∂z" in r.stdout and "N·D + N = 60" in r.stdout


def test_injected_bug_exits_1_and_names_the_row():
    r = invoke("residual", "--inject", "x-skip-dropped")
    assert r.exit_code == 1
    assert "FAIL: 1 of 8 derived gradients are wrong: x̄" in r.stdout


@pytest.mark.parametrize(
    "cmd",
    [[], ["residual"], ["softmax"], ["run"], ["check"], ["bugs"], ["sweep", "residual"]],
)
def test_every_command_has_help_with_examples(cmd):
    r = invoke(*cmd, "--help")
    assert r.exit_code == 0
    assert "Usage" in r.stdout and "Example" in r.stdout


def test_version():
    r = invoke("--version")
    assert r.exit_code == 0 and re.match(r"gradcheck \d+\.\d+\.\d+", r.stdout)


BAD = [
    (["residual", "--d", "0"], "--d must be a whole number ≥ 1, got 0"),
    (["residual", "--d", "-3"], "--d must be a whole number ≥ 1, got -3"),
    (["residual", "--d", "abc"], "'abc' is not a whole number"),
    (["residual", "--d", "2.5"], "'2.5' is not a whole number"),
    (["softmax", "--n", "1"], "--n must be a whole number ≥ 2, got 1"),
    (["residual", "--batch", "0"], "--batch must be a whole number ≥ 1"),
    (["residual", "--activation", "rellu"], "unknown activation 'rellu' (did you mean 'relu'?)"),
    (["residual", "--activation", "nope"], "allowed: identity, relu"),
    (["residual", "--activation", "RELU"], "unknown activation 'RELU' (did you mean 'relu'?)"),
    (
        ["run", str(MLP)],
        "Python model file, not a TOML config: check it with 'gradcheck check",
    ),
    (["residual", "--inject", "x-skip"], "did you mean 'x-skip-dropped'"),
    (
        ["softmax", "--inject", "x-skip-dropped"],
        "unknown bug 'x-skip-dropped' for the softmax model",
    ),
    (["residual", "--eps", "0"], "--eps must be a number > 0 and < 1, got 0.0"),
    (["residual", "--rtol", "-1"], "--rtol must be a finite number ≥ 0"),
    (["residual", "--rtol", "nan"], "--rtol must be a finite number ≥ 0, got nan"),
    (["residual", "--atol", "x"], "'x' is not a number"),
    (["residual", "--frobnicate"], "No such option: --frobnicate"),
    (["residual", "--format", "xml"], "xml"),
    (
        ["residual", "--max-memory", "lots"],
        "--max-memory must be a size such as 512M or 4G, got 'lots'",
    ),
    (["residual", "--d", "100000"], "memory budget"),
    (["residual", "--d", "64", "--max-memory", "1M"], "needs about"),
    (["run", "/nonexistent/config.toml"], "config file '/nonexistent/config.toml' not found"),
    (["nosuchcommand"], "No such command"),
    (["bugs", "--model", "softmx"], "did you mean 'softmax'"),
]


@pytest.mark.parametrize("args,message", BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_input_is_one_line_exit_2(args, message):
    r = invoke(*args)
    assert r.exit_code == 2, r.output
    assert r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("gradcheck: error: ")
    assert message in lines[0]
    assert "Traceback" not in r.stderr


def _write(tmp_path, text, name="c.toml"):
    p = tmp_path / name
    p.write_text(text)
    return p


CONFIG_BAD = [
    ('[model]\nname = "residual"\nd = \n', "malformed TOML", "line 3"),
    (
        '[model]\nname = "residual"\nactivaton = "relu"\n',
        "unknown key 'activaton'",
        "did you mean 'activation'",
    ),
    ('[model]\nname = "residual"\nd = "8"\n', "[model] d must be a whole number", "got '8'"),
    ('[model]\nname = "residual"\nd = true\n', "[model] d must be a whole number", "got True"),
    ('[model]\nname = "resnet"\n', "unknown model 'resnet'", "allowed: residual, softmax"),
    ("[model]\nd = 3\n", "[model] name is missing", "allowed"),
    (
        '[model]\nname = "softmax"\nactivation = "relu"\n',
        "not an option of the softmax model",
        "allowed",
    ),
    ('[modle]\nname = "residual"\n', "unknown table or key 'modle'", "did you mean 'model'"),
    (
        '[model]\nname = "residual"\n[check]\nrtol = "tight"\n',
        "[check] rtol must be a number",
        "'tight'",
    ),
    (
        '[model]\nname = "residual"\n[check]\nrtoll = 1e-3\n',
        "unknown key 'rtoll'",
        "did you mean 'rtol'",
    ),
    (
        '[model]\nname = "residual"\nactivation = "tanhh"\n',
        "unknown activation 'tanhh'",
        "did you mean 'tanh'",
    ),
    ("model = 3\n", "'model' must be a table", "got 3"),
]


@pytest.mark.parametrize("text,first,second", CONFIG_BAD, ids=[c[1] for c in CONFIG_BAD])
def test_bad_config_is_one_line_exit_2(tmp_path, text, first, second):
    r = invoke("run", _write(tmp_path, text))
    assert r.exit_code == 2, r.output
    line = r.stderr.strip()
    assert "\n" not in line and first in line and second in line, line


def test_config_is_a_directory_or_binary(tmp_path):
    assert "is a directory" in invoke("run", tmp_path).stderr
    p = tmp_path / "b.toml"
    p.write_bytes(b"\xff\xfe\x00")
    r = invoke("run", p)
    assert r.exit_code == 2 and "gradcheck: error" in r.stderr


def test_flags_override_config(tmp_path):
    p = _write(
        tmp_path, '[model]\nname = "residual"\nd = 3\nactivation = "relu"\n[check]\nrtol = 1e-4\n'
    )
    data = json.loads(invoke("residual", "--config", p, "--d", 5, "--format", "json").stdout)
    assert data["model"]["options"] == {
        "d": 5,
        "activation": "relu",
        "batch": 1,
        "seed": 0,
        "scale": 1.0,
        "integers": False,
    }
    assert data["check"]["rtol"] == 1e-4
    data = json.loads(invoke("run", p, "--rtol", "1e-3", "--format", "json").stdout)
    assert data["model"]["options"]["d"] == 3 and data["check"]["rtol"] == 1e-3


def test_config_for_other_model_is_refused(tmp_path):
    p = _write(tmp_path, '[model]\nname = "softmax"\n')
    r = invoke("residual", "--config", p)
    assert r.exit_code == 2 and "config for the 'softmax' model, not 'residual'" in r.stderr


def test_shipped_configs(pytestconfig):
    root = pytestconfig.rootpath / "configs"
    for path in sorted(root.glob("*.toml")):
        r = invoke("run", path, "--quiet")
        said = re.search(r"expect exit (\d)", path.read_text(), re.IGNORECASE)
        expected = int(said.group(1)) if said else 0
        assert r.exit_code == expected, path.name
        assert r.stdout == ""


def test_json_schema():
    r = invoke("residual", "--d", 4, "--batch", 2, "--format", "json")
    data = json.loads(r.stdout)
    assert data["schema"] == "gradcheck/1"
    assert data["model"]["parameters"] == {"formula": "d² + d", "count": 20}
    assert data["model"]["symbols"] == {"d": 4, "B": 2}
    assert [g["id"] for g in data["gradients"]] == ["y", "t", "W2", "z2", "h", "z1", "W1", "x"]
    w1 = next(g for g in data["gradients"] if g["id"] == "W1")
    assert w1["dims"] == [4, 4] and w1["shape"] == "d×d" and w1["status"] == "PASS"
    assert isinstance(w1["max_rel_error"], float) and w1["entries"] == 16
    assert set(w1["worst"]) == {"index", "analytic", "numeric", "left", "right"}
    assert w1["resolution"] < 1e-12 and set(w1["resolution_worst"]) == {"value", "index"}
    assert data["summary"] == {
        "status": "PASS",
        "exit_status": 0,
        "total": 8,
        "passed": 8,
        "failed": 0,
        "weak": 0,
        "kinks": 0,
        "not_checked": 0,
    }
    assert [f["name"] for f in data["forward"]][:4] == ["W1", "W2", "x", "t"]


def test_json_shape_failure_has_null_errors_and_a_reason():
    r = invoke("residual", "--inject", "W2-transposed", "--format", "json")
    assert r.exit_code == 1
    row = next(g for g in json.loads(r.stdout)["gradients"] if g["id"] == "W2")
    assert row["status"] == "FAIL" and row["max_rel_error"] is None
    assert row["reason"] == "shape: analytic is 8×1, expected 1×8"


def test_markdown():
    r = invoke("softmax", "--format", "markdown")
    assert r.exit_code == 0
    assert "| adjoint | formula |" in r.stdout and "**PASS**" in r.stdout


def test_quiet_prints_nothing():
    assert invoke("residual", "-q").stdout == ""
    r = invoke("residual", "-q", "--inject", "skip-split")
    assert r.exit_code == 1 and r.stdout == ""


def test_save_npz(tmp_path):
    out = tmp_path / "g.npz"
    r = invoke("residual", "--d", 3, "--save", out, "-q")
    assert r.exit_code == 0
    with np.load(out) as z:
        assert z["value/W1"].shape == (3, 3)
        np.testing.assert_allclose(z["analytic/W1"], z["numeric/W1"], rtol=1e-6)
        assert {"numeric/x", "analytic/z1", "value/t"} <= set(z.files)


def test_save_to_missing_directory_is_exit_2(tmp_path):
    r = invoke("residual", "--save", tmp_path / "no" / "g.npz")
    assert r.exit_code == 2 and "/no' does not exist" in r.stderr


def test_same_seed_same_bytes_and_no_colour_when_not_a_terminal():
    a = invoke("softmax", "--batch", 2, "--seed", 5).stdout
    b = invoke("softmax", "--batch", 2, "--seed", 5).stdout
    assert a == b and "\x1b[" not in a
    assert invoke("softmax", "--batch", 2, "--seed", 6).stdout != a


def test_bugs_lists_every_bug():
    from gradcheck_cli.models.builtin.bugs import BUGS

    data = json.loads(invoke("bugs", "--format", "json").stdout)
    assert len(data) == len(BUGS)
    assert {"name", "model", "breaks", "wrong_formula", "description"} == set(data[0])
    table = invoke("bugs").stdout
    assert all(b.name in table for b in BUGS)


def test_batch_mean_bug_at_batch_one_says_it_is_inert():
    r = invoke("residual", "--inject", "batch-mean-forgotten")
    assert r.exit_code == 0 and "changes nothing with one example" in r.stdout


# --- No traceback, no silent surprise ---------------------------------------------------


def test_plot_with_an_unknown_extension_is_refused_before_the_sweep(monkeypatch, tmp_path):
    import gradcheck_cli.api

    def no_sweep(*a, **k):
        raise AssertionError("the sweep ran")

    monkeypatch.setattr(gradcheck_cli.api, "sweep_model", no_sweep)
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # not needed to say it
    r = invoke("sweep", "residual", "--plot", tmp_path / "v.txt")
    assert r.exit_code == 2 and r.stdout == "", r.output
    (line,) = r.stderr.splitlines()
    assert "unknown format 'txt'" in line and "allowed: png, pdf, svg" in line
    assert list(tmp_path.iterdir()) == []


def test_plot_without_an_extension_is_png_and_says_where(monkeypatch, tmp_path):
    drawn = {}

    def fake(result, path, fmt):
        drawn.update(path=path, fmt=fmt)

    from gradcheck_cli.cli import sweep

    monkeypatch.setattr(sweep, "_plot", fake)
    monkeypatch.setattr(sweep.importlib.util, "find_spec", lambda name: object())
    r = invoke("sweep", "residual", "--d", 2, "--plot", tmp_path / "v")
    assert r.exit_code == 0, r.output
    assert drawn == {"path": str(tmp_path / "v.png"), "fmt": "png"}
    for bad, said in [("", "needs a file name"), (tmp_path / "no" / "v.png", "does not exist")]:
        r = invoke("sweep", "residual", "--plot", bad)
        assert r.exit_code == 2 and said in r.stderr and len(r.stderr.splitlines()) == 1


def _no_check(monkeypatch):
    import gradcheck_cli.api

    def refuse(*a, **k):
        raise AssertionError("the check ran")

    monkeypatch.setattr(gradcheck_cli.api, "execute", refuse)


@pytest.mark.parametrize(
    "target,said",
    [
        ("", "--save needs a file name, got ''"),
        ("DIR", "is a directory"),
        ("DIR/no/g.npz", "/no' does not exist"),
        ("FILE/g.npz", "is not a directory"),
        ("DIR/x", "is a directory"),  # DIR/x.npz is one
        ("-", "needs a file name, not '-'"),
    ],
)
def test_save_to_no_file_is_refused_before_the_check(monkeypatch, tmp_path, target, said):
    (tmp_path / "x.npz").mkdir()
    (tmp_path / "FILE").write_text("")
    _no_check(monkeypatch)
    target = target.replace("DIR", str(tmp_path)).replace("FILE", str(tmp_path / "FILE"))
    r = invoke("residual", "--save", target)
    assert r.exit_code == 2 and r.stdout == "", r.output
    (line,) = r.stderr.splitlines()
    assert line.startswith("gradcheck: error: ") and said in line, line


def test_save_says_the_file_it_wrote_on_stderr(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = invoke("residual", "--d", 2, "--save", "g", "--format", "json")
    assert r.exit_code == 0
    assert r.stderr == "gradcheck: wrote g.npz\n" and "wrote" not in r.stdout
    json.loads(r.stdout)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.npz"]  # no temporary left
    assert invoke("residual", "--d", 2, "--save", "g.npz", "-q").stderr == ""


def test_save_to_dev_null_writes_dev_null(tmp_path):
    before = os.path.exists("/dev/null.npz")  # (root could write it, and did)
    r = invoke("residual", "--d", 2, "--save", "/dev/null", "-q")
    assert r.exit_code == 0 and os.path.exists("/dev/null.npz") == before


def test_two_formulas_for_one_adjoint_are_refused(tmp_path):
    r = invoke("residual", "--grad", "x = W1.T @ z1_bar", "--grad", "x_bar = z2_bar")
    assert r.exit_code == 2
    (line,) = r.stderr.splitlines()
    assert "--grad 'x = W1.T @ z1_bar' and --grad 'x_bar = z2_bar'" in line and "give one" in line
    p = _write(
        tmp_path, '[model]\nname = "residual"\n[gradients]\nx = "z2_bar"\nx_bar = "z2_bar"\n'
    )
    r = invoke("run", p)
    assert r.exit_code == 2 and "[gradients] x and x_bar are both formulas" in r.stderr
    # --grad replaces the file's formula, as documented
    assert invoke("run", p.parent / "c.toml").exit_code == 2
    q = _write(tmp_path, '[model]\nname = "residual"\n[gradients]\nx = "z2_bar"\n', "q.toml")
    assert invoke("run", q, "--grad", "x = W1.T @ z1_bar + z2_bar", "-q").exit_code == 0


@pytest.mark.parametrize(
    "text,said",
    [
        ('[model]\nname = "residual"\n[check]\nrtol = [1e-5,\n', "'[' at line 4, column 8"),
        ('[model]\nname = "residual"\nd = [1,\n [2, 3]\n# ]\n', "'[' at line 3, column 5"),
        ('[model]\nname = "residual"\nd = [8,\n\nseed = 1\n', "'[' at line 3, column 5"),
        ('[model]\nname = """residual\n', 'string opened with """ at line 2, column 8'),
        ('[model]\nx = { a = [1, "]"\n', "'[' at line 2, column 11"),
        ("[model]\nx = { a = 1\n", "'{' at line 2, column 5"),
    ],
)
def test_an_unclosed_toml_array_names_the_line_it_opened_on(tmp_path, text, said):
    r = invoke("run", _write(tmp_path, text))
    assert r.exit_code == 2
    (line,) = r.stderr.splitlines()
    assert said in line and "end of document" not in line, line


def test_other_toml_errors_keep_line_and_column(tmp_path):
    r = invoke("run", _write(tmp_path, '[model]\nname = "residual"\nd = [1 2]\n'))
    assert "malformed TOML: Unclosed array (at line 3, column 8)" in r.stderr


def _backward_rows(text: str) -> tuple[list[str], list[list[str]]]:
    """The gradient table's header and rows, split into cells."""
    lines = [ln for ln in text.split("Backward pass")[1].splitlines() if ln]
    cells = [[c.strip() for c in ln.strip("┃│").split(ln[0] if ln else "")] for ln in lines]
    header = next(c for c, ln in zip(cells, lines, strict=True) if ln.startswith("┃"))
    rows = [c for c, ln in zip(cells, lines, strict=True) if ln.startswith("│") and c[0]]
    return header, rows


@pytest.mark.parametrize("columns", [50, 80, 120])
@pytest.mark.parametrize(
    "args",
    [
        ("residual", "--inject", "x-skip-dropped"),
        ("softmax", "--batch", 3),
        ("residual", "--sample", 4, "--d", 6),
        ("residual", "--activation", "relu", "--integers"),
    ],
)
def test_columns_is_honoured_and_numbers_are_never_cut(columns, args):
    r = invoke(*args, env={"COLUMNS": str(columns)})
    assert max(cell_len(line) for line in r.stdout.splitlines()) <= columns
    header, rows = _backward_rows(r.stdout)
    assert header[0] == "adjoint" and header[-1] == "verdict", header
    assert rows and all(len(row) == len(header) for row in rows)
    numeric = [i for i, h in enumerate(header) if h not in ("adjoint", "formula", "shape")]
    for row in rows:
        assert not any(row[i].endswith("…") for i in numeric), row
        assert row[-1].split()[0] in ("PASS", "FAIL", "KINK", "WEAK", "NOT"), row


def test_without_columns_a_pipe_gets_the_fixed_width(monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)
    wide = invoke("residual", env={"COLUMNS": None}).stdout
    assert 120 < max(map(cell_len, wide.splitlines())) <= 132
    assert "A ┃" in wide and "formula" in wide.split("Backward")[1]
    narrow = invoke("residual", env={"COLUMNS": "80"}).stdout
    assert "formula" not in narrow.split("Backward")[1]
    assert max(map(cell_len, narrow.splitlines())) <= 80


# Ctrl-C: a real process, sent SIGINT while it imports, and while it runs a check.
SLOW = """import time
import numpy as np

def init(rng):
    time.sleep(30)
    return {"x": np.ones(2)}

def forward(p, tap):
    return (p["x"] ** 2).sum()

def backward(v):
    return {"x": 2 * v["x"]}
"""


def _caught_sigint(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status") as fh:
            mask = next(int(ln.split()[1], 16) for ln in fh if ln.startswith("SigCgt:"))
    except (OSError, StopIteration):
        return False
    return bool(mask & (1 << (signal.SIGINT - 1)))


def _interrupt(argv: list[str], after: float | None) -> subprocess.CompletedProcess:
    """Runs argv; SIGINT ``after`` seconds, or (None) 25 ms after Python starts catching
    it, which is while gradcheck imports typer and rich."""
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if after is None and os.path.exists(f"/proc/{p.pid}/status"):
        start = time.monotonic()
        while not _caught_sigint(p.pid) and time.monotonic() - start < 5:
            time.sleep(0.0005)
        after = 0.025
    time.sleep(after or 0.03)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=60)
    return subprocess.CompletedProcess(argv, p.returncode, out, err)


GRADCHECK = shutil.which("gradcheck", path=os.path.dirname(sys.executable))
COMMANDS = [[sys.executable, "-m", "gradcheck_cli"]] + ([[GRADCHECK]] if GRADCHECK else [])


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[1:]) or "gradcheck")
@pytest.mark.parametrize("after", [None, 0.1, 1.0], ids=["importing", "0.1s", "checking"])
def test_ctrl_c_at_any_moment_is_one_line_and_exit_130(tmp_path, command, after):
    model = tmp_path / "slow.py"
    model.write_text(SLOW)
    r = _interrupt([*command, "check", str(model)], after)
    if after is None and "Traceback" in r.stderr:
        # Under load the 25 ms can still fall in Python's own start-up (site, the console
        # script's imports), before any code of ours runs: once more, a little later.
        r = _interrupt([*command, "check", str(model)], 0.15)
    assert (r.returncode, r.stderr, r.stdout) == (130, "gradcheck: error: interrupted\n", "")


def test_run_given_a_model_option_says_where_it_goes():
    r = runner.invoke(app, ["run", "configs/residual-relu.toml", "--d", "16"])
    assert r.exit_code == 2 and len(r.stderr.strip().splitlines()) == 1
    assert "gradcheck residual|softmax --config FILE --d" in r.stderr
    seed = runner.invoke(app, ["run", "configs/residual-relu.toml", "--seed", "3"])
    assert seed.exit_code == 2 and "gradcheck residual|softmax|check --config FILE" in seed.stderr
    other = runner.invoke(app, ["run", "configs/residual-relu.toml", "--bogus", "1"])
    assert other.exit_code == 2 and "run --help" in other.stderr


def test_a_negative_zero_prints_as_zero():
    """A confident softmax's loss is −0.0 (−Σ t log y with log y = 0): printed as 0, as
    are A and N where they are −0."""
    r = runner.invoke(app, ["softmax", "--d", "8", "--scale", "40"])
    assert r.exit_code == 3
    assert "L = 0\n" in r.stdout
    assert not re.search(r"│\s+-0\s+│", r.stdout), r.stdout


def test_kinks_apart_say_a_lies_between_each_kinks_sides():
    """Each tied maximum given the whole gradient: each entry alone is a subgradient (its
    A at a side, to the tolerance), none together; the line does not say 'outside'."""
    holes = Path(__file__).resolve().parent / "holes"
    r = runner.invoke(app, ["check", str(holes / "max_tie_every.py")])
    assert r.exit_code == 1
    line = " ".join(r.stdout.split())
    assert "A between them, but not with the others" in line and "A outside them" not in line


@pytest.mark.parametrize("form", ["table", "markdown"])
def test_a_row_all_on_kinks_shows_no_error_over_no_entries(form):
    """s̄ of kinks_beside_abs.py is one entry on a proved kink (N the mean of its sides):
    its max abs and rel err and err/bound, over the entries not on a kink, are over none,
    and print as —, not as 0 beside an A and an N that differ."""
    holes = Path(__file__).resolve().parent / "holes"
    r = runner.invoke(app, ["check", str(holes / "kinks_beside_abs.py"), "--format", form])
    assert r.exit_code == 0
    (row,) = [line for line in r.stdout.splitlines() if "s̄" in line and "KINK" in line]
    cells = [c.strip() for c in re.split(r"[│|]", row) if c.strip()]
    errors = cells[2:5] if form == "table" else cells[2:6]  # (markdown: max abs err too)
    assert set(errors) == {"—"}, row
