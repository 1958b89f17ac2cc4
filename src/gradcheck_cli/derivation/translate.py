"""One expression of a derivation, as parsed (grammar.py), into gradcheck's formula language.

The translation knows the model: its names and their symbolic shapes (`z_2` is z2, d×1),
its sizes, whether it has an activation (`\\phi'(z_1)` is dphi(z1)). It never guesses:
a juxtaposition is a matrix product when the shapes chain, a scalar product when one
side is one number, and otherwise it is reported (`ambiguous`), as is every name,
command or index it cannot place. The result is text for formulas.py, whose safe
evaluator checks it again; nothing of the document is ever evaluated as Python.

Index notation (`y_k`, `\\delta_{kk'}`, `\\sum_j`): a name carrying the row index is
its column vector, one carrying the column index its transpose, so that `y_k y_{k'}`
is the outer product y yᵀ and `\\sum_j t_j` is sum(t).
"""

from dataclasses import dataclass, field, replace

from lark import Token, Tree

from gradcheck_cli.records import frozen

ACTIVATION_NAMES = {"G", "f", "g", "F", "\\phi", "\\varphi", "\\sigma"}
FUNCTION_NAMES = {
    "\\exp": "exp",
    "\\log": "log",
    "\\ln": "log",
    "\\tanh": "tanh",
    "\\diag": "diag",
    "softmax": "softmax",
    "diag": "diag",
    "exp": "exp",
    "log": "log",
    "tanh": "tanh",
}
ADJOINT_DECOS = {"\\bar", "\\overline"}


class Unreadable(Exception):
    """A piece of math gradcheck does not understand (the message says what and why)."""


class NotEvaluable(Exception):
    """Understood, but not a value gradcheck can compute (a Jacobian it does not have)."""


@frozen
class Val:
    """A translated expression: formula text, symbolic shape (rows, cols), free indices."""

    text: str
    shape: tuple[str, str] = ("1", "1")
    idx: frozenset = frozenset()  # "row", "col": which index roles it depends on
    kind: str = "value"  # value | function | derivative | number
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def scalar(self) -> bool:
        return self.shape == ("1", "1") and not self.idx


@dataclass
class Scope:
    """What a translation may refer to: the model's names and shapes, and the indices."""

    shapes: dict[str, tuple[str, str]]  # model name -> symbolic (rows, cols), B = 1 folded
    adjoints: set[str]  # names that have an adjoint
    loss: str
    sizes: set[str]
    activation: bool  # the model has phi and dphi
    roles: dict[str, str] = field(default_factory=dict)  # index letter -> "row" | "col"
    dims: dict[str, str] = field(default_factory=dict)  # role -> size symbol (N)
    notes: list[str] = field(default_factory=list)
    seen: list = field(default_factory=list)  # (text, shape) of each name read, in order


def symbol(shape: str, batch: int) -> tuple[str, str]:
    """'d×B' -> ('d', '1') when the batch is one example; ('d', 'B') otherwise."""
    parts = shape.split("×")
    if len(parts) != 2:
        return (shape, "")
    rows, cols = parts
    return (rows, "1" if cols == "B" and batch == 1 else cols)


def kids_of(tree: Tree) -> list:
    return [c for c in tree.children if not isinstance(c, Token) or c.type not in _PUNCT]


_PUNCT = {"LP", "RP", "FRAC", "DECO", "FONT", "NOISE", "PARTIAL", "SUM", "AMP"}  # not operands


class Translator:
    """Lark trees of expressions -> Val, against one model's Scope."""

    def __init__(self, scope: Scope):
        self.s = scope

    # --- entry points ---------------------------------------------------------------
    def value(self, node) -> Val:
        """The value of an expression node (raises Unreadable or NotEvaluable)."""
        v = self._node(node)
        if v.kind == "function":
            raise Unreadable(f"'{v.text}' is a function with nothing to apply it to")
        if v.kind == "derivative":
            return self._derivative_value(v)
        return v

    def head(self, node) -> Val:
        """What an equation's left side names: an adjoint, a derivative, a name."""
        return self._node(node)

    # --- dispatch ---------------------------------------------------------------------
    def _node(self, node) -> Val:
        if isinstance(node, Token):
            return self._token(node)
        method = getattr(self, "_" + str(node.data), None)
        if method is None:
            raise Unreadable(f"'{node.data}' is not understood here")
        return method(node)

    def _token(self, tok: Token) -> Val:
        if tok.type in ("NAME", "NAME_ONE"):
            return self._scripted_symbol(str(tok), [])
        if tok.type in ("NUMBER", "DIGIT"):
            return Val(str(tok), kind="number")
        if tok.type == "GREEK":
            return self._scripted_symbol(str(tok), [])
        if tok.type == "FUNC":
            return self._func(str(tok))
        raise Unreadable(f"'{tok}' is not understood here")

    def _chain(self, node) -> Val:
        kids = kids_of(node)
        if len(kids) != 1:
            raise Unreadable("a relation (=) inside an expression")
        return self._node(kids[0])

    _brace = _group = _chain

    def _paren(self, node) -> Val:
        v = self.value(kids_of(node)[0])
        return v if v.kind == "number" else replace(v, text=f"({v.text})", kind="value")

    def _name(self, node) -> Val:
        return self._scripted_symbol(str(node.children[0]), [])

    def _number(self, node) -> Val:
        return Val(str(node.children[0]), kind="number")

    def _greek(self, node) -> Val:
        return self._scripted_symbol(str(node.children[0]), [])

    def _func(self, node) -> Val:
        tok = node if isinstance(node, Token) else node.children[0]
        return Val(FUNCTION_NAMES.get(str(tok), str(tok)), kind="function")

    def _dots(self, node) -> Val:
        raise Unreadable("an elided sum (\\dots) cannot be evaluated")

    def _top(self, node) -> Val:
        raise Unreadable("a transpose sign with nothing to transpose")

    def _nabla(self, node) -> Val:
        raise Unreadable("\\nabla without a variable (write \\nabla_x L)")

    def _cases(self, node) -> Val:
        raise Unreadable("a case split inside an expression (only ∂y_k/∂z_k' = cases)")

    def _prose(self, node) -> Val:
        raise Unreadable("prose inside an expression")

    def _noise(self, node) -> Val:
        return self._node(kids_of(node)[0])

    def _font(self, node) -> Val:
        inner = kids_of(node)[0]
        word = word_of(inner)
        if word is not None and len(word) > 1:
            if word in FUNCTION_NAMES:
                return Val(FUNCTION_NAMES[word], kind="function")
            if word in self.s.shapes:
                return self._symbol(word, [])
            raise Unreadable(f"unknown name '{word}'")
        return self._node(inner)

    def _deco(self, node) -> Val:
        return self._scripted(Tree("scripted", [node]))

    def _partial(self, node) -> Val:
        return Val("∂", kind="partial", extra={"of": kids_of(node)[0]})

    def _unary(self, node) -> Val:
        op, operand = node.children
        v = self.value(operand)
        return v if str(op) == "+" else replace(v, text=f"-{_wrap(v)}", kind="value")

    def _frac(self, node) -> Val:
        num, den = kids_of(node)
        deriv = self._derivative(num, den)
        if deriv is not None:
            return deriv
        a, b = self.value(num), self.value(den)
        return self._divide(a, b)

    # --- derivatives --------------------------------------------------------------------
    def _derivative(self, num, den) -> Val | None:
        """∂a/∂b or da/db, or None when num and den are not differentials."""
        a, b = _differential(num), _differential(den)
        if a is None or b is None:
            return None
        of, wrt = self._operand(a), self._operand(b)
        return Val(f"∂{of.text}/∂{wrt.text}", kind="derivative", extra={"of": of, "wrt": wrt})

    def _operand(self, node) -> Val:
        try:
            v = self._node(node)
        except Unreadable as e:
            raise Unreadable(f"the derivative of an expression: {e}") from None
        if "name" not in v.extra:
            raise Unreadable("a derivative of an expression, not of a variable")
        return v

    def _derivative_value(self, v: Val) -> Val:
        of, wrt = v.extra["of"], v.extra["wrt"]
        if of.extra["name"] == self.s.loss and not of.idx:
            return self._adjoint_of(wrt)
        raise NotEvaluable(
            f"∂{of.extra['name']}/∂{wrt.extra['name']} is a Jacobian a formula cannot use"
        )

    def _adjoint_of(self, wrt: Val) -> Val:
        name = wrt.extra["name"]
        if name not in self.s.adjoints:
            raise Unreadable(f"{name} has no adjoint in this model")
        text = f"{name}_bar.T" if "col" in wrt.idx else f"{name}_bar"
        return replace(wrt, text=text, kind="value")

    # --- symbols ------------------------------------------------------------------------
    def _scripted(self, node) -> Val:
        """A primary with its scripts: a symbol, a decorated one (\\bar), ∇_x, a ∂, or an
        expression with a power, a transpose or a dimension annotation."""
        base, *scripts = node.children
        if isinstance(base, Tree) and base.data == "deco":
            return self._decorated(base, scripts)
        if isinstance(base, Token) and base.type in ("NAME", "NAME_ONE"):
            return self._scripted_symbol(str(base), scripts)
        if isinstance(base, Tree) and base.data == "name":
            return self._scripted_symbol(str(base.children[0]), scripts)
        if isinstance(base, Tree) and base.data in ("greek", "func"):
            return self._scripted_symbol(str(base.children[0]), scripts)
        if isinstance(base, Tree) and base.data == "font" and word_of(kids_of(base)[0]):
            word = word_of(kids_of(base)[0]) or ""
            if len(word) == 1 or word in self.s.shapes:
                return self._scripted_symbol(word, scripts)
        if isinstance(base, Tree) and base.data == "nabla":
            return self._nabla_of(scripts)
        if isinstance(base, Tree) and base.data == "partial":
            return Val("∂", kind="partial", extra={"of": _merged(kids_of(base)[0], scripts)})
        return self._apply_scripts(self._node(base), scripts)

    def _decorated(self, deco: Tree, scripts) -> Val:
        mark = str(deco.children[0])
        inner = kids_of(deco)[0]
        word = word_of(inner)
        if mark not in ADJOINT_DECOS:
            raise Unreadable(f"'{mark}' over a name is not an adjoint (write \\bar)")
        if word is None:
            raise Unreadable("a bar over an expression, not over a variable")
        return self._scripted_symbol(word, scripts, adjoint=True)

    def _nabla_of(self, scripts) -> Val:
        subs = [s for s in scripts if s.data == "sub"]
        if len(subs) != 1:
            raise Unreadable("\\nabla needs its variable as a subscript: \\nabla_x L")
        wrt = self._operand(_arg(subs[0]))
        return Val(f"∇{wrt.text}", kind="nabla", extra={"wrt": wrt})

    def _scripted_symbol(self, word: str, scripts, adjoint: bool = False) -> Val:
        """A letter with its subscripts and superscripts: a model name (W^{(1)} is W1),
        an indexed entry (y_k), e^{...}, a function (\\phi'), \\delta_x or δ_kk'."""
        subs = [_arg(s) for s in scripts if s.data == "sub"]
        sups = [_arg(s) for s in scripts if s.data == "sup"]
        primes = sum(1 for s in scripts if s.data == "prime")
        annotations = [a for a in (self._dims(s) for s in subs) if a is not None]
        subs = [s for s in subs if self._dims(s) is None]
        if word == "\\delta" and subs:
            return self._delta(subs)
        if word == "e" and "e" not in self.s.shapes and sups and not subs:
            arg = self.value(sups[0])
            return self._power_rest(Val(f"exp({_strip(arg.text)})", arg.shape, arg.idx), sups[1:])
        index, transpose, power = self._superscripts(word, sups)
        suffix = "".join(index)
        for s in subs:
            more, idx_letter = self._subscript(word + suffix, s)
            suffix += more
            if idx_letter:
                index.append(idx_letter)
        if word in ACTIVATION_NAMES or word in FUNCTION_NAMES:
            return self._function(word, primes, power)
        v = self._symbol(word + suffix, [i for i in index if not i.isdigit()])
        if adjoint:
            if v.kind != "value" or "name" not in v.extra:
                raise Unreadable(f"a bar over '{word}', which is not a variable")
            v = replace(self._adjoint_of(v), extra={**v.extra, "adjoint": v.extra["name"]})
        if primes:
            raise Unreadable(f"a prime on '{word}', which is not the activation")
        v = self._transpose(v) if transpose else v
        for a in annotations:
            self._annotate(v, a)
        self.s.seen.append((v.text, v.shape))
        return self._power(v, power)

    def _superscripts(self, word, sups):
        """W^{(1)} and W^1 name W1; ^T, ^\\top, ^{(2)T} transpose; ^2 is a power."""
        index: list[str] = []
        transpose, power = False, None
        for sup in sups:
            for item in _items(sup):
                kind, text = _classify_sup(item)
                if kind == "T":
                    transpose = True
                elif kind == "label":
                    index.append(text)
                elif kind == "number" and (word + text) in self.s.shapes and not index:
                    index.append(text)
                elif kind == "number":
                    power = text
                else:
                    power = item
        return index, transpose, power

    def _subscript(self, name: str, sub) -> tuple[str, str | None]:
        """z_2 -> z2; y_k -> (y, index k); L_{CE} -> L."""
        word = word_of(sub)
        if word is not None and word.isdigit():
            return word, None  # z_2 is z2 (an unknown W_3 is reported as W3)
        letter = index_letter(sub)
        if letter is not None:
            return "", letter
        if word is not None and name == self.s.loss:
            return "", None  # L_{CE}: a label of the loss
        if word is not None and word in self.s.shapes:  # \delta_x handled before
            raise Unreadable(f"'{name}_{word}' is not a name of the model")
        raise Unreadable(f"the subscript of '{name}' is not understood")

    def _symbol(self, name: str, indices: list[str]) -> Val:
        """A model name (or a size) with its indices; w_k is the k-th row of W."""
        if name in self.s.sizes:
            return Val(name, kind="number")
        row_of = None
        if name not in self.s.shapes and name.upper() in self.s.shapes and indices:
            row_of = name.upper()  # w_k: the k-th row of W
        if name not in self.s.shapes and row_of is None:
            known = ", ".join(self.s.shapes)
            raise Unreadable(f"unknown name '{name}' (the model has {known})")
        shape = self.s.shapes[row_of or name]
        base = Val(name, shape, extra={"name": row_of or name})
        if len(indices) > 1:
            raise Unreadable(f"{name} with two indices")
        if not indices:
            return base
        return self._indexed(base, indices[0], row_of is not None)

    def _indexed(self, v: Val, letter: str, row: bool) -> Val:
        """y_k in index notation: the column y for the row index, yᵀ for the column one."""
        role = self.s.roles.get(letter)
        if role is None:
            raise Unreadable(f"the index {letter} of {v.text} is free (no sum or ∂ binds it)")
        rows, cols = v.shape
        if cols != "1" and not row:
            raise Unreadable(f"{v.text}_{letter}: an index on a matrix")
        self.s.dims.setdefault(role, rows)
        extra = {**v.extra, "index": letter, "row": row}
        if row:
            return Val(v.text, v.shape, frozenset({role}), extra=extra)
        if role == "row":
            return Val(v.text, v.shape, frozenset({"row"}), extra=extra)
        return Val(f"{v.text}.T", (cols, rows), frozenset({"col"}), extra=extra)

    def _delta(self, subs) -> Val:
        """\\delta_x is x̄; \\delta_{kk'} is the identity (1 on the diagonal case)."""
        letters = _letters(subs[0])
        if len(letters) == 1 and letters[0] in self.s.shapes:
            v = self._symbol(letters[0], [])
            return replace(self._adjoint_of(v), extra={**v.extra, "adjoint": v.extra["name"]})
        if len(letters) != 2:
            raise Unreadable("\\delta with a subscript that is neither a variable nor two indices")
        roles = {self.s.roles.get(x) for x in letters}
        if None in roles:
            raise Unreadable(f"the indices of \\delta_{{{''.join(letters)}}} are free")
        if roles == {"row"} or roles == {"col"}:
            return Val("1", kind="number")
        size = self.s.dims.get("row") or self.s.dims.get("col") or "N"
        return Val(f"eye({size})", (size, size), frozenset({"row", "col"}))

    def _function(self, word: str, primes: int, power) -> Val:
        if word in FUNCTION_NAMES:
            return Val(FUNCTION_NAMES[word], kind="function", extra={"power": power})
        if not self.s.activation:
            raise Unreadable(f"'{word}' stands for an activation, and this model has none")
        if primes > 1:
            raise Unreadable(f"{word} with {primes} primes: a second derivative")
        return Val("dphi" if primes else "phi", kind="function", extra={"power": power})

    def _dims(self, sub) -> tuple[str, str] | None:
        """A dimension annotation (`_{d \\times 1}`) as (rows, cols), else None."""
        node = sub
        while isinstance(node, Tree) and node.data in ("group", "chain", "scripted", "noise"):
            kids = kids_of(node)
            if len(kids) != 1:
                break
            node = kids[0]
        return self.dims_of(node)

    def dims_of(self, node) -> tuple[str, str] | None:
        if not (isinstance(node, Tree) and node.data == "binop"):
            return None
        a, op, b = node.children
        if str(op) != "\\times":
            return None
        x, y = word_of(a), word_of(b)
        ok = [w for w in (x, y) if w is not None and (w.isdigit() or w in self.s.sizes)]
        return (x, y) if len(ok) == 2 else None  # type: ignore[return-value]

    def _annotate(self, v: Val, dims: tuple[str, str]) -> None:
        """Check a dimension annotation; under a product it may be its first factor's
        (the seed writes each factor's dimensions under it, the rest after \\quad)."""
        if dims != v.shape and dims != v.extra.get("first"):
            self.s.notes.append(
                f"the dimension annotation {dims[0]}×{dims[1]} under {v.text} is wrong: "
                f"it is {v.shape[0]}×{v.shape[1]}"
            )

    def _apply_scripts(self, v: Val, scripts) -> Val:
        """Scripts on an expression: ^T, powers, and dimension annotations (checked)."""
        for script in scripts:
            if script.data == "prime":
                raise Unreadable("a prime on an expression")
            arg = _arg(script)
            if script.data == "sub":
                dims = self._dims(arg)
                if dims is None:
                    raise Unreadable("a subscript on an expression")
                self._annotate(v, dims)
                continue
            v = self._power_rest(v, [arg])
        return v

    def _power_rest(self, v: Val, sups) -> Val:
        for sup in sups:
            for item in _items(sup):
                kind, text = _classify_sup(item)
                v = self._transpose(v) if kind == "T" else self._power(v, text or item)
        return v

    def _power(self, v: Val, power) -> Val:
        if power is None:
            return v
        p = power if isinstance(power, str) else self.value(power).text
        return replace(v, text=f"{_wrap(v)} ** {_wrap_text(p)}", kind="value")

    def _transpose(self, v: Val) -> Val:
        if v.idx:
            raise Unreadable(f"a transpose of the indexed {v.text}")
        return replace(v, text=f"{_wrap(v)}.T", shape=(v.shape[1], v.shape[0]))

    # --- products, sums, quotients ------------------------------------------------------
    def _juxt(self, node) -> Val:
        return self._product(flat_terms(node))

    def _binop(self, node) -> Val:
        a, op, b = node.children
        op = str(op)
        if op in ("+", "-", "\\pm"):
            if op == "\\pm":
                raise Unreadable("± is two formulas, not one")
            return self._add(self.value(a), op, self.value(b))
        return self._product(flat_terms(node))

    def _product(self, items: list) -> Val:
        """A product's factors and operators, left to right: differentials (dL/dx),
        ∇_x L and function application first, then each product by its shapes."""
        vals: list = []
        i = 0
        while i < len(items):
            item = items[i]
            if isinstance(item, str):
                vals.append(item)
                i += 1
                continue
            deriv, used = self._slash_derivative(items, i)
            if deriv is not None:
                vals.append(deriv)
                i += used
                continue
            v = self._node(item)
            if v.kind == "nabla":
                if i + 1 >= len(items) or isinstance(items[i + 1], str):
                    raise Unreadable("\\nabla_x without the loss after it")
                loss = self._operand(items[i + 1])
                vals.append(Val("", kind="derivative", extra={"of": loss, "wrt": v.extra["wrt"]}))
                i += 2
                continue
            if v.kind == "function":
                if i + 1 >= len(items) or isinstance(items[i + 1], str):
                    raise Unreadable(f"the function '{v.text}' has no argument")
                vals.append(self._applied(v, items[i + 1]))
                i += 2
                continue
            vals.append(v)
            i += 1
        return self._combine(vals)

    def _slash_derivative(self, items, i):
        """d L / d x and ∂L/∂x written with a slash: (Val, items used) or (None, 0)."""
        for n_num, n_den in ((2, 2), (1, 1), (2, 1), (1, 2)):
            end = i + n_num + 1 + n_den
            if end > len(items) or items[i + n_num] != "/":
                continue
            num, den = items[i : i + n_num], items[i + n_num + 1 : end]
            if any(isinstance(x, str) for x in num + den):
                continue
            a, b = _differential_seq(num), _differential_seq(den)
            if a is not None and b is not None:
                of, wrt = self._operand(a), self._operand(b)
                return Val("", kind="derivative", extra={"of": of, "wrt": wrt}), end - i
        return None, 0

    def _applied(self, fn: Val, node) -> Val:
        """f(z)^T, φ'(z_1)_{d×1}: the scripts after the parentheses act on the result."""
        if isinstance(node, Tree) and node.data == "scripted" and len(node.children) > 1:
            base, *scripts = node.children
            if isinstance(base, Tree) and base.data == "paren":
                return self._apply_scripts(self._call(fn, self.value(base)), scripts)
        return self._call(fn, self.value(node))

    def _call(self, fn: Val, arg: Val) -> Val:
        """fn(arg): elementwise functions keep the shape; diag makes a vector a matrix
        and takes a square matrix's diagonal."""
        shape = arg.shape
        if fn.text == "diag":
            if arg.idx or (shape[1] != "1" and shape[0] != shape[1]):
                raise Unreadable(f"diag of {arg.text} ({_dims(arg)})")
            shape = (shape[0], shape[0]) if shape[1] == "1" else (shape[0], "1")
        v = Val(f"{fn.text}({_strip(arg.text)})", shape, arg.idx)
        power = fn.extra.get("power")
        return self._power(v, power) if power is not None else v

    def _combine(self, vals: list) -> Val:
        """A product's translated factors, combined left to right with their operators."""
        acc = None
        op = None
        for v in vals:
            if isinstance(v, str):
                op = v
                continue
            if isinstance(v, Val) and v.kind == "derivative":
                v = self._derivative_value(v)
            if isinstance(v, Val) and v.kind == "partial":
                raise Unreadable("a ∂ outside a derivative")
            acc = v if acc is None else self._times(acc, op, v)
            op = None
        if acc is None:
            raise Unreadable("an empty product")
        return acc

    def _times(self, a: Val, op: str | None, b: Val) -> Val:
        """a OP b for a product operator or juxtaposition (op None), by the shapes."""
        if op == "/":
            return self._divide(a, b)
        if op in ("\\circ", "\\odot"):
            return self._elementwise(a, b, "∘")
        if op == "\\times" and not (a.scalar or b.scalar):
            raise Unreadable(f"× between {a.text} and {b.text}, neither a number")
        if op in ("\\otimes", "\\div"):
            raise Unreadable(f"'{op}' is not understood")
        first = {"first": a.extra.get("first", a.shape)}
        if a.scalar or b.scalar:
            shape = b.shape if a.scalar else a.shape
            return Val(f"{_wrap(a)} * {_wrap(b)}", shape, a.idx | b.idx, extra=first)
        if a.idx or b.idx:
            return self._index_product(a, b)
        return replace(self._matrix_product(a, b), extra=first)

    def _matrix_product(self, a: Val, b: Val) -> Val:
        if a.shape[1] == b.shape[0]:
            return Val(f"{_wrap(a)} @ {_wrap(b)}", (a.shape[0], b.shape[1]))
        if a.shape == b.shape:
            raise Unreadable(
                f"ambiguous product: {a.text} ({_dims(a)}) next to {b.text} ({_dims(b)}) is no "
                "matrix product; write \\circ for the elementwise one"
            )
        raise Unreadable(f"no product fits {a.text} ({_dims(a)}) next to {b.text} ({_dims(b)})")

    def _elementwise(self, a: Val, b: Val, sym: str) -> Val:
        if a.idx != b.idx and a.idx and b.idx:
            a, b = self._full(a), self._full(b)
        if a.shape != b.shape and not (a.scalar or b.scalar):
            raise Unreadable(f"{a.text} ({_dims(a)}) {sym} {b.text} ({_dims(b)}): shapes differ")
        return Val(f"{_wrap(a)} * {_wrap(b)}", a.shape if not a.scalar else b.shape, a.idx | b.idx)

    def _index_product(self, a: Val, b: Val) -> Val:
        """Products in index notation: y_k t_k entrywise, y_k y_k' the outer product,
        y_k δ_kk' a diagonal scaling, (y_k − t_k) x the k-th row of an outer product."""
        if a.idx == b.idx and a.shape == b.shape:
            return Val(f"{_wrap(a)} * {_wrap(b)}", a.shape, a.idx)
        if a.idx == {"row"} and b.idx == {"col"}:
            return Val(f"{_wrap(a)} @ {_wrap(b)}", (a.shape[0], b.shape[1]), a.idx | b.idx)
        if a.idx == {"col"} and b.idx == {"row"}:
            return self._index_product(b, a)
        if a.idx == {"row"} and b.idx == {"row", "col"}:
            return Val(f"diag({_strip(a.text)}) @ {_wrap(b)}", b.shape, b.idx)
        if b.idx == {"row"} and a.idx == {"row", "col"}:
            return self._index_product(b, a)
        if a.idx == {"col"} and b.idx == {"row", "col"}:
            return Val(f"{_wrap(b)} @ diag({_strip(a.text)})", b.shape, b.idx)
        if b.idx == {"col"} and a.idx == {"row", "col"}:
            return self._index_product(b, a)
        if a.idx == {"row"} and not b.idx and b.shape[1] == "1":
            return Val(
                f"{_wrap(a)} @ {_wrap(b)}.T", (a.shape[0], b.shape[0]), a.idx, extra={"rows": 1}
            )
        if b.idx == {"row"} and not a.idx and a.shape[1] == "1":
            return self._index_product(b, a)
        raise Unreadable(f"no product fits {a.text} ({_dims(a)}) next to {b.text} ({_dims(b)})")

    def _full(self, v: Val) -> Val:
        """An index expression spread over both indices (row k, column k')."""
        if v.idx == {"row"}:
            return Val(
                f"{_wrap(v)} @ ones_like({_strip(v.text)}).T",
                (v.shape[0], v.shape[0]),
                frozenset({"row", "col"}),
            )
        if v.idx == {"col"}:
            return Val(
                f"ones_like({_strip(v.text)}).T @ {_wrap(v)}",
                (v.shape[1], v.shape[1]),
                frozenset({"row", "col"}),
            )
        return v

    def _add(self, a: Val, op: str, b: Val) -> Val:
        sign = "-" if op == "-" else "+"
        if a.idx != b.idx and not (a.scalar or b.scalar):
            a, b = self._full(a), self._full(b)
        if a.shape != b.shape and not (a.scalar or b.scalar):
            raise Unreadable(f"{a.text} ({_dims(a)}) {op} {b.text} ({_dims(b)}): shapes differ")
        shape = b.shape if a.scalar else a.shape
        rhs = _wrap(b) if sign == "-" and b.kind == "value" and " " in b.text else b.text
        return Val(f"{a.text} {sign} {rhs}", shape, a.idx | b.idx)

    def _divide(self, a: Val, b: Val) -> Val:
        if b.idx and b.idx != a.idx:
            a, b = self._full(a), self._full(b)
        if not b.scalar and a.shape != b.shape:
            raise Unreadable(f"{a.text} / {b.text}: dividing by a {_dims(b)} matrix")
        return Val(f"{_wrap(a)} / {_wrap(b)}", a.shape if not a.scalar else b.shape, a.idx | b.idx)

    def _bigsum(self, node) -> Val:
        """Σ_j body: over the body's own index (sum), or a free role (col) if it uses k."""
        kids = kids_of(node)
        scripts, body = kids[:-1], kids[-1]
        subs = [_arg(s) for s in scripts if isinstance(s, Tree) and s.data == "sub"]
        if not subs:
            raise Unreadable("a sum without its index (write \\sum_j)")
        letter = index_letter(_sum_index(subs[0]))
        if letter is None:
            raise Unreadable("the index of a sum is not understood")
        inner = Scope(
            **{**self.s.__dict__, "roles": {letter: "row"}, "dims": {}, "notes": self.s.notes}
        )
        try:
            v = Translator(inner).value(body)
            if v.idx - {"row"} or v.shape[1] != "1":
                raise Unreadable("a sum's body that is not a vector over its index")
            return Val(f"sum({_strip(v.text)})") if v.idx else self._times_size(v, inner)
        except Unreadable as e:
            if "free" not in str(e) or "col" in self.s.roles.values():
                raise
        outer = Scope(**{**self.s.__dict__, "roles": {**self.s.roles, letter: "col"}})
        v = Translator(outer).value(body)
        if "col" not in v.idx:
            return self._times_size(v, outer)
        return Val(f"sum({_strip(v.text)}, 1)", (v.shape[0], "1"), v.idx - {"col"})

    def _times_size(self, v: Val, scope: Scope) -> Val:
        size = scope.dims.get("row") or scope.dims.get("col")
        if size is None:
            raise Unreadable("a sum whose body does not depend on its index, over an unknown range")
        return replace(v, text=f"{size} * {_wrap(v)}")


# --- tree helpers ---------------------------------------------------------------------
def _arg(script: Tree):
    return script.children[-1]


def _unwrap(node):
    """The node a group, chain or bare scripted holds, when it holds one."""
    while isinstance(node, Tree) and node.data in ("group", "chain", "scripted"):
        kids = kids_of(node)
        if len(kids) != 1:
            break
        node = kids[0]
    return node


def _items(node) -> list:
    """The items of a superscript group: ^{(2)T} -> [(2), T]."""
    node = _unwrap(node)
    if isinstance(node, Tree) and node.data == "juxt":
        return [_unwrap(x) for x in flat_terms(node)]
    return [node]


def _classify_sup(item) -> tuple[str, str]:
    """('T', '') for a transpose, ('label', '2') for (2) or [2], ('number', '2')."""
    item = _unwrap(item)
    w = word_of(item)
    if isinstance(item, Tree) and item.data == "top":
        return ("T", "")
    if isinstance(item, Token) and item.type == "TOP":
        return ("T", "")
    if w in ("T", "\\top", "\\intercal", "\\mathsf{T}", "\\mathrm{T}"):
        return ("T", "")
    if isinstance(item, Tree) and item.data == "paren":
        inner = word_of(kids_of(item)[0])
        if inner is not None and inner.isdigit():
            return ("label", inner)
    if w is not None and w.replace(".", "", 1).isdigit():
        return ("number", w)
    return ("other", "")


def word_of(node) -> str | None:
    """The single name, number or command a node holds, or None."""
    while isinstance(node, Tree):
        kids = kids_of(node)
        if node.data in ("top",):
            return str(node.children[0])
        if node.data == "font" and kids:
            node = kids[0]
            continue
        factors = flat_terms(node) if node.data == "juxt" else []
        if factors and all(not isinstance(k, str) and word_of(k) is not None for k in factors):
            words = [word_of(k) or "" for k in factors]
            return "".join(words) if all(len(w) == 1 and w.isalpha() for w in words) else None
        if len(kids) != 1 or node.data not in (
            "group",
            "chain",
            "scripted",
            "name",
            "number",
            "greek",
            "func",
            "noise",
            "brace",
        ):
            return None
        node = kids[0]
    return str(node) if isinstance(node, Token) else None


def index_letter(node) -> str | None:
    """k, j, or k' (a letter and primes) as an index, else None."""
    while isinstance(node, Tree) and node.data in ("group", "chain") and len(kids_of(node)) == 1:
        node = kids_of(node)[0]
    if isinstance(node, Token) and node.type in ("NAME", "NAME_ONE") and len(node) == 1:
        return str(node)
    if isinstance(node, Tree) and node.data == "scripted":
        base, *scripts = node.children
        letter = index_letter(base)
        if letter and scripts and all(s.data == "prime" for s in scripts):
            return letter + "'" * len(scripts)
        return letter if letter and not scripts else None
    if isinstance(node, Tree) and node.data == "name":
        return index_letter(node.children[0])
    return None


def _letters(node) -> list[str]:
    """δ_{kk'} -> ['k', "k'"]; δ_x -> ['x']; δ_{z_1} -> ['z1']."""
    items = _items(node)
    out = []
    for item in items:
        letter = index_letter(item)
        if letter is None:
            w = word_of(item)
            if isinstance(item, Tree) and item.data == "scripted" and len(item.children) == 2:
                base, sub = word_of(item.children[0]), word_of(_arg(item.children[1]))
                w = f"{base}{sub}" if base and sub else None
            if w is None:
                return []
            letter = w
        out.append(letter)
    return out


def _sum_index(node):
    """The index of \\sum_{j=1}: the left side of the relation, or the node itself."""
    while isinstance(node, Tree) and node.data == "group":
        node = kids_of(node)[0] if kids_of(node) else node
        if isinstance(node, Tree) and node.data == "chain":
            return kids_of(node)[0]
    return node


def flat_terms(node) -> list:
    """A product tree as its factors and operators, left to right."""
    if isinstance(node, Tree) and node.data == "juxt":
        return [x for k in node.children for x in flat_terms(k)]
    if isinstance(node, Tree) and node.data == "binop" and str(node.children[1]) not in "+-":
        a, op, b = node.children
        return [*flat_terms(a), str(op), *flat_terms(b)]
    return [node]


def _differential(node):
    """The operand of ∂x or d x (a numerator or denominator), else None."""
    items = _items(node)
    return _differential_seq(items)


def _differential_seq(items):
    """The operand of a differential written as factors: [∂x] or [d, x]."""
    if len(items) == 1:
        node = items[0]
        if (
            isinstance(node, Tree)
            and node.data == "scripted"
            and isinstance(node.children[0], Tree)
        ):
            base = node.children[0]
            if base.data == "partial":
                return _merged(kids_of(base)[0], node.children[1:])
        if isinstance(node, Tree) and node.data == "partial":
            return kids_of(node)[0]
        return None
    if len(items) == 2 and word_of(items[0]) == "d":
        return items[1]
    return None


def _merged(inner, scripts) -> Tree:
    """∂ W^{(2)}: the scripts the parser hung on the ∂, moved onto its operand."""
    if isinstance(inner, Tree) and inner.data == "scripted":
        return Tree("scripted", [*inner.children, *scripts])
    return Tree("scripted", [inner, *scripts])


def _dims(v: Val) -> str:
    return f"{v.shape[0]}×{v.shape[1]}"


def _wrap(v: Val) -> str:
    return _wrap_text(v.text)


def _wrap_text(text: str) -> str:
    """``text`` in parentheses unless it is one name, number or call already."""
    if _strip(text) != text:
        return text
    bare = text.replace("_", "").replace(".", "")
    if bare.isalnum() or (bare.startswith("-") and bare[1:].isalnum()):
        return text
    head = text.split("(", 1)[0]
    if (
        head.isidentifier()
        and text.endswith(")")
        and _strip(text[len(head) :]) != text[len(head) :]
    ):
        return text
    return f"({text})"


def _strip(text: str) -> str:
    """'(a + b)' -> 'a + b' when the parentheses enclose the whole text."""
    if not (text.startswith("(") and text.endswith(")")):
        return text
    depth = 0
    for i, c in enumerate(text):
        depth += c == "("
        depth -= c == ")"
        if depth == 0 and i < len(text) - 1:
            return text
    return text[1:-1]
