import numpy as np
import pytest

from gradcheck_cli.models import BUILDERS


@pytest.fixture
def build():
    """Build a built-in model by name with options."""
    return lambda name, **options: BUILDERS[name](**options)


def complex_step_grad(f, theta: np.ndarray, h: float = 1e-30) -> np.ndarray:
    """Independent reference: the complex-step derivative of scalar f at theta."""
    g = np.empty(theta.size)
    flat = theta.astype(complex).ravel()
    for i in range(flat.size):
        x = flat.copy()
        x[i] += 1j * h
        g[i] = f(x.reshape(theta.shape)).imag / h
    return g.reshape(theta.shape)
