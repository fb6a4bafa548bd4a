"""rnnbook: the reference implementations and figure helpers that the book's chapters import.

Everything is numpy float64 in PyTorch's layout and parameter names, tested against PyTorch.

Rooms:

* one module per recurrent cell, forward pass and backward pass together: :mod:`rnnbook.rnn`,
  :mod:`rnnbook.lstm`;
* their parts: :mod:`rnnbook.activations` (``sigmoid``, the RNN's nonlinearity and its slope),
  :mod:`rnnbook.params` (parameters copied out of PyTorch modules);
* checks a reader calls: :mod:`rnnbook.gradcheck` (``gradcheck``, ``relative_error``, ``agree``);
* the text and the language-model parts the labs train with: :mod:`rnnbook.text` (the 300 Tang
  poems of ``data/``, a vocabulary, batches for truncated BPTT, the softmax output layer with its
  gradient, sampling, and measures of a poem's form);
* the interactive-figure helper :mod:`rnnbook.explore`, and :mod:`rnnbook.diagrams` for drawn
  diagrams (nodes, boxes, arrows);
* apart, because no chapter imports it: :mod:`rnnbook.site`, which builds and cleans the book.
"""

from .activations import activation, activation_derivative, sigmoid
from .explore import Choice, Explorer, Line, Panel, Slider, Text, explore
from .gradcheck import GradCheck, agree, gradcheck, numeric_gradient, relative_error
from .lstm import lstm_backward, lstm_forward, lstm_forward_cache
from .params import params_from_torch
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

__all__ = [
    "Choice",
    "Explorer",
    "GradCheck",
    "Line",
    "Panel",
    "Slider",
    "Text",
    "Vocabulary",
    "activation",
    "activation_derivative",
    "agree",
    "batchify",
    "bptt_windows",
    "explore",
    "gradcheck",
    "load_poems",
    "lstm_backward",
    "lstm_forward",
    "lstm_forward_cache",
    "numeric_gradient",
    "params_from_torch",
    "perplexity",
    "poem_stream",
    "poem_structure",
    "readout_loss",
    "relative_error",
    "rnn_backward",
    "rnn_forward",
    "sample_ids",
    "sigmoid",
    "softmax_cross_entropy",
]
