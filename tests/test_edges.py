"""The rough edges a new user meets: unreadable files, a BOM, the caret of a formula that
stops short, --copy into a missing folder, numpy scalars, check()'s own words, --help
at 80 columns, a layer file given to `check`, a layer needing mode."""

import os
import re
from pathlib import Path

import numpy as np
import pytest
import typer
from rich.cells import cell_len
from typer.testing import CliRunner

from gradcheck_cli import check, check_layer
from gradcheck_cli.cli import app
from gradcheck_cli.errors import GradcheckError, ModelError, UsageError

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _commands(group=None, prefix=()):
    """(words, click command) of every command, the root included."""
    group = group or typer.main.get_command(app)
    yield prefix, group
    for name, sub in getattr(group, "commands", {}).items():
        yield from _commands(sub, (*prefix, name))


COMMANDS = list(_commands())


@pytest.mark.parametrize(
    "words,command", COMMANDS, ids=[" ".join(w) or "gradcheck" for w, _ in COMMANDS]
)
def test_help_at_80_columns_keeps_each_example_and_choice_whole(words, command):
    r = runner.invoke(app, [*words, "--help"], env={"COLUMNS": "80"}, terminal_width=80)
    assert r.exit_code == 0, r.output
    lines = [" ".join(line.strip(" │").split()) for line in r.stdout.splitlines()]
    assert all(cell_len(line) <= 80 for line in r.stdout.splitlines())
    help_text = command.help or ""
    examples = re.findall(r"^\s+(gradcheck .*?)\s*$", help_text.split("Examples:")[-1], re.M)
    if "Examples:" in help_text:
        assert examples, help_text
    for example in examples:  # with the words beside it, on one line
        assert " ".join(example.split()) in lines, (example, r.stdout)
    for line in lines:  # a choice metavar, <auto|complex|...>, is never split
        assert not re.search(r"<[\w|-]*\|[\w|-]*(\s|$)", line), line
        assert not re.search(r"(^|\s)[\w-]*\|[\w|-]*>", line), line


def one_line(r, status: int = 2) -> str:
    assert r.exit_code == status, r.output
    assert r.stdout == "" and "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("gradcheck: error: "), r.stderr
    return lines[0]


MEM = "/proc/self/mem"  # a file that exists and cannot be read from its start


@pytest.mark.skipif(not os.path.exists(MEM), reason="Linux's /proc")
@pytest.mark.parametrize("command", ["run", "check", "residual --config", "layer"])
def test_an_unreadable_file_is_a_clear_line(tmp_path, command):
    link = tmp_path / ("mem.toml" if command in ("run", "residual --config") else "mem.py")
    link.symlink_to(MEM)
    extra = ["affine", "--shape", "x=3"] if command == "layer" else []
    line = one_line(runner.invoke(app, [*command.split(), str(link), *extra]))
    kind = "config" if link.suffix == ".toml" else "model"
    assert line.endswith(f"{kind} file '{link}' cannot be read: Input/output error"), line


def test_a_toml_file_with_a_byte_order_mark_names_it(tmp_path):
    path = tmp_path / "bom.toml"
    path.write_bytes(b'\xef\xbb\xbf[model]\nname = "residual"\n')
    line = one_line(runner.invoke(app, ["run", str(path)]))
    assert "byte order mark (BOM" in line and "without a BOM" in line


@pytest.mark.parametrize(
    "formula,column",
    [("x = W1.T @ z1_bar +", 16), ("x = W1.T @", 7), ("x = W1 @@ x", 5)],
)
def test_the_caret_points_where_the_formula_goes_wrong(formula, column):
    r = runner.invoke(app, ["residual", "--grad", formula])
    assert r.exit_code == 2
    head, text, caret = r.stderr.rstrip("\n").split("\n")
    assert f"syntax error at column {column}:" in head
    assert caret.index("^") - 4 == column - 1 and text[4:] == formula[4:]


def test_copy_refuses_a_folder_whose_parent_is_missing(tmp_path):
    target = tmp_path / "no" / "such"
    line = one_line(runner.invoke(app, ["examples", "--copy", str(target)]))
    assert f"directory '{tmp_path / 'no'}' does not exist" in line
    assert not (tmp_path / "no").exists()
    r = runner.invoke(app, ["examples", "minimal", "--copy", str(tmp_path / "new")])
    assert r.exit_code == 0 and (tmp_path / "new" / "examples" / "minimal.py").exists()


SCALAR = """
import numpy as np

def init(rng):
    return {"a": np.array(1.5), "x": rng.standard_normal(3)}

def forward(p, tap):
    return p["a"] * np.sum(p["x"] ** 2)

def backward(v):
    return {"a": np.sum(v["x"] ** 2), "x": 2 * v["a"] * v["x"]}
"""


def test_a_numpy_scalar_is_the_adjoint_of_a_0d_leaf(tmp_path):
    path = tmp_path / "scalar.py"
    path.write_text(SCALAR)
    report = check(str(path))
    assert report.status == "PASS" and report.row("a").comparison.status == "PASS"
    path.write_text(SCALAR.replace('{"a": np.sum', '{"a": float(np.sum').replace("2),", "2)),"))
    with pytest.raises(ModelError, match="backward\\(\\)\\['a'\\] is a float, not a numpy array"):
        check(str(path))


class Instance:
    def init(self, rng):
        return {"x": rng.standard_normal(3)}

    def forward(self, p, tap):
        return np.sum(p["x"] ** 2)

    def backward(self, v):
        return {"x": 2 * v["x"]}


class Static:
    @staticmethod
    def init(rng):
        return {"x": rng.standard_normal(3)}

    @staticmethod
    def forward(p, tap):
        return np.sum(p["x"] ** 2)

    @staticmethod
    def backward(v):
        return {"x": 2 * v["x"]}


def test_check_takes_an_instance_and_says_so_for_a_class():
    assert check(Instance()).status == "PASS"
    assert check(Static).status == "PASS"
    with pytest.raises(UsageError, match=r"the class Instance, .* take self: pass an instance, "):
        check(Instance)
    assert "an instance of a class" in check.__doc__ and "static methods" in check.__doc__


@pytest.mark.parametrize("given", [None, 3, ["residual"]])
def test_check_of_what_is_no_model_says_what_it_takes(given):
    with pytest.raises(UsageError, match="check\\(\\) takes a built-in's name .* got "):
        check(given)


API = [  # check()'s keywords, as the message names them
    (dict(d=0), "d must be a whole number ≥ 1, got 0"),
    (dict(max_memory="lots"), "max_memory must be a size such as 512M or 4G"),
    (dict(eps=1e-300), "eps must be between"),
    (dict(sample=4, directions=2), "sample and directions both choose"),
    (dict(grad="x = W1 @@ x"), "grad 'x = W1 @@ x': syntax error"),
    (dict(d=100000), "(max_memory)"),
]


@pytest.mark.parametrize("options,said", API, ids=[str(o) for o, _ in API])
def test_api_errors_name_keywords_not_flags(options, said):
    with pytest.raises(GradcheckError) as e:
        check("residual", **options)
    assert said in str(e.value) and "--" not in str(e.value), str(e.value)


def test_check_layer_errors_name_keywords_too():
    with pytest.raises(UsageError, match="^max_memory must be"):
        check_layer(EXAMPLES / "layers.py", "affine", x=(4, 5), w=(5, 3), b=(3,), max_memory="x")


def test_a_file_of_layers_given_to_check_points_to_layer():
    line = one_line(runner.invoke(app, ["check", str(EXAMPLES / "layers.py")]))
    assert (
        "it defines layers (affine, layernorm, relu, tanh): check one with 'gradcheck layer "
        in line
    )
    assert line.endswith("affine --shape x=… --shape w=… --shape b=…'"), line


BATCHNORM = """
import numpy as np

def batchnorm_forward(x, gamma, beta, bn_param):
    mode = bn_param["mode"]
    xc = x - x.mean(axis=0)
    var = (xc ** 2).mean(axis=0)
    xhat = xc / np.sqrt(var + 1e-5)
    return gamma * xhat + beta, (xhat, gamma, var)

def batchnorm_backward(dout, cache):
    xhat, gamma, var = cache
    N = dout.shape[0]
    dxhat = dout * gamma
    dx = (N * dxhat - dxhat.sum(0) - xhat * (dxhat * xhat).sum(0)) / (N * np.sqrt(var + 1e-5))
    return dx, (dout * xhat).sum(0), dout.sum(0)

def dropout_forward(x, mode):
    return x, None

def dropout_backward(dout, cache):
    return dout
"""


def test_a_layer_that_needs_mode_says_param_mode_train(tmp_path):
    path = tmp_path / "bn.py"
    path.write_text(BATCHNORM)
    shapes = ["--shape", "x=4x3", "--shape", "gamma=3", "--shape", "beta=3"]
    line = one_line(runner.invoke(app, ["layer", str(path), "batchnorm", *shapes]))
    assert line.endswith(
        "line 5, in batchnorm_forward: KeyError: 'mode' (bn_param has no 'mode': give it with "
        "--param mode=train)"
    ), line
    r = runner.invoke(app, ["layer", str(path), "batchnorm", *shapes, "--param", "mode=train"])
    assert r.exit_code == 0, r.output
    line = one_line(runner.invoke(app, ["layer", str(path), "dropout", "--shape", "x=4x3"]))
    assert "give mode a value (--param mode=train), a shape" in line


ROOT = EXAMPLES.parent


def _kinds_said_by_the_code() -> set[str]:
    kinds = set()
    for module in ("diagnose/rules.py", "diagnose/rows.py", "diagnose/__init__.py"):
        text = (ROOT / "src" / "gradcheck_cli" / module).read_text()
        kinds |= set(re.findall(r'Diagnosis\(\s*"([a-z]+)"', text))
        kinds |= set(re.findall(r'yield \(?\s*"([a-z]+)",\s*f"', text))  # (kind, message, …)
    return kinds


def _kinds_in_table(page: str, head: str) -> set[str]:
    text = (ROOT / "docs" / page).read_text()
    table = text[text.index(head) :].split("\n\n")[0]
    return {
        k for row in table.splitlines()[2:] for k in re.findall(r"`([a-z]+)`", row.split(" | ")[0])
    }


def test_the_diagnosis_kinds_agree_in_code_json_md_and_diagnoses_md():
    code = _kinds_said_by_the_code()
    assert {"scale", "carried", "point", "factor", "small", "none"} <= code
    assert _kinds_in_table("json.md", "| `kind` | what it says | details |") == code
    assert _kinds_in_table("diagnoses.md", "| `kind` | pattern | a slip that makes it |") == code
