"""The option spec (options/) and everything made from it: --help, configs, the API."""

import ast
import inspect
import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

import gradcheck_cli
from gradcheck_cli.cli import app
from gradcheck_cli.errors import ConfigError
from gradcheck_cli.options import declared, resolve
from gradcheck_cli.options.spec import PANELS

SRC = Path(gradcheck_cli.__file__).parent
SPECS = [*declared.CHECK_OPTIONS, *declared.CLI_OPTIONS]
SPECS += [o for specs in declared.MODEL_OPTIONS.values() for o in specs]


def _commands(group=None, path=()):
    """Every command by its words: ('residual',), ('sweep', 'check'), ..."""
    group = group or typer.main.get_command(app)
    for name, cmd in group.commands.items():
        if hasattr(cmd, "commands"):
            yield path + (name,)
            yield from _commands(cmd, path + (name,))
        else:
            yield path + (name,)


COMMANDS = list(_commands())


def _help(*words) -> str:
    r = CliRunner().invoke(app, [*words, "--help"], env={"COLUMNS": "300"})
    assert r.exit_code == 0, r.output
    return r.stdout


def _leaf(words):
    cmd = typer.main.get_command(app)
    for word in words:
        cmd = cmd.commands[word]
    return cmd


def test_every_command_has_help_with_exit_0():
    assert ("sweep", "check") in COMMANDS and ("bugs",) in COMMANDS
    for words in [(), *COMMANDS]:
        assert "Usage" in _help(*words)


@pytest.mark.parametrize("words", [w for w in COMMANDS if w != ("sweep",)], ids=" ".join)
def test_every_option_shows_its_default(words):
    text = _help(*words)
    options = [p for p in _leaf(words).params if p.opts[0].startswith("--")]
    assert options
    for param in options:
        if param.name == "help":
            continue
        spec = next(o for o in SPECS if o.key == param.name and " ".join(words) in o.commands)
        rows = [line for line in text.splitlines() if line.startswith("│")]  # in a panel
        row = next(line for line in rows if line[1:].split()[:1] == param.opts[:1])
        assert f"[default: {spec.shown_default()}]" in row, row


def test_each_command_takes_the_options_the_spec_names():
    for words in COMMANDS:
        if words == ("sweep",):
            continue
        command = " ".join(words)
        named = {o.key for o in SPECS if command in o.commands}
        taken = {p.name for p in _leaf(words).params} - {"help"}
        if words == ("run",):
            named |= {"config"}  # run's argument
        assert taken == named, command


def test_help_keeps_brackets_and_groups_options_into_panels():
    assert "flags override its [check] and [gradients]" in _help("run")
    assert "[model] name" in _help("run")
    text = _help("residual")
    for panel in PANELS:
        assert f"─ {panel} ─" in text
    assert "Examples" in _help()


def test_activation_help_names_every_activation():
    from gradcheck_cli.models.builtin.activations import ACTIVATIONS

    text = _help("residual")
    assert all(name in text for name in ACTIVATIONS)


def test_build_defaults_are_the_spec_defaults():
    from gradcheck_cli.models import BUILDERS

    for name, build in BUILDERS.items():
        defaults = {k: p.default for k, p in inspect.signature(build).parameters.items()}
        assert defaults == {o.key: o.default for o in declared.MODEL_OPTIONS[name]}


def test_api_takes_the_spec_keywords():
    from gradcheck_cli import check
    from gradcheck_cli.errors import UsageError

    assert declared.api_keywords("softmax")[:3] == ["n", "d", "bias"]
    assert "taylor" in declared.api_keywords("file") and "d" not in declared.api_keywords("file")
    with pytest.raises(UsageError, match="unknown option 'activaton' .*did you mean 'activation'"):
        check("residual", activaton="relu")


def test_config_tables_take_the_spec_keys(tmp_path):
    p = tmp_path / "c.toml"
    p.write_text('[model]\nname = "residual"\n[check]\ntaylor = true\n')
    with pytest.raises(ConfigError) as e:
        resolve.resolve(None, str(p), {})
    keys = [o.key for o in declared.CHECK_OPTIONS if o.table == "check"]
    assert f"allowed: {', '.join(keys)}" in str(e.value)


def test_resolve_gives_typed_options_flags_over_file_over_defaults(tmp_path):
    p = tmp_path / "c.toml"
    p.write_text('[model]\nname = "softmax"\nn = 4\nbias = false\n[check]\nrtol = 1e-3\n')
    cfg = resolve.resolve(None, str(p), {"n": 3, "method": "central"})
    assert cfg.options == declared.SoftmaxOptions(n=3, bias=False)
    assert cfg.check == declared.CheckOptions(rtol=1e-3, method="central")


# Literal defaults elsewhere in src that should come from options/declared.py, in files this change
# does not own: (file, option). Take them from the spec (e.g. CheckOptions.method).
ELSEWHERE: set[tuple[str, str]] = set()  # every default is the spec's


def _literal_defaults(tree):
    """(name, value) of every default or keyword a name is given in a module (but zip's
    own strict=, which is not --strict)."""
    zips = {
        id(k)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "zip"
        for k in node.keywords
    }
    for node in ast.walk(tree):
        if id(node) in zips:
            continue
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            a = node.args
            pos = a.posonlyargs + a.args
            yield from zip(
                [x.arg for x in pos[len(pos) - len(a.defaults) :]], a.defaults, strict=True
            )
            for x, d in zip(a.kwonlyargs, a.kw_defaults, strict=True):
                if d is not None:
                    yield x.arg, d
        elif isinstance(node, ast.keyword) and node.arg:
            yield node.arg, node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
            yield node.target.id, node.value
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("get", "setdefault", "pop")
            and len(node.args) == 2
            and isinstance(node.args[0], ast.Constant)
        ):
            yield node.args[0].value, node.args[1]


def test_each_default_is_declared_once():
    defaults: dict[str, set] = {}
    for o in SPECS:
        if o.default not in (None, (), ""):
            defaults.setdefault(o.key, set()).add((type(o.default), o.default))
    found = set()
    for path in sorted(SRC.rglob("*.py")):
        if path.is_relative_to(SRC / "options"):
            continue
        for key, value in _literal_defaults(ast.parse(path.read_text())):
            if isinstance(value, ast.Constant) and (type(value.value), value.value) in defaults.get(
                key, ()
            ):
                found.add((path.relative_to(SRC).as_posix(), key))
        assert not re.search(r"\[default: [^{]", path.read_text()), path
    assert found <= ELSEWHERE, found - ELSEWHERE
    # within the spec, a shared option is one field factory: d is 8 in one place
    fields = (SRC / "options" / "declared.py").read_text()
    assert len(re.findall(r"option\(\s*8,", fields)) == 1


def test_the_engine_reads_the_options_as_declared():
    """An option the engine reads is its dataclass field and nothing more: Settings holds
    the resolved options themselves, and neither it nor its Runtime repeats one."""
    from dataclasses import fields

    from gradcheck_cli import check
    from gradcheck_cli.engine.checking import Runtime, Settings

    declared_names = {
        f.name for cls in (declared.CheckOptions, *declared.MODELS.values()) for f in fields(cls)
    }
    assert [f.name for f in fields(Settings)] == ["check", "options", "runtime"]
    assert not {f.name for f in fields(Runtime)} & declared_names
    given = dict(d=3, method="central", rtol=1e-6, sample=4, seed=2, strict=True)
    report = check("residual", **given)
    cfg = resolve.resolve("residual", None, given)
    assert report.settings.check == cfg.check and report.settings.options == cfg.options


def test_cli_start_does_not_import_numpy():
    code = "import sys, gradcheck_cli.cli; print('numpy' in sys.modules)"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.stdout.strip() == "False", r.stderr
