"""--plot on a check: where the error sits, as a heatmap of err / bound per entry.

One figure, one panel per tensor that fails (every tensor with --plot-all), on a grid.
An entry's colour is its err / bound on a log scale that turns at 1: blues pass, reds
fail. KINK entries (excused: A between the one-sided derivatives) are gold and hatched,
entries not checked (--sample) grey; the worst entry is outlined; the diagnosis is the
caption. The pattern is the finding: a transposed W̄1 is a mirror image about the
diagonal, a missing term a full field, an indexing slip one cell.

Under each heatmap, the signed error A − N on its own scale (red A > N, blue A < N):
where err / bound is one uniform field (a scale, a sign, an error carried from another
row), the signed view shows its pattern: a scale's A − N = (c − 1) N is N's own.

A vector is drawn as a row, and so is a d×1 column; a tensor of three or more
dimensions as its last two dimensions' blocks side by side (a B×N×N Jacobian: one block
per example), the first MAX_BLOCKS of them. The panel's title says so.

panels() needs numpy only; writer() imports matplotlib when the file is written.
"""

import logging
import math
import re
import textwrap
from collections.abc import Callable
from typing import Any

import numpy as np

from gradcheck_cli.errors import GradcheckError
from gradcheck_cli.records import frozen
from gradcheck_cli.result import FAIL, GradientRow, Report, dims

MAX_BLOCKS = 8  # blocks of a 3-D tensor drawn side by side; the rest are left out
MISSING = "--plot needs matplotlib: python3 -m pip install matplotlib"  # (cli/sweep.py too)
KINK_COLOUR, UNCHECKED_COLOUR = "#e8b100", "#d0d0d0"
KEY = (
    "colour: err / bound per entry (log scale; over 1 fails) · □ worst entry · "
    "gold, hatched: KINK (excused) · grey: not checked · below each: A − N, signed "
    "(red A > N, blue A < N)"
)


@frozen
class Panel:
    """One tensor as drawn: 2-D err / bound (NaN: not checked; None: no per-entry data)."""

    title: str
    caption: str
    ratio: np.ndarray | None = None
    kink: np.ndarray | None = None
    worst: tuple[int, int] | None = None  # the worst entry, where the panel draws it
    blocks: int = 1  # blocks side by side, each ratio.shape[1] // blocks wide
    signed: np.ndarray | None = None  # A − N, laid out as ratio (NaN: not checked)


def panels(report: Report, every: bool = False) -> list[Panel]:
    """A panel per FAIL row (every row if ``every``), in the report's order."""
    return [_panel(report, row) for row in report.gradients if every or _fails(row)]


def _fails(row: GradientRow) -> bool:
    return row.comparison.status == FAIL


def _panel(report: Report, row: GradientRow) -> Panel:
    c = row.comparison
    count = c.failed or c.kinks  # (a FAIL's failing entries; a KINK's excused ones)
    status = c.status + (f": {count} of {c.entries} entries" if count else "")
    head = f"{_label(row.label)} · {dims(row.dims)} · {status}"
    caption = row.diagnosis.message if row.diagnosis else ""
    ratio = _ratio(report.arrays, row.id)
    if ratio is None:  # a wrong shape, a NaN, not an array, --directions: nothing per entry
        why = c.reason or "checked along random directions: no per-entry error"
        return Panel(head, _wrap(caption or why))
    kink = report.arrays.get(f"kink/{row.id}")
    kink = np.zeros(ratio.shape, bool) if kink is None else kink
    grid, note, blocks = _laid_out(ratio)
    where, _, _ = _laid_out(np.arange(ratio.size).reshape(ratio.shape))
    worst = None
    if c.worst_index is not None and ratio.size:
        found = np.argwhere(where == np.ravel_multi_index(c.worst_index, ratio.shape))
        worst = (int(found[0][0]), int(found[0][1])) if found.size else None
    title = head + (f"\n{note}" if note else "")
    signed = (
        np.asarray(report.arrays[f"analytic/{row.id}"], float) - report.arrays[f"numeric/{row.id}"]
    )
    return Panel(
        title, _wrap(caption), grid, _laid_out(kink)[0], worst, blocks, _laid_out(signed)[0]
    )


def _ratio(arrays: dict, name: str) -> np.ndarray | None:
    """err / bound per entry (0 where A = N, NaN where not checked), or None."""
    A, N, bound = (arrays.get(f"{k}/{name}") for k in ("analytic", "numeric", "bound"))
    if A is None or N is None or bound is None or not A.shape == N.shape == bound.shape:
        return None
    err = np.abs(np.asarray(A, float) - N)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(err == 0, 0.0, err / bound)


def _laid_out(x: np.ndarray) -> tuple[np.ndarray, str, int]:
    """``x`` as a 2-D grid, what was done to it (for the title), and its blocks."""
    if x.ndim == 0:
        return x.reshape(1, 1), "", 1
    if x.ndim == 1:
        return x.reshape(1, -1), "a vector, drawn as a row", 1
    if x.ndim == 2:
        if x.shape[1] == 1 and x.shape[0] > 1:
            return x.T, "a column, drawn as a row", 1
        return x, "", 1
    blocks = x.reshape(-1, *x.shape[-2:])
    n = blocks.shape[0]
    shown = blocks[:MAX_BLOCKS]
    size = dims(x.shape[-2:])
    note = f"{n} blocks of {size} side by side"
    if n > MAX_BLOCKS:
        note = f"the first {MAX_BLOCKS} of {n} blocks of {size}, side by side"
    return np.hstack(list(shown)), note, len(shown)


def _label(label: str) -> str:
    """W̄1 as mathtext ($\\bar{W}$1): matplotlib does not place combining marks."""
    m = re.fullmatch(r"([A-Za-z])\u0304(\d*)", label)
    return rf"$\bar{{{m.group(1)}}}${m.group(2)}" if m else label


def _wrap(text: str) -> str:
    return "\n".join(textwrap.wrap(text, 56))


def writer(report: Report, fmt: str, every: bool = False) -> Callable[[Any], None] | None:
    """A function that draws the report's panels into a binary file in ``fmt`` (png,
    pdf, svg, ...), or None when there is nothing to draw (no row fails, not ``every``)."""
    drawn = panels(report, every)
    if not drawn:
        return None

    def write(fh) -> None:
        plt = pyplot()
        fig = _figure(plt, drawn, f"{report.title}: err / bound per entry")
        try:
            fig.savefig(fh, format=fmt, dpi=110)
        except (ValueError, RuntimeError) as e:  # (matplotlib's, for a format it cannot write)
            raise GradcheckError(f"cannot write --plot file: {e}") from None
        finally:
            plt.close(fig)

    return write


def pyplot():
    """matplotlib.pyplot, drawing to files (Agg), quiet; MISSING where it is not installed."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise GradcheckError(MISSING) from None
    logging.getLogger("matplotlib").setLevel(logging.ERROR)  # (eps: "no transparency")
    return plt


def _figure(plt, drawn: list[Panel], title: str):
    """One figure: the panels on a grid of up to three columns, one colour bar; under
    each heatmap its signed A − N, with a colour bar of its own."""
    cols = min(len(drawn), 3)
    rows = math.ceil(len(drawn) / cols)
    width = 4.2 * cols + 1.2
    heights = []
    for r in range(rows):
        row = drawn[r * cols : (r + 1) * cols]
        heights += [max(_height(p) for p in row), max(_signed_height(p) for p in row)]
    fig, axes = plt.subplots(
        2 * rows,
        cols,
        figsize=(width, sum(heights) + 1.2),
        squeeze=False,
        layout="constrained",
        gridspec_kw={"height_ratios": heights},
    )
    tops = [axes[2 * (i // cols), i % cols] for i in range(len(drawn))]
    unders = [axes[2 * (i // cols) + 1, i % cols] for i in range(len(drawn))]
    norm, cmap = _scale(drawn)
    image = None
    for ax, under, panel in zip(tops, unders, drawn, strict=True):
        image = _draw(ax, panel, norm, cmap) or image
        _draw_signed(fig, under, panel)
    for ax in axes.flat[:]:
        if not any(ax is used for used in (*tops, *unders)):
            ax.set_axis_off()
    if image is not None:
        bar = fig.colorbar(image, ax=tops, shrink=0.8, pad=0.02)
        ticks = range(math.ceil(norm.vmin), math.floor(norm.vmax) + 1)
        step = max(1, math.ceil(len(ticks) / 8))  # at most 8 labels
        bar.set_ticks([t for t in ticks if t % step == 0])
        bar.set_ticklabels(["1" if t == 0 else f"1e{t}" for t in ticks if t % step == 0])
        bar.set_label("err / bound (over 1 fails)")
        fig.supxlabel("\n".join(textwrap.wrap(KEY, int(13 * width))), fontsize=8, color="0.3")
    fig.suptitle(title, fontsize=11)
    return fig


def _signed_height(panel: Panel) -> float:
    """Inches the signed view under a panel needs (next to none when it has none)."""
    if panel.ratio is None or panel.signed is None:
        return 0.05
    return _height(panel) - 0.5


def _draw_signed(fig, ax, panel: Panel) -> None:
    """A − N per entry, on a scale symmetric about 0 of this tensor's own: red A > N,
    blue A < N, grey not checked."""
    if panel.ratio is None or panel.signed is None:
        ax.set_axis_off()
        return
    from matplotlib import colormaps
    from matplotlib.colors import CenteredNorm

    values = panel.signed
    finite = np.abs(values[np.isfinite(values)])
    half = float(finite.max()) if finite.size and finite.max() > 0 else 1.0
    cmap = colormaps["RdBu_r"].with_extremes(bad=UNCHECKED_COLOUR)
    h, w = values.shape
    image = ax.imshow(
        values,
        cmap=cmap,
        norm=CenteredNorm(0.0, half),
        aspect=_aspect((h, w)),
        interpolation="nearest",
    )
    _grid(ax, h, w, panel.blocks)
    ax.set_ylabel("A − N", fontsize=8)
    bar = fig.colorbar(image, ax=ax, shrink=0.8, pad=0.02)
    bar.ax.tick_params(labelsize=6)


def _aspect(shape: tuple[int, ...]) -> float:
    """imshow's aspect for an h×w grid: square cells, unless that is thinner than 1:4."""
    h, w = shape
    return min(max(1.0, 0.25 * w / h), 4.0 * w / h)


def _height(panel: Panel) -> float:
    """Inches a panel needs: its grid at 3.6 inches wide, its title and caption."""
    if panel.ratio is None:
        return 1.6
    h, w = panel.ratio.shape
    grid = min(3.3, max(0.45, min(3.6, 0.6 * w) * _aspect((h, w)) * h / w))  # cells ≤ 0.6"
    return grid + 0.9 + 0.15 * (panel.title.count("\n") + panel.caption.count("\n"))


def _scale(drawn: list[Panel]):
    """The colour scale all panels share: log10 of err / bound, turning at 1 (log 0)."""
    from matplotlib import colormaps
    from matplotlib.colors import ListedColormap, TwoSlopeNorm

    logs = [
        np.log10(p.ratio[(p.ratio > 0) & ~p.kink])
        for p in drawn
        if p.ratio is not None and p.kink is not None
    ]
    finite = np.concatenate(logs)[np.isfinite(np.concatenate(logs))] if logs else np.zeros(0)
    low = max(-8.0, math.floor(finite.min())) if finite.size else -3.0
    high = min(300.0, math.ceil(finite.max())) if finite.size else 1.0
    norm = TwoSlopeNorm(0.0, min(low, -1.0), max(high, 1.0))
    passes = colormaps["Blues_r"](np.linspace(0.15, 0.85, 128))
    fails = colormaps["Reds"](np.linspace(0.4, 1.0, 128))  # (a step at 1: no pale middle)
    cmap = ListedColormap(np.vstack([passes, fails])).with_extremes(bad=UNCHECKED_COLOUR)
    return norm, cmap


def _draw(ax, panel: Panel, norm, cmap):
    """One panel: the heatmap, its KINK cells, the worst entry; or the reason in words."""
    ax.set_title(panel.title, fontsize=9)
    if panel.ratio is None:
        ax.set_axis_off()
        ax.text(0.5, 0.5, panel.caption, ha="center", va="center", fontsize=9, wrap=True)
        return None
    from matplotlib.patches import Rectangle

    with np.errstate(divide="ignore"):
        logs = np.log10(panel.ratio)
    logs = np.clip(logs, norm.vmin, norm.vmax)  # (0: the low end; inf: the high end)
    h, w = logs.shape
    image = ax.imshow(logs, cmap=cmap, norm=norm, aspect=_aspect((h, w)), interpolation="nearest")
    if panel.kink is not None and panel.kink.any():
        _kinks(ax, panel.kink)
    if panel.worst is not None:
        r, c = panel.worst
        ax.add_patch(Rectangle((c - 0.5, r - 0.5), 1, 1, fill=False, ec="black", lw=2))
        if max(h, w) > 40:  # a cell too small to see: a ring around it too
            ax.plot(c, r, "o", ms=14, mfc="none", mec="black", mew=1.5)
    _grid(ax, h, w, panel.blocks)
    ax.set_xlabel(panel.caption, fontsize=8)
    return image


def _grid(ax, h: int, w: int, blocks: int) -> None:
    """The lines between blocks, and the entries' indices (a block's, when blocks)."""
    from matplotlib.ticker import MaxNLocator

    for b in range(1, blocks):
        ax.axvline(b * w / blocks - 0.5, color="white", lw=2.5)
    for axis, n in ((ax.xaxis, w), (ax.yaxis, h)):  # the entries' indices
        axis.set_major_locator(MaxNLocator(nbins=min(n, 8), integer=True, min_n_ticks=1))
    if blocks > 1:  # a tick per block, at its middle, with its index
        size = w / blocks
        ax.set_xticks([(b + 0.5) * size - 0.5 for b in range(blocks)])
        ax.set_xticklabels([f"[{b}]" for b in range(blocks)])
    if h == 1:
        ax.set_yticks([])
    ax.tick_params(labelsize=7)


def _kinks(ax, kink: np.ndarray) -> None:
    """KINK cells in gold, hatched: apart from the pass/fail colours."""
    from matplotlib.colors import ListedColormap

    h, w = kink.shape
    cells = np.ma.masked_where(~kink, np.ones(kink.shape))
    ax.pcolor(
        np.arange(w + 1) - 0.5,
        np.arange(h + 1) - 0.5,
        cells,
        cmap=ListedColormap([KINK_COLOUR]),
        hatch="///",
        edgecolor="0.25",
        linewidth=0,
    )
