"""rnnbook: the reference implementations and figure helpers that the book's chapters import.

Everything is numpy float64 in PyTorch's layout and parameter names, tested against PyTorch.
"""

from .explore import Choice, Explorer, Line, Panel, Slider, explore
from .lstm import lstm_backward, lstm_forward
from .params import params_from_torch
from .rnn import rnn_forward

__all__ = [
    "Choice",
    "Explorer",
    "Line",
    "Panel",
    "Slider",
    "explore",
    "lstm_backward",
    "lstm_forward",
    "params_from_torch",
    "rnn_forward",
]
