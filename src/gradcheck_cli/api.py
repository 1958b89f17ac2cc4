"""Config -> model -> check: the one path the CLI and Python callers share."""

import os
from dataclasses import asdict, replace

from gradcheck_cli.config import (
    CLASSIC_ATOL,
    CLASSIC_RTOL,
    Config,
    FileOptions,
    api_keywords,
    resolve,
    suggestion,
)
from gradcheck_cli.engine.checking import Report, Settings, run_check
from gradcheck_cli.engine.compare import Tolerance
from gradcheck_cli.errors import UsageError
from gradcheck_cli.models import BUILDERS


def check(model, config: str | None = None, **options) -> Report:
    """Check a model's hand-derived gradients; returns the Report (never prints).

    ``model``: "residual" or "softmax", the path of a model file, or any object with
    init, forward and backward (a module, a class, an instance). ``options`` are the
    CLI's, by their Python names (config.py declares them): d=8, activation="relu",
    batch=2, seed=0, method="central", rtol=1e-6, inject="x-skip-dropped",
    grad=["x = W1.T @ z1_bar"], chain=True, ...

        report = check("residual", d=4)
        assert report.status == "PASS", report.failures()
    """
    name, module = model, None
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
        from gradcheck_cli.models.files import from_module

        built = from_module(module, cfg.options.path, cfg.options.seed, cfg.max_memory)
    return execute(cfg, built)


def execute(cfg: Config, built=None, progress=None) -> Report:
    """Check a model as a resolved config says; ``progress`` is called with counts of
    model evaluations as they are done."""
    if built is None:
        built = _build(cfg)
    notes = []
    inject = cfg.check.inject
    if inject:
        from gradcheck_cli.models import bugs  # with its typed formulas: only when asked for

        if cfg.model == "file":
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
    settings = Settings(
        method=cfg.check.method,
        rel_step=cfg.check.eps,
        tolerance=_tolerance(cfg.check.rtol, cfg.check.atol),
        max_memory=cfg.max_memory,
        inject=inject,
        dtype=cfg.check.dtype,
        sample=cfg.check.sample,
        directions=cfg.check.directions,
        progress=progress,
        seed=cfg.options.seed,
    )
    report = run_check(built, settings, asdict(cfg.options), notes)
    if cfg.check.taylor:
        from gradcheck_cli.engine.taylor import taylor

        env = built.forward()
        rows = taylor(
            built,
            env,
            built.backward(env),
            [r.id for r in report.gradients if r.kind != "jacobian"],
            settings.seed,
        )
        report = replace(report, taylor=rows)
    return report


def _tolerance(rtol, atol) -> Tolerance | None:
    """The classic rtol/atol bound if either is given; None leaves it to the engine."""
    if rtol is None and atol is None:
        return None
    return Tolerance(
        rtol=CLASSIC_RTOL if rtol is None else rtol, atol=CLASSIC_ATOL if atol is None else atol
    )


def _build(cfg: Config):
    if isinstance(cfg.options, FileOptions):
        from gradcheck_cli.models.files import load

        return load(cfg.options.path, cfg.options.seed, cfg.max_memory)
    return BUILDERS[cfg.model](**asdict(cfg.options))


def sweep_model(cfg: Config):
    """The step sweep (taylor.sweep) of a model's correct hand-derived gradients."""
    from gradcheck_cli.engine.numeric import complex_safe
    from gradcheck_cli.engine.taylor import sweep

    built = _build(cfg)
    env = built.forward()
    names = [n for n in built.checked()]
    return sweep(built, env, built.backward(env), names, complex_safe(built, env))
