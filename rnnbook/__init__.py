"""rnnbook: the reference implementations and figure helpers that the book's chapters import.

Everything is numpy float64 in PyTorch's layout and parameter names, tested against PyTorch.

Rooms:

* one module per recurrent cell, forward pass and backward pass together: :mod:`rnnbook.rnn`,
  :mod:`rnnbook.lstm`, :mod:`rnnbook.gru` (``nn.GRU``'s form: gate order r, z, n, the reset
  applied after the recurrent product); and :mod:`rnnbook.batched`, many small RNN, LSTM or GRU
  networks trained as one computation (the labs' models, PyTorch autograd);
* their parts: :mod:`rnnbook.activations` (``sigmoid``, the RNN's nonlinearity and its slope),
  :mod:`rnnbook.params` (parameters copied out of PyTorch modules);
* checks a reader calls: :mod:`rnnbook.gradcheck` (``gradcheck``, ``relative_error``, ``agree``),
  and :mod:`rnnbook.check`, the exercise and assignment checkers (``check.check_rnn_step``,
  ``check.check_lstm_cell``, ``check.check_bptt``, ...) that answer a student in a sentence;
* the tasks and data the labs train on: :mod:`rnnbook.tasks` (sine windows, the adding problem);
  :mod:`rnnbook.progress`, a ``tqdm.auto`` progress bar whose stored output is stable;
  :mod:`rnnbook.text` (the 300 Tang poems of ``data/``, a vocabulary, batches for truncated BPTT,
  the softmax output layer with its gradient, sampling, and measures of a poem's form);
* the interactive-figure helper :mod:`rnnbook.explore`, and :mod:`rnnbook.diagrams` for drawn
  diagrams (nodes, boxes, arrows);
* apart, because no chapter imports it: :mod:`rnnbook.site`, which builds and cleans the book.
"""

import importlib

from . import check
from .activations import activation, activation_derivative, sigmoid
from .explore import Choice, Explorer, Heatmap, Line, Panel, Slider, Table, Text, explore
from .gradcheck import GradCheck, agree, gradcheck, numeric_gradient, relative_error
from .gru import gru_backward, gru_forward, gru_forward_cache
from .lstm import lstm_backward, lstm_forward, lstm_forward_cache
from .params import params_from_torch
from .progress import progress
from .rnn import rnn_backward, rnn_forward
from .text import (
    Vocabulary,
    batchify,
    bptt_windows,
    load_poems,
    perplexity,
    poem_stream,
    poem_structure,
    readout_loss,
    sample_ids,
    softmax_cross_entropy,
)

#: Names from the modules that need PyTorch, imported on first use, so that ``import rnnbook``
#: stays as light as numpy (the book build and ``nbclean`` import it).
_TORCH_NAMES = {
    "adding_problem": "tasks", "sine_windows": "tasks",
    "clip_grad_norm_per_model_": "batched", "init_models": "batched", "run_models": "batched",
    "to_torch": "batched",
}


def __getattr__(name):
    if name in _TORCH_NAMES:
        return getattr(importlib.import_module(f".{_TORCH_NAMES[name]}", __name__), name)
    raise AttributeError(f"module 'rnnbook' has no attribute {name!r}")


__all__ = [
    "Choice",
    "Explorer",
    "GradCheck",
    "Heatmap",
    "Line",
    "Panel",
    "Slider",
    "Table",
    "Text",
    "Vocabulary",
    "activation",
    "activation_derivative",
    "adding_problem",
    "agree",
    "batchify",
    "bptt_windows",
    "check",
    "clip_grad_norm_per_model_",
    "explore",
    "gradcheck",
    "gru_backward",
    "gru_forward",
    "gru_forward_cache",
    "init_models",
    "load_poems",
    "lstm_backward",
    "lstm_forward",
    "lstm_forward_cache",
    "numeric_gradient",
    "params_from_torch",
    "perplexity",
    "poem_stream",
    "poem_structure",
    "progress",
    "readout_loss",
    "relative_error",
    "rnn_backward",
    "rnn_forward",
    "run_models",
    "sample_ids",
    "sigmoid",
    "sine_windows",
    "softmax_cross_entropy",
    "to_torch",
]
