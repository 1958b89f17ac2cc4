"""A Report in a notebook: _repr_html_ is the terminal table as HTML, escaped, balanced."""

from dataclasses import replace
from html.parser import HTMLParser

import numpy as np

from gradcheck_cli import check
from gradcheck_cli.models import BUILDERS
from gradcheck_cli.pipeline import Settings, run_check
from gradcheck_cli.report.html import to_html
from gradcheck_cli.report.render import COLUMNS
from gradcheck_cli.report.schema import summary_text
from gradcheck_cli.result import FAIL, KINK, WEAK, Diagnosis

VOID = {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class Walker(HTMLParser):
    """Every tag, checked to balance; each <tr> with its classes, style and cells."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.tags: list[str] = []
        self.styles: list[str] = []
        self.rows: list[dict] = []
        self.text = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        self.styles.append(attrs.get("style") or "")
        if tag in VOID:
            return
        self.stack.append(tag)
        if tag == "tr":
            classes = (attrs.get("class") or "").split()
            self.rows.append({"classes": classes, "style": attrs.get("style") or "", "cells": []})
        elif tag in ("td", "th"):
            self.rows[-1]["cells"].append({"attrs": attrs, "text": ""})

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes <{self.stack[-1:]}>"
        self.stack.pop()

    def handle_data(self, data):
        self.text += data
        if "td" in self.stack or "th" in self.stack:
            self.rows[-1]["cells"][-1]["text"] += data


def walk(html: str) -> Walker:
    w = Walker()
    w.feed(html)
    w.close()
    assert not w.stack, f"unclosed: {w.stack}"
    return w


def rows(w: Walker, cls: str) -> list[dict]:
    return [r for r in w.rows if cls in r["classes"]]


def texts(row: dict) -> list[str]:
    return [c["text"] for c in row["cells"]]


def under(w: Walker, row: dict) -> list[dict]:
    """The lines under a row of the backward table (up to the next row)."""
    out = []
    for r in w.rows[w.rows.index(row) + 1 :]:
        if "gc-line" not in r["classes"]:
            break
        out.append(r)
    return out


def header_row(w: Walker) -> list[str]:
    return next(texts(r) for r in w.rows if "verdict" in texts(r))


def test_a_passing_check_has_a_row_per_adjoint_and_no_fail():
    report = check("residual", d=4, batch=2)
    w = walk(report._repr_html_())
    assert [texts(r)[0] for r in rows(w, "gc-row")] == [g.label for g in report.gradients]
    assert not rows(w, "gc-fail") and not rows(w, "gc-line")
    assert header_row(w) == [c for c in COLUMNS if c != "checked"]
    assert all(r["cells"][-1]["text"] == "PASS" for r in rows(w, "gc-row"))
    header = {texts(r)[0]: texts(r)[1] for r in w.rows if len(r["cells"]) == 2}
    assert {"model", "method", "bound", "loss"} <= set(header)
    assert header["loss"] == f"L = {report.loss:.10g}"
    assert w.text.endswith(summary_text(report))


def test_fail_rows_are_marked_red_with_their_diagnosis_under_them():
    report = check("residual", inject="x-skip-dropped")
    w = walk(report._repr_html_())
    assert len(rows(w, "gc-row")) == len(report.gradients)
    failed = rows(w, "gc-fail")
    assert len(failed) == report.count(FAIL) == 1
    assert "gc-row" in failed[0]["classes"] and "#cf222e" in failed[0]["style"]
    assert texts(failed[0])[0] == "x̄ *" and texts(failed[0])[-1] == "FAIL"
    lines = under(w, failed[0])
    assert [r["classes"] for r in lines] == [["gc-line", "gc-reason"], ["gc-line", "gc-diagnosis"]]
    row = report.row("x")
    assert texts(lines[0])[0].startswith(f"x̄: {row.comparison.reason}")
    assert texts(lines[1])[0] == f"diagnosis: {row.diagnosis.message}"
    width = str(len(failed[0]["cells"]))
    assert all(len(r["cells"]) == 1 and r["cells"][0]["attrs"]["colspan"] == width for r in lines)
    assert w.text.endswith(summary_text(report)) and summary_text(report).startswith("FAIL")


def _on_kink():
    """d = 2 with z1[0] = 0 exactly (tests/test_kinks.py)."""
    m = BUILDERS["residual"](d=2, activation="relu")
    m.values.update(
        W1=np.array([[1.0, -1.0], [1.0, 1.0]]),
        x=np.array([[1.0], [1.0]]),
        W2=np.array([[2.0, 1.0]]),
        t=np.array([[0.0]]),
    )
    return m


def test_kink_and_weak_rows_have_their_line_under_them():
    kinked = run_check(_on_kink(), Settings.of(method="central"))
    w = walk(kinked._repr_html_())
    assert kinked.count(KINK) and not rows(w, "gc-fail")
    for html_row, row in zip(rows(w, "gc-row"), kinked.gradients, strict=True):
        kinks = [r for r in under(w, html_row) if "gc-kink" in r["classes"]]
        assert len(kinks) == (1 if row.comparison.kinks else 0), row.label
        assert texts(html_row)[-1].startswith(row.comparison.status)
    softmax = BUILDERS["softmax"](
        n=17, d=32, batch=2, seed=9684, scale=45.01343734020972, bias=False
    )
    weak = run_check(softmax)  # y(1 − y) at y = 1 − 6.6e-12: its rounding is 1e-5 of it
    w = walk(weak._repr_html_())
    assert weak.count(WEAK) and not rows(w, "gc-fail")
    jac = next(r for r in rows(w, "gc-row") if texts(r)[-1] == "WEAK")
    assert weak.row("dy/dz").comparison.reason in texts(under(w, jac)[0])[0]


MODEL = """
import numpy as np

TARGETS = ["t"]
FORMULAS = {"h": "<b>tanh</b>(z) & co"}
ADJOINT_FORMULAS = {"z": "<b>h_bar</b> * (1 - h<script>alert(1)</script>)"}


def init(rng):
    return {"W": rng.standard_normal((3, 4)), "x": rng.standard_normal((4, 2)),
            "t": rng.standard_normal((3, 2))}


def forward(p, tap):
    z = tap("z", p["W"] @ p["x"])
    h = tap("h", np.tanh(z))
    return 0.5 * np.sum((h - p["t"]) ** 2)


def backward(v):
    h_bar = v["h"] - v["t"]
    z_bar = h_bar * (1 - v["h"])  # a slip: 1 - h²
    return {"h": h_bar, "z": z_bar, "W": z_bar @ v["x"].T, "x": v["W"].T @ z_bar}
"""


def test_a_model_files_formulas_do_not_inject_markup(tmp_path):
    path = tmp_path / "model.py"
    path.write_text(MODEL)
    report = check(str(path))
    html = report._repr_html_()
    w = walk(html)
    assert not {"b", "script"} & set(w.tags)
    assert "&lt;b&gt;h_bar&lt;/b&gt;" in html and "&lt;b&gt;tanh&lt;/b&gt;(z) &amp; co" in html
    z = next(r for r in rows(w, "gc-row") if texts(r)[0] == "z̄")
    assert texts(z)[1] == "<b>h_bar</b> * (1 - h<script>alert(1)</script>)"
    assert "gc-fail" in z["classes"]


def test_every_string_of_the_report_is_escaped():
    report = check("residual", inject="x-skip-dropped", d=3)
    hostile = "<i>x</i>&<script>"
    bad = replace(report.row("x"), label=hostile, diagnosis=Diagnosis("none", hostile))
    report = replace(
        report,
        title=hostile,
        options={"name": hostile},
        notes=[hostile],
        gradients=[bad if r.id == "x" else r for r in report.gradients],
    )
    html = to_html(report)
    w = walk(html)
    assert not {"i", "script"} & set(w.tags) and hostile not in html
    # title, options, the row, its reason and diagnosis lines, the note, the summary
    assert html.count("&lt;i&gt;x&lt;/i&gt;&amp;&lt;script&gt;") == 7


def test_a_pure_fragment_with_inline_styles_only(capsys):
    report = check("residual", d=3, inject="x-skip-dropped")
    html = report._repr_html_()
    assert html == to_html(report) == report._repr_html_()
    assert capsys.readouterr() == ("", "")
    w = walk(html)
    assert w.tags[0] == "div" and not {"style", "script", "link"} & set(w.tags)
    assert "javascript" not in html.lower() and " on" not in html.split(">")[0]
    assert any("color:" in s for s in w.styles)


def test_sampled_checks_show_how_many_were_checked():
    report = check("residual", d=3, sample=3)
    w = walk(report._repr_html_())
    head = header_row(w)
    assert "checked" in head and "max rel err" not in head
    assert len(rows(w, "gc-row")) == len(report.gradients)


def test_the_taylor_table_with_taylor():
    report = check("residual", d=3, taylor=True)
    w = walk(report._repr_html_())
    assert len(rows(w, "gc-taylor-row")) == len(report.taylor)
    assert len(rows(w, "gc-row")) == len(report.gradients)
