"""Every equation of a derivation, classified and translated, nothing skipped silently.

Each piece of math is parsed (grammar.py) into parts: chains of equalities, set
memberships (`z_2 \\in \\mathbb{R}^d`), prose. A chain's left side says what it is:

- an adjoint (`\\bar{x}`, `\\overline{x}`, `\\delta_x`, `\\partial L/\\partial x`,
  `dL/dx`, `\\nabla_x L`, `\\frac{\\partial L}{\\partial z_k}`, a row `w_k` of W);
- a Jacobian the model has (`\\frac{\\partial y_k}{\\partial z_{k'}}`), for one case
  (`k = k'` or `k \\neq k'`, from the equation, a cases environment or the prose
  before it) or for every entry;
- a forward definition (`z_1 = W^{(1)} x`), checked against the model's forward;
- anything else is listed with the reason it is not checked.

Each later member of a chain is a step; a piece of math that starts with `=` adds
steps to the equation before it. Steps are translated (translate.py) to formula text.
"""

from dataclasses import dataclass, field

from lark import Token, Tree

from gradcheck_cli.derivation import document, grammar
from gradcheck_cli.derivation.translate import (
    NotEvaluable,
    Scope,
    Translator,
    Unreadable,
    Val,
    flat_terms,
    index_letter,
    kids_of,
    symbol,
    word_of,
)

ADJOINT, JACOBIAN, FORWARD, OTHER, UNREAD = (
    "adjoint",
    "jacobian",
    "forward",
    "not checked",
    "not understood",
)
DIAG, OFF = "k = k'", "k ≠ k'"
INDEX_LETTERS = "ijklmn"  # a condition relates two of these (k = k', i \\neq j)


@dataclass
class Step:
    """One member of a chain after the first: as written, and as a formula."""

    line: int
    latex: str
    formula: str | None = None  # the typed formula, when translated
    status: str = ""  # PASS, FAIL, ... once checked; or why it is not
    reason: str = ""
    diagnosis: str = ""
    notes: list[str] = field(default_factory=list)
    main: bool = False  # the step the report's row shows


@dataclass
class Equation:
    """One equation found: where, what it defines, and its steps."""

    line: int
    latex: str
    kind: str
    target: str | None = None  # a row id ("x", "dy/dz") or a forward name
    label: str = ""  # as printed: x̄, ∂y/∂z (k = k'), z1
    case: str | None = None  # DIAG, OFF or None (every entry)
    steps: list[Step] = field(default_factory=list)
    reason: str = ""
    roles: dict = field(default_factory=dict, repr=False)  # index letter -> row | col
    notes: list[str] = field(default_factory=list)  # wrong dimension annotations on its left
    atoms: list = field(default_factory=list, repr=False)  # (name, shape) as read, in order


@dataclass
class Context:
    """What carries from one piece of math to the next: the current case, the last
    equation (for a continuation `= ...`)."""

    case: str | None = None
    last: Equation | None = None
    chain: Equation | None = None  # the last chain read: what a row of dimensions is under
    locals: dict = field(default_factory=dict)  # a name defined after "Let" -> its line
    line: int = 0  # the line of the piece read last


def scope_of(model) -> Scope:
    batch = model.symbols.get("B", 1)
    shapes = {leaf.name: symbol(leaf.shape, batch) for leaf in model.leaves}
    shapes.update({s.name: symbol(s.shape, batch) for s in model.steps})
    return Scope(
        shapes=shapes,
        adjoints={f.name for f in model.formulas},
        loss=model.loss,
        sizes=set(model.symbols),
        activation="phi" in getattr(model, "functions", {}),
    )


def read(doc: document.Document, model) -> list[Equation]:
    """Every equation of the document, in order, translated against ``model``."""
    ctx = Context()
    out: list[Equation] = []
    headings = sorted(m.line for m in doc.markers)
    for piece in doc.pieces:
        if any(ctx.line < h <= piece.line for h in headings):
            ctx.case = None  # a case set in the prose holds until the next section
        ctx.line = piece.line
        found = _piece(piece, model, ctx)
        _blame_locals(found, ctx.locals)
        out.extend(found)
    return out


def _blame_locals(equations: list[Equation], names: dict) -> None:
    """'unknown name g' says why, when g is a local definition (not substituted)."""
    for e in equations:
        items: list[Equation | Step] = [e, *e.steps]
        for item in items:
            for name, line in names.items():
                if f"'{name}'" in item.reason and e.kind != OTHER:
                    item.reason += f" ({name} is a local definition, line {line}: not substituted)"
                    break


def _piece(piece: document.Math, model, ctx: Context) -> list[Equation]:
    text = piece.text
    if text.lstrip().startswith("="):
        return _continuation(piece, model, ctx)
    try:
        tree = grammar.parse(text)
    except ValueError as e:
        if "=" not in text:
            return []
        return [Equation(piece.line, text, UNREAD, reason=str(e))]
    parts = [p for p in tree.children if isinstance(p, Tree)]
    return _parts(piece, parts, model, ctx)


def _parts(piece, parts, model, ctx: Context) -> list[Equation]:
    """The equations of one piece's parts; prose opens local definitions (Let) and
    conditions (k = k') set the case of a Jacobian, for what follows or the chain before."""
    out: list[Equation] = []
    prose, local = "", False
    row = _dimension_row(piece, parts, model, ctx.chain)
    if row is not None:
        return [row]
    for i, part in enumerate(parts):
        if part.data == "prose":
            prose = " ".join(str(c) for c in part.children)
            local = local or _local(prose)
            continue
        if part.data == "member":
            out.append(_member(piece, part, model))
            continue
        case = _condition(part, model)
        if case is not None:
            if not (out and out[-1].kind == JACOBIAN):
                ctx.case = case  # a condition on its own: for what follows
            continue
        if local:
            out.append(_equation_shell(piece, part, OTHER, "a local definition (let ...)"))
            name = word_of(kids_of(part)[0])
            if name:
                ctx.locals.setdefault(name, piece.line)
        elif len(kids_of(part)) > 1:
            out.extend(_chain(piece, part, model, _after(parts, i, model) or _held(ctx, part)))
        prose = ""
    if out:
        ctx.last = out[-1]
    chains = [e for e in out if e.kind in (ADJOINT, JACOBIAN, FORWARD)]
    ctx.chain = chains[-1] if chains else ctx.chain
    return out


def _dimension_row(piece, parts, model, above: Equation | None) -> Equation | None:
    """A piece that is only dimensions (`d \\times 1 \\quad d \\times d \\quad d
    \\times 1`, written under an equation): checked against the names of the equation
    above, in order; None for any other piece."""
    t = Translator(scope_of(model))
    exprs = [p for p in parts if p.data != "prose"]
    found = [t.dims_of(_unwrap(p)) for p in exprs]
    dims = [d for d in found if d is not None]
    if not dims or len(dims) != len(found):
        return None
    eq = Equation(piece.line, piece.text, "dimensions", label="dimensions")
    step = Step(piece.line, piece.text)
    eq.steps.append(step)
    atoms = above.atoms if above is not None else []
    written = ", ".join(f"{a}×{b}" for a, b in dims)
    if len(atoms) != len(dims):
        step.status = "not matched"
        step.reason = (
            f"{len(dims)} dimensions ({written}) under {', '.join(n for n, _ in atoms)}"
            if atoms
            else f"{written}: the equation above is not read in full, or there is none"
        )
        return eq
    wrong = [
        f"{n} is {s[0]}×{s[1]}, not {d[0]}×{d[1]}"
        for (n, s), d in zip(atoms, dims, strict=True)
        if s != d
    ]
    step.status = "wrong" if wrong else "right"
    step.reason = "; ".join(wrong) or f"{written}: the shapes of {', '.join(n for n, _ in atoms)}"
    return eq


def _unwrap(node):
    """The expression under \\underline{...} and a chain of one member."""
    while isinstance(node, Tree) and node.data in ("chain", "scripted", "noise", "group"):
        kids = kids_of(node)
        if len(kids) != 1:
            break
        node = kids[0]
    return node


def _held(ctx: Context, part) -> str | None:
    """The case the prose set (If $k = k'$), unless the equation is for every entry:
    one that writes \\delta (y_k (\\delta_{kk'} - y_{k'})) or a cases environment."""
    text = " ".join(str(t) for t in part.scan_values(lambda v: isinstance(v, Token)))
    return None if "\\delta" in text or "\\begin{cases}" in text else ctx.case


def _after(parts, i: int, model) -> str | None:
    """The condition written after the chain parts[i] (`\\text{ when } k = k'`)."""
    for part in parts[i + 1 :]:
        if part.data == "prose":
            continue
        return _condition(part, model)
    return None


def _local(prose: str) -> bool:
    """Prose that opens local definitions: `\\text{Let } g = ...`."""
    words = prose.replace("{", " ").replace("}", " ").lower().split()
    return "let" in words


def _source(piece, node) -> str:
    meta = getattr(node, "meta", None)
    if meta is None or getattr(meta, "empty", True):
        return piece.text
    return piece.text[meta.start_pos : meta.end_pos].strip()


def _equation_shell(piece, part, kind, reason) -> Equation:
    return Equation(piece.line, _source(piece, part), kind, reason=reason)


def _condition(part, model) -> str | None:
    """k = k' (DIAG) or k \\neq k' (OFF): a chain relating two indices (letters that
    are no name or size of the model: `K = N` is not a case)."""
    kids = kids_of(part)
    if part.data != "chain" or len(kids) != 3:
        return None
    a, rel, b = kids
    taken = set(model.symbols) | {leaf.name for leaf in model.leaves}
    taken |= {s.name for s in model.steps}
    letters = [index_letter(_bare(a)), index_letter(_bare(b))]
    if None in letters or taken & set(letters):
        return None
    if any(x[0] not in INDEX_LETTERS for x in letters if x):
        return None
    if str(rel) == "=":
        return DIAG
    if str(rel) in ("\\neq", "\\ne"):
        return OFF
    return None


def _bare(node):
    while isinstance(node, Tree) and node.data in ("scripted",) and len(node.children) == 1:
        node = node.children[0]
    if isinstance(node, Tree) and node.data == "name":
        return node.children[0]
    return node


def _member(piece, part, model) -> Equation:
    """z_2 \\in \\mathbb{R}^{d}: the shape a name is claimed to have, checked."""
    trees = [c for c in part.children if isinstance(c, Tree)]
    expr, space = trees[0], trees[-1]
    eq = Equation(piece.line, _source(piece, part), "shape")
    scope = scope_of(model)
    try:
        v = Translator(scope).value(expr)
    except (Unreadable, NotEvaluable) as e:
        eq.kind, eq.reason = OTHER, f"a set membership: {e}"
        return eq
    sup = [c for c in space.children if isinstance(c, Tree)]
    claimed = _claimed(sup, scope)
    if claimed is None:
        eq.kind, eq.reason = OTHER, "a set membership whose dimensions are not understood"
        return eq
    actual = v.shape
    ok = claimed == actual or (claimed[1] == "1" and claimed[0] == actual[0] and actual[1] == "1")
    eq.target = v.text
    eq.reason = (
        f"{v.text} is {actual[0]}×{actual[1]}"
        if ok
        else f"wrong: {v.text} is {actual[0]}×{actual[1]}, not {claimed[0]}×{claimed[1]}"
    )
    eq.steps.append(Step(piece.line, eq.latex, status="right" if ok else "wrong", reason=eq.reason))
    return eq


def _claimed(sup, scope) -> tuple[str, str] | None:
    """The dimensions of \\mathbb{R}^{...}: R^d is d×1, R^{a \\times b} is a×b."""
    if not sup:
        return ("1", "1")
    node = sup[0]
    t = Translator(scope)
    dims = t._dims(node)
    if dims is not None:
        return dims
    w = word_of(node)
    if w is not None and (w.isdigit() or w in scope.sizes):
        return (w, "1")
    return None


# --- chains ---------------------------------------------------------------------------
def _chain(piece, part, model, case: str | None) -> list[Equation]:
    """The equation a chain of equalities makes (and, for a Jacobian whose steps
    include a cases environment, one equation per case)."""
    kids = kids_of(part)
    exprs = kids[0::2]
    rels = [str(r) for r in kids[1::2]]
    eq = Equation(piece.line, _source(piece, part), UNREAD)
    if any(r != "=" for r in rels):
        eq.reason = f"a chain with '{next(r for r in rels if r != '=')}', not only ="
        return [eq]
    scope = scope_of(model)
    try:
        _classify(eq, exprs[0], scope, model, case)
    except (Unreadable, NotEvaluable) as e:
        eq.kind, eq.reason = (UNREAD if isinstance(e, Unreadable) else OTHER), str(e)
        return [eq]
    eq.notes = list(scope.notes)
    eq.atoms = list(scope.seen)
    out = [eq]
    if eq.kind in (ADJOINT, JACOBIAN, FORWARD):
        for node in exprs[1:]:
            if _is_cases(node) and eq.kind == JACOBIAN:
                out += _cases(piece, node, eq, model)
            else:
                eq.steps.append(_step(piece, node, eq, model))
        if len(exprs) == 1:
            eq.reason = "nothing on the right of ="
    return out[1:] if len(out) > 1 and not eq.steps else out


def _is_cases(node) -> bool:
    return isinstance(node, Tree) and node.data == "scripted" and node.children[0].data == "cases"


def _cases(piece, node, eq: Equation, model) -> list[Equation]:
    """`\\begin{cases} a & k = k' \\\\ b & k \\neq k' \\end{cases}`: one equation per
    case; `\\text{otherwise}` is the case the other row does not name."""
    rows = [c for c in node.children[0].children if isinstance(c, Tree)]
    cases = [_row_case(r.children[-1], model) for r in rows]
    named = {c for c in cases if c in (DIAG, OFF)}
    out = []
    for row, case in zip(rows, cases, strict=True):
        if case == "otherwise" and len(named) == 1:
            case = OFF if named == {DIAG} else DIAG
        case = case if case in (DIAG, OFF) else None
        sub = Equation(eq.line, _source(piece, row), JACOBIAN, eq.target, case=case, roles=eq.roles)
        sub.label = eq.label.split(" (")[0] + (f" ({case})" if case else "")
        if case is None:
            sub.kind, sub.reason = UNREAD, "a case whose condition is not k = k' or k ≠ k'"
        else:
            sub.steps.append(_step(piece, row.children[0], sub, model))
        out.append(sub)
    return out


def _row_case(cond, model) -> str | None:
    """A cases row's condition: DIAG, OFF, "otherwise", or None."""
    relation = [c for c in cond.children if isinstance(c, Tree) or c.type == "REL"]
    words = " ".join(str(c) for c in cond.children if isinstance(c, Token) and c.type == "TEXT")
    if not relation and any(w in words.lower() for w in ("otherwise", "else")):
        return "otherwise"
    return _condition(Tree("chain", relation), model) if relation else None


def _classify(eq: Equation, lhs, scope: Scope, model, case) -> None:
    """Set eq's kind, target and label from the left side (raises Unreadable)."""
    head = _head(lhs, scope)
    eq.roles = dict(scope.roles)
    adjoint = head.extra.get("adjoint")
    if head.kind == "derivative":
        of, wrt = head.extra["of"], head.extra["wrt"]
        if of.extra["name"] == scope.loss and not of.idx:
            adjoint = wrt.extra["name"]
        else:
            return _jacobian(eq, of, wrt, model, case)
    if adjoint is not None:
        if adjoint not in scope.adjoints:
            raise Unreadable(f"{adjoint} has no adjoint in this model")
        eq.kind, eq.target, eq.label = ADJOINT, adjoint, _bar_label(adjoint)
        return None
    name = head.extra.get("name")
    if head.kind != "value" or name is None:
        raise Unreadable(f"the left side '{head.text}' is not a variable of the model")
    if name in {leaf.name for leaf in model.leaves}:
        eq.kind, eq.reason = OTHER, f"{name} is a {_role(model, name)}: not defined by an equation"
        return None
    eq.kind, eq.target, eq.label = FORWARD, name, name
    return None


def _bar_label(name: str) -> str:
    from gradcheck_cli.result import bar

    return bar(name)


def _role(model, name: str) -> str:
    return next(leaf.role for leaf in model.leaves if leaf.name == name)


def _jacobian(eq: Equation, of: Val, wrt: Val, model, case) -> None:
    ids = {j.id: j for j in getattr(model, "jacobians", [])}
    key = f"d{of.extra['name']}/d{wrt.extra['name']}"
    if key not in ids:
        raise NotEvaluable(
            f"∂{of.extra['name']}/∂{wrt.extra['name']} is a Jacobian the model does not check"
        )
    eq.kind, eq.target = JACOBIAN, key
    eq.case = case if (of.idx or wrt.idx) else None
    eq.label = f"∂{of.extra['name']}/∂{wrt.extra['name']}" + (f" ({eq.case})" if eq.case else "")


def _head(lhs, scope: Scope) -> Val:
    """The left side as a Val, with its indices as the row and column roles."""
    letters = _lhs_indices(lhs, scope)
    scope.roles = {}
    for letter, role in zip(letters, ("row", "col"), strict=False):
        scope.roles[letter] = role
    t = Translator(scope)
    items = flat_terms(lhs) if isinstance(lhs, Tree) and lhs.data in ("juxt", "binop") else [lhs]
    if len(items) > 1:
        deriv, used = t._slash_derivative(items, 0)
        if deriv is not None and used == len(items):
            return deriv
        first = t.head(items[0])
        if first.kind == "nabla" and len(items) == 2:
            loss = t._operand(items[1])
            return Val("", kind="derivative", extra={"of": loss, "wrt": first.extra["wrt"]})
    return t.head(lhs)


def _lhs_indices(node, scope: Scope) -> list[str]:
    """Index letters in subscripts of the left side, in order (y_k, z_{k'})."""
    found: list[str] = []
    stack = [node]
    while stack:
        n = stack.pop(0)
        if not isinstance(n, Tree):
            continue
        if n.data == "sub":
            letter = index_letter(n.children[-1])
            if letter is not None and letter not in scope.shapes and letter not in found:
                found.append(letter)
                continue
        stack[0:0] = [c for c in n.children if isinstance(c, Tree)]
    return found


def _case_scope(scope: Scope, case: str | None) -> Scope:
    """On the diagonal (k = k') every index is the row's; off it (k ≠ k'), k' is the
    column's even where the left side named the column j."""
    row = next((k for k, v in scope.roles.items() if v == "row"), "k")
    if case == DIAG:
        scope.roles = {k: "row" for k in [*scope.roles, row + "'"]}
    elif case == OFF:
        scope.roles.setdefault(row + "'", "col")
    return scope


def _step(piece, node, eq: Equation, model) -> Step:
    """One step, translated: its formula, or why not (its own name again, a Jacobian
    a formula cannot use, something not understood)."""
    step = Step(piece.line, _source(piece, node))
    scope = scope_of(model)
    try:
        if _same_name(node, eq, model):
            step.status, step.reason = "name", f"the {eq.kind}'s own name"
            return step
        scope.roles = dict(eq.roles)
        v = Translator(_case_scope(scope, eq.case)).value(node)
        step.formula = _finish(v, eq)
        step.notes = list(scope.notes)
        if not eq.steps:  # the names of the first member, for a row of dimensions under it
            eq.atoms += scope.seen
    except Unreadable as e:
        step.status, step.reason = UNREAD, str(e)
    except NotEvaluable as e:
        step.status, step.reason = "not evaluated", str(e)
    if step.formula is None and not eq.steps:
        eq.atoms = []  # not read in full: a row of dimensions under it is not matched
    return step


def _same_name(node, eq: Equation, model) -> bool:
    """Whether a step only names the target again (∂L/∂z_2 after \\bar{z}_2)."""
    probe = Equation(eq.line, "", UNREAD)
    try:
        _classify(probe, node, scope_of(model), model, eq.case)
    except (Unreadable, NotEvaluable):
        return False
    return probe.kind == eq.kind and probe.target == eq.target


def _finish(v: Val, eq: Equation) -> str:
    """The formula text for the target: a diagonal case as diag(...)."""
    if eq.kind == JACOBIAN and eq.case == DIAG:
        if v.idx - {"row"}:
            raise Unreadable("the case k = k' still depends on k'")
        size = v.shape[0]
        return f"diag({v.text})" if v.idx else f"{v.text} * eye(N)" if size == "1" else v.text
    if eq.kind == JACOBIAN and v.idx and v.idx != {"row", "col"}:
        return Translator(Scope({}, set(), "", set(), False))._full(v).text
    if eq.kind == ADJOINT and v.idx and v.idx != {"row"}:
        raise Unreadable("an adjoint in index notation that depends on a second index")
    return v.text


def _continuation(piece, model, ctx: Context) -> list[Equation]:
    """`= ...` on its own: more steps of the equation before it."""
    eq = ctx.last
    text = piece.text.lstrip()[1:]
    if eq is None or eq.kind not in (ADJOINT, JACOBIAN, FORWARD):
        return [
            Equation(
                piece.line, piece.text, UNREAD, reason="a continuation (= ...) of nothing checked"
            )
        ]
    try:
        tree = grammar.parse(text)
    except ValueError as e:
        eq.steps.append(Step(piece.line, text.strip(), status=UNREAD, reason=str(e)))
        return []
    parts = [p for p in tree.children if isinstance(p, Tree)]
    sub = document.Math(piece.line, text, piece.display)
    for part in parts:
        case = _condition(part, model)
        if part.data == "prose" or case is not None:
            if case is not None and eq.kind == JACOBIAN:
                eq.case = case
            continue
        for node in kids_of(part) if part.data == "chain" else [part]:
            if isinstance(node, Token):
                continue
            eq.steps.append(_step(sub, node, eq, model))
    return []
