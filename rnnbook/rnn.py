"""The vanilla (Elman) RNN in numpy, float64, in PyTorch's layout: forward pass and BPTT.

    h_t = f(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh),    f = tanh or relu

``x`` is time-major ``(T, B, I)`` like ``nn.RNN`` with ``batch_first=False``.

Backpropagation through time (:func:`rnn_backward`)
---------------------------------------------------
The forward pass is the one of :func:`rnnbook.rnn_forward` (PyTorch's ``nn.RNN`` in row form)::

    z_t = x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh        (B, H)
    h_t = f(z_t)                                           (B, H)

Indices: time steps count from 1 in the formulas and from 0 in the arrays, so ``x[t - 1]`` is
x_t, ``d_out[t - 1]`` is dL_t/dh_t and ``delta[t - 1]`` is delta_t (the notation page's rule).
``d_out[t - 1]`` is the part of the loss gradient that reaches ``h_t`` directly (from the output
layer at step t, *not* through later steps). The backward pass runs from step ``t = T`` down to
``t = 1`` (array index ``T - 1`` down to 0)::

    dL/dh_t  = d_out[t - 1] + delta_{t+1} W_hh   (the future reaches h_t through z_{t+1})
    delta_t  = dL/dz_t = f'(z_t) * dL/dh_t       (elementwise; delta_{T+1} = 0)

and every parameter gradient is a sum over time of one term per step::

    dL/dW_ih = sum_t delta_t^T x_t        dL/dW_hh = sum_t delta_t^T h_{t-1}
    dL/db_ih = dL/db_hh = sum_t sum_batch delta_t
    dL/dx_t  = delta_t W_ih               dL/dh_0  = delta_1 W_hh
"""

from __future__ import annotations

import numpy as np

from ._checks import as_array, as_sequence, as_state, expect_choice, expect_shape
from .activations import NONLINEARITIES, activation, activation_derivative
from .params import check_params


def check_rnn_inputs(x, h0, params, nonlinearity: str):
    """Validate the arguments of :func:`rnn_forward`; return float64 ``(x, h0, params)``."""
    expect_choice("nonlinearity", nonlinearity, NONLINEARITIES)
    params, n_in, hidden = check_params(params, "rnn")
    x = as_sequence(x, n_in)
    h0 = as_state("h0", h0, x, hidden, "nn.RNN")
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


def rnn_backward(x, h0, params, d_out, nonlinearity: str = "tanh") -> dict[str, np.ndarray]:
    """Gradients of a loss through a one-layer RNN, by backpropagation through time.

    Parameters
    ----------
    x : array (T, B, I)
        Inputs, time-major, as for :func:`rnnbook.rnn_forward`.
    h0 : array (B, H)
        Initial hidden state.
    params : dict
        ``weight_ih_l0`` (H, I), ``weight_hh_l0`` (H, H), ``bias_ih_l0`` (H,), ``bias_hh_l0`` (H,).
    d_out : array (T, B, H)
        ``dL/dout``: the gradient of the loss with respect to the output ``out`` of
        :func:`rnnbook.rnn_forward`, i.e. what ``out.backward(d_out)`` feeds into PyTorch. For a
        loss ``L = sum_t L_t(h_t)`` it holds ``dL_t/dh_t`` at step ``t``; the recurrence adds the
        part that arrives through later steps.
    nonlinearity : "tanh" or "relu"

    Returns
    -------
    dict
        ``weight_ih_l0``, ``weight_hh_l0``, ``bias_ih_l0``, ``bias_hh_l0`` (each the shape of the
        parameter), ``x`` (T, B, I) and ``h0`` (B, H): the gradient of ``L`` with respect to each.
        Equal to PyTorch autograd on ``nn.RNN`` with the same weights.

    Memory: besides its inputs and results it keeps the T + 1 states, ``(T + 1) B H`` numbers, and
    nothing else that grows with T (the parameter gradients are accumulated step by step).
    """
    x, h0, p = check_rnn_inputs(x, h0, params, nonlinearity)
    T, B, _ = x.shape
    H = h0.shape[1]
    d_out = as_array("d_out", d_out, 3, "(T, B, H)")
    expect_shape("d_out", d_out, (T, B, H), "(T, B, H)")
    W_ih, W_hh = p["weight_ih_l0"], p["weight_hh_l0"]
    b = p["bias_ih_l0"] + p["bias_hh_l0"]

    # Forward, keeping every state: the backward pass needs h_{t-1} and f'(z_t) at each step.
    states = np.empty((T + 1, B, H))  # states[0] = h_0, states[t] = h_t (T + 1 entries)
    states[0] = h0
    for t in range(T):
        z = x[t] @ W_ih.T + states[t] @ W_hh.T + b  # (B, H)
        states[t + 1] = activation(z, nonlinearity)

    # Backward through time, newest step first. The loop index t is 0-based: it handles step
    # t + 1, so delta = delta_{t+1} = dL/dz_{t+1}, d_out[t] = dL_{t+1}/dh_{t+1}, states[t] = h_t.
    grads = {name: np.zeros_like(value) for name, value in p.items()}
    d_x = np.empty_like(x)
    from_future = np.zeros((B, H))  # delta of the later step times W_hh (zero after step T)
    for t in range(T - 1, -1, -1):
        h_t, h_prev = states[t + 1], states[t]
        delta = activation_derivative(h_t, nonlinearity) * (d_out[t] + from_future)
        grads["weight_ih_l0"] += delta.T @ x[t]
        grads["weight_hh_l0"] += delta.T @ h_prev
        grads["bias_ih_l0"] += delta.sum(axis=0)
        d_x[t] = delta @ W_ih
        from_future = delta @ W_hh
    grads["bias_hh_l0"] = grads["bias_ih_l0"].copy()  # both biases enter z_t the same way
    grads["x"] = d_x
    grads["h0"] = from_future
    return grads
