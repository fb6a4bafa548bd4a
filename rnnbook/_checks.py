"""Input checks shared by every reference implementation.

Each check raises ``ValueError`` with one sentence that names the argument, what it got and what was
expected, so a student sees the mistake instead of a silent wrong answer.
"""

from __future__ import annotations

import numpy as np


def _shape_text(shape) -> str:
    """Python's own tuple notation: (3, 4), (4,), ()."""
    return str(tuple(int(s) for s in shape))


def as_array(name: str, value, ndim: int, layout: str) -> np.ndarray:
    """Return ``value`` as a float64 array with ``ndim`` dimensions, or raise ``ValueError``.

    ``layout`` names the dimensions for the message, e.g. ``"(T, B, I)"``.
    """
    if hasattr(value, "detach"):  # a torch tensor: readers often pass one by accident
        value = value.detach().cpu().numpy()
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(
            f"{name} must be a numeric array of shape {layout}; got an object of type "
            f"{type(value).__name__}."
        ) from None
    if arr.ndim != ndim:
        raise ValueError(
            f"{name} must have {ndim} dimensions {layout}; got shape {_shape_text(arr.shape)}."
        )
    if not np.all(np.isfinite(arr)):
        bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        raise ValueError(
            f"{name} must be finite; got {bad} NaN or infinite value(s) in an array of shape "
            f"{_shape_text(arr.shape)}."
        )
    return arr


def expect_shape(name: str, arr: np.ndarray, expected: tuple, layout: str) -> None:
    """Raise ``ValueError`` unless ``arr.shape == expected``."""
    if tuple(arr.shape) != tuple(expected):
        raise ValueError(
            f"{name} must have shape {layout} = {_shape_text(expected)}; "
            f"got {_shape_text(arr.shape)}."
        )


def expect_choice(name: str, value, choices) -> None:
    if value not in choices:
        options = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name} must be one of {options}; got {value!r}.")


def as_sequence(x, n_in: int) -> np.ndarray:
    """``x`` as a float64 time-major sequence (T, B, I) with T, B >= 1 and I = ``n_in``."""
    x = as_array("x", x, 3, "(T, B, I)")
    if x.shape[0] == 0 or x.shape[1] == 0:
        raise ValueError(
            f"x must have at least one time step and one sequence; got shape {x.shape}."
        )
    expect_shape("x", x, (x.shape[0], x.shape[1], n_in), "(T, B, I)")
    return x


def as_state(name: str, value, x: np.ndarray, hidden: int, module: str) -> np.ndarray:
    """One initial state (``h0`` or ``c0``) for the time-major sequence ``x``, as float64 (B, H).

    The two usual slips get their own sentence: a state in ``module``'s (num_layers, B, H)
    layout, and a state whose batch fits ``x`` only if ``x`` is batch-first.
    """
    batch = x.shape[1]
    if hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    if isinstance(value, np.ndarray) and value.ndim == 3:
        raise ValueError(
            f"{name} must have 2 dimensions (B, H) = ({batch}, {hidden}); got shape "
            f"{_shape_text(value.shape)}, the (num_layers, B, H) layout of {module}'s states, "
            f"so pass {name}[0] for the single layer."
        )
    arr = as_array(name, value, 2, "(B, H)")
    if arr.shape != (batch, hidden):
        hint = ""
        if arr.shape == (x.shape[0], hidden):  # the state's batch matches x's first axis
            hint = ", which fits x only if x is batch-first (B, T, I): pass x.transpose(1, 0, 2)"
        raise ValueError(
            f"{name} must have shape (B, H) = ({batch}, {hidden}), with B taken from x of shape "
            f"{x.shape} read as time-major (T, B, I) and H from the weights; got "
            f"{_shape_text(arr.shape)}{hint}."
        )
    return arr
