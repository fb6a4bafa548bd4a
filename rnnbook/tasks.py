"""The tasks and data the labs train on, generated in code (nothing is downloaded).

* :func:`sine_windows` -- windows of :math:`A \\sin(\\omega t + \\varphi)` as input and
  :math:`A \\cos(\\omega t + \\varphi)` as target (chapter 8), batch-first ``(B, T, 1)`` as
  ``nn.LSTM(batch_first=True)`` reads them;
* :func:`adding_problem` -- the adding problem of Hochreiter and Schmidhuber (1997): a sequence of
  (value, marker) pairs, the target is the sum of the two marked values (chapter 9), time-major
  ``(T, B, 2)`` as the rest of :mod:`rnnbook`.

Every function takes a ``torch.Generator`` so a chapter's data are the same on every run.
"""

from __future__ import annotations

import math

import torch


def _check_positive_int(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive integer; got {value!r}.")
    return value


def _per_window(name: str, value, n: int, generator, dtype) -> torch.Tensor:
    """A number, or a range (low, high) drawn uniformly per window: shape (n, 1)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return torch.full((n, 1), float(value), dtype=dtype)
    if (isinstance(value, (tuple, list)) and len(value) == 2
            and all(isinstance(v, (int, float)) for v in value) and value[0] <= value[1]):
        low, high = float(value[0]), float(value[1])
        return low + (high - low) * torch.rand(n, 1, generator=generator, dtype=dtype)
    raise ValueError(
        f"{name} must be a number or a range (low, high) with low <= high; got {value!r}."
    )


def sine_windows(n: int, length: int, *, dt: float = 0.2, omega=1.0, amplitude=1.0,
                 phase=None, generator: torch.Generator | None = None,
                 dtype: torch.dtype = torch.float64) -> tuple[torch.Tensor, torch.Tensor]:
    """``n`` windows of ``length`` samples ``dt`` apart: input sine, target cosine.

    Window ``b`` samples the angle :math:`\\theta_k = \\varphi_b + \\omega_b\\, dt\\, k`,
    ``k = 0 .. length-1``, and returns ``x = A_b sin(theta)``, ``y = A_b cos(theta)``, each of shape
    ``(n, length, 1)`` (batch-first). ``omega`` and ``amplitude`` are numbers or ranges
    ``(low, high)`` drawn uniformly per window; ``phase`` is a number or ``None`` for a uniform
    draw from :math:`[0, 2\\pi)` per window.
    """
    _check_positive_int("n", n)
    _check_positive_int("length", length)
    if not (isinstance(dt, (int, float)) and dt > 0):
        raise ValueError(f"dt must be a positive number (the time between samples); got {dt!r}.")
    omega_b = _per_window("omega", omega, n, generator, dtype)  # (n, 1)
    amplitude_b = _per_window("amplitude", amplitude, n, generator, dtype)
    phase_b = _per_window("phase", (0.0, 2 * math.pi) if phase is None else phase, n,
                          generator, dtype)
    theta = phase_b + omega_b * dt * torch.arange(length, dtype=dtype)  # (n, length)
    return (amplitude_b * torch.sin(theta))[..., None], (amplitude_b * torch.cos(theta))[..., None]


def adding_problem(n: int, length: int, *, generator: torch.Generator | None = None,
                   dtype: torch.dtype = torch.float64) -> tuple[torch.Tensor, torch.Tensor]:
    """``n`` sequences of the adding problem, each ``length`` steps long.

    Step ``t`` of a sequence is a pair (value, marker): the value is uniform in ``[-1, 1]``, the
    marker is 1 at exactly two steps -- one uniformly in the first half (``t < length // 2``),
    one uniformly in the second half -- and 0 elsewhere. The target is the sum of the two marked
    values. Returns ``x`` of shape ``(length, n, 2)`` (time-major; channel 0 the values, channel 1
    the markers) and ``y`` of shape ``(n,)``. The first marked value lies at least
    ``length - length // 2`` steps before the end, so a network must remember it that long.
    """
    _check_positive_int("n", n)
    _check_positive_int("length", length)
    if length < 2:
        raise ValueError(f"length must be at least 2 (one marker in each half); got {length}.")
    half = length // 2
    values = 2 * torch.rand(length, n, generator=generator, dtype=dtype) - 1  # (T, n)
    first = torch.randint(0, half, (n,), generator=generator)
    second = torch.randint(half, length, (n,), generator=generator)
    markers = torch.zeros(length, n, dtype=dtype)
    columns = torch.arange(n)
    markers[first, columns] = 1.0
    markers[second, columns] = 1.0
    target = values[first, columns] + values[second, columns]  # (n,)
    return torch.stack([values, markers], dim=-1), target
