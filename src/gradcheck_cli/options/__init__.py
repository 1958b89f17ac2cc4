"""Every option, declared once; and how defaults, a TOML config and flags merge.

- spec.py: what an option is (Option), the field that declares one (option()), the
  --help panels and the commands;
- declared.py: the options themselves, one dataclass field each (ResidualOptions,
  SoftmaxOptions, FileOptions, LayerOptions, CheckOptions, CommandLine), and the tables
  made from them;
- toml.py: reading a config file; size.py: --max-memory;
- resolve.py: defaults < config file < flags, validated, into one Config.

Everything else is generated from the fields of declared.py: the typer parameters of
every command and the defaults --help shows (cli/options.py), the checks of a config
file's tables (resolve.py), the keywords of gradcheck_cli.check (api.py), and the
defaults of the built-in models' build functions (models/builtin/residual.py,
models/builtin/softmax.py).

To add an option, add a field: `name: type = option(default, "Help.", ...)` to the model's
dataclass (a [model] key), to CheckOptions (a [check] key) or to CommandLine (a flag only),
then read it where it acts (api.py's execute, say). Nothing else declares it.

A config file is pure data:

    [model]
    name = "residual"      # which model (required by `gradcheck run`)
    d = 8                  # any of the model's options
    activation = "relu"

    [check]
    rtol = 1e-5            # any of the check options
    inject = "x-skip-dropped"

Flags given on the command line override the file; the file overrides the defaults.
Every error names the bad value, where it came from, and what is allowed.

Nothing here imports numpy: `gradcheck --help` reads this package.
"""
