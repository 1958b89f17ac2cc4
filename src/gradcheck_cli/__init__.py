"""gradcheck: check hand-derived backward passes against numerical gradients.

    from gradcheck_cli import check
    report = check("residual", d=8)            # or a model file, or a module
    report.status                              # "PASS" or "FAIL"

The API is loaded lazily, so that `gradcheck --help` does not pay for numpy.
"""

__version__ = "0.1.0"
__all__ = ["check", "check_layer", "assert_gradients", "Report", "__version__"]


def __getattr__(name):
    if name == "check":
        from gradcheck_cli.api import check

        return check
    if name == "check_layer":
        from gradcheck_cli.api import check_layer

        return check_layer
    if name == "assert_gradients":
        from gradcheck_cli.testing import assert_gradients

        return assert_gradients
    if name == "Report":
        from gradcheck_cli.result import Report

        return Report
    raise AttributeError(f"module 'gradcheck_cli' has no attribute '{name}'")
