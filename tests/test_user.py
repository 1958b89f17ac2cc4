"""User models: the examples, the Python API, the pytest helper, and the user's mistakes."""

import json
import textwrap

import pytest
from typer.testing import CliRunner

from gradcheck_cli import assert_gradients, check
from gradcheck_cli.cli import app
from gradcheck_cli.errors import GradcheckError

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def examples(pytestconfig):
    return pytestconfig.rootpath / "examples"


def failing(result) -> list[str]:
    return [g["id"] for g in json.loads(result.stdout)["gradients"] if g["status"] == "FAIL"]


@pytest.mark.parametrize("name", ["minimal.py", "mlp.py", "layernorm.py"])
def test_correct_examples_pass(examples, name):
    r = invoke("check", examples / name)
    assert r.exit_code == 0, r.output
    assert "PASS: all" in r.stdout


def test_buggy_mlp_fails_first_at_z1_bar_and_b1_bar_by_shape(examples):
    r = invoke("check", examples / "mlp_buggy.py", "--format", "json")
    assert r.exit_code == 1
    rows = {g["id"]: g for g in json.loads(r.stdout)["gradients"]}
    assert failing(r)[0] == "z1"  # the first FAIL in backward order is the slip
    assert rows["b1"]["reason"] == "shape: analytic is 6×5, expected 6×1"
    assert rows["z2"]["status"] == rows["h"]["status"] == rows["W2"]["status"] == "PASS"


def test_buggy_layernorm_fails_only_x_bar(examples):
    r = invoke("check", examples / "layernorm_buggy.py", "--format", "json")
    assert r.exit_code == 1 and failing(r) == ["x"]


def test_readme_shows_the_minimal_file_whole(pytestconfig, examples):
    readme = (pytestconfig.rootpath / "README.md").read_text()
    source = (examples / "minimal.py").read_text()
    assert source.strip() in readme
    assert len(source.strip().splitlines()) <= 30


def test_python_api_built_in_and_file(examples):
    report = check("residual", d=4, batch=2)
    assert report.status == "PASS" and report.row("W1").comparison.entries == 16
    bad = check("residual", inject="x-skip-dropped")
    assert bad.status == "FAIL" and bad.failures().startswith("x̄:")
    assert check(examples / "mlp.py").status == "PASS"
    assert check(str(examples / "mlp_buggy.py"), method="central").status == "FAIL"


def test_python_api_takes_a_module(examples):
    import importlib.util

    spec = importlib.util.spec_from_file_location("ln", examples / "layernorm.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert check(module, seed=3).status == "PASS"


def test_python_api_rejects_unknown_options():
    with pytest.raises(GradcheckError, match="unknown option 'dd' \\(did you mean 'd'\\?\\)"):
        check("residual", dd=3)


def test_assert_gradients_passes_and_fails_with_the_table(examples):
    assert assert_gradients(examples / "mlp.py").status == "PASS"
    with pytest.raises(AssertionError) as info:
        assert_gradients(examples / "layernorm_buggy.py")
    message = str(info.value)
    assert "Backward pass" in message and "FAIL" in message and "x̄" in message
    assert "\x1b[" not in message
    with pytest.raises(AssertionError, match="missing a term equal to z̄2"):
        assert_gradients("residual", inject="x-skip-dropped")


def write(tmp_path, body: str, name="m.py"):
    p = tmp_path / name
    p.write_text(textwrap.dedent(body))
    return p


GOOD_INIT = """
import numpy as np

def init(rng):
    return {"w": rng.standard_normal((3, 1)), "x": rng.standard_normal((3, 1))}
"""


def forward_backward(
    forward="return float(np.sum(p['w'] * p['x']) ** 2)",
    backward="s = np.sum(v['w'] * v['x']); return {'w': 2 * s * v['x'], 'x': 2 * s * v['w']}",
):
    return (
        GOOD_INIT + f"\ndef forward(p, tap):\n    {forward}\n\ndef backward(v):\n    {backward}\n"
    )


def test_a_good_written_model_passes(tmp_path):
    r = invoke("check", write(tmp_path, forward_backward()))
    assert r.exit_code == 0, r.output


def test_a_tap_the_loss_does_not_use_checks_with_a_zero_adjoint(tmp_path):
    """A tap kept for a look (nothing downstream uses it) is no mistake where backward()
    gives it 0: it is checked, WEAK for that reason, and the others PASS (tap-unused.py
    in test_bad_inputs: not 0, exit 2)."""
    body = forward_backward(
        forward="tap('seen', p['w'] * 2); return float(np.sum(p['w'] * p['x']) ** 2)",
        backward="s = np.sum(v['w'] * v['x']); "
        "return {'w': 2 * s * v['x'], 'x': 2 * s * v['w'], 'seen': 0 * v['seen']}",
    )
    r = invoke("check", write(tmp_path, body), "--format", "json")
    rows = {g["id"]: g for g in json.loads(r.output)["gradients"]}
    assert rows["seen"]["status"] == "WEAK" and "no step moved L" in rows["seen"]["why"]
    assert rows["w"]["status"] == rows["x"]["status"] == "PASS"


USER_ERRORS = [
    (forward_backward(forward="return 1 / 0"), "m.py, line 8, in forward: ZeroDivisionError"),
    (forward_backward(backward="raise KeyError('h')"), "in backward: KeyError"),
    (GOOD_INIT + "\ndef forward(p, tap):\n    return 0.0\n", "defines no backward()"),
    (
        GOOD_INIT + "\ndef forward(p, tap):\n    return 0.0\ndef backwards(v):\n    return {}\n",
        "defines no backward() (did you mean 'backwards'?)",
    ),
    (
        forward_backward(backward="return {'q': v['w']}"),
        "an adjoint for 'q', which is neither a leaf",
    ),
    (
        forward_backward(backward="return {'w': [1.0, 2.0, 3.0]}"),
        "backward()['w'] is a list, not a numpy array",
    ),
    (forward_backward(backward="return {'w': v['w'] * 1j}"), "backward()['w'] is complex"),
    (
        forward_backward(backward="return {'w': np.array(['a', 'b', 'c'])}"),
        "has dtype <U1; expected a float",
    ),
    (forward_backward(backward="return [v['w']]"), "backward(v) must return a dict"),
    (forward_backward(forward="return p['w'] * p['x']"), "forward() must return the scalar loss"),
    (
        "def init(rng):\n    return [1, 2]\n"
        "def forward(p, tap):\n    return 0.0\n"
        "def backward(v):\n    return {}\n",
        "init(rng) must return a dict of leaves",
    ),
    ("def init(rng)\n    return {}\n", "m.py, line 1: SyntaxError"),
    (
        forward_backward(forward="tap('a', 1.0); tap('a', 2.0); return 0.0"),
        "tap name 'a' is used twice",
    ),
    # forwards and backwards that are not functions of what they are given
    (
        forward_backward(forward="return float(np.sum(p['w'] * p['x'] * np.random.rand(3, 1)))"),
        "m.py: forward() is not deterministic: L = ",
    ),
    (
        forward_backward(forward="p['x'] *= 0.5; return float(np.sum(p['w'] * p['x']) ** 2)"),
        "m.py: forward() changed p['x'] in place",
    ),
    (
        forward_backward(backward="v['x'] += 1; return {'w': v['x']}"),
        "m.py: backward() changed v['x'] in place",
    ),
    (
        forward_backward(forward="import sys; sys.exit(0)"),
        "m.py, line 8, in forward: sys.exit(0) called; a model file must not exit",
    ),
    (
        forward_backward(forward="return complex(np.sum(p['w'] * p['x']), 1.0)"),
        "m.py: forward() returned a complex loss",
    ),
    (
        "import numpy as np\nTARGETS = ['w']\ndef init(rng):\n    return {'w': np.ones(3)}\n"
        "def forward(p, tap):\n    return float(np.sum(p['w']))\ndef backward(v):\n    return {}\n",
        "m.py: nothing to check: every leaf is in TARGETS",
    ),
    (
        forward_backward(backward="return {'w': v['x'] * np.random.rand()}"),
        "m.py: backward() is not deterministic: its 'w' differs",
    ),
    (
        "COMPLEX_SAFE = 'yes'\n" + forward_backward(),
        "m.py: COMPLEX_SAFE is 'yes'; allowed: True, False, or leave it out",
    ),
]


@pytest.mark.parametrize("body,message", USER_ERRORS, ids=[m for _, m in USER_ERRORS])
def test_user_mistakes_are_one_message_exit_2(tmp_path, body, message):
    r = invoke("check", write(tmp_path, body))
    assert r.exit_code == 2, r.output
    assert message in r.stderr, r.stderr
    assert "Traceback" not in r.stderr and "gradcheck_cli" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_missing_file_and_not_python(tmp_path):
    r = invoke("check", tmp_path / "nope.py")
    assert r.exit_code == 2 and "model file" in r.stderr and "not found" in r.stderr


def test_a_missing_leaf_adjoint_fails(tmp_path):
    body = forward_backward(backward="s = np.sum(v['w'] * v['x']); return {'w': 2 * s * v['x']}")
    r = invoke("check", write(tmp_path, body), "--format", "json")
    assert r.exit_code == 1
    rows = {g["id"]: g for g in json.loads(r.stdout)["gradients"]}
    assert rows["x"]["status"] == "FAIL" and rows["x"]["diagnosis"] is None
    assert rows["x"]["reason"].startswith("backward() returned no x̄; list x in TARGETS")
    assert json.loads(r.stdout)["summary"]["not_checked"] == 0


def test_wrong_shape_is_a_fail_row(tmp_path):
    body = forward_backward(
        backward="s = np.sum(v['w'] * v['x']); return {'w': 2 * s * v['x'].T, 'x': 2 * s * v['w']}"
    )
    r = invoke("check", write(tmp_path, body), "--format", "json")
    assert r.exit_code == 1
    row = next(g for g in json.loads(r.stdout)["gradients"] if g["id"] == "w")
    assert row["reason"].startswith("shape")


def test_model_that_is_not_complex_safe_is_checked_with_richardson(tmp_path):
    body = forward_backward(forward="return float(np.sum(p['w'] * p['x'])) ** 2")
    r = invoke("check", write(tmp_path, body), "--format", "json")
    data = json.loads(r.stdout)
    assert r.exit_code == 0, r.output
    assert data["check"]["method"] == "richardson"
    (note,) = [n for n in data["notes"] if "not complex-safe" in n]
    assert "(a complex step on w stopped the forward: " in note, note
    assert "m.py, line 8, in forward: TypeError: float() argument must be" in note, note
    body = forward_backward(forward="return np.abs(np.sum(p['w'] * p['x'])) ** 2")
    data = json.loads(invoke("check", write(tmp_path, body), "--format", "json").stdout)
    assert data["check"]["method"] == "richardson"
    (note,) = [n for n in data["notes"] if "not complex-safe" in n]
    assert "(a complex step on w meets abs, which is not analytic)" in note, note


def test_a_model_file_may_declare_whether_its_forward_is_complex_safe(tmp_path):
    """COMPLEX_SAFE = False: Richardson, and the note says who said so; True: the complex
    step without the probe (an abs the probe would catch is the file's word now)."""

    def method(declared: str, forward: str) -> tuple[str, list[str]]:
        body = f"COMPLEX_SAFE = {declared}\n" + forward_backward(forward=forward)
        data = json.loads(invoke("check", write(tmp_path, body), "--format", "json").stdout)
        return data["check"]["method"], data["notes"]

    smooth, with_abs = (
        "return float(np.sum(p['w'] * p['x']) ** 2)",
        "return np.abs(np.sum(p['w'] * p['x'])) ** 2",
    )
    used, notes = method("False", smooth)
    assert used == "richardson"
    assert "the forward pass is not complex-safe (COMPLEX_SAFE = False)" in " ".join(notes)
    assert method("True", with_abs)[0] == "complex"
    assert method("None", with_abs)[0] == "richardson"


def test_taps_are_checked_and_typed_formulas_work_on_user_models(examples):
    r = invoke(
        "check", examples / "minimal.py", "--grad", "z = h_bar * (1 - h ** 2)", "--format", "json"
    )
    assert r.exit_code == 0
    rows = {g["id"]: g for g in json.loads(r.stdout)["gradients"]}
    assert rows["z"]["origin"] == "yours" and rows["h"]["kind"] == "intermediate"
    r = invoke("check", examples / "minimal.py", "--grad", "z = h_bar * (1 - z ** 2)")
    assert r.exit_code == 1


def test_inject_is_for_built_ins(examples):
    with pytest.raises(GradcheckError, match="^inject works on the built-in models"):
        check(examples / "minimal.py", inject="x-skip-dropped")


def test_config_can_name_a_model_file(tmp_path, examples):
    p = tmp_path / "c.toml"
    p.write_text(
        f'[model]\npath = "{examples / "mlp_buggy.py"}"\nseed = 2\n[check]\nmethod = "central"\n'
    )
    r = invoke("run", p, "--format", "json")
    assert r.exit_code == 1 and json.loads(r.stdout)["model"]["options"]["seed"] == 2


def test_save_and_sampling_free_engines_work_on_user_models(tmp_path, examples):
    import numpy as np

    out = tmp_path / "u.npz"
    assert invoke("check", examples / "mlp.py", "--save", out, "-q").exit_code == 0
    with np.load(out) as z:
        assert z["analytic/W1"].shape == (6, 4) and "numeric/z1" in z.files
    for method in ("central", "complex"):
        assert invoke("check", examples / "mlp.py", "--method", method, "-q").exit_code == 0


def test_a_model_files_prints_go_to_stderr_and_the_json_still_parses(tmp_path):
    body = "print('importing')\n" + forward_backward(
        forward="print('in forward'); return float(np.sum(p['w'] * p['x']) ** 2)"
    )
    r = invoke("check", write(tmp_path, body), "--format", "json")
    assert r.exit_code == 0 and json.loads(r.stdout)["summary"]["status"] == "PASS"
    assert "in forward" in r.stderr and "importing" in r.stderr


def test_an_integer_index_target_stays_integer(tmp_path):
    body = """
import numpy as np
TARGETS = ["idx", "t"]
def init(rng):
    return {"E": rng.standard_normal((6, 3)), "idx": np.array([0, 2, 5, 2]),
            "t": rng.standard_normal((4, 3))}
def forward(p, tap):
    h = tap("h", p["E"][p["idx"]])
    return 0.5 * np.sum((h - p["t"]) ** 2)
def backward(v):
    h_bar = v["h"] - v["t"]
    E_bar = np.zeros_like(v["E"])
    np.add.at(E_bar, v["idx"], h_bar)
    return {"h": h_bar, "E": E_bar}
"""
    for extra in ([], ["--dtype", "float32"], ["--directions", "2"]):
        r = invoke("check", write(tmp_path, body), "--format", "json", *extra)
        assert r.exit_code == 0, (extra, r.output)


def test_leaves_over_the_memory_budget_are_refused_before_the_forward_runs(tmp_path):
    body = (
        "import numpy as np\n"
        "def init(rng):\n    return {'W': np.zeros((3000, 3000))}\n"
        "def forward(p, tap):\n    raise RuntimeError('the forward must not run')\n"
        "def backward(v):\n    return {'W': 2 * v['W']}\n"
    )
    r = invoke("check", write(tmp_path, body), "--max-memory", "100M")
    assert r.exit_code == 2 and "9,000,000 entries" in r.stderr and "--max-memory" in r.stderr


def test_plant_error_takes_a_name_a_model_file_or_a_module_and_check_takes_the_result(examples):
    import importlib.util

    from gradcheck_cli.testing import plant_error

    spec = importlib.util.spec_from_file_location("mlp_module", examples / "mlp.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for model in ("residual", examples / "mlp.py", module):
        wrong = plant_error(model, "W1", (0, 2), 1e-6)
        report = check(wrong)
        assert [r.id for r in report.gradients if r.comparison.status == "FAIL"] == ["W1"]
        assert check(plant_error(model, "W1", (0, 2), 0.0)).status == "PASS"


def test_a_files_formulas_print_as_written_not_as_markup(tmp_path):
    """A user's b[i], [bold] or :smile: is text: rich would read it as markup or an emoji."""
    body = textwrap.dedent(
        """
        import numpy as np

        FORMULAS = {"z": "W x + b[i] :smile:"}
        ADJOINT_FORMULAS = {"W": "z̄ xᵀ [bold]"}

        def init(rng):
            return {"W": rng.standard_normal((2, 2)), "x": rng.standard_normal(2)}

        def forward(p, tap):
            return np.sum(tap("z", p["W"] @ p["x"]) ** 2)

        def backward(v):
            z = v["W"] @ v["x"]
            return {"W": np.outer(2 * z, v["x"]), "x": v["W"].T @ (2 * z)}
        """
    )
    r = runner.invoke(app, ["check", str(write(tmp_path, body))], env={"COLUMNS": "150"})
    assert r.exit_code == 0, r.output
    assert "W x + b[i] :smile:" in r.output and "z̄ xᵀ [bold]" in r.output


def test_a_model_file_is_read_from_its_source_every_time(tmp_path):
    """Saved again within the same second at the same size, a model file runs as saved:
    no cached bytecode is read (a .pyc is checked by mtime and size only), and none is
    written beside it."""
    import os

    body = "import numpy as np\nC = {c}\ndef init(rng): return {{'x': np.ones(2)}}\n"
    body += "def forward(p, tap): return C * np.sum(p['x'] ** 2)\n"
    body += "def backward(v): return {{'x': 2 * C * v['x']}}\n"
    path = tmp_path / "model.py"
    for c in ("1.0", "3.0"):
        path.write_text(body.format(c=c))
        os.utime(path, ns=(1_700_000_000 * 10**9,) * 2)
        report = check(str(path), jobs=1)
        assert report.loss == 2 * float(c) and report.status == "PASS"
    assert not (tmp_path / "__pycache__").exists()


def test_a_compiled_model_file_still_loads(tmp_path):
    """A .pyc given as the model file loads by its own loader (only source is compiled
    afresh)."""
    import py_compile

    source = write(tmp_path, forward_backward())
    compiled = py_compile.compile(str(source), cfile=str(tmp_path / "m.pyc"))
    assert check(compiled, jobs=1).status == "PASS"


@pytest.mark.parametrize("method", ["central", "richardson"])
def test_a_complex_typed_loss_with_no_imaginary_part_warns_nothing(tmp_path, method):
    """A forward through np.fft returns L complex-typed, its imaginary part 0: the loss's
    own check takes its real part, and so do a finite difference's copies, without
    numpy's ComplexWarning on stderr (a red team's model printed it under -q)."""
    import subprocess
    import sys

    body = forward_backward(
        forward="X = np.fft.fft(p['w'] * p['x'], axis=0); return np.sum(X * np.conj(X)) / 3",
        backward="u = v['w'] * v['x']; return {'w': 2 * u * v['x'], 'x': 2 * u * v['w']}",
    )
    path = write(tmp_path, body)
    r = subprocess.run(
        [sys.executable, "-m", "gradcheck_cli", "check", str(path), "--method", method, "-q"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert r.returncode == 0 and r.stderr == "", r.stderr
