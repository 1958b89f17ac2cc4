"""Config -> model -> check: the one path the CLI and Python callers share."""

from gradcheck_cli import bugs
from gradcheck_cli.check import Report, Settings, run_check
from gradcheck_cli.compare import Tolerance
from gradcheck_cli.config import resolve
from gradcheck_cli.errors import UsageError
from gradcheck_cli.formulas import bind
from gradcheck_cli.models import BUILDERS


def execute(model: str | None, config: str | None = None, flags: dict | None = None) -> Report:
    """Check a built-in model: options from defaults < config file < flags."""
    cfg = resolve(model, config, flags or {})
    built = BUILDERS[cfg.model](**cfg.options)
    notes = []
    inject = cfg.check["inject"]
    if inject:
        bug = bugs.find(cfg.model, inject)
        why = bug.inert(cfg.options)
        if why:
            notes.append(f"bug '{bug.name}' does not change the gradient here: {why}")
        if bug.target in cfg.gradients:
            raise UsageError(f"--inject {inject} and {cfg.gradients[bug.target][1]} both replace the "
                             f"formula of {bug.target}; choose one")
        bugs.inject(built, bug)
    for target, (text, where) in cfg.gradients.items():
        built.overrides[target] = bind(built, target, text, where)
        built.origins[target] = "yours"
    built.chain = cfg.check["chain"]
    settings = Settings(
        method=cfg.check["method"],
        rel_step=cfg.check["eps"],
        tolerance=Tolerance(cfg.check["rtol"], cfg.check["atol"]),
        max_memory=cfg.check["max_memory"],
        inject=inject,
    )
    return run_check(built, settings, cfg.options, notes)
