"""The elementwise nonlinearities of the book's cells, and their slopes.

One home for each, so no chapter defines a second ``sigmoid``::

    sigmoid(z) = 1 / (1 + exp(-z))                  the gates of the LSTM and the GRU
    activation(z, "tanh" | "relu")                  the plain RNN's f
    activation_derivative(h, "tanh" | "relu")       f'(z), computed from h = f(z) alone
"""

from __future__ import annotations

import numpy as np

NONLINEARITIES = ("tanh", "relu")


def sigmoid(z) -> np.ndarray:
    """The logistic function 1 / (1 + exp(-z)), without overflow for large ``|z|``.

    ``np.exp(-z)`` overflows (with a warning) for ``z < -709``; this form only ever takes
    ``exp`` of a non-positive number.
    """
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(-np.abs(z))  # in (0, 1]
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def activation(z: np.ndarray, nonlinearity: str) -> np.ndarray:
    """Apply the RNN's nonlinearity f elementwise: ``tanh`` or ``relu``."""
    if nonlinearity == "tanh":
        return np.tanh(z)
    if nonlinearity == "relu":
        return np.maximum(z, 0.0)
    raise ValueError(f"nonlinearity must be 'tanh' or 'relu'; got {nonlinearity!r}.")


def activation_derivative(h: np.ndarray, nonlinearity: str) -> np.ndarray:
    """f'(z_t), computed from the state ``h = f(z_t)`` alone.

    The pre-activations therefore need not be kept.

    For tanh, f'(z) = 1 - tanh(z)^2 = 1 - h^2. For relu, f'(z) = 1 where z > 0 and 0 elsewhere
    (PyTorch's convention at z = 0), and z > 0 exactly where h = relu(z) > 0.
    """
    if nonlinearity == "tanh":
        return 1.0 - h * h
    if nonlinearity == "relu":
        return (h > 0).astype(np.float64)
    raise ValueError(f"nonlinearity must be 'tanh' or 'relu'; got {nonlinearity!r}.")
