"""Typed formulas: the seed tables pass, the bugs fail, nothing unsafe gets through."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from gradcheck_cli.cli import app
from gradcheck_cli.models.builtin.bugs import BUGS

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def rows(result) -> dict:
    return {g["id"]: g for g in json.loads(result.stdout)["gradients"]}


# The adjoint tables of ../shared/seed/README.md, typed (batch-aware: the loss is a mean).
RESIDUAL_TABLE = {
    "y": "(y - t) / B",
    "t": "-y_bar",
    "W2": "y_bar @ z2.T",
    "z2": "W2.T @ y_bar",
    "h": "z2_bar",
    "z1": "h_bar * dphi(z1)",
    "W1": "z1_bar @ x.T",
    "x": "W1.T @ z1_bar + z2_bar",
}
SOFTMAX_TABLE = {
    "dy/dz": "diag(y) - y @ y.T",
    "y": "-t / y / B",
    "z": "(y - t) / B",
    "W": "z_bar @ x.T",
    "b": "sum(z_bar, 1)",
    "x": "W.T @ z_bar",
}


@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid", "gelu"])
@pytest.mark.parametrize("batch", [1, 3])
def test_residual_table_typed_passes(activation, batch):
    grads = [f"{k} = {v}" for k, v in RESIDUAL_TABLE.items()]
    args = ["residual", "--activation", activation, "--batch", batch, "--format", "json"]
    r = invoke(*args, *sum((["--grad", g] for g in grads), []))
    assert r.exit_code == 0, r.output
    assert all(g["origin"] == "yours" for g in rows(r).values())


@pytest.mark.parametrize("batch", [1, 2])
@pytest.mark.parametrize("chain", [[], ["--chain"]])
def test_softmax_table_typed_passes(batch, chain):
    grads = sum(
        (
            ["--grad", f"{k} = {v}"]
            for k, v in SOFTMAX_TABLE.items()
            if not (batch > 1 and k == "y")
        ),
        [],
    )
    r = invoke("softmax", "--batch", batch, "--format", "json", *chain, *grads)
    assert r.exit_code == 0, r.output


@pytest.mark.parametrize("bug", BUGS, ids=[f"{b.model}-{b.name}" for b in BUGS])
def test_each_bug_typed_fails_on_its_row(bug):
    sizes = (
        ["--d", 6, "--batch", 3] if bug.model == "residual" else ["--n", 6, "--d", 4, "--batch", 3]
    )
    r = invoke(bug.model, *sizes, "--grad", f"{bug.target} = {bug.expression}", "--format", "json")
    assert r.exit_code == 1, r.output
    assert [k for k, g in rows(r).items() if g["status"] == "FAIL"] == [bug.target]


def test_seed_q1_fails_exactly_on_x_bar(pytestconfig):
    r = invoke("run", pytestconfig.rootpath / "configs" / "seed-q1.toml", "--format", "json")
    assert r.exit_code == 1
    failing = [k for k, g in rows(r).items() if g["status"] == "FAIL"]
    assert failing == ["x"]
    assert rows(r)["x"]["diagnosis"]["message"].startswith("missing a term equal to z̄2")
    typed = [k for k, g in rows(r).items() if g["origin"] == "yours"]
    assert set(typed) == {"y", "W2", "z2", "h", "z1", "W1", "x"}


def test_seed_q2_passes(pytestconfig):
    r = invoke("run", pytestconfig.rootpath / "configs" / "seed-q2.toml", "--format", "json")
    assert r.exit_code == 0, r.output
    assert rows(r)["dy/dz"]["origin"] == "yours"


def test_isolated_by_default_chained_on_request():
    wrong = ["--grad", "h = 0.5 * z2_bar", "--grad", "z1 = h_bar * dphi(z1)"]
    iso = rows(invoke("residual", *wrong, "--format", "json"))
    assert iso["h"]["status"] == "FAIL" and iso["z1"]["status"] == "PASS"
    chained = rows(invoke("residual", *wrong, "--chain", "--format", "json"))
    assert chained["h"]["status"] == "FAIL" and chained["z1"]["status"] == "FAIL"
    assert chained["W1"]["status"] == "FAIL"  # the tool's formula, fed the wrong z̄1


def test_chain_reports_rows_it_cannot_evaluate():
    r = invoke("residual", "--grad", "z1 = h_bar @ dphi(z1).T", "--chain")
    assert r.exit_code == 1
    assert (
        "W̄1: could not be evaluated: the formulas before it gave z1_bar is 8×8, not 8×1" in r.stdout
    )


def test_config_gradients_and_flag_override(tmp_path):
    p = tmp_path / "c.toml"
    p.write_text('[model]\nname = "residual"\n[gradients]\nx = "W1.T @ z1_bar"\n')
    assert invoke("run", p, "-q").exit_code == 1
    assert invoke("run", p, "-q", "--grad", "x = W1.T @ z1_bar + z2_bar").exit_code == 0
    p.write_text('[model]\nname = "residual"\n[gradients]\nx = 3\n')
    r = invoke("run", p)
    assert r.exit_code == 2 and "[gradients] x must be a formula in a string" in r.stderr


REFUSED = [
    ("__import__('os')", "unknown function '__import__'"),
    ("().__class__", "'.__class__' is not allowed"),
    ("x.__class__", "'.__class__' is not allowed"),
    ("W1.T.__class__.__mro__", "is not allowed"),
    ("lambda: x", "'lambda' is not allowed"),
    ("[v for v in x]", "'listcomp' is not allowed"),
    ("{v: 1 for v in x}", "'dictcomp' is not allowed"),
    ("2 ** 10 ** 10", "the exponent 10 ** 10 must be one number of at most 64"),
    ("x ** 1e9", "the exponent 1e9 must be one number"),
    ("open('x')", "unknown function 'open'"),
    ("x if x else x", "'ifexp' is not allowed"),
    ("'x'", "only numbers are allowed"),
    ("x[0]", "'subscript' is not allowed"),
    ("sum(x, axis=0)", "calls are allowed only as f(a, ...)"),
    ("getattr(x, 'T')", "unknown function 'getattr'"),
    ("x == x", "'compare' is not allowed"),
]


@pytest.mark.parametrize("expr,message", REFUSED, ids=[e for e, _ in REFUSED])
def test_unsafe_expressions_are_refused_with_exit_2(expr, message):
    r = invoke("residual", "--grad", f"x = {expr}")
    assert r.exit_code == 2, r.output
    assert message in r.stderr and "Traceback" not in r.stderr
    assert r.stdout == ""


def test_unknown_name_suggests_and_lists():
    r = invoke("residual", "--grad", "x = W1.T @ z1bar + z2_bar")
    assert r.exit_code == 2
    assert "unknown name 'z1bar' (did you mean 'z1_bar'?)" in r.stderr
    assert "allowed: W1, W2, x, t, z1, h, z2, y, y_bar" in r.stderr


def test_syntax_error_has_a_caret_under_the_column():
    r = invoke("residual", "--grad", "x = W1.T @@ z1_bar")
    lines = r.stderr.splitlines()
    assert r.exit_code == 2 and "syntax error at column 7" in lines[0]
    assert lines[1].strip() == "W1.T @@ z1_bar"
    assert lines[2].index("^") - lines[1].index("W") == 6


def test_shape_clash_names_both_operands():
    r = invoke("residual", "--grad", "x = W1.T @ z1_bar.T")
    assert r.exit_code == 2
    assert "shape clash: W1.T (8×8) @ z1_bar.T (1×8)" in r.stderr
    lines = r.stderr.splitlines()
    assert lines[2].index("^") - lines[1].index("W") == len("W1.T ")


def test_elementwise_never_broadcasts():
    r = invoke("residual", "--grad", "W2 = y_bar * z2")  # 1×1 * 8×1 is fine: a number
    assert r.exit_code == 1  # but 8×1 is the wrong shape for W̄2: a FAIL, not a pass
    r = invoke("residual", "--d", 3, "--grad", "x = z2_bar + W2")  # 3×1 + 1×3 would broadcast
    assert r.exit_code == 2 and "shape clash: z2_bar (3×1) + W2 (1×3)" in r.stderr


def test_later_adjoint_is_unknown_in_an_earlier_formula():
    r = invoke("residual", "--grad", "z2 = x_bar")
    assert r.exit_code == 2 and "unknown name 'x_bar'" in r.stderr


def test_unknown_target():
    r = invoke("residual", "--grad", "W3 = W1")
    assert r.exit_code == 2 and "'W3' is not an adjoint of the residual model" in r.stderr
    r = invoke("residual", "--grad", "W1.T @ z1_bar")
    assert r.exit_code == 2 and "a formula reads NAME = EXPRESSION" in r.stderr


def test_inject_and_grad_on_the_same_row_is_refused():
    r = invoke("residual", "--inject", "x-skip-dropped", "--grad", "x = W1.T @ z1_bar")
    assert r.exit_code == 2 and "choose one" in r.stderr


def test_functions_evaluate_as_documented():
    from gradcheck_cli.models.formulas import FUNCTIONS

    v = np.array([[1.0], [2.0]])
    assert FUNCTIONS["diag"][1](v).shape == (2, 2)
    assert FUNCTIONS["diag"][1](np.eye(2) * 3).tolist() == [[3.0], [3.0]]
    assert FUNCTIONS["sum"][1](np.ones((2, 3))).shape == (1, 1)
    assert FUNCTIONS["sum"][1](np.ones((2, 3)), 1).shape == (2, 1)
    assert FUNCTIONS["outer"][1](v, v).shape == (2, 2)
    np.testing.assert_allclose(FUNCTIONS["softmax"][1](np.zeros((4, 2))), 0.25)


@pytest.mark.parametrize(
    "formula,message",
    [
        ("x = " + " + ".join(["x"] * 1000), "characters long; at most 1,000 are allowed"),
        ("x = " + " @ ".join(["W1"] * 60) + " @ x", "levels are allowed"),
        ("x = " + "-" * 900 + "x", "at most 40 levels"),
        ("x = " + "-" * 100_000 + "x", "characters long"),
    ],
)
def test_a_formula_too_long_or_too_deep_is_one_line(formula, message):
    from typer.testing import CliRunner

    from gradcheck_cli.cli import app

    r = CliRunner().invoke(app, ["residual", "--d", "4", "--grad", formula])
    assert r.exit_code == 2 and message in r.stderr, r.stderr[:300]
    assert len(r.stderr.strip().splitlines()) == 1 and len(r.stderr) < 300


def test_a_jacobian_formula_cannot_use_adjoints():
    r = invoke("softmax", "--grad", "dy/dz = diag(z_bar)")
    assert r.exit_code == 2, r.output
    assert "unknown name 'z_bar'" in r.stderr and "internal error" not in r.stderr
