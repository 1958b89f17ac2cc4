"""gradcheck layer: a layer's forward and backward functions, found by name, checked as
the vector-Jacobian product they are (models/user/layers.py)."""

from gradcheck_cli.cli.options import options


@options("layer", model="layer")
def layer(**given) -> None:
    """Check a layer's hand-derived backward, CS231n style, found by NAME in FILE.

    NAME_forward(x, w, ...) -> (out, cache) and NAME_backward(dout, cache) -> (dx, dw, ...),
    or a loss NAME(x, y, ...) -> (loss, dx). Inputs are drawn in the forward's order (floats
    of each shape, integer labels, settings), with a random upstream gradient dout; each
    of dx, dw, ... is checked against the numerical gradient of L = Σ dout ∘ out.
    Loading FILE RUNS ITS CODE, like `python FILE`: check only files you trust.

    Examples:
      gradcheck layer examples/layers.py affine \\
          --shape x=4x5 --shape w=5x3 --shape b=3
      gradcheck layer layers softmax_loss --shape x=4x10 --labels y=4:10
      gradcheck layer layers layernorm --shape x=4x6 --shape gamma=6 \\
          --shape beta=6 --param eps=1e-5
    """
    from gradcheck_cli.cli.command import execute

    execute("layer", given)
