"""Random model files for benchmarks/fuzz.py: small numpy programs whose backward is autodiff.

A program is a random DAG over leaves and numpy operations (matmul, + − * /, tanh, two
stable sigmoids, exp, log of positive values, two softpluses, relu and leaky relu via
np.maximum, abs, np.where on a data mask, sort with ties, max and np.maximum with ties,
masked sums and means, sums and means over an axis, a stable log-sum-exp and softmax),
ended by losses (a sum, a data-weighted sum, least squares near and at the minimum,
cross-entropy against one-hot or integer targets). Leaves are drawn at scales from 1e-8
to 1e8, with integer values, exact zeros, ties, saturating magnitudes; some are 0-d,
some empty (0 × 3). Some intermediates are tapped.

The program is written once, as ``_program(np, p, tap, sg)``, against a numpy-like
module. The file's forward runs it on numpy; its backward runs the same text on
``autograd.numpy`` and returns HIPS autograd's gradient: the adjoints come from an
autodiff that gradcheck never sees. A tap adds a zero input ``delta`` to the tapped value
(its adjoint is autograd's gradient with respect to ``delta``), and downstream of a tap
the backward uses the forward's own value of it, as a hand-derived backward would.

The generator runs every statement as it writes it (on numpy, with overflow and invalid
operations raising), so each choice sees the values: an op that overflows is dropped and
another tried. It marks the program ``kink`` where a kinked op meets its kink exactly
(relu or abs at 0, a tie of np.maximum, max or sort): there the gradient is a set, and
autograd returns one element of it.
"""

from __future__ import annotations

import importlib.util
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

SCALES = (1e-8, 1e-5, 1e-2, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 10.0, 1e3, 1e5, 1e8)
MODES = ("normal", "normal", "normal", "int", "ties", "zeros", "saturate", "positive")
NEAR = 1e-6  # a kinked op's input this close to its kink (relative) is a near kink
TAP_PROBABILITY = 0.35
MAX_ABS = 1e150  # larger values are rejected: a product of two would overflow


# --------------------------------------------------------------------------- kinks


def _zero_kink(x, *_):
    """(exact, near) for relu, leaky relu and abs: an entry at 0, or close to it."""
    x = np.asarray(x)
    if x.size == 0:
        return False, False
    scale = max(1.0, float(np.max(np.abs(x))))
    return bool(np.any(x == 0)), bool(np.any((x != 0) & (np.abs(x) < NEAR * scale)))


def _tie_kink(a, b):
    """(exact, near) for np.maximum(a, b): a tie, or a near one."""
    a, b = np.broadcast_arrays(np.asarray(a), np.asarray(b))
    if a.size == 0:
        return False, False
    scale = max(1.0, float(np.max(np.abs(a))), float(np.max(np.abs(b))))
    gap = np.abs(a - b)
    return bool(np.any(gap == 0)), bool(np.any((gap != 0) & (gap < NEAR * scale)))


def _sorted_gaps(x, axis):
    """The gaps between neighbours in sorted order along ``axis`` (None: all entries)."""
    x = np.asarray(x)
    s = np.sort(x.ravel()) if axis is None else np.sort(x, axis=axis)
    return np.diff(s, axis=-1 if axis is None else axis), max(1.0, float(np.max(np.abs(x))))


def _sort_kink(x, *_):
    """(exact, near) for a sort of every entry: two equal entries, or close ones."""
    if np.asarray(x).size < 2:
        return False, False
    gaps, scale = _sorted_gaps(x, None)
    return bool(np.any(gaps == 0)), bool(np.any((gaps != 0) & (gaps < NEAR * scale)))


def _max_kink(axis):
    """(exact, near) for np.max along ``axis``: the top two of a slice equal, or close."""

    def kink(x, *_):
        x = np.asarray(x)
        if x.size == 0 or (x.ndim and x.shape[axis] < 2):
            return False, False
        s = np.sort(x, axis=axis)
        top = np.take(s, -1, axis=axis) - np.take(s, -2, axis=axis)
        scale = max(1.0, float(np.max(np.abs(x))))
        return bool(np.any(top == 0)), bool(np.any((top != 0) & (top < NEAR * scale)))

    return kink


# --------------------------------------------------------------------------- operations

UNARY = (
    ("np.tanh({0})", None),
    ("0.5 * (1.0 + np.tanh(0.5 * {0}))", None),  # sigmoid, stable
    ("np.exp(-np.logaddexp(0.0, -{0}))", None),  # sigmoid, stable, not complex-safe
    ("np.exp({0})", None),
    ("np.log1p({0} * {0})", None),
    ("np.logaddexp(0.0, {0})", None),  # softplus
    ("np.maximum({0}, 0.0) + np.log1p(np.exp(-np.abs({0})))", None),  # softplus by hand
    ("np.maximum({0}, 0.0)", _zero_kink),  # relu
    ("np.maximum({0}, 0.1 * {0})", _zero_kink),  # leaky relu
    ("np.abs({0})", _zero_kink),
    ("{0} * {0}", None),
    ("np.sin({0})", None),
    ("np.sqrt({0} * {0} + 1.0)", None),
)
BINARY = (
    ("{0} + {1}", None),
    ("{0} - {1}", None),
    ("{0} * {1}", None),
    ("{0} / (1.0 + {1} * {1})", None),
    ("np.maximum({0}, {1})", _tie_kink),
)


@dataclass
class Stmt:
    """One line of the program: ``target = template.format(*inputs)``, maybe tapped."""

    target: str
    template: str
    inputs: list[str]
    tapped: bool = False


@dataclass
class Program:
    """A generated program: its leaves' values, its statements, and what it is."""

    seed: int
    leaves: dict[str, np.ndarray]
    targets: list[str]
    stmts: list[Stmt]
    loss: list[str]  # the 0-d values whose sum is L
    kink: bool = False
    near_kink: bool = False
    ops: list[str] = field(default_factory=list)

    @property
    def params(self) -> list[str]:
        return [n for n in self.leaves if n not in self.targets]

    @property
    def taps(self) -> list[str]:
        return [s.target for s in self.stmts if s.tapped]

    def sites(self) -> list[tuple[int, int]]:
        """(statement, input position) of every use of a checked leaf: dropped-term sites."""
        params = set(self.params)
        return [
            (i, j)
            for i, s in enumerate(self.stmts)
            for j, name in enumerate(s.inputs)
            if name in params
        ]


# --------------------------------------------------------------------------- values


def _values(rng, shape, mode=None, scale=None) -> np.ndarray:
    """A leaf's values: a mode (normal, integer, ties, zeros, saturating, positive) at a
    scale drawn from 1e-8 … 1e8."""
    mode = mode or str(rng.choice(MODES))
    scale = float(rng.choice(SCALES)) if scale is None else scale
    size = int(np.prod(shape, dtype=int))
    if mode == "int":
        v, scale = rng.integers(-3, 4, size).astype(float), 1.0
    elif mode == "positive":
        v = np.abs(rng.standard_normal(size)) + 0.1
    elif mode == "saturate":
        v, scale = rng.standard_normal(size), float(rng.choice([30.0, 300.0, 1e3]))
    else:
        v = rng.standard_normal(size)
    if mode == "ties" and size > 1:
        v[rng.integers(0, size, size // 2 + 1)] = v[rng.integers(0, size)]
    if mode == "zeros":
        v[rng.random(size) < 0.3] = 0.0
    return (v * scale).reshape(shape)


def _dims(rng) -> tuple[int, int, int]:
    """m, n, k: small, and now and then one of them 16 … 40 (a leaf of hundreds)."""
    dims = [int(rng.integers(1, 5)), int(rng.integers(1, 6)), int(rng.integers(1, 5))]
    if rng.random() < 0.1:
        dims[int(rng.integers(0, 3))] = int(rng.integers(16, 41))
    return dims[0], dims[1], dims[2]


def _leaf_shape(rng, dims) -> tuple[int, ...]:
    """A first leaf's shape: mostly matrices of the program's sizes; 0-d and (0, 3) too."""
    m, n, k = dims
    shapes = [(m, n), (m, n), (n, k), (m, k), (m, 1), (1, n), (), (0, 3)]
    weights = np.array([3, 3, 2, 2, 1, 1, 0.6, 0.4])
    return shapes[int(rng.choice(len(shapes), p=weights / weights.sum()))]


# --------------------------------------------------------------------------- the builder


class Builder:
    """Writes a program statement by statement, running each as it is written."""

    def __init__(self, rng):
        self.rng = rng
        self.env: dict[str, np.ndarray] = {}
        self.leaves: dict[str, np.ndarray] = {}
        self.targets: list[str] = []
        self.stmts: list[Stmt] = []
        self.pool: list[str] = []  # values an op may take: checked leaves and results
        self.used: set[str] = set()
        self.kink = self.near_kink = False
        self.ops: list[str] = []
        self.row_max: dict[str, str] = {}  # a log-sum-exp's row max -> the value it is of

    def leaf(self, shape=None, values=None, data=False) -> str:
        """A new leaf (a checked one, or data: TARGETS), with drawn values by default."""
        name = f"{'d' if data else 'x'}{len(self.leaves)}"
        value = _values(self.rng, shape) if values is None else np.asarray(values, float)
        self.leaves[name] = self.env[name] = value
        (self.targets if data else self.pool).append(name)
        return name

    def emit(
        self, template: str, inputs: list[str], kink=None, tap=None, smooth_max=False
    ) -> str | None:
        """Run ``template`` on ``inputs``; keep it as a statement if its values are finite
        and below MAX_ABS (else None). ``kink`` marks the program where it meets a kink.
        A log-sum-exp's row max is smooth where the log-sum-exp uses it (``smooth_max``);
        any other op that takes it meets its ties (their kinks are marked then)."""
        try:
            with (
                warnings.catch_warnings(),
                np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"),
            ):
                warnings.simplefilter("ignore", RuntimeWarning)
                value = np.asarray(eval(template.format(*inputs), {"np": np}, self.env))
        except (FloatingPointError, ValueError, IndexError, TypeError, ZeroDivisionError):
            return None
        if not np.all(np.isfinite(value)) or (value.size and np.max(np.abs(value)) > MAX_ABS):
            return None
        if kink is not None:
            exact, near = kink(*(self.env[i] for i in inputs))
            self.kink, self.near_kink = self.kink or exact, self.near_kink or near
        for i in [] if smooth_max else [i for i in inputs if i in self.row_max]:
            exact, near = _max_kink(1)(self.env[self.row_max[i]])
            self.kink, self.near_kink = self.kink or exact, self.near_kink or near
        name = f"v{len(self.stmts)}"
        tapped = self.rng.random() < TAP_PROBABILITY if tap is None else tap
        self.stmts.append(Stmt(name, template, list(inputs), bool(tapped)))
        self.env[name] = value
        self.used.update(inputs)
        self.pool.append(name)
        return name

    def pick(self) -> str:
        """A value for an op's first input, the recent ones likelier (deeper programs)."""
        weights = np.arange(1, len(self.pool) + 1, dtype=float) ** 2
        return self.pool[int(self.rng.choice(len(self.pool), p=weights / weights.sum()))]

    def shape(self, name: str) -> tuple[int, ...]:
        return tuple(self.env[name].shape)

    def partner(self, x: str, exact: bool = False) -> str:
        """A second input for an elementwise op on ``x``: a value of the pool that
        broadcasts to x's shape (``exact``: has it), a new leaf, or a new leaf equal to x
        at half its entries (exact ties and exact zeros of x − y)."""
        shape, r = self.shape(x), self.rng.random()
        fits = [y for y in self.pool if _fits(self.shape(y), shape, exact)]
        if r < 0.4 and fits:
            return fits[int(self.rng.integers(len(fits)))]
        if r < 0.65:
            values = self.env[x].copy()
            redraw = self.rng.random(values.shape) < 0.5
            values[redraw] = _values(self.rng, values.shape)[redraw]
            return self.leaf(values=values)
        small = [shape, shape, ()] + ([(shape[0], 1)] if len(shape) == 2 else [])
        return self.leaf(shape if exact else small[int(self.rng.integers(len(small)))])


def _fits(shape, target, exact: bool) -> bool:
    return tuple(shape) == tuple(target) if exact else _broadcasts_to(shape, target)


def _broadcasts_to(shape, target) -> bool:
    try:
        return np.broadcast_shapes(tuple(shape), tuple(target)) == tuple(target)
    except ValueError:
        return False


# --------------------------------------------------------------------------- ops


def op_unary(b: Builder) -> str | None:
    template, kink = UNARY[int(b.rng.integers(len(UNARY)))]
    return b.emit(template, [b.pick()], kink)


def op_log(b: Builder) -> str | None:
    """log of a positive value; where none is at hand, of a new positive leaf."""
    positive = [y for y in b.pool if b.env[y].size and np.all(b.env[y] > 0)]
    if positive and b.rng.random() < 0.8:
        x = positive[int(b.rng.integers(len(positive)))]
    else:
        x = b.leaf(values=np.abs(_values(b.rng, b.shape(b.pick()))) + 1e-3)
    return b.emit("np.log({0})", [x])


def op_binary(b: Builder) -> str | None:
    x = b.pick()
    template, kink = BINARY[int(b.rng.integers(len(BINARY)))]
    return b.emit(template, [x, b.partner(x)], kink)


def op_divide(b: Builder) -> str | None:
    """x / y with y > 0: a positive value of the pool, or a new positive leaf."""
    x = b.pick()
    shape = b.shape(x)
    fits = [y for y in b.pool if _broadcasts_to(b.shape(y), shape) and np.all(b.env[y] > 0)]
    if fits and b.rng.random() < 0.7:
        y = fits[int(b.rng.integers(len(fits)))]
    else:
        y = b.leaf(shape, values=_values(b.rng, shape, mode="positive"))
    return b.emit("{0} / {1}", [x, y])


def op_matmul(b: Builder) -> str | None:
    """x @ y: a matrix of the pool whose rows fit x's columns, or a new leaf."""
    x = b.pick()
    if len(b.shape(x)) != 2:
        return None
    rows = b.shape(x)[1]
    fits = [y for y in b.pool if len(b.shape(y)) == 2 and b.shape(y)[0] == rows]
    if fits and b.rng.random() < 0.5:
        y = fits[int(b.rng.integers(len(fits)))]
    else:
        y = b.leaf((rows, int(b.rng.integers(1, 5))))
    return b.emit("{0} @ {1}", [x, y])


def op_where(b: Builder) -> str | None:
    """np.where on a data mask (continuous in x and y: the mask is data). Both branches
    have the result's shape: autograd's np.where does not sum a broadcast branch's
    gradient back to its shape (a (4, 1) branch of a (4, 2) result gets twice its due)."""
    x = b.pick()
    mask = b.leaf(values=(b.rng.random(b.shape(x)) < 0.5).astype(float), data=True)
    return b.emit("np.where(np.real({2}) > 0.5, {0}, {1})", [x, b.partner(x, exact=True), mask])


def op_reduce(b: Builder) -> str | None:
    """sum, mean or max over an axis (kept) or over everything."""
    x = b.pick()
    if len(b.shape(x)) != 2:
        return None
    axis = [0, 1, None][int(b.rng.integers(3))]
    kind = ["sum", "mean", "max"][int(b.rng.integers(3))]
    args = "" if axis is None else f", axis={axis}, keepdims=True"
    kink = None if kind != "max" else (_sort_kink if axis is None else _max_kink(axis))
    return b.emit(f"np.{kind}({{0}}{args})", [x], kink)


def op_sort(b: Builder) -> str | None:
    """Every entry sorted, back in the value's shape (autograd sorts 1-D arrays only)."""
    x = b.pick()
    shape = b.shape(x)
    return b.emit(f"np.reshape(np.sort(np.ravel({{0}})), {shape})", [x], _sort_kink)


def op_masked(b: Builder) -> str | None:
    """A masked sum or mean over an axis (the mask is data)."""
    x = b.pick()
    if len(b.shape(x)) != 2:
        return None
    mask = b.leaf(values=(b.rng.random(b.shape(x)) < 0.6).astype(float), data=True)
    axis = int(b.rng.integers(2))
    if b.rng.random() < 0.5:
        template = f"np.sum(np.where(np.real({{1}}) > 0.5, {{0}}, 0.0), axis={axis}, keepdims=True)"
    else:
        template = (
            f"np.sum(np.real({{1}}) * {{0}}, axis={axis}, keepdims=True)"
            f" / np.maximum(np.sum(np.real({{1}}), axis={axis}, keepdims=True), 1.0)"
        )
    return b.emit(template, [x, mask])


def _row_max(b: Builder, x: str) -> str | None:
    """The row max that makes a log-sum-exp stable (smooth there: no kink marked)."""
    m = b.emit("np.max({0}, axis=1, keepdims=True)", [x], tap=b.rng.random() < 0.1)
    if m:
        b.row_max[m] = x
    return m


def op_lse(b: Builder, x: str | None = None) -> str | None:
    """log Σ exp over rows, stably: m + log Σ exp(x − m)."""
    x = x or b.pick()
    if len(b.shape(x)) != 2 or not (m := _row_max(b, x)):
        return None
    return b.emit(
        "{1} + np.log(np.sum(np.exp({0} - {1}), axis=1, keepdims=True))", [x, m], smooth_max=True
    )


def op_softmax(b: Builder) -> str | None:
    """softmax over rows, stably: exp(x − m) / Σ exp(x − m)."""
    x = b.pick()
    if len(b.shape(x)) != 2 or not (m := _row_max(b, x)):
        return None
    e = b.emit("np.exp({0} - {1})", [x, m], smooth_max=True)
    if e:  # (exp(x − m) is as kinked as m wherever an op but the normalisation takes it)
        b.row_max[e] = x
    return e and b.emit("{0} / np.sum({0}, axis=1, keepdims=True)", [e], smooth_max=True)


OPS = (
    (op_unary, 6),
    (op_log, 1),
    (op_binary, 4),
    (op_divide, 1),
    (op_matmul, 3),
    (op_where, 1),
    (op_reduce, 2),
    (op_sort, 1),
    (op_masked, 1),
    (op_lse, 1),
    (op_softmax, 1),
)


# --------------------------------------------------------------------------- losses


def _one_hot(rng, rows: int, cols: int) -> np.ndarray:
    return np.eye(cols)[rng.integers(0, cols, rows)].reshape(rows, cols)


def head(b: Builder, x: str, main: bool, tap: bool) -> str | None:
    """A loss term (0-d) on a value no op took: a sum, mean or data-weighted sum; for the
    main one also least squares near or at its minimum, or a cross-entropy against
    one-hot or integer targets."""
    shape = b.shape(x)
    kinds = ["sum", "weighted"] + (["mean", "lsq", "lsq", "ce", "label"] if main else [])
    kind = kinds[int(b.rng.integers(len(kinds)))]
    if kind in ("ce", "label") and (len(shape) != 2 or shape[1] < 2):
        kind = "lsq"
    if kind == "sum":
        return b.emit("np.sum({0})", [x], tap=tap)
    if kind == "mean":
        return b.emit("np.mean({0})", [x], tap=tap)
    if kind == "weighted":
        weights = b.leaf(values=b.rng.standard_normal(shape), data=True)
        return b.emit("np.sum({1} * {0})", [x, weights], tap=tap)
    if kind == "lsq":
        gap = float(b.rng.choice([0.0, 1e-12, 1e-8, 1e-4, 1.0]))  # 0: at the minimum
        noise = gap * (np.abs(b.env[x]) + 1e-300) * b.rng.standard_normal(shape)
        target = b.leaf(values=b.env[x] + noise, data=True)
        return b.emit("0.5 * np.sum(({0} - {1}) ** 2)", [x, target], tap=tap)
    lse = op_lse(b, x)
    if lse is None:
        return None
    if kind == "ce":
        onehot = b.leaf(values=_one_hot(b.rng, *shape), data=True)
        return b.emit("-np.sum({2} * ({0} - {1}))", [x, lse, onehot], tap=tap)
    labels = b.leaf(values=b.rng.integers(0, shape[1], shape[0]).astype(float), data=True)
    pick = "[np.arange({0}.shape[0]), np.real({2}).astype(int)]"
    return b.emit("-np.sum(({0} - {1})" + pick + ")", [x, lse, labels], tap=tap)


def _losses(b: Builder) -> list[str] | None:
    """One loss term per value no op took (the last one's chosen from every kind); None
    where the total is not finite."""
    sinks = [y for y in b.pool if y not in b.used]
    terms = []
    for i, x in enumerate(sinks):
        tapped = b.rng.random() < 0.1  # a tapped term's adjoint is 1: few of them
        term = head(b, x, i == len(sinks) - 1, tapped) or b.emit("np.sum({0})", [x], tap=tapped)
        if term is None:
            return None
        terms.append(term)
    with np.errstate(all="ignore"):
        total = sum(float(b.env[t]) for t in terms)
    return terms if np.isfinite(total) and abs(total) < MAX_ABS else None


# --------------------------------------------------------------------------- generate


def _build(rng, seed: int) -> Program | None:
    """One attempt at a program: 1–3 first leaves, 2–8 ops, then the losses."""
    b = Builder(rng)
    dims = _dims(rng)
    for _ in range(int(rng.integers(1, 4))):
        b.leaf(_leaf_shape(rng, dims))
    ops, weights = zip(*OPS, strict=True)
    p = np.array(weights, float) / sum(weights)
    wanted, tries = int(rng.integers(2, 9)), 0
    while len(b.ops) < wanted and tries < 6 * wanted:
        tries += 1
        op = ops[int(rng.choice(len(ops), p=p))]
        if op(b):
            b.ops.append(op.__name__[3:])
    terms = _losses(b) if b.ops else None
    if terms is None:
        return None
    return Program(seed, b.leaves, b.targets, b.stmts, terms, b.kink, b.near_kink, b.ops)


def generate(seed: int, attempts: int = 100) -> Program:
    """The program of ``seed``: the first attempt whose loss and autograd gradient are
    finite (each attempt seeded by (seed, attempt), so a seed is one program)."""
    for attempt in range(attempts):
        program = _build(np.random.default_rng([seed, attempt]), seed)
        if program is not None and valid(program):
            return program
    raise RuntimeError(f"no valid program for seed {seed} in {attempts} attempts")


def valid(program: Program) -> bool:
    """The rendered file runs: its forward gives the builder's loss, its backward (autograd)
    is finite and below MAX_ABS, with a value for every checked leaf and tap."""
    ns = load_text(render(program))
    values = forward_values(ns, program)
    if values is None:
        return False
    try:
        with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
            grads = ns["backward"](values)
    except (FloatingPointError, ValueError, TypeError, IndexError, ZeroDivisionError):
        return False
    names = program.params + program.taps
    return set(grads) == set(names) and all(
        np.shape(grads[n]) == np.shape(values[n])
        and np.all(np.isfinite(grads[n]))
        and (np.size(grads[n]) == 0 or np.max(np.abs(grads[n])) < MAX_ABS)
        for n in names
    )


def forward_values(ns: dict, program: Program) -> dict | None:
    """The leaves and taps a file's forward gives (None if its loss is not finite)."""
    values = {k: v.copy() for k, v in program.leaves.items()}

    def tap(name, value):
        values[name] = value
        return value

    with np.errstate(all="ignore"):
        loss = ns["forward"]({k: v.copy() for k, v in program.leaves.items()}, tap)
    return values if np.isfinite(loss) and abs(loss) < MAX_ABS else None


def load_text(text: str) -> dict:
    """A model file's namespace, from its text."""
    ns: dict = {"__name__": "fuzz_program"}
    exec(compile(text, "<fuzz program>", "exec"), ns)
    return ns


def load_file(path: str | Path):
    """A model file as a module (for --replay and the variants' expectations)."""
    name = f"fuzz_{Path(path).stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


# --------------------------------------------------------------------------- render

BACKWARD = '''
def backward(v):
    """HIPS autograd's gradient of _program: with respect to the checked leaves, and to a
    zero added to each tap (downstream of which the forward's own value is used)."""
    data = {n: v[n] for n in TARGETS}

    def loss(args):
        leaves, deltas = args

        def tap(name, value):
            return v[name] + (value - getval(value)) + deltas[name]

        return _program(anp, {**data, **leaves}, tap, getval)

    args = ({n: v[n] for n in _PARAMS}, {n: np.zeros_like(v[n]) for n in _TAPS})
    g_leaves, g_taps = grad(loss)(args)
    out = {n: np.array(g, dtype=np.result_type(v[n])) for n, g in {**g_leaves, **g_taps}.items()}
    if _PLANT is not None:  # one entry of one adjoint times (1 + delta)
        name, index, factor = _PLANT
        out[name][tuple(index)] *= factor
    if _SIGN is not None:  # one adjoint with the wrong sign
        out[_SIGN] *= -1
    return out
'''


def _array_text(value: np.ndarray) -> str:
    values = ", ".join(repr(float(x)) for x in np.ravel(value))
    return f"_a([{values}], {tuple(value.shape)!r})"


def _body(program: Program, drop: tuple[int, int] | None) -> list[str]:
    """_program's lines; ``drop`` = (statement, input) wraps that use of a leaf in sg()."""
    lines = [f'    {n} = p["{n}"]' for n in program.leaves]
    for i, s in enumerate(program.stmts):
        names = [f"sg({n})" if drop == (i, j) else n for j, n in enumerate(s.inputs)]
        expr = s.template.format(*names)
        expr = f'tap("{s.target}", {expr})' if s.tapped else expr
        lines.append(f"    {s.target} = {expr}")
    lines.append("    return " + " + ".join(program.loss))
    return lines


HEADER = '''"""gradcheck fuzz program {seed} (benchmarks/fuzzgen.py)."""
import numpy as np
import autograd.numpy as anp
from autograd import grad
from autograd.tracer import getval

TARGETS = {targets!r}
FUZZ = {meta!r}
_PARAMS = {params!r}
_TAPS = {taps!r}
_PLANT = {plant!r}
_SIGN = {sign!r}


def _a(values, shape):
    return np.array(values, dtype=float).reshape(shape)


_LEAVES = {{
{leaves}
}}


def init(rng):
    return {{k: v.copy() for k, v in _LEAVES.items()}}


def _program(np, p, tap, sg):
{body}


def forward(p, tap):
    return _program(np, p, tap, lambda a: a)

'''


def render(program: Program, meta: dict | None = None, plant=None, sign=None, drop=None) -> str:
    """The model file: leaves as literals, _program, forward on numpy, backward on
    autograd; a variant plants (row, index, factor), a wrong sign (row), or drops one
    leaf use's term from the backward (drop = (statement, input): sg() is getval there)."""
    meta = {
        "seed": program.seed,
        "kink": program.kink,
        "near_kink": program.near_kink,
        "ops": program.ops,
        **(meta or {}),
    }
    if plant is not None:
        plant = (plant[0], tuple(int(i) for i in plant[1]), float(plant[2]))
    header = HEADER.format(
        seed=program.seed,
        targets=program.targets,
        meta=meta,
        params=program.params,
        taps=program.taps,
        plant=plant,
        sign=sign,
        leaves="\n".join(f'    "{n}": {_array_text(v)},' for n, v in program.leaves.items()),
        body="\n".join(_body(program, drop)),
    )
    return header + BACKWARD


# --------------------------------------------------------------------------- references


def shifted(ns: dict, program: Program, name: str, index, t, dtype=float):
    """(L, leaves and taps) of the forward with entry ``index`` of ``name`` moved by t: a
    leaf, or a tap (moved as the forward passes it on, so only what follows it moves)."""
    leaves = {k: np.array(v, dtype=dtype) for k, v in program.leaves.items()}
    if name in leaves:
        leaves[name][index] += t
    values = dict(leaves)

    def tap(n, value):
        if n == name:
            value = np.array(value, copy=True)
            value[index] += t
        values[n] = value
        return value

    with np.errstate(all="ignore"):
        loss = ns["forward"]({k: v.copy() for k, v in leaves.items()}, tap)
    return loss, values


def entry_value(ns: dict, program: Program, name: str, index) -> float:
    """θ_i: the value of a leaf's or a tap's entry in the forward."""
    return float(shifted(ns, program, name, index, 0.0)[1][name][index])


def one_sided(ns: dict, program: Program, name: str, index) -> tuple[float, float]:
    """autograd's derivative just left and just right of the point along one entry (its
    gradient at θ ∓ t e_i, t = 1e-9 |θ_i|, or 1e-9 of the tensor where θ_i = 0): the
    one-sided derivatives where the loss is piecewise smooth along the entry."""
    theta = entry_value(ns, program, name, index)
    scale = abs(theta) or float(np.max(np.abs(shifted(ns, program, name, index, 0.0)[1][name])))
    t = 1e-9 * (scale or 1.0)
    sides = []
    for s in (-t, t):
        _, values = shifted(ns, program, name, index, s)
        with np.errstate(all="ignore"):
            sides.append(float(ns["backward"](values)[name][index]))
    return sides[0], sides[1]


def extended_differences(ns: dict, program: Program, name: str, index) -> dict[float, float]:
    """Central differences of L in extended precision (numpy's longdouble), at steps
    1e-4, 1e-6 and 1e-8 of |θ_i| (of 1 where θ_i = 0): a numerical derivative that
    shares no code with gradcheck, to tell which of A and N is off."""
    theta = entry_value(ns, program, name, index)
    out = {}
    for r in (1e-4, 1e-6, 1e-8):
        h = np.longdouble(r) * np.longdouble(abs(theta) or 1.0)
        up = shifted(ns, program, name, index, h, np.longdouble)[0]
        down = shifted(ns, program, name, index, -h, np.longdouble)[0]
        out[r] = float((up - down) / (2 * h))
    return out


def complex_step(ns: dict, program: Program, name: str, index) -> float | None:
    """Im L(θ + ih e_i) / h, h = 1e-40 |θ_i| (or 1e-40), in extended complex precision:
    exact to rounding where the program is complex-safe. None where it is not (abs and
    logaddexp: |x + ih| has no imaginary part, logaddexp has no complex loop)."""
    text = render(program)
    if "np.abs(" in text or "logaddexp" in text:
        return None
    theta = entry_value(ns, program, name, index)
    h = np.longdouble(1e-40) * np.longdouble(abs(theta) or 1.0)
    try:
        loss = shifted(ns, program, name, index, 1j * h, np.clongdouble)[0]
    except (TypeError, ValueError):
        return None
    return float(np.imag(loss) / h)
