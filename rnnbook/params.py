"""Parameters in PyTorch's names and layout, as float64 numpy arrays.

PyTorch stacks the weights of all gates of a recurrent layer into one matrix, in a fixed gate order:

=========  ======================  ===================
module     rows of ``weight_ih``   gate order
=========  ======================  ===================
``RNN``    ``H``                   (one transform)
``LSTM``   ``4H``                  i, f, g, o
``GRU``    ``3H``                  r, z, n
=========  ======================  ===================
"""

from __future__ import annotations

import numpy as np

from ._checks import as_array

PARAM_KEYS = ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")

#: How many stacked blocks of ``H`` rows each kind of layer has.
GATES = {"rnn": 1, "lstm": 4, "gru": 3}


def params_from_torch(module, layer: int = 0, reverse: bool = False) -> dict[str, np.ndarray]:
    """Copy one layer of an ``nn.RNN``, ``nn.LSTM`` or ``nn.GRU`` into a dict of float64 arrays.

    The keys are PyTorch's names of a single layer (``weight_ih_l0``, ``weight_hh_l0``,
    ``bias_ih_l0``, ``bias_hh_l0``), whichever layer is copied, so the dict plugs straight into
    :func:`rnnbook.rnn_forward` and its siblings. ``layer`` counts from 0 as in PyTorch's names
    (``weight_ih_l1`` is layer 1); ``reverse=True`` copies the backward direction of a
    bidirectional module (``weight_ih_l0_reverse``). The arrays are copies, so changing them does
    not change the module.
    """
    kind = type(module).__name__.lower()
    if kind not in GATES:
        raise ValueError(
            f"module must be a torch.nn.RNN, nn.LSTM or nn.GRU; got {type(module).__name__}."
        )
    unsupported = {
        "bias": (module.bias, True),
        "proj_size": (getattr(module, "proj_size", 0), 0),
    }
    for attr, (got, wanted) in unsupported.items():
        if got != wanted:
            raise ValueError(
                f"module must have {attr}={wanted!r} (rnnbook implements the plain layer); "
                f"got {attr}={got!r}."
            )
    if not (isinstance(layer, int) and 0 <= layer < module.num_layers):
        raise ValueError(
            f"layer must be an integer from 0 to {module.num_layers - 1} (the module has "
            f"num_layers={module.num_layers}); got {layer!r}."
        )
    if reverse and not module.bidirectional:
        raise ValueError("reverse=True needs a module with bidirectional=True; this one has one "
                         "direction.")
    suffix = f"_l{layer}" + ("_reverse" if reverse else "")
    state = module.state_dict()
    return {key: state[key.replace("_l0", suffix)].detach().cpu().double().numpy().copy()
            for key in PARAM_KEYS}


def check_params(params, kind: str) -> tuple[dict[str, np.ndarray], int, int]:
    """Validate a parameter dict for a layer of ``kind`` and return ``(params, I, H)``.

    The returned dict holds float64 arrays; ``I`` is the input size and ``H`` the hidden size.
    """
    if not isinstance(params, dict):
        raise ValueError(
            f"params must be a dict with keys {', '.join(PARAM_KEYS)}; got {type(params).__name__}."
        )
    missing = [k for k in PARAM_KEYS if k not in params]
    extra = [k for k in params if k not in PARAM_KEYS]
    if missing or extra:
        parts = []
        if missing:
            parts.append("missing " + ", ".join(missing))
        if extra:
            parts.append("unexpected " + ", ".join(map(str, extra)))
        raise ValueError(
            f"params must have exactly the keys {', '.join(PARAM_KEYS)}; {' and '.join(parts)}."
        )
    g = GATES[kind]
    rows = "H" if g == 1 else f"{g}H"
    layer = {"rnn": "an RNN", "lstm": "an LSTM", "gru": "a GRU"}[kind]
    w_hh = as_array("params['weight_hh_l0']", params["weight_hh_l0"], 2, f"({rows}, H)")
    hidden = w_hh.shape[1]
    if w_hh.shape[0] != g * hidden:
        raise ValueError(
            f"params['weight_hh_l0'] must have shape ({rows}, H) for {layer} layer; got "
            f"({w_hh.shape[0]}, {w_hh.shape[1]}), which does not fit H = {hidden}."
        )
    w_ih = as_array("params['weight_ih_l0']", params["weight_ih_l0"], 2, f"({rows}, I)")
    if w_ih.shape[0] != g * hidden:
        raise ValueError(
            f"params['weight_ih_l0'] must have shape ({rows}, I) = ({g * hidden}, I) for {layer} "
            f"layer with H = {hidden}; got ({w_ih.shape[0]}, {w_ih.shape[1]})."
        )
    out = {"weight_ih_l0": w_ih, "weight_hh_l0": w_hh}
    for key in ("bias_ih_l0", "bias_hh_l0"):
        b = as_array(f"params['{key}']", params[key], 1, f"({rows},)")
        if b.shape[0] != g * hidden:
            raise ValueError(
                f"params['{key}'] must have shape ({rows},) = ({g * hidden},); got ({b.shape[0]},)."
            )
        out[key] = b
    return out, w_ih.shape[1], hidden
