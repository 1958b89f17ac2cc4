"""--derivation: a write-up read as written, every equation listed, each checked as --grad.

The seed document (tests/derivations/seed.txt, the derivation gradcheck was made from)
must fail exactly where it is wrong (x̄, line 49) and pass everywhere else; the corpus
of tests/derivations/ must give the counts docs/derivation-reader.md states.
"""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from gradcheck_cli import check
from gradcheck_cli.cli import app
from gradcheck_cli.derivation import document, reader
from gradcheck_cli.models import BUILDERS

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent / "derivations"
SEED = HERE / "seed.txt"
runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def rows(result) -> dict:
    return {g["id"]: g for g in json.loads(result.stdout)["gradients"]}


# --- the seed document -----------------------------------------------------------------

Q1_LINES = {"y": 31, "W2": 33, "z2": 35, "h": 37, "z1": 42, "W1": 47, "x": 49}


def test_seed_q1_fails_at_x_bar_with_the_missing_skip_term_and_passes_the_rest():
    r = invoke("residual", "--derivation", SEED, "--section", "Q1", "--format", "json")
    assert r.exit_code == 1, r.output
    got = rows(r)
    assert got["x"]["status"] == "FAIL"
    assert got["x"]["diagnosis"]["message"].startswith("missing a term equal to z̄2")
    for name, line in Q1_LINES.items():
        assert got[name]["origin"] == f"{SEED}:{line}"
        assert got[name]["formula"].startswith(f"line {line}: ")
        if name != "x":
            assert got[name]["status"] == "PASS", (name, got[name])
    assert got["t"]["origin"] is None  # the document does not derive t̄: gradcheck's own


def test_seed_q1_table_names_the_line_and_the_formula_as_written():
    args = ["residual", "--derivation", str(SEED), "--section", "Q1"]
    r = runner.invoke(app, args, env={"COLUMNS": "250"})
    assert r.exit_code == 1
    out = re.sub(r"\s+", " ", r.stdout)
    assert "line 49: W^{(1)T}_{d \\times d} \\bar{z}_1_{d \\times 1}" in out
    assert "missing a term equal to z̄2" in out
    assert f"read from your derivation {SEED}" in out
    md = invoke(*args, "--format", "markdown").stdout
    assert (
        "| 49 | ▸ x̄ | `W^{(1)T}_{d \\times d} \\bar{z}_1_{d \\times 1}` | `W1.T @ z1_bar` | FAIL"
        in md
    )


def test_seed_q2_jacobian_cases_z_bar_and_w_bar_pass():
    args = ["softmax", "--no-bias", "--batch", 1, "--derivation", SEED, "--section", "Q2"]
    r = invoke(*args, "--format", "json")
    assert r.exit_code == 0, r.output
    got = rows(r)
    for name in ("dy/dz", "z", "W"):
        assert got[name]["status"] == "PASS"
    assert got["dy/dz"]["origin"] == f"{SEED}:76, {SEED}:86"
    assert got["z"]["origin"] == f"{SEED}:106"
    assert got["W"]["origin"] == f"{SEED}:110"
    listing = json.loads(r.stdout)["derivation"]["equations"]
    jacobian = {e["line"]: e["status"] for e in listing if e["target"] == "dy/dz" and e["formula"]}
    assert jacobian == {n: "PASS" for n in (66, 68, 70, 72, 74, 76, 82, 84, 86)}


def test_seed_q2_steps_read_literally_fail_and_are_noted_not_hidden():
    report = check("softmax", bias=False, derivation=str(SEED), section="Q2", jobs=1)
    assert report.status == "PASS"
    steps = {s.line: s for e in report.derivation.equations for s in e.steps}
    assert steps[100].status == steps[102].status == "FAIL"
    assert any(":100: a step of z̄ before its result FAILs" in n for n in report.notes)


def test_seed_chain_mode_fails_only_x_bar():
    report = check("residual", derivation=str(SEED), section="Q1", chain=True, jobs=1)
    assert [r.id for r in report.gradients if r.comparison.status == "FAIL"] == ["x"]


def test_every_equation_of_the_seed_is_listed_with_a_status():
    report = check("residual", derivation=str(SEED), section="Q1", jobs=1)
    listed = {e.line for e in report.derivation.equations}
    assert {7, 11, 15, 17, 21, 25, 29, 31, 33, 35, 37, 42, 47, 49} <= listed
    for e in report.derivation.equations:
        assert e.steps or e.reason, e  # no equation without a status or a reason
        for s in e.steps:
            assert s.status, (e.line, s.latex)
    forward = {
        s.line: s.status
        for e in report.derivation.equations
        if e.kind == "forward"
        for s in e.steps
        if s.formula
    }
    assert forward == {7: "matches", 11: "matches", 17: "matches", 21: "matches", 25: "matches"}


# --- the corpus ----------------------------------------------------------------------

# (file, model, options): found, understood, checked, right, FAIL rows
CORPUS = [
    ("seed.txt", "residual", {"section": "Q1"}, (23, 12, 12, 11), ["x"]),
    ("seed.txt", "softmax", {"section": "Q2", "bias": False}, (27, 14, 14, 12), []),
    ("q1-markdown-correct.md", "residual", {}, (12, 12, 12, 12), []),
    ("q1-latex-align-correct.tex", "residual", {"activation": "sigmoid"}, (13, 12, 12, 12), []),
    ("q1-skip-split.md", "residual", {}, (10, 10, 10, 9), ["h"]),
    ("q1-phi-for-dphi.tex", "residual", {}, (7, 7, 7, 6), ["z1"]),
    ("q1-W1-transposed.md", "residual", {}, (7, 7, 7, 6), ["W1"]),
    ("q1-W2-transposed.tex", "residual", {}, (3, 3, 3, 2), ["W2"]),
    ("q1-hadamard-as-matmul.md", "residual", {}, (6, 5, 5, 4), ["z1"]),
    ("q2-markdown-correct.md", "softmax", {}, (12, 12, 12, 12), []),
    ("q2-softmax-diag-y.tex", "softmax", {"bias": False}, (4, 4, 4, 3), ["dy/dz"]),
    ("q2-sign-and-outer.md", "softmax", {}, (3, 3, 3, 1), ["z", "W"]),
]


@pytest.mark.parametrize(
    "name, model, options, counts, failing", CORPUS, ids=[c[0] + str(c[2]) for c in CORPUS]
)
def test_corpus_counts_and_verdicts(name, model, options, counts, failing):
    report = check(model, derivation=str(HERE / name), jobs=1, **options)
    c = report.derivation.counts()
    assert (c["found"], c["understood"], c["checked"], c["right"]) == counts
    assert [r.id for r in report.gradients if r.comparison.status == "FAIL"] == failing
    replaced = [r for r in report.gradients if r.origin]
    assert replaced and all(r.origin.startswith(str(HERE / name)) for r in replaced)
    verdicts = {"PASS", "FAIL", "WEAK", "KINK", "matches", "differs", "not understood"}
    for e in report.derivation.equations:
        for step in e.steps:  # every step read is checked, or says why not
            assert step.formula is None or step.status in verdicts, (e.line, step)


def test_the_corpus_has_eight_documents_beside_the_seed_in_both_styles():
    names = {c[0] for c in CORPUS} - {"seed.txt"}
    assert len(names) >= 8
    assert {Path(n).suffix for n in names} == {".md", ".tex"}
    assert any(not f for *_, f in CORPUS[2:]) and any(f for *_, f in CORPUS[2:])


def test_the_docs_table_states_the_corpus_counts():
    page = (ROOT / "docs" / "derivation-reader.md").read_text(encoding="utf-8")
    for name, _, options, counts, _ in CORPUS:
        label = name + (f", `--section {options['section']}`" if "section" in options else "")
        line = next(l for l in page.splitlines() if l.startswith(f"| {label} |"))
        cells = [c.strip() for c in line.strip("|").split("|")]
        assert tuple(int(x) for x in cells[3:7]) == counts, line


# --- notation, as students write it ------------------------------------------------------

R, S = BUILDERS["residual"](), BUILDERS["softmax"](bias=False)
X_BAR = "W1.T @ z1_bar + z2_bar"


def read(latex: str, model):
    return reader.read(document.read("t.md", f"$${latex}$$"), model)


def only(latex: str, model):
    (eq,) = read(latex, model)
    (step,) = eq.steps
    return eq, step


@pytest.mark.parametrize(
    "latex",
    [
        r"\bar{x} = W_1^T \bar{z}_1 + \bar{z}_2",
        r"\overline{x} = W^{(1)T} \bar{z}_1 + \bar{z}_2",
        r"\delta_x = \mathbf{W}_1^\top \delta_{z_1} + \delta_{z_2}",
        r"\frac{\partial L}{\partial x} = W^{(1)\intercal} \bar{z}_1 + \bar{z}_2",
        r"\partial L/\partial x = W^{(1)\top} \bar{z}_1 + \bar{z}_2",
        r"\nabla_x L = W_1^{T} \bar{z}_1 + \bar{z}_2",
        r"dL/dx = W_1^T \bar{z}_1 + \bar{z}_2",
        r"\frac{dL}{dx} = W_1^T \bar{z}_1 + \bar{z}_2",
        r"\frac{\partial \mathcal{L}}{\partial \mathbf{x}} = W_1^T \bar{z}_1 + \bar{z}_2",
    ],
)
def test_every_adjoint_notation_reads_as_the_same_formula(latex):
    eq, step = only(latex, R)
    assert (eq.kind, eq.target, step.formula) == ("adjoint", "x", X_BAR)


def test_w_superscript_one_names_w1():
    assert only(r"\bar{x} = (W^1)^{\intercal} \bar{z}_1 + \bar{z}_2", R)[1].formula == (
        "((W1).T) @ z1_bar + z2_bar"
    )


@pytest.mark.parametrize("phi", [r"\phi'", r"\sigma'", "G'", "f'", r"\varphi'"])
@pytest.mark.parametrize("op", [r"\circ", r"\odot"])
def test_the_activations_derivative_is_dphi(phi, op):
    assert only(rf"\bar{{z}}_1 = \bar{{h}} {op} {phi}(z_1)", R)[1].formula == "h_bar * dphi(z1)"


def test_tanh_written_out():
    step = only(r"\bar{z}_1 = \bar{h} \circ \left(1 - \tanh^2(z_1)\right)", R)[1]
    assert step.formula == "h_bar * (1 - (tanh(z1) ** 2))"


def test_an_ambiguous_juxtaposition_is_reported_not_guessed():
    step = only(r"\bar{z}_1 = \bar{h} \phi'(z_1)", R)[1]
    assert step.formula is None and step.status == "not understood"
    assert "ambiguous product" in step.reason and "\\circ" in step.reason


def test_times_between_scalars_only():
    assert only(r"\bar{y} = 2 \times \frac{1}{2} \left( y - t \right)", R)[1].formula == (
        "(2 * (1 / 2)) * (y - t)"
    )
    step = only(r"\bar{W}_1 = \bar{z}_1 \times x", R)[1]
    assert step.formula is None and "neither a number" in step.reason


def test_a_wrong_dimension_annotation_is_reported():
    eq, step = only(r"\bar{x}_{1 \times d} = W_1^T \bar{z}_{1\,d \times 1} + \bar{z}_2", R)
    assert eq.notes == ["the dimension annotation 1×d under x_bar is wrong: it is d×1"]


def test_rows_of_dimensions_under_an_equation_are_checked_against_its_names():
    report = check("residual", derivation=str(SEED), section="Q1", jobs=1)
    rows_ = {e.line: e.steps[0] for e in report.derivation.equations if e.kind == "dimensions"}
    assert {n: s.status for n, s in rows_.items()} == {
        13: "right",  # z_1 = W^{(1)} x: d×1, d×d, d×1
        19: "right",
        23: "right",
        27: "not matched",  # four dimensions under L = ½ (y − t)²: L, y, t
        40: "not matched",  # under ∂z2/∂h, a step not read
    }
    assert rows_[13].reason == "d×1, d×d, d×1: the shapes of z1, W1, x"


def test_a_wrong_row_of_dimensions_is_a_note():
    report = check("residual", derivation=str(HERE / "q1-W2-transposed.tex"), jobs=1)
    (row,) = [e for e in report.derivation.equations if e.kind == "dimensions"]
    assert row.steps[0].status == "wrong"
    assert row.steps[0].reason == "W2_bar is 1×d, not d×1"
    assert any(n.endswith(":4: W2_bar is 1×d, not d×1") for n in report.notes)


def test_a_local_definition_is_named_where_it_is_used():
    report = check("softmax", bias=False, derivation=str(SEED), section="Q2", jobs=1)
    (h_prime,) = [e for e in report.derivation.equations if e.line == 62]
    assert h_prime.reason.endswith("(h is a local definition, line 56: not substituted)")


def test_noise_is_ignored_and_a_shape_claim_checked():
    forward, claim = read(r"z_2 = h + x \implies \underline{z_2 \in \mathbb{R}^{1 \times d}}", R)
    assert (forward.kind, forward.steps[0].formula) == ("forward", "h + x")
    assert claim.kind == "shape" and claim.reason == "wrong: z2 is d×1, not 1×d"


@pytest.mark.parametrize(
    "latex, target, formula",
    [
        (r"y_k = \frac{\exp(z_k)}{\sum_{j=1}^N e^{z_j}}", "y", "exp(z) / sum(exp(z))"),
        (r"L = -\sum_k t_k \log y_k", "L", "-sum(t * log(y))"),
        (r"\frac{\partial L}{\partial z_k} = y_k \sum_j t_j - t_k", "z", "y * sum(t) - t"),
        (r"\frac{\partial L}{\partial w_k} = (y_k - t_k) x", "W", "(y - t) @ x.T"),
        (r"\bar{W} = \bar{z} \mathbf{x}^T", "W", "z_bar @ x.T"),
        (
            r"\frac{\partial y}{\partial z} = \mathrm{diag}(y) - y y^T",
            "dy/dz",
            "diag(y) - (y @ y.T)",
        ),
    ],
)
def test_index_notation(latex, target, formula):
    eq, step = only(latex, S)
    assert (eq.target, step.formula) == (target, formula)


def test_kronecker_delta_and_cases_are_checked_and_pass():
    doc = HERE / "q2-markdown-correct.md"
    report = check("softmax", derivation=str(doc), jobs=1)
    labels = {e.label: e.steps[0].status for e in report.derivation.equations if e.steps}
    assert labels["∂y/∂z"] == labels["∂y/∂z (k = k')"] == labels["∂y/∂z (k ≠ k')"] == "PASS"


def test_a_wrong_case_is_named_and_the_right_one_is_not():
    report = check("softmax", bias=False, derivation=str(HERE / "q2-softmax-diag-y.tex"), jobs=1)
    cases = {e.case: e.steps[0].status for e in report.derivation.equations if e.case}
    assert cases == {reader.DIAG: "FAIL", reader.OFF: "PASS"}


def test_a_model_file_is_read_with_its_own_names(tmp_path):
    doc = tmp_path / "minimal.md"
    doc.write_text(
        "# minimal.py\n\n$$\\bar{h} = h - t$$\n$$\\bar{z} = \\bar{h} \\circ (1 - h^2)$$\n"
        "$$\\bar{W} = \\bar{z} x^T, \\quad \\bar{x} = W^T \\bar{z}$$\n"
        "A slip: $\\bar{W} = x^T \\bar{z}$ would not even chain.\n"
    )
    r = invoke("check", ROOT / "examples" / "minimal.py", "--derivation", doc, "--format", "json")
    assert r.exit_code == 0, r.output
    got = rows(r)
    assert {k for k, g in got.items() if g["origin"]} == {"h", "z", "W", "x"}
    last = json.loads(r.stdout)["derivation"]["equations"][-1]
    assert last["line"] == 6 and last["status"] == "not understood"


# --- bad input: one line, exit 2 -------------------------------------------------------


def one_line_error(r, *words):
    assert r.exit_code == 2, r.output
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("gradcheck: error: "), r.stderr
    assert "Traceback" not in r.output
    for w in words:
        assert w in lines[0], lines[0]


def test_missing_file(tmp_path):
    one_line_error(invoke("residual", "--derivation", tmp_path / "no.md"), "not found")


def test_nothing_understood(tmp_path):
    doc = tmp_path / "prose.md"
    doc.write_text("# Q1\n\nI did it in my head. $a = b$\n")
    one_line_error(invoke("residual", "--derivation", doc), "nothing checkable", "line 3")


def test_no_math(tmp_path):
    doc = tmp_path / "prose.md"
    doc.write_text("No math at all.\n")
    one_line_error(invoke("residual", "--derivation", doc), "no equation found")


def test_unknown_section_lists_the_sections():
    r = invoke("residual", "--derivation", SEED, "--section", "Q7")
    one_line_error(r, "no section matches 'Q7'", "'Q1)' (line 7)", "'Q2)' (line 51)")


def test_unclosed_dollar(tmp_path):
    doc = tmp_path / "open.md"
    doc.write_text("text\n\n$$\\bar{x} = W_1^T \\bar{z}_1\n")
    one_line_error(invoke("residual", "--derivation", doc), "line 3", "never closed")


def test_binary_file(tmp_path):
    doc = tmp_path / "b.pdf"
    doc.write_bytes(b"%PDF\xff\xfe\x00")
    one_line_error(invoke("residual", "--derivation", doc), "not a UTF-8 text file")


def test_section_needs_a_derivation():
    one_line_error(invoke("residual", "--section", "Q1"), "--section", "--derivation")


def test_derivation_and_grad_are_one_or_the_other():
    r = invoke("residual", "--derivation", SEED, "--grad", "x = W1.T @ z1_bar")
    one_line_error(r, "--derivation", "--grad")


def test_lark_is_loaded_only_for_a_derivation():
    code = (
        "import sys; import gradcheck_cli.cli; from gradcheck_cli import check; "
        "check('residual', d=2, jobs=1); assert 'lark' not in sys.modules, 'lark loaded'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


# --- anything a student writes: no crash, only a listing or a one-line error ----------

TOKENS = [
    *(
        r"\bar{ } { x W _1 _2 ^T ^{(1)} = + - \circ \frac{ \partial L / d ( ) \left( \right)"
        r" \sum_j y_k z_{k'} \delta_{kl} t_k \phi' G k=k' \quad \implies 2 ^2 \exp \log"
        r" \tanh e^{ & \\ \in \mathbb{R}^d \times \cdot \nabla_x \mathbf{ \mathcal{L} '"
        r" \underline{ h z_1 \dots , _{d\times1} \begin{cases} \end{cases}"
    ).split(),
    r"\text{ when }",
]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), min_size=1, max_size=14))
def test_the_reader_never_crashes(tokens):
    try:
        doc = document.read("f.md", "$$" + " ".join(tokens) + "$$")
    except ValueError:
        return  # an unclosed piece of math: the usage error it becomes is tested above
    for model in (R, S):
        for eq in reader.read(doc, model):
            assert eq.kind and (eq.steps or eq.reason or eq.kind in ("adjoint", "forward"))


def test_cases_otherwise_deltas_and_sections_bound_the_case(tmp_path):
    doc = tmp_path / "cases.md"
    doc.write_text(
        "# Q2\n\nIf $k = k'$, then\n\n"
        "$$\\frac{\\partial y_k}{\\partial z_{k'}} = y_k (1 - y_k)$$\n\n"
        "Together, $\\frac{\\partial y_k}{\\partial z_{k'}} = y_k (\\delta_{kk'} - y_{k'})$, or\n\n"
        "$$\\frac{\\partial y_k}{\\partial z_{k'}} = \\begin{cases} y_k (1 - y_k) & k = k' \\\\ "
        "-y_k y_{k'} & \\text{otherwise} \\end{cases}$$\n\n"
        "# Q3\n\n$$\\frac{\\partial y_k}{\\partial z_{k'}} = - y_k y_{k'}$$\n"
    )
    report = check("softmax", bias=False, derivation=str(doc), jobs=1)
    got = [(e.line, e.case, e.steps[0].status) for e in report.derivation.equations]
    assert got == [
        (5, reader.DIAG, "PASS"),  # the case the prose set
        (7, None, "PASS"),  # \delta: every entry, whatever the prose said
        (9, reader.DIAG, "PASS"),
        (9, reader.OFF, "PASS"),  # otherwise: the case the other row does not name
        (13, None, "FAIL"),  # a new section: no case held; -y_k y_k' is wrong on the diagonal
    ]


def test_a_configs_derivation_is_found_beside_it(tmp_path):
    (tmp_path / "notes.md").write_text((HERE / "q1-skip-split.md").read_text())
    config = tmp_path / "q1.toml"
    config.write_text('[model]\nname = "residual"\n\n[check]\nderivation = "notes.md"\n')
    r = invoke("run", config, "--format", "json")
    assert r.exit_code == 1, r.output
    assert rows(r)["h"]["origin"] == f"{tmp_path / 'notes.md'}:9"
