"""Diagnoses: each bug's cause is named; correct models get none; random errors no story."""

import numpy as np
import pytest

from gradcheck_cli.diagnose import NONE, RULES, Case
from gradcheck_cli.diagnose import diagnose as diagnose_case
from gradcheck_cli.models import BUILDERS
from gradcheck_cli.models.builtin import bugs
from gradcheck_cli.pipeline import run_check
from gradcheck_cli.result import Tolerance


def diagnose(*args, **kwargs):
    """The diagnosis of one case, its fields given as arguments."""
    return diagnose_case(Case(*args, **kwargs))


TOL = Tolerance()
rng = np.random.default_rng(0)
N = rng.standard_normal((4, 3))

EXPECTED = {
    "x-skip-dropped": ("term", "missing a term equal to z̄2"),
    "W2-transposed": ("transpose", "transposed"),
    "W1-transposed": ("transpose", "transposed values"),
    "phi-for-dphi": ("product", "the forward value h where a derivative belongs"),
    "hadamard-as-matmul": ("outer", "a matrix product in place of the elementwise ∘"),
    "skip-split": ("scale", "½"),
    "batch-mean-forgotten": ("scale", "B = 3: the batch mean's 1/B is missing"),
    "softmax-diag-y": ("where", "confined to the diagonal"),
    "z-sign-flipped": ("sign", "A = −N"),
    "W-outer-swapped": ("transpose", "transposed"),
    "b-dropped": ("zero", "all zero"),
}


@pytest.mark.parametrize("bug", bugs.BUGS, ids=[f"{b.model}-{b.name}" for b in bugs.BUGS])
@pytest.mark.parametrize("activation", ["tanh", "relu", "gelu"])
def test_every_bug_gets_the_diagnosis_naming_its_cause(bug, activation):
    options = (
        dict(d=6, activation=activation, batch=3, seed=1)
        if bug.model == "residual"
        else dict(n=7, d=4, bias=True, batch=3, seed=1)
    )
    model = BUILDERS[bug.model](**options)
    model = bugs.inject(model, bug)
    row = next(r for r in run_check(model).gradients if r.id == bug.target)
    assert row.comparison.status == "FAIL"
    kind, phrase = EXPECTED[bug.name]
    assert row.diagnosis.kind == kind, row.diagnosis
    assert phrase in row.diagnosis.message


@pytest.mark.parametrize(
    "model,options", [("residual", dict(d=5, batch=2)), ("softmax", dict(batch=3))]
)
def test_correct_model_gets_no_diagnosis(model, options):
    report = run_check(BUILDERS[model](**options))
    assert all(r.diagnosis is None for r in report.gradients)


@pytest.mark.parametrize("seed", range(40))
def test_random_wrong_gradients_get_no_false_story(seed):
    """Random relative errors on every entry of every adjoint: "no simple pattern"."""
    r = np.random.default_rng(seed)
    model = BUILDERS["residual"](
        d=int(r.integers(2, 9)),
        batch=int(r.integers(1, 4)),
        seed=seed,
        activation=str(r.choice(["tanh", "relu", "softplus"])),
    )
    env = model.forward()
    good = model.backward(env)
    numeric = {name: good[name] for name in good}
    values = {n: np.asarray(env[n]) for n in ["W1", "W2", "x", "t", "z1", "h", "z2", "y"]}
    for name, N_ in numeric.items():
        A = N_ * (1 + 0.1 * r.standard_normal(N_.shape))
        others = {k: v for k, v in numeric.items() if k != name}
        d = diagnose(
            A, N_, TOL, others, {k: v for k, v in values.items() if k != name}, model.symbols
        )
        assert d.kind == "none" and d.message.startswith(NONE), (name, d)


def test_unit_rules():
    assert diagnose(-N, N, TOL).kind == "sign"
    d = diagnose(3.7 * N, N, TOL)
    assert d.kind == "scale" and d.detail["c"] == pytest.approx(3.7)
    assert "B = 4" in diagnose(4 * N, N, TOL, symbols={"B": 4}).message
    assert "1/B" in diagnose(N / 4, N, TOL, symbols={"B": 4}).message
    assert "½ of the loss" in diagnose(2 * N, N, TOL).message
    assert diagnose(N.T.copy(), N, TOL).kind == "transpose"
    assert diagnose(np.zeros_like(N), N, TOL).kind == "zero"
    A = N.copy()
    A[1, 2] = np.nan
    assert diagnose(A, N, TOL).kind == "nonfinite"
    V = rng.standard_normal(N.shape)
    assert diagnose(N - V, N, TOL, {"ū": V}).message == "missing a term equal to ū"
    assert diagnose(N + V, N, TOL, {"ū": V}).message == "an extra term equal to ū"
    assert "2.5·ū" in diagnose(N - 2.5 * V, N, TOL, {"ū": V}).message


def test_where_rules():
    S = rng.standard_normal((5, 5))
    A = S.copy()
    A[np.diag_indices(5)] *= 1.3
    A[2, 2] = S[2, 2] + 0.7  # not a single scale: only "where" explains it
    assert diagnose(A, S, TOL).message == "the error is confined to the diagonal"
    A = S.copy()
    A[3] += rng.standard_normal(5)
    assert diagnose(A, S, TOL).message == "the error is confined to row(s) 3"
    A = S.copy()
    A[:, 1] += rng.standard_normal(5)
    assert diagnose(A, S, TOL).message == "the error is confined to column(s) 1"
    z = rng.standard_normal((6, 1))
    N1 = rng.standard_normal((6, 1))
    A = np.where(z <= 0, N1 + rng.standard_normal((6, 1)), N1)
    assert "where z ≤ 0" in diagnose(A, N1, TOL, values={"z": z}).message


def test_random_shape_mismatch_is_not_explained_away():
    d = diagnose(
        rng.standard_normal((3, 3)),
        rng.standard_normal((3, 1)),
        TOL,
        {"ū": rng.standard_normal((3, 1))},
    )
    assert d.kind == "shape" and "expected 3×1" in d.message


@pytest.mark.parametrize(
    "delta,kind,phrase",
    [(1e-3, "where", "confined to entry [2, 5]"), (1e-9, "small", "bound, [2, 5], differs by")],
)
def test_one_wrong_entry_is_named_not_called_a_scale(delta, kind, phrase):
    from gradcheck_cli.testing import plant_error

    model = plant_error(BUILDERS["residual"](d=8, seed=2), "W1", (2, 5), delta)
    row = run_check(model).row("W1")
    assert row.comparison.status == "FAIL"
    assert row.diagnosis.kind == kind and phrase in row.diagnosis.message, row.diagnosis.message


W = np.random.default_rng(7).standard_normal(N.shape)  # its own generator: rng is shared


def noisy(X: np.ndarray, rel: float, seed: int) -> np.ndarray:
    """X with independent relative noise of size ``rel`` on every entry."""
    return X * (1 + rel * np.random.default_rng(seed).standard_normal(X.shape))


def test_a_multiple_of_the_variables_own_value_is_named():
    d = diagnose(N - 0.7 * W, N, TOL, own=W, own_name="W")
    assert d.kind == "term" and d.detail == {"term": "W", "k": pytest.approx(0.7)}
    assert d.message.startswith("missing a term 0.7·W (the variable's own value): a weight-decay")
    assert "an extra term 0.1·W" in diagnose(N + 0.1 * W, N, TOL, own=W, own_name="W").message
    assert "1e-07·W" in diagnose(N - 1e-7 * W, N, TOL, own=W, own_name="W").message  # rtol-small
    assert diagnose(N - 0.7 * W, N, TOL).kind == "none"  # not without ``own``


def test_the_own_value_rule_yields_to_simpler_ones_and_to_noise():
    assert diagnose(-N, N, TOL, own=W, own_name="W").kind == "sign"
    assert diagnose(2 * N, N, TOL, own=N / 3, own_name="W").kind == "scale"  # A = N − 3·(N/3)
    A = N.copy()
    A[2, 1] += 1e-3
    assert diagnose(A, N, TOL, own=W, own_name="W").message.startswith("the error is confined")
    for seed in range(20):
        for rel in (1e-13, 1e-9, 1e-6, 0.1):
            d = diagnose(noisy(N, rel, seed), N, TOL, own=W, own_name="W")
            assert d.kind not in ("term", "scale"), (seed, rel, d)


def test_pi_typed_with_too_few_digits_is_a_scale_not_small():
    S = rng.standard_normal((6, 5))
    for tol in (TOL, Tolerance(rtol=1e-9)):  # within the classic tolerance, and beyond it
        d = diagnose(S * 3.14159 / np.pi, S, tol)
        assert d.kind == "scale" and d.detail["c"] == pytest.approx(3.14159 / np.pi, abs=1e-12)
        assert d.message == (
            "scaled: A = c·N with c = 0.99999916 (a constant typed with too few digits?)"
        )
    assert diagnose(S * (1 + 1e-11), S, TOL).message.endswith(
        "c = 1.000000000010 (a constant typed with too few digits?)"
    )


@pytest.mark.parametrize("seed", range(30))
def test_noise_and_one_wrong_entry_stay_small(seed):
    """Noise of any size within rtol, or one entry off: "small", never a scale."""
    r = np.random.default_rng(seed)
    S = r.standard_normal((int(r.integers(2, 8)), int(r.integers(2, 8))))
    rel = 10.0 ** r.uniform(-15, -6)
    assert diagnose(noisy(S, rel, seed), S, TOL).kind == "small"
    A = S.copy()
    A[1, 1] += rel
    assert diagnose(A, S, TOL).kind == "small"


def test_a_scale_seen_on_three_entries_only_is_not_claimed_within_rtol():
    v = np.array([[1.0], [-2.0], [0.5]])
    assert diagnose(v * 3.14159 / np.pi, v, TOL).kind == "small"


def kinks(*entries) -> np.ndarray:
    mask = np.zeros(N.shape, bool)
    for i in entries:
        mask[i] = True
    return mask


def test_entries_excused_as_kinks_are_never_named():
    A = N.copy()
    A[1, 1] += 0.5
    A[3, 2] += 0.3
    both = "the error is confined to entries [1, 1], [3, 2] (2 of 12 beyond rtol 1e-05)"
    assert diagnose(A, N, TOL).message == both
    d = diagnose(A, N, TOL, exclude=kinks((3, 2)))
    assert d.message == "the error is confined to entry [1, 1] (1 of 12 beyond rtol 1e-05)"
    A = noisy(N, 1e-9, 0)
    A[3, 2] *= 1 + 1e-6
    assert diagnose(A, N, TOL).detail["index"] == (3, 2)
    d = diagnose(A, N, TOL, exclude=kinks((3, 2)))
    assert d.kind == "small" and d.detail["index"] != (3, 2) and "[3, 2]" not in d.message


def test_patterns_are_fitted_on_the_entries_not_excused():
    ex = kinks((0, 0), (3, 1))
    for A, kind in (
        (-N, "sign"),
        (2.5 * N, "scale"),
        (N * 3.14159 / np.pi, "scale"),
        (N - 0.7 * W, "term"),
    ):
        A = A.copy()
        A[ex] = 9.0  # a kink's one-sided slope: nothing like the pattern
        assert diagnose(A, N, TOL, own=W, own_name="W").kind != kind
        d = diagnose(A, N, TOL, own=W, own_name="W", exclude=ex)
        assert d.kind == kind, d
    A = N.copy()
    A[ex] = 9.0
    assert diagnose(A, N, TOL, exclude=ex).kind == "small"  # right wherever it is defined


class WeightDecay:
    """½‖tanh(W x) − t‖² + λ‖W‖²; its backward writes λW where the derivative is 2λW."""

    LAM = 0.05
    TARGETS = ["t"]

    def init(self, rng):
        return {
            "W": rng.standard_normal((3, 4)),
            "x": rng.standard_normal((4, 2)),
            "t": rng.standard_normal((3, 2)),
        }

    def forward(self, p, tap):
        h = tap("h", np.tanh(p["W"] @ p["x"]))
        return 0.5 * np.sum((h - p["t"]) ** 2) + self.LAM * np.sum(p["W"] ** 2)

    def backward(self, v):
        z_bar = (v["h"] - v["t"]) * (1 - v["h"] ** 2)
        return {
            "h": v["h"] - v["t"],
            "W": z_bar @ v["x"].T + self.LAM * v["W"],
            "x": v["W"].T @ z_bar,
        }


def test_weight_decay_written_lambda_w_is_named_from_a_real_check():
    from gradcheck_cli import check
    from gradcheck_cli.engine.bounds import classic

    report = check(WeightDecay())
    assert [r.id for r in report.gradients if r.comparison.status == "FAIL"] == ["W"]
    A, N_ = report.arrays["analytic/W"], report.arrays["numeric/W"]
    d = diagnose(A, N_, classic(report.method, None), own=report.arrays["value/W"], own_name="W")
    assert d.kind == "term" and d.detail["k"] == pytest.approx(WeightDecay.LAM, rel=1e-9)
    assert "missing a term 0.05·W (the variable's own value)" in d.message


# --- the patterns of real layers: permuted copies, convolutions, support, offsets, points


def sigmoid(v):
    return 1 / (1 + np.exp(-v))


def test_a_reversed_or_shifted_copy_is_named():
    v = rng.standard_normal(9)
    d = diagnose(v[::-1].copy(), v, TOL)
    assert d.kind == "reversed" and "A[i] = N[n−1−i]" in d.message
    d = diagnose(np.roll(v[::-1], 1), v, TOL)  # a conjugate on the wrong factor of an FFT
    assert d.kind == "reversed" and "circularly" in d.message
    d = diagnose(np.roll(v, 2), v, TOL)
    assert d.kind == "shifted" and d.detail["shift"] == 2 and "rolled by 2" in d.message
    A = np.zeros(9)
    A[2:] = v[:-2]  # a slice off by 2: the edge left zero
    d = diagnose(A, v, TOL)
    assert d.kind == "shifted" and "A[i] = N[i − 2]" in d.message and "7 entries" in d.message
    M = rng.standard_normal((4, 6))
    d = diagnose(M[:, ::-1].copy(), M, TOL)
    assert d.kind == "reversed" and d.detail["axis"] == 1 and "along axis 1" in d.message


def test_a_convolution_where_a_correlation_belongs_is_named():
    u, k = rng.standard_normal(7), rng.standard_normal(3)
    d = diagnose(np.convolve(u, k, "full"), np.correlate(u, k, "full"), TOL, {"ū": u}, {"k": k})
    assert d.kind == "convolution" and d.detail == {"adjoint": "ū", "value": "k"}
    assert "A = np.convolve(ū, k, 'full') while N = np.correlate(ū, k, 'full')" in d.message
    k = rng.standard_normal(7)
    conv = np.fft.ifft(np.fft.fft(u) * np.fft.fft(k)).real
    corr = np.fft.ifft(np.fft.fft(u) * np.conj(np.fft.fft(k))).real
    d = diagnose(conv, corr, TOL, {"ū": u}, {"k": k})
    assert d.kind == "convolution" and "circular convolution of ū and k" in d.message
    assert diagnose(conv, corr, TOL).kind != "convolution"  # not without u and k


def test_wrong_support_is_named():
    z = rng.standard_normal((4, 5))
    h_bar = rng.standard_normal((4, 5))
    N_ = h_bar * (z > 0)
    d = diagnose(h_bar, N_, TOL, values={"h": np.maximum(z, 0)})  # relu's mask forgotten
    assert d.kind == "support" and "nonzero on all" in d.message and "exactly zero" in d.message
    assert "all where h ≤ 0" in d.message
    leaky = h_bar * np.where(z > 0, 1, 0.1)
    d = diagnose(N_, leaky, TOL)  # the leak forgotten
    assert d.kind == "support" and f"zero on {int((z <= 0).sum())} entries where N is not" in (
        d.message
    )


def test_offsets_along_an_axis_are_named():
    M = rng.standard_normal((6, 4))
    x = rng.standard_normal((6, 4))
    d = diagnose(M + 0.3, M, TOL)
    assert d.kind == "offset" and "A − N = 0.3 on every entry" in d.message
    d = diagnose(M + rng.standard_normal(4), M, TOL)  # a batch mean's term missing
    assert d.kind == "offset" and "constant in each column" in d.message
    d = diagnose(M + rng.standard_normal((6, 1)) * x, M, TOL, values={"x": x})
    assert d.kind == "offset" and "A − N = b·x in each row" in d.message
    d = diagnose(M + rng.standard_normal(4) + rng.standard_normal(4) * x, M, TOL, values={"x": x})
    assert d.kind == "offset" and "A − N = a + b·x in each column" in d.message
    d = diagnose(M + 0.02 - 0.5 * x, M, TOL, values={"x": x})
    assert d.kind == "offset" and "A − N = 0.02 − 0.5·x on every entry" in d.message
    two = x * (rng.standard_normal((6, 1)) + rng.standard_normal((1, 4)))
    d = diagnose(M + two, M, TOL, values={"x": x})  # a sum over the wrong axis
    assert d.kind == "offset" and "x ∘ (a_i + b_j)" in d.message


def test_a_derivative_at_the_wrong_point_is_named_given_the_rows_value():
    z = rng.standard_normal((3, 4))
    h, u = np.tanh(z), rng.standard_normal((3, 4))
    N_, A = u * (1 - h**2), u * (1 - z**2)  # tanh′ written 1 − z² on the row z̄
    d = diagnose(A, N_, TOL, values={"h": h}, own_name="z", value=z)
    assert d.kind == "point" and "1 − z² where 1 − h² belongs" in d.message
    assert diagnose(A, N_, TOL, values={"h": h}, own_name="z").kind == "none"  # z unseen
    s = sigmoid(z)
    d = diagnose(u * z * (1 - z), u * s * (1 - s), TOL, values={"s": s}, own_name="z", value=z)
    assert d.kind == "point" and "z(1 − z) where s(1 − s) belongs" in d.message
    d = diagnose(u * s * (1 - s), u, TOL, values={"s": s}, own_name="z", value=z)
    assert d.kind == "factor" and d.message.startswith("an extra factor: A = N ∘ s(1 − s)")


def test_an_error_beyond_a_threshold_is_placed():
    r = rng.standard_normal((4, 6))
    N_ = np.clip(r, -0.5, 0.5)  # Huber's derivative, δ = 0.5
    A = np.where(np.abs(r) > 0.5, 2 * N_, N_)  # sign(r) for δ sign(r)
    d = diagnose(A, N_, TOL)
    assert d.kind == "where" and "where |N| ≥ 0.5" in d.message and "A = 2·N there" in d.message


def test_a_root_of_a_whole_number_is_named():
    assert "c = 2.82843 = √8: a factor 1/√8 missing" in diagnose(np.sqrt(8) * N, N, TOL).message
    assert "= 1/√8: a factor 1/√8 once too often" in diagnose(N / np.sqrt(8), N, TOL).message


def test_no_pattern_says_what_is_true():
    d = diagnose(noisy(N, 0.1, 3), N, TOL)
    assert d.kind == "none" and d.message.startswith(f"{NONE}: 12 of 12 entries differ; A is ")
    assert d.detail == {"entries": 12}
    x = rng.standard_normal(N.shape)
    d = diagnose(N + 0.3 * x + 1e-3 * rng.standard_normal(N.shape), N, TOL, values={"x": x})
    assert d.kind == "none" and "A − N correlates with x (r = 1.00)" in d.message


@pytest.mark.parametrize("seed", range(40))
def test_noise_tells_no_story_to_the_new_rules(seed):
    """Relative noise on every entry, with 1-D adjoints and kernels, forward values of the
    same shape, the row's own value, and zeros in N: never a pattern."""
    r = np.random.default_rng(seed)
    shape = [(9,), (5, 4), (4, 4), (3, 6), (12,)][seed % 5]
    N_ = r.standard_normal(shape)
    if seed % 3 == 0:
        N_[r.random(shape) < 0.4] = 0.0  # a relu's zeros
    values = {"v": r.standard_normal(shape), "s": r.random(shape), "k": r.standard_normal(3)}
    A = noisy(N_, 0.1, seed)
    d = diagnose(
        A, N_, TOL, {"ū": r.standard_normal(shape)}, values, own_name="z", value=r.random(shape)
    )
    assert d.kind == "none", d


# --- the corpus: realistic one-line slips in independent layers (benchmarks/diagnoses/)


def corpus_benchmark():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "benchmarks" / "diagnoses.py"
    spec = importlib.util.spec_from_file_location("diagnoses_benchmark", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BENCH = corpus_benchmark()


@pytest.fixture(scope="module")
def outcomes():
    return [BENCH.outcome(p) for p in BENCH.corpus()]


def test_the_corpus_bugs_are_named_at_their_first_failing_row(outcomes):
    bugs = [o for o in outcomes if o.bug is not None]
    named = [o for o in bugs if o.ok]
    table = "\n".join(f"{o.name}: {o.first}: {o.said}" for o in bugs if not o.ok)
    assert len(bugs) >= 20
    assert len(named) == len(bugs), table  # the check gives each row its own value


def test_every_correct_twin_passes_with_no_diagnosis(outcomes):
    twins = [o for o in outcomes if o.bug is None]
    assert len(twins) >= 10
    assert [o.name for o in twins if not o.ok] == []


def test_every_rule_has_its_row_in_diagnoses_md_and_every_row_its_rule():
    """RULES is the registry: a new diagnosis is one entry there and its row in the docs."""
    import re
    from pathlib import Path

    text = (Path(__file__).parent.parent / "docs" / "diagnoses.md").read_text()
    table = text[text.index("| `kind` | pattern | a slip that makes it |") :].split("\n\n")[0]
    rows = [set(re.findall(r"`([a-z]+)`", r.split(" | ")[0])) for r in table.splitlines()[2:]]
    documented = set().union(*rows)
    for rule in RULES:
        assert any(rule.name in row for row in rows), f"{rule.name}: no row in docs/diagnoses.md"
        assert rule.doc, f"{rule.name}: no docstring"
    assert len({rule.name for rule in RULES}) == len(RULES)
    said = {kind for rule in RULES for kind in rule.kinds} | {"carried", "together"}  # (rows.py)
    assert documented == said


def test_how_the_wrong_entries_are_wrong_says_all_only_of_all():
    """A max-pool's window axes swapped (a red team's slip): A is 0 on half the wrong
    entries and nonzero where N is 0 on the other half; neither is "all of them"."""
    from gradcheck_cli.diagnose.rules import _sizes

    A, N = np.array([0.0, 0.0, 2.0, 3.0]), np.array([1.0, 5.0, 0.0, 0.0])
    assert _sizes(A, N, np.ones(4, bool)) == ["A is zero on 2, nonzero where N is 0 on 2"]
    assert _sizes(A[:2], N[:2], np.ones(2, bool)) == ["A is zero on all of them"]


def test_small_names_the_entry_the_verdict_failed_not_a_passing_one():
    """A within rtol everywhere: "small" names the verdict's worst failing entry (a red
    team's InfoNCE named [2, 3], which passed, where [3, 0] failed)."""
    from gradcheck_cli.diagnose.rules import _small

    A = np.array([[1.0, 1.0 + 3e-6], [1e-9 * (1 + 1e-6), 1.0]])
    N = np.array([[1.0, 1.0], [1e-9, 1.0]])
    tol = Tolerance(rtol=1e-5)
    assert _small(A, N, tol).detail["index"] == (0, 1)  # (the largest relative difference)
    named = _small(A, N, tol, worst=(1, 0))
    assert named.detail["index"] == (1, 0) and "[1, 0]" in named.message
