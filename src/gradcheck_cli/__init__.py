"""gradcheck: check hand-derived backward passes against numerical gradients."""

__version__ = "0.1.0"
