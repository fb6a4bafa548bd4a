"""Gradient checking: compare a hand-written gradient with central finite differences.

A backward pass written by hand is easy to get subtly wrong (an index off by one step, a missing
transpose, a forgotten derivative) and still produce numbers of the right shape. The check here
needs only the loss itself::

    numeric_k = (L(theta + eps e_k) - L(theta - eps e_k)) / (2 eps)

for every entry ``k`` of every array, and compares the result with the analytic gradient by the
relative error of :func:`relative_error`. Central differences have a truncation error of order
``eps**2`` and a rounding error of order ``u / eps`` (``u`` about 1e-16 in float64), so with the
default ``eps = 1e-6`` a correct float64 gradient typically agrees to about 1e-9, and a wrong
one is off by far more than 1e-7.

Caution: passing the check means "within ``tol`` of the true gradient", not "the right formula". A
backward pass that drops a term which is tiny *at the point checked* passes: for example, BPTT
truncated after 20 steps, on a sequence whose error terms fade fast (chapter 3, ``W = 0.5 Q``),
differs from the full gradient by about 1e-9 and is accepted. Check on short sequences and with
weights for which the gradient does not fade (norm of the recurrent matrix near or above 1), so
that every term of the backward pass matters.

Used in chapter 3 for the RNN and again for the LSTM (chapter 5) and, when that chapter is
written, the GRU (chapter 6)::

    result = gradcheck(loss, {"W": W, "b": b}, {"W": dW, "b": db})
    result.ok            # True when every relative error is below result.tol
    result.errors        # {"W": 3e-11, "b": 1e-11}
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from ._checks import _shape_text, as_array

#: Floor of the denominator in :func:`relative_error`, so that two all-zero arrays give 0, not 0/0.
TINY = 1e-300


def relative_error(a, b, tiny: float = TINY) -> float:
    """How far apart two arrays are, relative to their size: a number between 0 and 1.

    ::

        relative_error(a, b) = |a - b| / max(|a| + |b|, tiny)

    where ``|.|`` is the Euclidean norm of the whole array (all entries flattened). Why this form:

    * it is *relative*: multiplying both arrays by 1000 does not change it, so one tolerance works
      for gradients of any scale;
    * it is *symmetric*: neither array is trusted as "the truth", so it does not matter which of
      the two (analytic or numeric) is wrong;
    * it is *bounded*: by the triangle inequality it never exceeds 1, and it equals 1 when one array
      is zero and the other is not, or when ``b = -a`` (a sign error);
    * the floor ``tiny`` only matters when both arrays are exactly zero, which then counts as
      agreement (0) instead of 0/0.

    It uses the norm of the whole array rather than the worst single entry on purpose: an entry
    whose true value is almost zero (say 1e-12) is dominated by the finite-difference rounding
    error, and a per-entry ratio would report that noise as a large relative error.
    """
    a = as_array("a", a, np.ndim(a), "(any shape)")
    b = as_array("b", b, np.ndim(b), "(any shape)")
    if a.shape != b.shape:
        raise ValueError(
            f"a and b must have the same shape; got {_shape_text(a.shape)} and "
            f"{_shape_text(b.shape)}."
        )
    difference = float(np.linalg.norm((a - b).ravel()))
    size = float(np.linalg.norm(a.ravel()) + np.linalg.norm(b.ravel()))
    return difference / max(size, tiny)


def agree(a, b, atol: float = 1e-12, rtol: float = 1e-12) -> bool:
    """True when two arrays (numpy or torch) have the same shape and agree in every entry::

        |a - b| <= atol + rtol * max(|a|, |b|)        (elementwise)

    ``atol`` is the absolute tolerance that matters for entries near zero, ``rtol`` the relative
    tolerance that matters for large entries (``np.allclose`` uses the same two, but measures
    ``rtol`` against ``b`` alone; here neither array is the reference). The defaults, 1e-12
    each, are a few thousand times float64's rounding unit: what two correct float64
    computations of the same quantity by different routes (numpy and PyTorch, say) typically
    achieve. The chapters print this verdict instead of raw differences, whose last digits vary
    between machines. A NaN anywhere makes it False.
    """
    for name, value in (("atol", atol), ("rtol", rtol)):
        if not (isinstance(value, (int, float)) and value >= 0 and np.isfinite(value)):
            raise ValueError(f"{name} must be a number >= 0; got {value!r}.")
    a = a.detach().cpu().numpy() if hasattr(a, "detach") else np.asarray(a)
    b = b.detach().cpu().numpy() if hasattr(b, "detach") else np.asarray(b)
    if a.shape != b.shape:
        return False
    if a.size == 0:
        return True
    a, b = a.astype(np.float64), b.astype(np.float64)
    allowed = atol + rtol * np.maximum(np.abs(a), np.abs(b))
    return bool(np.all(np.abs(a - b) <= allowed))


def numeric_gradient(f: Callable[[dict], float], inputs: dict, key: str,
                     eps: float = 1e-6) -> np.ndarray:
    """Central finite differences of ``f`` with respect to every entry of ``inputs[key]``.

    ``f`` is called with a dict like ``inputs`` in which one entry of ``inputs[key]`` is moved by
    ``+eps`` or ``-eps``; the caller's arrays are never changed.
    """
    work = {k: np.array(v, dtype=np.float64, copy=True) for k, v in inputs.items()}
    array = work[key]
    grad = np.empty_like(array)
    flat, grad_flat = array.reshape(-1), grad.reshape(-1)  # views: writing flat moves array
    for k in range(flat.size):
        original = flat[k]
        flat[k] = original + eps
        up = _scalar(f(work))
        flat[k] = original - eps
        down = _scalar(f(work))
        flat[k] = original
        grad_flat[k] = (up - down) / (2.0 * eps)
    return grad


def _scalar(value) -> float:
    if hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    arr = np.asarray(value, dtype=np.float64)
    if arr.size != 1:
        raise ValueError(
            f"f must return one number (the loss); got an array of shape {_shape_text(arr.shape)}."
        )
    number = float(arr.reshape(()))
    if not np.isfinite(number):
        raise ValueError(f"f must return a finite loss; got {number}.")
    return number


@dataclass
class GradCheck:
    """The result of :func:`gradcheck`.

    ``errors[key]`` is :func:`relative_error` between the analytic and the numeric gradient of
    ``key``; ``numeric[key]`` is the numeric gradient itself; ``ok`` says whether every error is
    below ``tol``.
    """

    errors: dict[str, float]
    numeric: dict[str, np.ndarray] = field(repr=False)
    tol: float

    @property
    def ok(self) -> bool:
        return all(error < self.tol for error in self.errors.values())

    @property
    def failed(self) -> list[str]:
        """The keys whose relative error is not below ``tol``."""
        return [key for key, error in self.errors.items() if not error < self.tol]

    def __str__(self) -> str:
        width = max(len(key) for key in self.errors)
        lines = [f"gradient check (relative error < {self.tol:.0e}):"]
        for key, error in self.errors.items():
            verdict = "ok" if error < self.tol else "FAILED"
            lines.append(f"  {key:<{width}}  {verdict}")
        return "\n".join(lines)


def gradcheck(f: Callable[[dict], float], inputs: dict, analytic: dict, eps: float = 1e-6,
              tol: float = 1e-7) -> GradCheck:
    """Check analytic gradients against central finite differences, array by array.

    Parameters
    ----------
    f : function of a dict of arrays, returning the scalar loss
        Called as ``f(arrays)`` where ``arrays`` has the keys of ``inputs``.
    inputs : dict of arrays
        The point at which to check; never modified.
    analytic : dict of arrays
        The gradients to check, one for each key of ``inputs`` that should be checked (a subset
        is fine; extra keys are an error), each the shape of its input.
    eps : float
        The finite-difference step.
    tol : float
        The largest relative error (see :func:`relative_error`) that counts as agreement.

    Returns
    -------
    GradCheck
        ``errors`` per key, the ``numeric`` gradients, and ``ok``.

    The cost is two calls of ``f`` per checked entry, so keep the sizes small (a few hundred
    entries in all is plenty to catch a wrong formula).
    """
    if not isinstance(inputs, dict) or not isinstance(analytic, dict):
        raise ValueError(
            f"inputs and analytic must be dicts of arrays; got {type(inputs).__name__} and "
            f"{type(analytic).__name__}."
        )
    for name, value in (("eps", eps), ("tol", tol)):
        if not (isinstance(value, (int, float)) and value > 0 and np.isfinite(value)):
            raise ValueError(f"{name} must be a positive number; got {value!r}.")
    if not analytic:
        raise ValueError("analytic must hold at least one gradient to check; got an empty dict.")
    extra = [key for key in analytic if key not in inputs]
    if extra:
        raise ValueError(
            f"analytic has key(s) {', '.join(map(repr, extra))} that inputs does not have; "
            f"inputs has {', '.join(map(repr, inputs))}."
        )
    arrays = {}
    for key, value in inputs.items():
        arrays[key] = as_array(f"inputs[{key!r}]", value, np.ndim(value), "(any shape)")
    errors, numeric = {}, {}
    for key, grad in analytic.items():
        grad = as_array(f"analytic[{key!r}]", grad, np.ndim(grad), "(any shape)")
        if grad.shape != arrays[key].shape:
            raise ValueError(
                f"analytic[{key!r}] must have the shape of inputs[{key!r}], "
                f"{_shape_text(arrays[key].shape)}; got {_shape_text(grad.shape)}."
            )
        numeric[key] = numeric_gradient(f, arrays, key, eps)
        errors[key] = relative_error(grad, numeric[key])
    return GradCheck(errors=errors, numeric=numeric, tol=tol)
