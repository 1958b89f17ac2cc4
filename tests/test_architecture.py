"""The shape of the package: imports run one way, down the pipeline.

cli → testing → api → pipeline → derivation → {report, diagnose} → engine → models →
options → bundled → result, errors → records (STAGES). A module may import its own stage
and any stage below it, never one above it (nor a sibling stage); no module imports another
module's private name (``_x``). Read from the source with ``ast``: imports inside functions count
too (a deferred import is still an arrow), those under ``if TYPE_CHECKING:`` do not (they
are annotations, never run).
"""

import ast
from pathlib import Path

PACKAGE = Path(__file__).parent.parent / "src" / "gradcheck_cli"

# stage -> its rank: a module may import stages of a lower rank, and its own stage
STAGES = {
    "__init__": 9,  # the package: check, check_layer, Report, loaded lazily
    "cli": 8,  # the command line (and __main__): the only code that prints or exits
    "testing": 7.5,  # the pytest helper, on top of check()
    "api": 7,  # check(), check_layer(): config -> model -> pipeline
    "pipeline": 6.5,  # one check, whole: engine, then diagnose
    "derivation": 6,  # a write-up read as written, checked against the model's formulas
    "report": 5,  # tables, JSON, HTML, plots: reads results
    "diagnose": 5,  # RULES; carried errors
    "engine": 4,  # numeric engines, bounds, the verdict (decide.py), the check
    "models": 3,  # built-in models, model files, formulas
    "options": 2,  # the option dataclasses, TOML, resolving flags + files
    "bundled": 1.5,  # the shipped configs and examples, found by name
    "result": 1,  # the data every stage hands on
    "errors": 1,  # exceptions, ExitStatus
    "records": 0.5,  # frozen: the dataclass decorator every stage's data is made with
}
ALIASES = {"__main__": "cli"}  # `python -m gradcheck_cli` is the command line

# Deliberate arrows upward, each with its reason.
ALLOWED = {
    # Report's conveniences for Python users: report.to_dict(), report._repr_html_() in a
    # notebook, report.status by the verdict rule. Deferred: nothing is imported until
    # called, and result.py stays importable by every stage.
    ("result", "report.schema"),
    ("result", "report.html"),
    ("result", "engine.decide"),
    # --activation's allowed values are the activations models/builtin/activations.py defines,
    # read when an option is validated (not at import: `gradcheck --help` needs no numpy).
    ("options.declared", "models.builtin.activations"),
    # --method's choices and help are the ENGINES table (engine/engines.py, no numpy): a
    # new engine is one entry there, and the option offers it.
    ("options.declared", "engine.engines"),
}


def _stage(module: str) -> str:
    first = module.split(".")[0]
    return ALIASES.get(first, first)


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        if rel.parts[0] == "data":  # model files as users write them
            continue
        parts = list(rel.with_suffix("").parts)
        if parts[-1] == "__init__" and len(parts) > 1:
            parts.pop()
        yield ".".join(parts), path


def _type_checking_blocks(tree) -> set[int]:
    skip = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                skip |= {id(n) for n in ast.walk(child)}
    return skip


def _imports(module: str, path: Path):
    """(imported module, names) for every import of ours in ``path``."""
    tree = ast.parse(path.read_text())
    skip = _type_checking_blocks(tree)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.ImportFrom):
            if node.level:  # relative
                base = package.split(".") if package else []
                base = base[: len(base) - node.level + 1] if node.level > 1 else base
                target = ".".join(base + ([node.module] if node.module else []))
            elif node.module and node.module.startswith("gradcheck_cli"):
                target = node.module.removeprefix("gradcheck_cli").lstrip(".")
            else:
                continue
            yield target or "__init__", [a.name for a in node.names], node.lineno
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("gradcheck_cli."):
                    yield a.name.removeprefix("gradcheck_cli."), [], node.lineno


def _is_module(name: str) -> bool:
    return (PACKAGE / (name.replace(".", "/") + ".py")).exists() or (
        PACKAGE / name.replace(".", "/") / "__init__.py"
    ).exists()


def test_every_module_has_a_stage():
    for module, _ in _modules():
        assert _stage(module) in STAGES, f"{module}: add its stage to STAGES"


def test_imports_run_one_way():
    upward = []
    for module, path in _modules():
        here = _stage(module)
        for target, names, line in _imports(module, path):
            targets = [target] if target != "__init__" else []
            # `from gradcheck_cli import x` / `from gradcheck_cli.cli import layer`: a module
            for name in names:
                if target == "__init__" and _is_module(name):
                    targets.append(name)
            for t in targets:  # (the package itself, `from gradcheck_cli import __version__`,
                # is loaded before any of its modules: no arrow)
                there = _stage(t)
                if there == here or (module, t) in ALLOWED:
                    continue
                if STAGES[there] >= STAGES[here]:
                    upward.append(f"{path.relative_to(PACKAGE)}:{line}: {module} -> {t}")
    assert not upward, "imports up (or across) the pipeline:\n" + "\n".join(upward)


def test_no_private_name_is_imported_across_modules():
    private = []
    for module, path in _modules():
        for target, names, line in _imports(module, path):
            for name in names:
                if name.startswith("_") and not name.startswith("__"):
                    private.append(f"{path.relative_to(PACKAGE)}:{line}: {name} from {target}")
    assert not private, "private names imported across modules:\n" + "\n".join(private)


MOST_PARAMETERS = 8  # beyond: a dataclass (diagnose.Case, verdict.Measured, directional.Known)
# engine/numeric.py's differentiate and its helpers take 10-11: being reworked apart
# (its speed-up), to follow.
PARAMETERS_LATER = {"engine/numeric.py"}


def test_no_function_takes_more_than_eight_parameters():
    many = []
    for _, path in _modules():
        rel = path.relative_to(PACKAGE).as_posix()
        if rel in PARAMETERS_LATER:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                a = node.args
                names = [x.arg for x in a.posonlyargs + a.args + a.kwonlyargs]
                names += [x.arg for x in (a.vararg, a.kwarg) if x is not None]
                names = [n for n in names if n not in ("self", "cls")]
                if len(names) > MOST_PARAMETERS:
                    many.append(f"{rel}:{node.lineno}: {node.name} takes {len(names)}")
    assert not many, "functions over 8 parameters:\n" + "\n".join(many)


def test_frozen_classes_are_records():
    """A frozen dataclass is made with records.frozen: dataclass(frozen=True) compiles six
    methods a class, a fifth of the command line's start-up over some 40 classes."""
    made = [
        f"{path.relative_to(PACKAGE)}:{n}"
        for module, path in _modules()
        if module != "records"
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if "dataclass(" in line and "frozen=True" in line
    ]
    assert not made, made
