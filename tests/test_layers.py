"""gradcheck layer: CS231n-style forward/backward pairs and losses, found by name and
checked as the vector-Jacobian product; check_layer from Python; the user's mistakes."""

import importlib.util
import json
import textwrap

import pytest
from typer.testing import CliRunner

from gradcheck_cli import check_layer
from gradcheck_cli.cli import app
from gradcheck_cli.errors import GradcheckError

runner = CliRunner()

LAYERS = {  # name -> the flags of its inputs
    "affine": ["--shape", "x=4x5", "--shape", "w=5x3", "--shape", "b=3"],
    "relu": ["--shape", "x=4x5"],
    "tanh": ["--shape", "x=4x5"],
    "layernorm": ["--shape", "x=4x6", "--shape", "gamma=6", "--shape", "beta=6",
                  "--param", "eps=1e-5"],
    "softmax_loss": ["--shape", "x=4x10", "--labels", "y=4:10"],
}  # fmt: skip
BROKEN = {  # name -> the one input its slip in layers_buggy.py breaks
    "affine": "b",  # db summed over axis 1
    "relu": "x",  # dout forgotten
    "tanh": "x",  # 1 − x² for tanh′
    "layernorm": "x",  # the path through the mean dropped
    "softmax_loss": "x",  # 1/N forgotten
}
CHECKED = {"affine": ["x", "w", "b"], "layernorm": ["x", "gamma", "beta"]}


@pytest.fixture
def examples(pytestconfig):
    return pytestconfig.rootpath / "examples"


def invoke(*args):
    return runner.invoke(app, ["layer", *[str(a) for a in args]])


def rows(result) -> dict[str, dict]:
    return {g["id"]: g for g in json.loads(result.stdout)["gradients"]}


def one_line_error(result, *pieces):
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("gradcheck: error: ") and "Traceback" not in result.output
    for piece in pieces:
        assert piece in line, line
    return line


@pytest.mark.parametrize("name", LAYERS)
def test_correct_layers_pass(examples, name):
    r = invoke(examples / "layers.py", name, *LAYERS[name], "--format", "json")
    assert r.exit_code == 0, r.output
    got = rows(r)
    assert list(got) == CHECKED.get(name, ["x"])
    assert all(g["status"] == "PASS" for g in got.values())


@pytest.mark.parametrize("name", LAYERS)
def test_each_slip_fails_on_exactly_the_input_it_breaks(examples, name):
    r = invoke(examples / "layers_buggy.py", name, *LAYERS[name], "--format", "json")
    assert r.exit_code == 1, r.output
    failing = [n for n, g in rows(r).items() if g["status"] == "FAIL"]
    assert failing == [BROKEN[name]]


def test_diagnoses_name_the_slips(examples):
    def diagnosis(name):
        r = invoke(examples / "layers_buggy.py", name, *LAYERS[name], "--format", "json")
        return rows(r)[BROKEN[name]]["diagnosis"]

    assert diagnosis("softmax_loss")["kind"] == "scale"
    assert diagnosis("softmax_loss")["c"] == pytest.approx(4, rel=1e-12)
    assert "1 − x²" in diagnosis("tanh")["message"]
    assert diagnosis("affine")["kind"] == "shape"
    assert diagnosis("layernorm")["kind"] == "offset"


def test_the_table_shows_the_pair_and_dout(examples):
    r = invoke(examples / "layers.py", "affine", *LAYERS["affine"])
    assert r.exit_code == 0, r.output
    assert "Σ dout ∘ affine_forward(x, w, b)[0]" in r.stdout
    assert "affine_backward → dw" in r.stdout and "your layer affine, layers.py" in r.stdout
    assert "PASS: all 3 derived gradients" in r.stdout


def test_by_bundled_name_from_anywhere_and_by_half_a_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert invoke("layers", "relu_forward", "--shape", "x=3", "-q").exit_code == 0
    assert invoke("layers_buggy", "relu", "--shape", "x=3", "-q").exit_code == 1


def test_the_seed_draws_the_inputs(examples):
    def loss(seed):
        r = invoke(examples / "layers.py", "tanh", "--shape", "x=3", "--seed", seed, "--format",
                   "json")  # fmt: skip
        return json.loads(r.stdout)["loss"]

    assert loss(0) == loss(0) != loss(1)


def test_help_shows_examples():
    r = runner.invoke(app, ["layer", "--help"], env={"COLUMNS": "200"})
    assert r.exit_code == 0
    assert "Examples:" in r.stdout and "gradcheck layer examples/layers.py affine" in r.stdout
    for flag in ("--shape", "--labels", "--param", "--seed"):
        assert flag in r.stdout


# --- from Python -------------------------------------------------------------------------


def test_check_layer_takes_a_path_or_a_module(examples):
    report = check_layer(examples / "layers.py", "affine", x=(4, 5), w=(5, 3), b=(3,))
    assert report.status == "PASS" and [g.id for g in report.gradients] == ["x", "w", "b"]
    spec = importlib.util.spec_from_file_location("buggy", examples / "layers_buggy.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    bad = check_layer(module, "softmax_loss", x=(4, 10), labels={"y": (4, 10)}, method="central")
    assert bad.status == "FAIL" and [g.id for g in bad.gradients] == ["x"]
    ln = check_layer(examples / "layers.py", "layernorm", x=(3, 4), gamma=4, beta=4,
                     params={"eps": 1e-3}, seed=2)  # fmt: skip
    assert ln.status == "PASS"


def test_check_layer_refuses_unknown_keywords(examples):
    with pytest.raises(GradcheckError, match="unknown option 'methd'.*did you mean 'method'"):
        check_layer(examples / "layers.py", "relu", x=(3,), methd="central")
    with pytest.raises(GradcheckError, match=r"labels\['y'\] must be \(shape, high\)"):
        check_layer(examples / "layers.py", "softmax_loss", x=(4, 3), labels={"y": 4})


def test_a_config_names_a_layer(tmp_path, examples):
    (tmp_path / "layers.py").write_bytes((examples / "layers.py").read_bytes())
    (tmp_path / "c.toml").write_text(
        '[model]\nname = "layer"\npath = "layers.py"\nlayer = "softmax_loss"\n'
        'shape = ["x=4x10"]\nlabels = ["y=4:10"]\n'
    )
    r = runner.invoke(app, ["run", str(tmp_path / "c.toml"), "-q"])
    assert r.exit_code == 0, r.output
    (tmp_path / "d.toml").write_text('[model]\nname = "layer"\npath = "layers.py"\n')
    r = runner.invoke(app, ["run", str(tmp_path / "d.toml")])
    one_line_error(r, "[model] layer is missing")


# --- how inputs are given and gradients returned ----------------------------------------


def write(tmp_path, source: str):
    path = tmp_path / "mine.py"
    path.write_text("import numpy as np\n\n" + textwrap.dedent(source))
    return path


def test_settings_gradients_by_name_and_integer_inputs(tmp_path):
    path = write(
        tmp_path,
        """
        def scale_forward(x, idx, s_param, power=2):
            assert idx.dtype.kind == "i" and idx.min() >= 0 and idx.max() < 3
            s_param["used"] = True  # a forward may write into its settings
            return s_param["k"] * x[idx] ** power, (x, idx, s_param["k"])

        def scale_backward(dout, cache):
            x, idx, k = cache
            dx = np.zeros_like(x)
            np.add.at(dx, idx, 2 * k * x[idx] * dout)
            return {"dx": dx}

        def embed_forward(idx, W):
            return W[idx], (idx, W)

        def embed_backward(dout, cache):
            idx, W = cache
            dW = np.zeros_like(W)
            np.add.at(dW, idx, dout)
            return None, dW  # an integer input's place: ignored
    """,
    )
    r = invoke(path, "scale", "--shape", "x=3x2", "--labels", "idx=5:3", "--param", "k=1.5")
    assert r.exit_code == 0, r.output
    assert invoke(path, "embed", "--labels", "idx=6:4", "--shape", "W=4x3", "-q").exit_code == 0
    r = invoke(path, "scale", "--shape", "x=3x2", "--labels", "idx=5:3", "--param", "k=1.5",
               "--param", "power=3")  # fmt: skip
    assert r.exit_code == 1, r.output  # power is passed by name, and the backward assumes 2


@pytest.mark.parametrize(
    "args,pieces",
    [
        (["affine", "--shape", "x=4x5", "--shape", "w=4x3", "--shape", "b=3"],
         ["layers.py, line", "in affine_forward: ValueError"]),
        (["affine", "--shape", "x=4y5"], ["--shape x=4y5: a shape is sizes ≥ 1"]),
        (["affine", "--shape", "x=0x5"], ["--shape x=0x5"]),
        (["affine", "--shape", "x"], ["--shape 'x': expected NAME=SHAPE"]),
        (["affine", "--shape", "x=4x5", "--shape", "w=5x3"],
         ["affine_forward(x, w, b): give b a shape"]),
        (["affine", "--shape", "x=4x5", "--shape", "w=5x3", "--shape", "b=3", "--shape", "bb=3"],
         ["--shape bb=…: affine_forward(x, w, b) has no parameter 'bb' (did you mean 'b'?)"]),
        (["relu", "--shape", "x=3", "--shape", "x=4"], ["--shape x=… is given twice"]),
        (["affin", "--shape", "x=3"],
         ["defines no affin_forward", "(did you mean 'affine'?)",
          "layers: affine, layernorm, relu, tanh", "softmax_loss"]),
        (["relu", "--shape", "x=3", "--param", "mode=train"],
         ["--param mode=…", "nor a settings dict"]),
        (["softmax_loss", "--shape", "x=4x3", "--labels", "y=4"], ["--labels y=4: expected"]),
        (["softmax_loss", "--shape", "x=4x3", "--labels", "y=4:0"], ["--labels y=4:0"]),
        (["relu", "--shape", "x=100000x100000"], ["memory budget"]),
        (["relu", "--labels", "x=3:2"], ["nothing to check"]),
    ],
)  # fmt: skip
def test_bad_input_is_one_line(examples, args, pieces):
    one_line_error(invoke(examples / "layers.py", *args), *pieces)


def test_missing_file_and_unreadable_layers_are_one_line(tmp_path, examples):
    one_line_error(invoke(tmp_path / "nope.py", "affine"), "not found")
    one_line_error(invoke(examples / "layers.py"), "Missing argument 'NAME'")
    path = write(
        tmp_path,
        """
        def half_forward(x):
            return x, x
    """,
    )
    r = invoke(path, "half", "--shape", "x=3")
    one_line_error(r, "defines half_forward but no half_backward")


# fmt: off
MISTAKES = {  # the user's functions, and a piece of the one line
    "bare": ("""
        def f_forward(x):
            return 2 * x

        def f_backward(dout, cache):
            return 2 * dout
    """, "f_forward must return (out, cache), got an array of shape 3"),
    "count": ("""
        def f_forward(x):
            return 2 * x, x

        def f_backward(dout, cache):
            return 2 * dout, cache
    """, "f_backward returned 2 gradient(s) for the 1 input(s) x; return one each"),
    "list": ("""
        def f_forward(x):
            return 2 * x, None

        def f_backward(dout, cache):
            return [list(2 * dout)]
    """, "f_backward returned dx as a list of 3, not a numpy array"),
    "key": ("""
        def f_forward(x):
            return 2 * x, None

        def f_backward(dout, cache):
            return {"dxx": 2 * dout}
    """, "a gradient 'dxx', which names no input (did you mean"),
    "raises": ("""
        def f_forward(x):
            return 2 * x, None

        def f_backward(dout, cache):
            return dout / cache.size
    """, "mine.py, line 8, in f_backward: AttributeError"),
    "loss": ("""
        def f(x):
            return np.sum(x ** 2)
    """, "a loss f() must return (loss, dx), got a float64"),
    "vector loss": ("""
        def f(x):
            return x ** 2, 2 * x
    """, "f() must return (loss, dx) with a scalar loss, got a loss of shape 3"),
    "random": ("""
        def f_forward(x):
            return x * np.random.rand(), None

        def f_backward(dout, cache):
            return dout
    """, "f_forward is not deterministic"),
    "in place": ("""
        def f_forward(x):
            x *= 2
            return x, None

        def f_backward(dout, cache):
            return 2 * dout
    """, "f_forward changed its input x in place"),
}
# fmt: on


@pytest.mark.parametrize("name", MISTAKES)
def test_the_users_mistakes_are_one_line(tmp_path, name):
    source, piece = MISTAKES[name]
    path = write(tmp_path, source)
    one_line_error(invoke(path, "f", "--shape", "x=3"), str(path) if "line" in piece else "", piece)


def test_a_wrong_shape_is_a_fail_and_stdout_is_the_report(tmp_path):
    path = write(
        tmp_path,
        """
        def f_forward(x):
            print("in forward")  # to stderr: stdout carries the report
            return 3 * x, None

        def f_backward(dout, cache):
            return 3 * dout.sum(axis=0)
    """,
    )
    r = invoke(path, "f", "--shape", "x=3x2", "--format", "json")
    assert r.exit_code == 1 and rows(r)["x"]["status"] == "FAIL"
    assert "in forward" in r.stderr
