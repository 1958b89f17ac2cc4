"""--plot on a check: a heatmap of err / bound per entry of the tensors that fail."""

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from gradcheck_cli.api import check
from gradcheck_cli.cli import app
from gradcheck_cli.report import plot

runner = CliRunner()
needs_matplotlib = pytest.mark.skipif(
    importlib.util.find_spec("matplotlib") is None, reason="matplotlib is not installed"
)
PNG = b"\x89PNG\r\n\x1a\n"


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def _no_check(monkeypatch):
    import gradcheck_cli.api

    def refuse(*a, **k):
        raise AssertionError("the check ran")

    monkeypatch.setattr(gradcheck_cli.api, "execute", refuse)


def test_without_matplotlib_one_line_and_exit_2_before_the_check(monkeypatch, tmp_path):
    _no_check(monkeypatch)
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # (import matplotlib fails)
    r = invoke("residual", "--inject", "W1-transposed", "--plot", tmp_path / "t.png")
    assert r.exit_code == 2 and r.stdout == "", r.output
    (line,) = r.stderr.splitlines()
    assert "needs matplotlib" in line and "python3 -m pip install matplotlib" in line
    assert list(tmp_path.iterdir()) == []


def test_plot_all_without_plot_and_bad_files_are_refused_before_the_check(monkeypatch, tmp_path):
    _no_check(monkeypatch)
    for args, said in [
        (["--plot-all"], "--plot-all needs --plot FILE.png"),
        (["--plot", tmp_path / "t.txt"], "unknown format 'txt'"),
        (["--plot", tmp_path / "no" / "t.png"], "does not exist"),
        (["--plot", ""], "--plot needs a file name"),
    ]:
        r = invoke("softmax", *args)
        assert r.exit_code == 2 and said in r.stderr and len(r.stderr.splitlines()) == 1, args


def test_the_bound_and_kinks_of_every_entry_are_in_the_arrays():
    report = check("residual", d=3, inject="W1-transposed")
    for row in report.gradients:
        bound, kink = report.arrays[f"bound/{row.id}"], report.arrays[f"kink/{row.id}"]
        assert bound.shape == kink.shape == row.dims and kink.dtype == bool
        err = np.abs(report.arrays[f"analytic/{row.id}"] - report.arrays[f"numeric/{row.id}"])
        assert ((err > bound) & ~kink).any() == (row.comparison.status == "FAIL")


def test_only_failing_tensors_get_a_panel_laid_out_as_the_title_says():
    report = check("softmax", batch=3, inject="softmax-diag-y")
    (panel,) = plot.panels(report)
    assert panel.title.startswith("∂y/∂z · 3×10×10 · FAIL: 30 of 300")
    assert "3 blocks of 10×10 side by side" in panel.title and panel.blocks == 3
    assert panel.ratio is not None and panel.ratio.shape == (10, 30)
    assert panel.caption == "the error is confined to the diagonal"
    assert (panel.ratio > 1).sum() == 30 and panel.worst == (2, 22)  # [2,2,2]: block 2
    assert len(plot.panels(report, every=True)) == len(report.gradients)


def test_a_transposed_matrix_is_a_mirror_and_a_column_is_a_row():
    (W1,) = plot.panels(check("residual", d=6, inject="W1-transposed"))
    assert W1.ratio is not None
    fails = W1.ratio > 1
    assert (fails == fails.T).all() and not fails.diagonal().any() and fails.sum() == 30
    (x,) = plot.panels(check("residual", d=6, inject="x-skip-dropped"))
    assert x.ratio is not None and x.ratio.shape == (1, 6) and (x.ratio > 1).all()
    assert "a column, drawn as a row" in x.title


def test_a_wrong_shape_is_a_panel_in_words():
    (W2,) = plot.panels(check("residual", d=4, inject="W2-transposed"))
    assert W2.ratio is None and W2.caption.startswith("transposed: A is 4×1 and equals Nᵀ")
    report = check("residual", d=4, directions=2, inject="phi-for-dphi")
    words = {p.title.split(" · ")[0]: p.caption for p in plot.panels(report, every=True)}
    assert words[r"$\bar{y}$"] == "checked along random directions: no per-entry error"


@needs_matplotlib
def test_a_failing_check_writes_the_file_and_still_exits_1(tmp_path):
    out = tmp_path / "t.png"
    r = invoke("residual", "--d", 4, "--inject", "W1-transposed", "--plot", out)
    assert r.exit_code == 1, r.output
    assert "FAIL" in r.stdout and r.stderr == f"gradcheck: wrote {out}\n"
    assert out.read_bytes().startswith(PNG)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.png"]  # no temporary left


@needs_matplotlib
def test_a_passing_check_plots_nothing_and_says_so(tmp_path):
    out = tmp_path / "t.png"
    r = invoke("residual", "--d", 3, "--plot", out)
    assert r.exit_code == 0 and not out.exists()
    assert r.stderr == f"gradcheck: nothing plotted to {out}: no tensor fails (--plot-all)\n"
    assert invoke("residual", "--d", 3, "--plot", out, "-q").stderr == ""


@needs_matplotlib
def test_plot_all_plots_every_tensor(tmp_path, monkeypatch):
    import matplotlib.figure

    saved = []
    real = matplotlib.figure.Figure.savefig

    def spy(fig, *a, **k):
        saved.append([ax.get_title() for ax in fig.axes if ax.get_title()])
        return real(fig, *a, **k)

    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", spy)
    out = tmp_path / "all.svg"
    r = invoke("softmax", "--batch", 2, "--plot-all", "--plot", out)
    assert r.exit_code == 0 and r.stderr == f"gradcheck: wrote {out}\n"
    (titles,) = saved  # one figure, written once
    assert len(titles) == 6 and all(" · PASS" in t for t in titles)  # ȳ, ∂y/∂z, z̄, W̄, b̄, x̄
    assert titles[1].startswith("∂y/∂z · 2×10×10 · PASS\n2 blocks of 10×10")
    assert out.read_text().lstrip().startswith("<?xml")


SLIP = """import numpy as np

TARGETS = ["t"]


def init(rng):
    return {"W": rng.standard_normal((6, 8)), "x": rng.standard_normal((8, 3)),
            "t": rng.standard_normal((6, 3))}


def forward(p, tap):
    h = tap("h", np.tanh(p["W"] @ p["x"]))
    return 0.5 * np.sum((h - p["t"]) ** 2)


def backward(v):
    z_bar = (v["h"] - v["t"]) * (1 - v["h"] ** 2)
    W_bar = z_bar @ v["x"].T
    W_bar[2, 5] = z_bar[2, :-1] @ v["x"][5, :-1]   # the sum stops one column short
    return {"h": v["h"] - v["t"], "W": W_bar, "x": v["W"].T @ z_bar}
"""


def test_an_indexing_slip_in_a_model_file_is_one_cell(tmp_path):
    (tmp_path / "slip.py").write_text(SLIP)
    (W,) = plot.panels(check(str(tmp_path / "slip.py")))
    assert W.ratio is not None and W.ratio.shape == (6, 8) and W.worst == (2, 5)
    assert np.argwhere(W.ratio > 1).tolist() == [[2, 5]]
    caption = "the error is confined to entry [2, 5] (1 of 48 beyond rtol 1e-05)"
    assert " ".join(W.caption.split()) == caption


@needs_matplotlib
def test_kinks_are_drawn_apart(tmp_path):
    report = check("residual", activation="relu", integers=True, method="central", batch=4, d=6)
    assert report.count("KINK") > 0
    drawn = plot.panels(report, every=True)
    assert sum(bool(p.kink is not None and p.kink.any()) for p in drawn) == report.count("KINK")
    write = plot.writer(report, "png", every=True)
    assert write is not None
    with open(tmp_path / "k.png", "wb") as fh:
        write(fh)
    assert (tmp_path / "k.png").read_bytes().startswith(PNG)
    assert plot.writer(check("residual", d=2), "png") is None


def test_the_help_imports_neither_numpy_nor_matplotlib():
    import subprocess

    code = (
        "import sys\nfrom gradcheck_cli.cli import main\nsys.argv = ['gradcheck', 'residual', "
        "'--help']\ntry:\n    main()\nexcept SystemExit:\n    pass\n"
        "assert 'numpy' not in sys.modules and 'matplotlib' not in sys.modules\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0 and "--plot-all" in r.stdout, r.stderr


def test_under_a_uniform_field_the_signed_view_shows_the_pattern():
    # a scale error: err / bound is one red field; A − N = (c − 1) N has N's pattern
    report = check("residual", d=6, grad=["x = 2 * (W1.T @ z1_bar + z2_bar)"])
    (x,) = plot.panels(report)
    assert x.ratio is not None and (x.ratio > 1).all() and x.signed is not None
    N = report.arrays["numeric/x"].T
    assert x.signed.shape == x.ratio.shape == N.shape
    assert np.allclose(x.signed, N) and (x.signed > 0).any() and (x.signed < 0).any()
    (W2,) = plot.panels(check("residual", d=4, inject="W2-transposed"))
    assert W2.signed is None  # a wrong shape: nothing per entry, signed or not


@needs_matplotlib
def test_each_heatmap_has_its_signed_view_under_it(tmp_path, monkeypatch):
    import matplotlib.figure

    labels = []
    real = matplotlib.figure.Figure.savefig

    def spy(fig, *a, **k):
        labels.extend(ax.get_ylabel() for ax in fig.axes if ax.get_ylabel() == "A − N")
        return real(fig, *a, **k)

    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", spy)
    out = tmp_path / "s.png"
    model = Path(__file__).resolve().parent.parent / "examples" / "mlp_buggy.py"
    r = invoke("check", model, "--plot", out)
    assert r.exit_code == 1 and out.read_bytes().startswith(PNG)
    drawn = [p for p in plot.panels(check(str(model))) if p.ratio is not None]
    assert len(labels) == len(drawn) > 0
