"""Many small recurrent networks trained as one computation (the labs' models).

A lab trains one network per (cell, sequence length, seed). Run one at a time, each tiny network
pays Python's and PyTorch's per-call overhead at every time step; stacked along a leading *model
axis* ``M``, all of them share each call. The models share nothing but the arrays: the gradient of
a sum of per-model losses gives every model exactly its own gradient, and ``torch.optim.Adam``
updates every entry on its own, so each model trains as if it were alone.

Parameters are a dict of tensors in PyTorch's layout and gate order (``rnn``: one block; ``lstm``:
i, f, g, o; ``gru``: r, z, n) with the model axis in front, and a linear read-out ``(O, H)``:

==============  =================  ==============
key             shape              PyTorch
==============  =================  ==============
``weight_ih``   ``(M, G*H, I)``    ``weight_ih_l0``
``weight_hh``   ``(M, G*H, H)``    ``weight_hh_l0``
``bias_ih``     ``(M, G*H)``       ``bias_ih_l0``
``bias_hh``     ``(M, G*H)``       ``bias_hh_l0``
``weight_out``  ``(M, O, H)``      ``nn.Linear.weight``
``bias_out``    ``(M, O)``         ``nn.Linear.bias``
==============  =================  ==============

* :func:`init_models` -- PyTorch's default initialisation, optionally with a forget-gate bias;
* :func:`run_models` -- the read-out at the last step of each model's own sequence length; with
  ``record=True`` also every state and gate at every step (for plots and gradients);
* :func:`to_torch` -- model ``m`` as an ``nn.RNN``/``nn.LSTM``/``nn.GRU`` and an ``nn.Linear``
  (the tests and the lab check that both compute the same);
* :func:`clip_grad_norm_per_model_` -- gradient clipping, each model by its own norm.
"""

from __future__ import annotations

import math

import torch

from ._checks import expect_choice
from .params import GATES

KINDS = ("rnn", "lstm", "gru")
KEYS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh", "weight_out", "bias_out")


def _models_of(params: dict) -> tuple[int, int, int, int]:
    """(M, I, H, O) read from the parameter shapes."""
    missing = [key for key in KEYS if key not in params]
    if missing:
        raise ValueError(f"params must have the keys {', '.join(KEYS)}; missing {', '.join(missing)}.")
    n_models, _, input_size = params["weight_ih"].shape
    output_size, hidden_size = params["weight_out"].shape[1:]
    return n_models, input_size, hidden_size, output_size


def init_models(kind: str, n_models: int, input_size: int, hidden_size: int,
                output_size: int = 1, *, generator: torch.Generator | None = None,
                forget_bias=0.0, dtype: torch.dtype = torch.float64) -> dict[str, torch.Tensor]:
    """Fresh parameters for ``n_models`` networks, each initialised as PyTorch does.

    Every entry is uniform in :math:`(-1/\\sqrt{H}, 1/\\sqrt{H})`, as in ``nn.RNN``, ``nn.LSTM``,
    ``nn.GRU`` and ``nn.Linear(H, O)``. For an LSTM, ``forget_bias`` (a number, or one value per
    model) is then written into the forget block ``[H:2H]`` of ``bias_ih`` and that block of
    ``bias_hh`` is set to zero, so the forget gate's total bias -- the sum of the two -- is exactly
    ``forget_bias``. The tensors require gradients.
    """
    expect_choice("kind", kind, KINDS)
    for name, value in (("n_models", n_models), ("input_size", input_size),
                        ("hidden_size", hidden_size), ("output_size", output_size)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive integer; got {value!r}.")
    rows = GATES[kind] * hidden_size
    bound = 1 / math.sqrt(hidden_size)

    def uniform(*shape):
        return bound * (2 * torch.rand(*shape, generator=generator, dtype=dtype) - 1)

    params = {
        "weight_ih": uniform(n_models, rows, input_size),
        "weight_hh": uniform(n_models, rows, hidden_size),
        "bias_ih": uniform(n_models, rows),
        "bias_hh": uniform(n_models, rows),
        "weight_out": uniform(n_models, output_size, hidden_size),
        "bias_out": uniform(n_models, output_size),
    }
    forget = torch.as_tensor(forget_bias, dtype=dtype)
    if kind == "lstm":
        if forget.dim() > 1 or (forget.dim() == 1 and forget.shape[0] != n_models):
            raise ValueError(f"forget_bias must be a number or one value per model ({n_models}); "
                             f"got a tensor of shape {tuple(forget.shape)}.")
        forget_rows = slice(hidden_size, 2 * hidden_size)
        params["bias_ih"][:, forget_rows] = forget.reshape(-1, 1)
        params["bias_hh"][:, forget_rows] = 0.0
    elif forget.ne(0).any():
        raise ValueError(f"forget_bias is for kind='lstm'; got forget_bias={forget_bias!r} "
                         f"with kind={kind!r}.")
    return {key: value.requires_grad_() for key, value in params.items()}


def _step(kind: str, drive_t, state, w_hh_t, b_hh, hidden_size: int):
    """One step for the running models. drive_t: (M, n, G*H) = x_t W_ih^T + b_ih (+ b_hh for
    rnn and lstm); w_hh_t: (M, H, G*H); b_hh: the GRU's (M, n, G*H). Returns the new state and
    the gates to record (a dict, empty for the RNN)."""
    if kind == "rnn":
        (h,) = state
        h = torch.tanh(torch.baddbmm(drive_t, h, w_hh_t))
        return (h,), {}
    if kind == "lstm":
        h, c = state
        z = torch.baddbmm(drive_t, h, w_hh_t)  # (M, n, 4H), blocks i, f, g, o
        i, f, _, o = torch.sigmoid(z).chunk(4, dim=-1)  # chunk: one node in the backward pass
        g = torch.tanh(z.chunk(4, dim=-1)[2])
        c = torch.addcmul(f * c, i, g)
        h = o * torch.tanh(c)
        return (h, c), {"i": i, "f": f, "o": o, "c": c}
    (h,) = state
    H = hidden_size
    from_h_rz, from_h_n = torch.baddbmm(b_hh, h, w_hh_t).split([2 * H, H], dim=-1)
    drive_rz, drive_n = drive_t.split([2 * H, H], dim=-1)
    r, z = torch.sigmoid(drive_rz + from_h_rz).chunk(2, dim=-1)
    n = torch.tanh(torch.addcmul(drive_n, r, from_h_n))  # tanh(W_in x + b_in + r (W_hn h + b_hn))
    h = torch.lerp(n, h, z)  # n + z (h - n) = (1 - z) n + z h
    return (h,), {"r": r, "z": z}


def run_models(kind: str, params: dict, x: torch.Tensor, lengths=None, *, record: bool = False):
    """Run every model on its own slice of ``x`` and read out at its last step.

    ``x`` has shape ``(T, M, n, I)``: time-major, then one batch of ``n`` sequences per model.
    Model ``m`` reads ``x[:lengths[m], m]`` (all ``T`` steps when ``lengths`` is ``None``) from
    a zero state, and the result is the read-out of its state after its last step, shape
    ``(M, n, O)``. Models whose sequences end early drop out of the computation from then on, so
    a ladder of lengths costs about the sum of the lengths, not ``M`` times the longest (it is
    cheapest with the models ordered longest first).

    With ``record=True`` (every model reading all ``T`` steps) the result is ``(y, states)`` where
    ``states`` maps ``"h"`` (and ``"c"``, ``"i"``, ``"f"``, ``"o"`` for an LSTM; ``"r"``, ``"z"``
    for a GRU) to a list of ``T`` tensors ``(M, n, H)``, one per step: part of the graph, so
    ``torch.autograd.grad`` can differentiate with respect to any of them.
    """
    expect_choice("kind", kind, KINDS)
    n_models, input_size, hidden_size, _ = _models_of(params)
    if x.dim() != 4 or x.shape[1] != n_models or x.shape[3] != input_size:
        raise ValueError(f"x must have shape (T, M, n, I) with M = {n_models} models and "
                         f"I = {input_size} inputs; got {tuple(x.shape)}.")
    steps, n = x.shape[0], x.shape[2]
    if lengths is None:
        lengths = torch.full((n_models,), steps)
    lengths = torch.as_tensor(lengths).long()
    if lengths.shape != (n_models,) or lengths.min() < 1 or lengths.max() > steps:
        raise ValueError(f"lengths must hold one length from 1 to T = {steps} per model "
                         f"({n_models}); got {lengths.tolist()}.")
    if record and lengths.min() < steps:
        raise ValueError("record=True needs every model to read all T steps (lengths=None).")

    # Longest first, so the models still running at step t are always a leading block.
    order = torch.argsort(-lengths, stable=True)
    shuffled = bool((order != torch.arange(n_models)).any())
    p = {key: value[order] for key, value in params.items()} if shuffled else params
    if shuffled:
        lengths, x = lengths[order], x[:, order]
    w_ih_t = p["weight_ih"].transpose(1, 2)  # (M, I, G*H)
    w_hh_t = p["weight_hh"].transpose(1, 2)  # (M, H, G*H)
    bias = p["bias_ih"] if kind == "gru" else p["bias_ih"] + p["bias_hh"]
    bias = bias[:, None, :]  # (M, 1, G*H)
    b_hh = p["bias_hh"][:, None, :].expand(-1, n, -1)  # (M, n, G*H), for the GRU

    zeros = x.new_zeros(n_models, n, hidden_size)
    state = (zeros, zeros) if kind == "lstm" else (zeros,)
    finished = []  # final hidden states of models that stopped, latest-stopping first
    records: dict[str, list] = {}
    ends = sorted(set(lengths.tolist()), reverse=True)  # running-model count changes there
    start = 0
    for end in reversed(ends):
        active = int((lengths >= end).sum())  # models running from `start` to `end`
        if active < state[0].shape[0]:
            finished.insert(0, state[0][active:])
            state = tuple(s[:active] for s in state)
        # The input's part of every step of the stretch at once, split by step (indexing one
        # big tensor at every step would cost a zero tensor of its size in the backward pass).
        drive = x[start:end, :active] @ w_ih_t[:active] + bias[:active]  # (steps, M, n, G*H)
        w_run, b_run = w_hh_t[:active], b_hh[:active]
        for drive_t in drive.unbind(0):
            state, gates = _step(kind, drive_t, state, w_run, b_run, hidden_size)
            if record:
                for name, value in (("h", state[0]), *gates.items()):
                    records.setdefault(name, []).append(value)
        start = end
    h_last = torch.cat([state[0], *finished]) if finished else state[0]  # (M, n, H), sorted
    y = torch.baddbmm(p["bias_out"][:, None, :], h_last, p["weight_out"].transpose(1, 2))
    if shuffled:
        unsort = torch.argsort(order)
        y = y[unsort]
        records = {name: [v[unsort] for v in values] for name, values in records.items()}
    return (y, records) if record else y


def to_torch(kind: str, params: dict, m: int):
    """Model ``m`` as PyTorch modules: ``(nn.RNN | nn.LSTM | nn.GRU, nn.Linear)``, time-major,
    in the dtype of ``params``; the parameters are copies."""
    expect_choice("kind", kind, KINDS)
    n_models, input_size, hidden_size, output_size = _models_of(params)
    if not (isinstance(m, int) and 0 <= m < n_models):
        raise ValueError(f"m must be a model index from 0 to {n_models - 1}; got {m!r}.")
    dtype = params["weight_ih"].dtype
    layer = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[kind](
        input_size, hidden_size, dtype=dtype)
    head = torch.nn.Linear(hidden_size, output_size, dtype=dtype)
    with torch.no_grad():
        for key in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(layer, key + "_l0").copy_(params[key][m])
        head.weight.copy_(params["weight_out"][m])
        head.bias.copy_(params["bias_out"][m])
    return layer, head


def clip_grad_norm_per_model_(params: dict, max_norm: float) -> torch.Tensor:
    """Scale each model's gradient so its norm (over all its parameters) is at most ``max_norm``.

    ``torch.nn.utils.clip_grad_norm_`` would use one norm for all models together, so one model's
    large gradient would shrink every other model's step. Returns the norms before clipping,
    shape ``(M,)``.
    """
    grads = [p.grad for p in params.values() if p.grad is not None]
    if not grads:
        raise ValueError("no parameter has a gradient; call backward() first.")
    n_models = grads[0].shape[0]
    norms = torch.sqrt(sum(g.reshape(n_models, -1).pow(2).sum(dim=1) for g in grads))
    scale = (max_norm / (norms + 1e-6)).clamp(max=1.0)
    for g in grads:
        g.mul_(scale.reshape(-1, *([1] * (g.dim() - 1))))
    return norms
