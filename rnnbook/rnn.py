"""The vanilla (Elman) RNN in numpy, float64, in PyTorch's layout.

    h_t = f(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh),    f = tanh or relu

``x`` is time-major ``(T, B, I)`` like ``nn.RNN`` with ``batch_first=False``.
"""

from __future__ import annotations

import numpy as np

from ._checks import as_array, expect_choice, expect_shape
from .params import check_params

NONLINEARITIES = ("tanh", "relu")


def activation(z: np.ndarray, nonlinearity: str) -> np.ndarray:
    """Apply the RNN's nonlinearity elementwise."""
    if nonlinearity == "tanh":
        return np.tanh(z)
    return np.maximum(z, 0.0)


def check_rnn_inputs(x, h0, params, nonlinearity: str):
    """Validate the arguments of :func:`rnn_forward`; return float64 ``(x, h0, params)``."""
    expect_choice("nonlinearity", nonlinearity, NONLINEARITIES)
    params, n_in, hidden = check_params(params, "rnn")
    x = as_array("x", x, 3, "(T, B, I)")
    if x.shape[0] == 0 or x.shape[1] == 0:
        raise ValueError(f"x must have at least one time step and one sequence; got shape {x.shape}.")
    expect_shape("x", x, (x.shape[0], x.shape[1], n_in), "(T, B, I)")
    h0 = as_array("h0", h0, 2, "(B, H)")
    if h0.shape != (x.shape[1], hidden):
        hint = ""
        if h0.shape == (x.shape[0], hidden):  # h0's batch matches x's first axis
            hint = ", which fits x only if x is batch-first (B, T, I): pass x.transpose(1, 0, 2)"
        raise ValueError(
            f"h0 must have shape (B, H) = ({x.shape[1]}, {hidden}), with B taken from x of shape "
            f"{x.shape} read as time-major (T, B, I) and H from the weights; got {h0.shape}{hint}."
        )
    return x, h0, params


def rnn_forward(x, h0, params, nonlinearity: str = "tanh"):
    """Run a one-layer RNN over a sequence.

    Parameters
    ----------
    x : array (T, B, I)
        Inputs, time-major.
    h0 : array (B, H)
        Initial hidden state.
    params : dict
        ``weight_ih_l0`` (H, I), ``weight_hh_l0`` (H, H), ``bias_ih_l0`` (H,), ``bias_hh_l0`` (H,),
        e.g. from :func:`rnnbook.params_from_torch`.
    nonlinearity : "tanh" or "relu"

    Returns
    -------
    out : array (T, B, H)
        The hidden state at every step.
    h_T : array (B, H)
        The last hidden state (equal to ``out[-1]``).
    """
    x, h, p = check_rnn_inputs(x, h0, params, nonlinearity)
    steps = []
    for x_t in x:  # x_t: (B, I)
        z = x_t @ p["weight_ih_l0"].T + p["bias_ih_l0"] + h @ p["weight_hh_l0"].T + p["bias_hh_l0"]
        h = activation(z, nonlinearity)
        steps.append(h)
    out = np.stack(steps)  # (T, B, H)
    return out, out[-1].copy()
