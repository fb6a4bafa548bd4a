"""rnnbook: the reference implementations and figure helpers that the book's chapters import.

Everything is numpy float64 in PyTorch's layout and parameter names, tested against PyTorch.

Rooms:

* one module per recurrent cell, forward pass and backward pass together: :mod:`rnnbook.rnn`,
  :mod:`rnnbook.lstm`;
* :mod:`rnnbook.gru`, the GRU in ``nn.GRU``'s form (gate order r, z, n, the reset applied after
  the recurrent product), forward pass, per-step cache and backward pass;
* their parts: :mod:`rnnbook.activations` (``sigmoid``, the RNN's nonlinearity and its slope),
  :mod:`rnnbook.params` (parameters copied out of PyTorch modules);
* checks a reader calls: :mod:`rnnbook.gradcheck` (``gradcheck``, ``relative_error``, ``agree``),
  and :mod:`rnnbook.check`, the exercise and assignment checkers (``check.check_rnn_step``,
  ``check.check_lstm_cell``, ``check.check_bptt``, ...) that answer a student in a sentence;
* the interactive-figure helper :mod:`rnnbook.explore`, and :mod:`rnnbook.diagrams` for drawn
  diagrams (nodes, boxes, arrows);
* apart, because no chapter imports it: :mod:`rnnbook.site`, which builds and cleans the book.
"""

from . import check
from .activations import activation, activation_derivative, sigmoid
from .explore import Choice, Explorer, Line, Panel, Slider, Table, explore
from .gradcheck import GradCheck, agree, gradcheck, numeric_gradient, relative_error
from .gru import gru_backward, gru_forward, gru_forward_cache
from .lstm import lstm_backward, lstm_forward, lstm_forward_cache
from .params import params_from_torch
from .rnn import rnn_backward, rnn_forward

__all__ = [
    "Choice",
    "Explorer",
    "GradCheck",
    "Line",
    "Panel",
    "Slider",
    "Table",
    "activation",
    "activation_derivative",
    "agree",
    "check",
    "explore",
    "gradcheck",
    "gru_backward",
    "gru_forward",
    "gru_forward_cache",
    "lstm_backward",
    "lstm_forward",
    "lstm_forward_cache",
    "numeric_gradient",
    "params_from_torch",
    "relative_error",
    "rnn_backward",
    "rnn_forward",
    "sigmoid",
]
