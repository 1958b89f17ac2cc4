"""The built-in models: the residual net (residual.py) and the softmax classifier
(softmax.py), the activations they are built from (activations.py), and the catalog of
bugs that can be injected into them (bugs.py)."""
