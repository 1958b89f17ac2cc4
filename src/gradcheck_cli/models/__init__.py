"""The built-in models, by name."""

from gradcheck_cli.models import residual, softmax

BUILDERS = {"residual": residual.build, "softmax": softmax.build}
