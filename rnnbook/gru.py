"""The GRU in numpy, float64, in PyTorch's layout: forward pass and hand-written BPTT.

One layer, as ``nn.GRU(I, H)`` with ``batch_first=False``. The three blocks are stacked in the
rows of each parameter in PyTorch's order **r, z, n** (``H`` rows each)::

    gi_t = x_t W_ih^T + b_ih          (B, 3H), split into gi_r gi_z gi_n
    gh_t = h_{t-1} W_hh^T + b_hh      (B, 3H), split into gh_r gh_z gh_n
    r_t = sigmoid(gi_r + gh_r)        reset gate
    z_t = sigmoid(gi_z + gh_z)        update gate (in PyTorch: the share of h_{t-1} that is kept)
    n_t = tanh(gi_n + r_t * gh_n)     candidate state; the reset acts *after* the recurrent
                                      product, and scales its bias b_hn too
    h_t = (1 - z_t) * n_t + z_t * h_{t-1}                       (* is the elementwise product)

This is the form of cuDNN and of Keras' ``reset_after=True``. The form of most tutorials,
``h~_t = tanh(W [r_t * h_{t-1}, x_t])`` with ``h_t = (1 - z_t) * h_{t-1} + z_t * h~_t``, puts the
reset *before* the product and uses ``1 - z`` for ``z``; it is a different function of the same
weights (chapter 6 shows both with numbers).

``x`` is time-major ``(T, B, I)``; the state is one array ``h``, ``(B, H)`` (no cell state).
"""

from __future__ import annotations

import numpy as np

from ._checks import as_array, as_sequence, as_state, expect_shape
from .activations import sigmoid
from .params import check_params

#: PyTorch's order of the three ``H``-row blocks in every GRU parameter.
GATE_ORDER = ("r", "z", "n")


def check_h0(h0, x: np.ndarray, hidden: int) -> np.ndarray:
    """Validate the initial state of a GRU for time-major ``x``; return it as float64 ``(B, H)``."""
    batch = x.shape[1]
    if isinstance(h0, (tuple, list)) and len(h0) > 0 and all(hasattr(a, "shape") for a in h0):
        raise ValueError(
            f"h0 must be one array of shape (B, H) = ({batch}, {hidden}), because a GRU has no "
            f"cell state; got a {type(h0).__name__} of {len(h0)} arrays, like an LSTM's (h0, c0)."
        )
    return as_state("h0", h0, x, hidden, "nn.GRU")


def check_gru_inputs(x, h0, params):
    """Validate the arguments of :func:`gru_forward`; return float64 ``(x, h0, params)``."""
    params, n_in, hidden = check_params(params, "gru")
    x = as_sequence(x, n_in)
    return x, check_h0(h0, x, hidden), params


def run_gru(x, h0, p):
    """The forward pass on validated inputs; return ``(out, gates, hn)`` for the backward pass.

    ``gates`` is ``(T, B, 3H)`` and holds ``r_t, z_t, n_t`` side by side, in PyTorch's order;
    ``hn`` is ``(T, B, H)``, the recurrent part of the candidate before the reset,
    ``h_{t-1} W_hn^T + b_hn``.
    """
    steps, batch, hidden = x.shape[0], x.shape[1], h0.shape[1]
    out = np.empty((steps, batch, hidden))
    gates = np.empty((steps, batch, 3 * hidden))
    hn = np.empty((steps, batch, hidden))
    gi = x @ p["weight_ih_l0"].T + p["bias_ih_l0"]  # (T, B, 3H): no recurrence, all at once
    h = h0
    for t in range(steps):
        gh = h @ p["weight_hh_l0"].T + p["bias_hh_l0"]  # (B, 3H)
        gi_r, gi_z, gi_n = np.split(gi[t], 3, axis=1)
        gh_r, gh_z, gh_n = np.split(gh, 3, axis=1)
        r, z = sigmoid(gi_r + gh_r), sigmoid(gi_z + gh_z)
        n = np.tanh(gi_n + r * gh_n)
        h = (1.0 - z) * n + z * h
        out[t] = h
        gates[t] = np.concatenate([r, z, n], axis=1)
        hn[t] = gh_n
    return out, gates, hn


def gru_forward(x, h0, params):
    """Run a one-layer GRU over a sequence, exactly as ``nn.GRU`` does.

    At every step ``t = 1 .. T``::

        r_t = sigmoid(x_t W_ir^T + b_ir + h_{t-1} W_hr^T + b_hr)
        z_t = sigmoid(x_t W_iz^T + b_iz + h_{t-1} W_hz^T + b_hz)
        n_t = tanh(x_t W_in^T + b_in + r_t * (h_{t-1} W_hn^T + b_hn))
        h_t = (1 - z_t) * n_t + z_t * h_{t-1}

    Parameters
    ----------
    x : array (T, B, I)
        Inputs, time-major.
    h0 : array (B, H)
        Initial hidden state (no layer axis; a GRU has no cell state).
    params : dict
        ``weight_ih_l0`` (3H, I), ``weight_hh_l0`` (3H, H), ``bias_ih_l0`` (3H,),
        ``bias_hh_l0`` (3H,), blocks in the order r, z, n, e.g. from
        :func:`rnnbook.params_from_torch`.

    Returns
    -------
    out : array (T, B, H)
        The hidden state ``h_t`` at every step.
    h_T : array (B, H)
        The last hidden state (equal to ``out[-1]``).
    """
    x, h0, p = check_gru_inputs(x, h0, params)
    out, _, _ = run_gru(x, h0, p)
    return out, out[-1].copy()


def gru_forward_cache(x, h0, params) -> dict[str, np.ndarray]:
    """The forward pass with every value a backward pass reads, indexed by the step ``t``.

    Arguments as for :func:`gru_forward`. Returns a dict of float64 arrays, each
    ``(T + 1, B, H)``:

    * ``"h"``: ``h[t]`` is h_t, with the initial state ``h0`` at index 0;
    * ``"r"``, ``"z"``, ``"n"``: the reset gate, the update gate and the candidate of step ``t``
      in row ``t``;
    * ``"hn"``: ``h_{t-1} W_hn^T + b_hn`` of step ``t``, what the reset gate scales.

    Row 0 of every array but ``"h"`` (before the first step) is NaN, so that it cannot be used
    by mistake.
    """
    x, h0, p = check_gru_inputs(x, h0, params)
    out, gates, hn = run_gru(x, h0, p)
    blank = np.full((1,) + h0.shape, np.nan)
    cache = {"h": np.concatenate([h0[None], out])}
    for name, block in zip(GATE_ORDER, np.split(gates, 3, axis=2)):
        cache[name] = np.concatenate([blank, block])
    cache["hn"] = np.concatenate([blank, hn])
    return cache


def gru_backward(x, h0, params, d_out) -> dict[str, np.ndarray]:
    """Backpropagation through time for :func:`gru_forward`, written out by hand.

    ``d_out`` is ``dL/d out``, the gradient of a scalar loss ``L`` with respect to every hidden
    state ``h_t`` (what ``out.backward(d_out)`` feeds into PyTorch). Going back from ``t = T`` to
    ``1``, with ``dh`` the gradient arriving from step ``t + 1`` (zero at ``t = T``)::

        dh_t   = d_out_t + dh                                   total gradient reaching h_t
        da_n   = dh_t * (1 - z_t) * (1 - n_t^2)                 candidate pre-activation
        da_z   = dh_t * (h_{t-1} - n_t) * z_t * (1 - z_t)       update gate pre-activation
        da_r   = da_n * hn_t * r_t * (1 - r_t)                  reset gate, hn_t = h_{t-1} W_hn^T + b_hn
        dgi_t  = [da_r, da_z, da_n]                             (B, 3H), input side
        dgh_t  = [da_r, da_z, r_t * da_n]                       (B, 3H), recurrent side
        dh     = dh_t * z_t + dgh_t W_hh                        to h_{t-1}: the z-path + the rest
        dx_t   = dgi_t W_ih                                     to the input (the layer below)

    and the parameter gradients are summed over the steps::

        dW_ih = sum_t dgi_t^T x_t,      dW_hh = sum_t dgh_t^T h_{t-1},
        db_ih = sum_t,b dgi_t,          db_hh = sum_t,b dgh_t

    Unlike the RNN and the LSTM, the two biases get different gradients: in the n block,
    ``b_hn`` sits inside the reset and receives ``r_t * da_n``, ``b_in`` receives ``da_n``.

    Parameters
    ----------
    x, h0, params
        As for :func:`gru_forward`.
    d_out : array (T, B, H)
        Gradient of the loss with respect to ``out``.

    Returns
    -------
    dict
        Gradients of ``L`` with the shapes of what they belong to: ``weight_ih_l0``,
        ``weight_hh_l0``, ``bias_ih_l0``, ``bias_hh_l0``, ``x`` (T, B, I) and ``h0`` (B, H).
        Equal to PyTorch autograd on ``nn.GRU`` with the same weights.
    """
    x, h0, p = check_gru_inputs(x, h0, params)
    d_out = as_array("d_out", d_out, 3, "(T, B, H)")
    expect_shape("d_out", d_out, x.shape[:2] + (h0.shape[1],), "(T, B, H)")
    out, gates, hn = run_gru(x, h0, p)
    h = np.concatenate([h0[None], out])  # (T + 1, B, H), h[t] is h_{t-1} of step t

    grads = {key: np.zeros_like(value) for key, value in p.items()}
    dx = np.empty_like(x)
    dh = np.zeros_like(h0)  # dL/dh_t arriving from step t + 1
    for t in reversed(range(x.shape[0])):
        r, z, n = np.split(gates[t], 3, axis=1)  # each (B, H)
        dh = d_out[t] + dh
        da_n = dh * (1.0 - z) * (1.0 - n**2)
        da_z = dh * (h[t] - n) * z * (1.0 - z)
        da_r = da_n * hn[t] * r * (1.0 - r)
        dgi = np.concatenate([da_r, da_z, da_n], axis=1)  # (B, 3H)
        dgh = np.concatenate([da_r, da_z, r * da_n], axis=1)  # (B, 3H)
        grads["weight_ih_l0"] += dgi.T @ x[t]
        grads["weight_hh_l0"] += dgh.T @ h[t]
        grads["bias_ih_l0"] += dgi.sum(axis=0)
        grads["bias_hh_l0"] += dgh.sum(axis=0)
        dx[t] = dgi @ p["weight_ih_l0"]
        dh = dh * z + dgh @ p["weight_hh_l0"]
    grads["x"] = dx
    grads["h0"] = dh
    return grads
