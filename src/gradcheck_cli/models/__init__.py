"""Models: the protocol (model.py), the built-in residual net and softmax classifier,
the user's model files (files.py), and what they are built from (activations, the sparse
fast path, typed formulas, the catalog of injectable bugs).

``BUILDERS`` maps a built-in model's name to its build function (loaded on first use).
"""


def __getattr__(name):
    if name == "BUILDERS":
        from gradcheck_cli.models import residual, softmax

        return {"residual": residual.build, "softmax": softmax.build}
    raise AttributeError(f"module 'gradcheck_cli.models' has no attribute '{name}'")
