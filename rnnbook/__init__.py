"""rnnbook: the reference implementations and figure helpers that the book's chapters import.

Everything is numpy float64 in PyTorch's layout and parameter names, tested against PyTorch.
"""

from .bptt import rnn_backward
from .explore import Choice, Explorer, Line, Panel, Slider, explore
from .gradcheck import GradCheck, agree, gradcheck, numeric_gradient, relative_error
from .lstm import lstm_backward, lstm_forward
from .params import params_from_torch
from .rnn import rnn_forward

__all__ = [
    "Choice",
    "Explorer",
    "GradCheck",
    "Line",
    "Panel",
    "Slider",
    "agree",
    "explore",
    "gradcheck",
    "numeric_gradient",
    "lstm_backward",
    "lstm_forward",
    "params_from_torch",
    "relative_error",
    "rnn_backward",
    "rnn_forward",
]
