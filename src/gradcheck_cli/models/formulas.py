"""Formulas typed by the user: `x = W1.T @ z1_bar + z2_bar`, checked like any other.

Expressions are parsed with `ast` and evaluated by walking a whitelist: names of the
model's values and adjoints (`z1_bar` is z̄1) and sizes (d, B, N, D), numbers,
`+ - * / @ **`, unary minus, `.T`, and the functions in FUNCTIONS (plus the model's phi
and dphi). Nothing is ever passed to eval or exec; no other attribute, call, subscript,
comprehension or lambda gets past the parser. Elementwise operators need equal shapes
or a single number on one side: broadcasting never turns a shape slip into a result.
"""

import ast
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn, cast

import numpy as np

from gradcheck_cli.errors import UsageError, nearest
from gradcheck_cli.records import frozen
from gradcheck_cli.result import dims

if TYPE_CHECKING:
    from gradcheck_cli.models.model import Formula, Jacobian, Model

MAX_EXPONENT = 64
MAX_LENGTH = 1000  # characters of one formula
MAX_DEPTH = 40  # operators nested in one formula


def _axis_reduce(fn: Callable) -> Callable:
    def reduce(a: Any, axis: Any = None) -> np.ndarray:
        a = np.asarray(a, dtype=float)
        if axis is None:
            return fn(a, keepdims=True).reshape((1, 1)) if a.ndim else fn(a)
        if not isinstance(axis, int) or not -a.ndim <= axis < a.ndim:
            raise ValueError(f"axis must be a whole number from 0 to {a.ndim - 1}, got {axis}")
        return fn(a, axis=axis, keepdims=True)

    return reduce


def _diag(a: Any) -> np.ndarray:
    a = np.asarray(a, dtype=float)
    if a.ndim == 2 and 1 in a.shape:
        return np.diag(a.ravel())
    if a.ndim == 2 and a.shape[0] == a.shape[1]:
        return np.diag(a)[:, None]
    raise ValueError(f"diag takes a vector or a square matrix, got {dims(a.shape)}")


def _eye(n: Any) -> np.ndarray:
    if not isinstance(n, int) or not 1 <= n <= 100_000:
        raise ValueError(f"eye takes a whole number of rows (such as d or N), got {n!r}")
    return np.eye(n)


def _softmax(z: Any) -> np.ndarray:
    z = np.asarray(z, dtype=float)
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def _outer(u: Any, v: Any) -> np.ndarray:
    return np.outer(np.ravel(u), np.ravel(v))


# name: (number of arguments, function, what it does)
FUNCTIONS: dict[str, tuple[tuple[int, ...], Callable, str]] = {
    "exp": ((1,), np.exp, "elementwise eˣ"),
    "log": ((1,), np.log, "elementwise natural log"),
    "tanh": ((1,), np.tanh, "elementwise tanh"),
    "sum": ((1, 2), _axis_reduce(np.sum), "sum(a) of all entries, sum(a, axis) keeping the axis"),
    "mean": ((1, 2), _axis_reduce(np.mean), "mean(a), mean(a, axis), like sum"),
    "outer": ((2,), _outer, "outer(u, v) = u vᵀ for vectors"),
    "diag": (
        (1,),
        _diag,
        "diag(v): the matrix with v on its diagonal; diag(M): M's diagonal as a column",
    ),
    "eye": ((1,), _eye, "eye(n): the n×n identity"),
    "ones_like": ((1,), np.ones_like, "ones of a's shape"),
    "zeros_like": ((1,), np.zeros_like, "zeros of a's shape"),
    "transpose": ((1,), lambda a: np.swapaxes(a, -1, -2), "transpose(a) = a.T"),
    "softmax": ((1,), _softmax, "softmax of each column"),
}

_BINOPS = {
    ast.Add: ("+", np.add),
    ast.Sub: ("−", np.subtract),
    ast.Mult: ("*", np.multiply),
    ast.Div: ("/", np.divide),
    ast.MatMult: ("@", np.matmul),
    ast.Pow: ("**", np.power),
}


@frozen
class Typed:
    """One typed formula: ``target = text``, parsed and checked against the names."""

    target: str
    text: str
    where: str  # where it was typed, for messages: "--grad 'x = …'" or "f.toml: [gradients] x"
    tree: ast.expr


def _error(where: str, message: str, text: str | None = None, col: int | None = None) -> UsageError:
    if text is None or col is None:
        return UsageError(f"{where}: {message}")
    return UsageError(f"{where}: {message}\n    {text}\n    {' ' * col}^")


def _syntax(e: SyntaxError, text: str, where: str) -> UsageError:
    """A syntax error with a caret where it is; at the end when the formula stops short
    (Python gives column 0 there: 'W1.T @ z1_bar +')."""
    col = (e.offset or 0) - 1
    if col < 0 or col > len(text):
        col = len(text.rstrip())
        if _parses(text + " 0"):
            return _error(
                where,
                f"syntax error at column {col + 1}: the formula ends where an operand is expected",
                text,
                col,
            )
    return _error(where, f"syntax error at column {col + 1}: {e.msg}", text, col)


def _parses(text: str) -> bool:
    try:
        ast.parse(text, mode="eval")
    except (SyntaxError, RecursionError, MemoryError):
        return False
    return True


def parse(target: str, text: str, where: str, names: dict[str, str], functions: dict) -> Typed:
    """Parse and vet ``text``: only whitelisted nodes, known names and functions.

    ``names`` maps every allowed name to what it is (for the error listing them).
    """
    short = where if len(where) <= 80 else where[:76] + " …'"
    if len(text) > MAX_LENGTH:
        raise _error(
            short,
            f"the formula is {len(text):,} characters long; at most {MAX_LENGTH:,} are allowed",
        )
    try:
        tree = ast.parse(text, mode="eval").body
    except SyntaxError as e:
        raise _syntax(e, text, where) from None
    except (RecursionError, MemoryError):
        raise _error(short, f"the formula nests too deeply; at most {MAX_DEPTH} levels") from None
    if _depth(tree) > MAX_DEPTH:
        raise _error(
            short,
            f"the formula nests operators {_depth(tree)} deep; at most "
            f"{MAX_DEPTH} levels are allowed",
        )
    for node in ast.walk(tree):
        _vet(node, text, where, names, functions)
    return Typed(target, text, where, tree)


def _depth(tree: ast.AST) -> int:
    """How deeply the formula's nodes nest (without recursion: the tree may be deep)."""
    deepest, stack = 0, [(tree, 1)]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in ast.iter_child_nodes(node))
    return deepest


def _vet(node: ast.AST, text: str, where: str, names: dict[str, str], functions: dict) -> None:
    """Refuse any node that is not a number, a name, + - * / @ **, unary minus, .T or a
    call of an allowed function (ast.walk visits every node)."""
    col = getattr(node, "col_offset", None)

    def refuse(message: str) -> NoReturn:
        raise _error(where, message, text, col)

    if isinstance(node, ast.BinOp) and type(node.op) not in _BINOPS:
        refuse("only + - * / @ ** are allowed")
    elif isinstance(node, ast.UnaryOp) and not isinstance(node.op, (ast.USub, ast.UAdd)):
        refuse("only unary minus is allowed")
    elif isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            refuse(f"only numbers are allowed, not {node.value!r}")
    elif isinstance(node, ast.Attribute) and node.attr != "T":
        refuse(f"'.{node.attr}' is not allowed: the only attribute is .T")
    elif isinstance(node, ast.Call):
        _vet_call(node, functions, refuse)
    elif isinstance(node, ast.Name) and node.id not in names and node.id not in functions:
        refuse(f"unknown name '{node.id}'{nearest(node.id, names)}; allowed: " + ", ".join(names))
    elif not isinstance(node, _ALLOWED_NODES):
        refuse(f"'{type(node).__name__.lower()}' is not allowed in a formula")


_ALLOWED_NODES = (
    ast.Expression,
    ast.BinOp,
    ast.operator,
    ast.UnaryOp,
    ast.unaryop,
    ast.Load,
    ast.Constant,
    ast.Attribute,
    ast.Call,
    ast.Name,
)


def _vet_call(node: ast.Call, functions: dict, refuse: Callable[[str], NoReturn]) -> None:
    if not isinstance(node.func, ast.Name) or node.keywords:
        refuse("calls are allowed only as f(a, ...) with f one of: " + ", ".join(functions))
    name = node.func.id  # type: ignore[attr-defined]
    if name not in functions:
        refuse(
            f"unknown function '{name}'{nearest(name, functions)}; allowed: " + ", ".join(functions)
        )
    arity = functions[name][0]
    if len(node.args) not in arity or any(isinstance(a, ast.Starred) for a in node.args):
        refuse(f"{name} takes {' or '.join(map(str, arity))} argument(s)")


def evaluate(typed: Typed, scope: dict, functions: dict) -> np.ndarray:
    """Evaluate a vetted formula on ``scope`` (arrays and sizes by name)."""
    ctx = _Context(typed.text, typed.where)

    def ev(node: Any) -> Any:
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            return scope[node.id] if node.id in scope else functions[node.id][1]
        if isinstance(node, ast.Attribute):
            v = ev(node.value)
            return np.swapaxes(v, -1, -2) if np.ndim(v) >= 2 else v
        if isinstance(node, ast.UnaryOp):
            v = ev(node.operand)
            return -v if isinstance(node.op, ast.USub) else v
        if isinstance(node, ast.Call):
            args = [ev(a) for a in node.args]
            try:
                return functions[cast(ast.Name, node.func).id][1](*args)
            except (ValueError, TypeError) as e:
                raise ctx.error(f"{ctx.seg(node)}: {e}", node.col_offset) from None
        return _binop(node, ev(node.left), ev(node.right), ctx)

    value = ev(typed.tree)
    if callable(value):
        raise _error(typed.where, "the formula is a function, not a value")
    return np.asarray(value, dtype=float)


@frozen
class _Context:
    """The formula's text and origin, for messages with a caret."""

    text: str
    where: str

    def seg(self, node: ast.AST) -> str:
        return ast.get_source_segment(self.text, node) or "…"

    def error(self, message: str, col: int | None) -> UsageError:
        return _error(self.where, message, self.text, col)


def _binop(node: ast.BinOp, a: Any, b: Any, ctx: _Context) -> Any:
    """a OP b, refusing what broadcasting would hide: shapes must be equal, or one side a
    single number; @ needs arrays; ** a single exponent of at most MAX_EXPONENT."""
    symbol, op = _BINOPS[type(node.op)]
    if isinstance(node.op, ast.Pow):
        if np.size(b) != 1 or not abs(float(np.ravel(b)[0])) <= MAX_EXPONENT:
            raise ctx.error(
                f"the exponent {ctx.seg(node.right)} must be one number of at most "
                f"{MAX_EXPONENT} in size",
                node.right.col_offset,
            )
        return np.power(np.asarray(a, dtype=float), float(np.ravel(b)[0]))
    left_end = node.left.end_col_offset or 0
    between = ctx.text[left_end : node.right.col_offset]
    op_col = left_end + len(between) - len(between.lstrip(" )"))
    clash = ctx.error(
        f"shape clash: {ctx.seg(node.left)} ({_shape(a)}) {symbol} "
        f"{ctx.seg(node.right)} ({_shape(b)})",
        op_col,
    )
    if isinstance(node.op, ast.MatMult):
        if np.ndim(a) < 1 or np.ndim(b) < 1:
            raise clash
        try:
            return np.matmul(a, b)
        except ValueError:
            raise clash from None
    if np.size(a) != 1 and np.size(b) != 1 and np.shape(a) != np.shape(b):
        raise clash
    with np.errstate(divide="ignore", invalid="ignore"):
        return op(np.asarray(a, dtype=float), np.asarray(b, dtype=float))


def _shape(v: Any) -> str:
    return dims(np.shape(v)) if np.ndim(v) else "number"


def allowed_names(model: "Model", target: str) -> dict[str, str]:
    """Names a formula for ``target`` may use: forward values, sizes, and the adjoints
    that come before it in the backward pass (a Jacobian's formula: no adjoints)."""
    names = {l.name: f"{l.role} ({l.shape})" for l in model.leaves}
    names.update({s.name: f"forward value ({s.shape})" for s in model.steps[:-1]})
    adjoints = [f.name for f in model.formulas]
    for name in adjoints[: adjoints.index(target)] if target in adjoints else []:
        names[f"{name}_bar"] = f"adjoint of {name}"
    names.update({k: "size" for k in model.symbols})
    return names


def targets(model: "Model") -> list[str]:
    return [f.name for f in model.formulas] + [j.id for j in model.jacobians]


def bind(model: "Model", target: str, text: str, where: str) -> "Formula | Jacobian":
    """A typed formula for ``target`` as a drop-in for the model's own (Formula or Jacobian)."""
    from dataclasses import replace

    ids = targets(model)
    if target not in ids:
        raise UsageError(
            f"{where}: '{target}' is not an adjoint of the {model.name} model"
            f"{nearest(target, ids)}; allowed: {', '.join(ids)}"
        )
    functions = {**FUNCTIONS, **{k: ((1,), f, k) for k, f in model.functions.items()}}
    typed = parse(target, text, where, allowed_names(model, target), functions)
    candidates: list[Formula | Jacobian] = [*model.formulas, *model.jacobians]
    original: Any = next(x for x in candidates if x.id == target)  # (replaced below)
    symbols = dict(model.symbols)
    if target in [f.name for f in model.formulas]:

        def fn(values: Any, adjoints: Any) -> np.ndarray:
            scope = {**values, **{f"{k}_bar": v for k, v in adjoints.items()}, **symbols}
            return evaluate(typed, scope, functions)

        return replace(original, text=text, fn=fn)

    per_example = [n for n in allowed_names(model, target) if model_shape_ends_in_B(model, n)]

    def jac(values: Any) -> np.ndarray:
        B = symbols.get("B", 1)
        blocks = []
        for b in range(B):
            scope = {**values, **symbols}
            scope.update({n: values[n][:, b : b + 1] for n in per_example})
            blocks.append(evaluate(typed, scope, functions))
        return blocks[0] if B == 1 else np.stack(blocks)

    return replace(original, text=text, fn=jac)


def model_shape_ends_in_B(model: "Model", name: str) -> bool:
    try:
        return model.shape_of(name).endswith("×B")
    except KeyError:
        return False
