"""The LSTM in numpy, float64, in PyTorch's layout: forward pass and hand-written BPTT.

One layer, as ``nn.LSTM(I, H)`` with ``batch_first=False``. The four gates are stacked in the
rows of each parameter in PyTorch's order **i, f, g, o** (``H`` rows each)::

    z_t = x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh          (B, 4H), split into z_i z_f z_g z_o
    i_t = sigmoid(z_i)     input gate
    f_t = sigmoid(z_f)     forget gate
    g_t = tanh(z_g)        candidate cell state (c~_t)
    o_t = sigmoid(z_o)     output gate
    c_t = f_t * c_{t-1} + i_t * g_t                            (* is the elementwise product)
    h_t = o_t * tanh(c_t)

``x`` is time-major ``(T, B, I)``; the state is the pair ``(h, c)``, each ``(B, H)``.
"""

from __future__ import annotations

import numpy as np

from ._checks import as_array, as_sequence, as_state, expect_shape
from .activations import sigmoid
from .params import check_params

#: PyTorch's order of the four ``H``-row blocks in every LSTM parameter.
GATE_ORDER = ("i", "f", "g", "o")


def check_lstm_inputs(x, state0, params):
    """Validate the arguments of :func:`lstm_forward`; return float64 ``(x, h0, c0, params)``."""
    params, n_in, hidden = check_params(params, "lstm")
    x = as_sequence(x, n_in)
    if not isinstance(state0, (tuple, list)):
        if hasattr(state0, "shape"):
            got = f"a single array of shape ({', '.join(map(str, state0.shape))})"
        else:
            got = f"an object of type {type(state0).__name__}"
        raise ValueError(
            f"state0 must be a pair (h0, c0) of arrays of shape (B, H) = ({x.shape[1]}, {hidden}) "
            f"each, as nn.LSTM takes its initial state; got {got}."
        )
    if len(state0) != 2:
        raise ValueError(
            f"state0 must be a pair (h0, c0) of arrays of shape (B, H) = ({x.shape[1]}, {hidden}) "
            f"each; got a {type(state0).__name__} of {len(state0)} items."
        )
    h0 = as_state("h0", state0[0], x, hidden, "nn.LSTM")
    c0 = as_state("c0", state0[1], x, hidden, "nn.LSTM")
    return x, h0, c0, params


def run_lstm(x, h0, c0, p):
    """The forward pass on validated inputs; return ``(out, c, gates)`` for the backward pass.

    ``c`` is ``(T + 1, B, H)`` with ``c[0] = c0``; ``gates`` is ``(T, B, 4H)`` and holds the
    activations ``i_t, f_t, g_t, o_t`` side by side, in PyTorch's order.
    """
    steps, hidden = x.shape[0], h0.shape[1]
    out = np.empty((steps, x.shape[1], hidden))
    c = np.empty((steps + 1, x.shape[1], hidden))
    gates = np.empty((steps, x.shape[1], 4 * hidden))
    h, c[0] = h0, c0
    for t in range(steps):
        z = x[t] @ p["weight_ih_l0"].T + p["bias_ih_l0"] + h @ p["weight_hh_l0"].T + p["bias_hh_l0"]
        i, f, g, o = np.split(z, 4, axis=1)  # each (B, H)
        i, f, g, o = sigmoid(i), sigmoid(f), np.tanh(g), sigmoid(o)
        c[t + 1] = f * c[t] + i * g
        h = o * np.tanh(c[t + 1])
        out[t] = h
        gates[t] = np.concatenate([i, f, g, o], axis=1)
    return out, c, gates


def lstm_forward_cache(x, state0, params) -> dict[str, np.ndarray]:
    """The forward pass with every value a backward pass reads, indexed by the step ``t``.

    Arguments as for :func:`lstm_forward`. Returns a dict of float64 arrays:

    * ``"h"``, ``"c"``: ``(T + 1, B, H)``, ``h[t]`` is h_t and ``c[t]`` is c_t, with the initial
      states at index 0;
    * ``"i"``, ``"f"``, ``"g"``, ``"o"``: ``(T + 1, B, H)``, the gate values at step ``t`` in row
      ``t`` (row 0, before the first step, is NaN so that it cannot be used by mistake).
    """
    x, h0, c0, p = check_lstm_inputs(x, state0, params)
    out, c, gates = run_lstm(x, h0, c0, p)
    cache = {"h": np.concatenate([h0[None], out]), "c": c}
    blank = np.full((1,) + h0.shape, np.nan)
    for name, block in zip(GATE_ORDER, np.split(gates, 4, axis=2)):
        cache[name] = np.concatenate([blank, block])
    return cache


def lstm_forward(x, state0, params):
    """Run a one-layer LSTM over a sequence, exactly as ``nn.LSTM`` does.

    At every step ``t = 1 .. T``::

        z_t = x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh       split into four H-blocks i, f, g, o
        i_t = sigmoid(z_i),  f_t = sigmoid(z_f),  g_t = tanh(z_g),  o_t = sigmoid(z_o)
        c_t = f_t * c_{t-1} + i_t * g_t
        h_t = o_t * tanh(c_t)

    Parameters
    ----------
    x : array (T, B, I)
        Inputs, time-major.
    state0 : pair (h0, c0)
        Initial hidden state and initial cell state, each of shape (B, H) (no layer axis).
    params : dict
        ``weight_ih_l0`` (4H, I), ``weight_hh_l0`` (4H, H), ``bias_ih_l0`` (4H,),
        ``bias_hh_l0`` (4H,), gate blocks in the order i, f, g, o, e.g. from
        :func:`rnnbook.params_from_torch`.

    Returns
    -------
    out : array (T, B, H)
        The hidden state ``h_t`` at every step.
    (h_T, c_T) : pair of arrays (B, H)
        The last hidden state (equal to ``out[-1]``) and the last cell state.
    """
    x, h0, c0, p = check_lstm_inputs(x, state0, params)
    out, c, _ = run_lstm(x, h0, c0, p)
    return out, (out[-1].copy(), c[-1].copy())


def lstm_backward(x, state0, params, d_out):
    """Backpropagation through time for :func:`lstm_forward`, written out by hand.

    ``d_out`` is ``dL/d out``, the gradient of a scalar loss ``L`` with respect to every hidden
    state ``h_t``; the loss is taken to depend on the LSTM only through ``out`` (so not on
    ``c_T`` directly). Going back from ``t = T`` to ``1``, with ``dh`` and ``dc`` the gradients
    arriving from step ``t + 1`` (zero at ``t = T``)::

        dh_t   = d_out_t + dh                                    total gradient reaching h_t
        dc_t   = dc + dh_t * o_t * (1 - tanh(c_t)^2)             cell path + output path
        dz_o   = dh_t * tanh(c_t) * o_t * (1 - o_t)
        dz_i   = dc_t * g_t * i_t * (1 - i_t)
        dz_f   = dc_t * c_{t-1} * f_t * (1 - f_t)
        dz_g   = dc_t * i_t * (1 - g_t^2)
        dz_t   = [dz_i, dz_f, dz_g, dz_o]                        (B, 4H)
        dc     = dc_t * f_t                                      to c_{t-1}: the carousel
        dh     = dz_t W_hh                                       to h_{t-1}
        dx_t   = dz_t W_ih                                       to the input (the layer below)

    and the parameter gradients are summed over the steps::

        dW_ih = sum_t dz_t^T x_t,   dW_hh = sum_t dz_t^T h_{t-1},   db_ih = db_hh = sum_t,b dz_t

    Parameters
    ----------
    x, state0, params
        As for :func:`lstm_forward`.
    d_out : array (T, B, H)
        Gradient of the loss with respect to ``out``.

    Returns
    -------
    dict
        Gradients of ``L`` with the shapes of what they belong to: ``weight_ih_l0``,
        ``weight_hh_l0``, ``bias_ih_l0``, ``bias_hh_l0``, ``x`` (T, B, I), ``h0`` and ``c0``
        (B, H).
    """
    x, h0, c0, p = check_lstm_inputs(x, state0, params)
    d_out = as_array("d_out", d_out, 3, "(T, B, H)")
    expect_shape("d_out", d_out, x.shape[:2] + (h0.shape[1],), "(T, B, H)")
    out, c, gates = run_lstm(x, h0, c0, p)
    h = np.concatenate([h0[None], out])  # (T + 1, B, H), h[t] is h_{t-1} of step t

    grads = {key: np.zeros_like(value) for key, value in p.items()}
    dx = np.empty_like(x)
    dh = np.zeros_like(h0)  # dL/dh_t arriving from step t + 1
    dc = np.zeros_like(c0)  # dL/dc_t arriving from step t + 1
    for t in reversed(range(x.shape[0])):
        i, f, g, o = np.split(gates[t], 4, axis=1)  # each (B, H)
        tanh_c = np.tanh(c[t + 1])
        dh = d_out[t] + dh
        dc = dc + dh * o * (1.0 - tanh_c**2)
        dz = np.concatenate(
            [
                dc * g * i * (1.0 - i),  # input gate
                dc * c[t] * f * (1.0 - f),  # forget gate
                dc * i * (1.0 - g**2),  # candidate
                dh * tanh_c * o * (1.0 - o),  # output gate
            ],
            axis=1,
        )  # (B, 4H)
        grads["weight_ih_l0"] += dz.T @ x[t]
        grads["weight_hh_l0"] += dz.T @ h[t]
        grads["bias_ih_l0"] += dz.sum(axis=0)
        dx[t] = dz @ p["weight_ih_l0"]
        dh = dz @ p["weight_hh_l0"]
        dc = dc * f
    grads["bias_hh_l0"] = grads["bias_ih_l0"].copy()
    grads["x"] = dx
    grads["h0"] = dh
    grads["c0"] = dc
    return grads
