"""Models: the protocol (model.py) and what every model shares (typed formulas,
formulas.py; the sparse fast path, sparse.py; the memory a check holds, memory.py); the
built-in residual net and softmax classifier, their activations and injectable bugs
(builtin/); the user's model files and layer pairs (user/).

``BUILDERS`` maps a built-in model's name to its build function (loaded on first use).
"""


def __getattr__(name: str) -> dict:
    if name == "BUILDERS":
        from gradcheck_cli.models.builtin import residual, softmax

        return {"residual": residual.build, "softmax": softmax.build}
    raise AttributeError(f"module 'gradcheck_cli.models' has no attribute '{name}'")
