"""Config -> model -> check: the one path the CLI and Python callers share."""

import contextlib
import os
from dataclasses import asdict, replace

from gradcheck_cli.engine import workers
from gradcheck_cli.errors import GradcheckError, UsageError, suggestion
from gradcheck_cli.models import BUILDERS
from gradcheck_cli.options.declared import (
    FileOptions,
    LayerOptions,
    api_keywords,
    api_text,
)
from gradcheck_cli.options.resolve import Config, resolve
from gradcheck_cli.pipeline import Runtime, Settings, run_check
from gradcheck_cli.result import KINK, Report


def check(model, config: str | None = None, **options) -> Report:
    """Check a model's hand-derived gradients; returns the Report (never prints).

    ``model``: "residual" or "softmax", the path of a model file, any object whose
    init, forward and backward are called as init(rng), forward(p, tap), backward(v) (a
    module; an instance of a class, e.g. MyModel(); a class itself only where the three
    are static methods), or a model already built (what
    gradcheck_cli.testing.plant_error returns). ``options`` are the
    CLI's, by their Python names (options/declared.py declares them): d=8, activation="relu",
    batch=2, seed=0, method="central", rtol=1e-6, inject="x-skip-dropped",
    grad=["x = W1.T @ z1_bar"], chain=True, strict=True, jobs=2, ...; and ``executor``,
    any concurrent.futures.Executor to evaluate perturbed copies in (engine/workers.py).
    Bad input raises a GradcheckError (UsageError, ConfigError, ModelError) naming the
    keyword: "d must be a whole number ≥ 1, got 0".

        report = check("residual", d=4)
        assert report.status == "PASS", report.failures()
        report.to_dict()  # as --format json prints it
    """
    with api_spelling():
        return _check(model, config, options)


@contextlib.contextmanager
def api_spelling():
    """Errors raised within say check()'s keywords where they would name a flag."""
    try:
        yield
    except GradcheckError as e:
        spelled = api_text(str(e))
        if spelled == str(e):
            raise
        raise type(e)(spelled) from None


def _check(model, config: str | None, options: dict) -> Report:
    name, module = model, None
    from gradcheck_cli.models.model import Model

    executor = options.pop("executor", None)
    if isinstance(model, Model):  # built already: the check's options only
        cfg = resolve("file", config, {**options, "path": model.name})
        return execute(cfg, model, executor=executor)
    _checkable(model)
    if not isinstance(model, (str, os.PathLike)):
        name, module = "file", model
        source = getattr(model, "__file__", None) or getattr(
            model, "__name__", type(model).__name__
        )
        options.setdefault("path", str(source))
    elif str(model) not in BUILDERS:
        name = "file"
        options["path"] = str(model)
    allowed = api_keywords(name)
    for key in options:
        if key not in allowed:
            raise UsageError(
                f"unknown option '{key}'{suggestion(key, allowed)}; allowed: {', '.join(allowed)}"
            )
    grad = options.get("grad")
    if isinstance(grad, dict):
        options["grad"] = [f"{k} = {v}" for k, v in grad.items()]
    elif isinstance(grad, str):
        options["grad"] = [grad]
    cfg = resolve(name, config, options)
    built = None
    if module is not None and isinstance(cfg.options, FileOptions):
        from gradcheck_cli.models.user.files import from_module

        built = from_module(module, cfg.options.path, cfg.options.seed, cfg.max_memory)
    return execute(cfg, built, executor=executor)


def _checkable(model) -> None:
    """Refuse what check() cannot take, saying what it takes: None, a number; a class
    whose init, forward and backward need an instance (self)."""
    import inspect

    if isinstance(model, (str, os.PathLike)):
        return
    from gradcheck_cli.models.user.files import REQUIRED

    found = [n for n in REQUIRED if callable(getattr(model, n, None))]
    if not found:
        raise UsageError(
            f"check() takes a built-in's name ({', '.join(BUILDERS)}), a model file's path, "
            f"or an object with {', '.join(REQUIRED)}; got {_shown(model)}"
        )
    if inspect.isclass(model):
        methods = [
            n
            for n in found
            if inspect.isfunction(inspect.getattr_static(model, n))  # neither static nor class
        ]
        if methods:
            raise UsageError(
                f"check() got the class {model.__name__}, whose {', '.join(methods)} take "
                f"self: pass an instance, {model.__name__}()"
            )


def _shown(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else f"a {type(value).__name__}"


def check_layer(
    module, layer: str, *, labels=None, params=None, config: str | None = None, **options
) -> Report:
    """Check a layer of a file (or module) as `gradcheck layer` does; returns the Report.

    ``layer``: "affine" for affine_forward and affine_backward, or a loss's own name. The
    forward's float inputs by name with their shapes; ``labels`` its integer inputs, name
    -> (shape, high), drawn in [0, high); ``params`` its settings, KEY -> value (see
    --param). Other keywords are check()'s: seed, method, rtol, ...

        report = check_layer("layers.py", "affine", x=(4, 5), w=(5, 3), b=(3,))
        check_layer("layers.py", "softmax_loss", x=(4, 5), labels={"y": (4, 10)})
    """
    with api_spelling():
        return _check_layer(module, layer, labels, params, config, options)


def _check_layer(module, layer: str, labels, params, config, options: dict) -> Report:
    from gradcheck_cli.models.user import layers

    keys = ("path", "layer", "shape", "labels", "param")
    allowed = [k for k in api_keywords("layer") if k not in keys]
    given = {k: v for k, v in options.items() if k in allowed}
    shapes = {k: v for k, v in options.items() if k not in allowed}
    for key, value in shapes.items():
        if not _is_shape(value):
            raise UsageError(
                f"unknown option '{key}'{suggestion(key, allowed)}, or {key}={value!r} is "
                f"not a shape (an input's shape is a tuple, e.g. x=(4, 5)); options: "
                f"{', '.join(allowed)}"
            )
    path = str(module) if isinstance(module, (str, os.PathLike)) else None
    path = path or getattr(module, "__file__", None) or getattr(module, "__name__", "module")
    given.update(path=path, layer=layer)
    if shapes:
        given["shape"] = tuple(f"{k}={layers.shape_text(v)}" for k, v in shapes.items())
    if labels:
        given["labels"] = tuple(_labels_text(k, v) for k, v in dict(labels).items())
    if params:
        given["param"] = tuple(f"{k}={v}" for k, v in dict(params).items())
    cfg = resolve("layer", config, given)
    assert isinstance(cfg.options, LayerOptions)
    source = None if isinstance(module, (str, os.PathLike)) else module
    return execute(cfg, layers.load(cfg.options, cfg.max_memory, source, params))


def _is_shape(value) -> bool:
    parts = value if isinstance(value, (tuple, list)) else (value,)
    return bool(parts) and all(type(v) is int for v in parts)


def _labels_text(name: str, value) -> str:
    """labels={"y": (4, 10)}: 4 whole numbers in [0, 10), as --labels y=4:10."""
    from gradcheck_cli.models.user.layers import shape_text

    if not (isinstance(value, (tuple, list)) and len(value) == 2 and _is_shape(value[0])):
        raise UsageError(
            f"labels[{name!r}] must be (shape, high), e.g. (4, 10) for 4 whole numbers in "
            f"[0, 10), got {value!r}"
        )
    return f"{name}={shape_text(value[0])}:{value[1]}"


def execute(cfg: Config, built=None, progress=None, executor=None) -> Report:
    """Check a model as a resolved config says; ``progress`` is called with counts of
    model evaluations as they are done; ``executor`` (any concurrent.futures.Executor)
    evaluates perturbed copies in its workers, else --jobs processes do."""
    if built is None:
        built = _build(cfg)
    pool = workers.pool(cfg.check.jobs, executor)
    with workers.one_blas_thread():
        if pool is None:
            return _execute(cfg, built, progress, None)
        with pool:
            report = _execute(cfg, built, progress, pool)
    return replace(report, notes=report.notes + pool.notes)


def _execute(cfg: Config, built, progress, pool) -> Report:
    notes = []
    inject = cfg.check.inject
    if inject:
        from gradcheck_cli.models.builtin import (
            bugs,  # with its typed formulas: only when asked for
        )

        if cfg.model in ("file", "layer"):
            raise UsageError(
                "--inject works on the built-in models; in your own model, edit backward()"
            )
        bug = bugs.find(cfg.model, inject)
        why = bug.inert(asdict(cfg.options))
        if why:
            notes.append(f"bug '{bug.name}' does not change the gradient here: {why}")
        if bug.target in cfg.gradients:
            raise UsageError(
                f"--inject {inject} and {cfg.gradients[bug.target][1]} both replace the "
                f"formula of {bug.target}; choose one"
            )
        built = bugs.inject(built, bug)
    if cfg.gradients:
        from gradcheck_cli.models.formulas import bind

        typed = {t: bind(built, t, text, where) for t, (text, where) in cfg.gradients.items()}
        built = built.with_formulas(typed, "yours")
    built = built.with_formulas({}, chain=cfg.check.chain)
    settings = Settings(cfg.check, cfg.options, Runtime(progress=progress, pool=pool))
    if cfg.check.derivation:
        from gradcheck_cli.derivation import check_document

        if cfg.gradients or inject:
            raise UsageError(
                "--derivation replaces formulas with your document's; --grad, [gradients] "
                "and --inject do too: give one of them"
            )
        report = check_document(
            cfg.check.derivation,
            cfg.check.section,
            built,
            lambda model: run_check(model, settings, asdict(cfg.options), list(notes)),
        )
    else:
        if cfg.check.section:
            raise UsageError("--section picks a part of a --derivation FILE; give --derivation")
        report = run_check(built, settings, asdict(cfg.options), notes)
    if cfg.check.taylor:
        from gradcheck_cli.engine.taylor import taylor

        env = built.forward()
        rows = taylor(
            built,
            env,
            built.backward(env),
            [r.id for r in report.gradients if r.kind != "jacobian"],
            settings.options.seed,
            kinked={r.id for r in report.gradients if r.comparison.status == KINK},
        )
        report = replace(report, taylor=rows)
    return report


def _build(cfg: Config):
    if isinstance(cfg.options, FileOptions):
        from gradcheck_cli.models.user.files import load

        return load(cfg.options.path, cfg.options.seed, cfg.max_memory)
    if isinstance(cfg.options, LayerOptions):
        from gradcheck_cli.models.user import layers

        return layers.load(cfg.options, cfg.max_memory)
    model = _builtin(cfg.model, asdict(cfg.options))
    model.recipe = (_builtin, cfg.model, asdict(cfg.options))
    return model


def _builtin(name: str, options: dict):
    """A built-in model (a module-level call: workers.py builds it again from its recipe)."""
    return BUILDERS[name](**options)


def sweep_model(cfg: Config):
    """The step sweep (taylor.sweep) of a model's correct hand-derived gradients."""
    from gradcheck_cli.engine.numeric import complex_safe
    from gradcheck_cli.engine.taylor import sweep

    built = _build(cfg)
    env = built.forward()
    names = [n for n in built.checked()]
    return sweep(built, env, built.backward(env), names, complex_safe(built, env))
