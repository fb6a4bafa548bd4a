"""Checkers for exercises and assignments: a student's function against the reference.

Each checker calls the student's function on a few fresh test cases (random sizes and values, drawn
from ``seed``), compares what comes back with the reference in float64 and answers in one or two
sentences: what is wrong, and a hint. The reference is the book's own numpy implementation
(:mod:`rnnbook.rnn`, :mod:`rnnbook.lstm`, :mod:`rnnbook.gru`, equal to ``nn.RNN``, ``nn.LSTM``,
``nn.GRU`` and their autograd gradients; the tests check it again here), so a passing check does
not even import PyTorch.

When the answer is wrong the checker tries the usual mistakes as hypotheses (a transposed weight,
the gate blocks read in another order, a step off by one in time, a missing bias, a gradient off by
a constant factor, ...) and names one only when it reproduces the student's output to float64
precision; otherwise it says which output, which step and how far off. ::

    from rnnbook.check import check_rnn_step

    check_rnn_step(rnn_step)              # in a notebook: shows the sentence
    check_rnn_step(rnn_step).assert_ok()  # in a test cell: raises CheckFailed(sentence) if wrong

The result is a :class:`Feedback`: truthy when the function is right, its ``repr`` is the
sentence, and :meth:`Feedback.assert_ok` raises :class:`CheckFailed` (an ``AssertionError``)
whose text is only that sentence; in Jupyter the error shows as that one line, without a
traceback. A checker never raises on a student's mistake: ``None``, a tuple of the wrong length,
NaN, a wrong dtype or shape, an exception inside the student's code and output printed by it are
all reported in the sentence (and nothing reaches stdout or stderr meanwhile, which matters to
nbgrader: a test cell that writes to stderr scores zero). Nothing here imports nbgrader, so the
same calls work in a plain notebook, in nbgrader and under pytest or Otter-Grader.

The functions checked (shapes as on the notation page; ``params`` holds PyTorch's names
``weight_ih_l0``, ``weight_hh_l0``, ``bias_ih_l0``, ``bias_hh_l0`` as float64 numpy arrays):

=========================  ===============================================================
checker                    the student's function
=========================  ===============================================================
``check_rnn_step``         ``rnn_step(x_t, h_prev, params) -> h_t``
``check_rnn_forward``      ``rnn_forward(x, h0, params) -> (out, h_T)``
``check_lstm_cell``        ``lstm_cell(x_t, (h_prev, c_prev), params) -> (h_t, c_t)``
``check_lstm_forward``     ``lstm_forward(x, (h0, c0), params) -> (out, (h_T, c_T))``
``check_gru_cell``         ``gru_cell(x_t, h_prev, params) -> h_t`` (PyTorch's GRU)
``check_gru_forward``      ``gru_forward(x, h0, params) -> (out, h_T)``
``check_bptt``             ``backward(x, h0 or (h0, c0), params, d_out) -> dict of gradients``
=========================  ===============================================================

For a teacher's own test cells, :func:`check_array` compares one array with the expected one and
:func:`expect` turns a condition into the same kind of :class:`Feedback`. A checker for a new kind
of function is a :class:`_Problem` (how to draw a case, the reference, the expected shapes, the
:class:`Hypothesis` list with its sentences) passed to :func:`_run_check`; see
``book/teaching.md``.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import linecache
import os
import re
import sysconfig
import warnings
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .activations import sigmoid
from .gradcheck import relative_error
from .gru import gru_backward, gru_forward
from .lstm import lstm_backward, lstm_forward
from .rnn import rnn_backward, rnn_forward

PARAM_KEYS = ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")
GATE_NAMES = {"rnn": (), "lstm": ("i", "f", "g", "o"), "gru": ("r", "z", "n")}
ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth")

# Agreement with the float64 reference: what two correct float64 computations of the same
# formula by different routes achieve, with room for long sums.
ATOL, RTOL = 1e-10, 1e-8
# What float32 arithmetic somewhere in the computation still achieves.
ATOL32, RTOL32 = 1e-5, 1e-4

NAN_HINT = ("Hint: NaN comes from overflow (np.exp of a large number: use rnnbook.sigmoid), 0/0, "
            "or an np.empty array read before it was filled.")
INF_HINT = ("Hint: inf comes from overflow, often np.exp(-z) for large negative z: use "
            "rnnbook.sigmoid.")
INT_HINT = ("Hint: an array made with dtype=int (or np.zeros_like of an integer array) keeps only "
            "the integer part of what is stored in it; use np.zeros(shape) or np.empty(shape), "
            "which are float64.")


class CheckFailed(AssertionError):
    """Raised by :meth:`Feedback.assert_ok`; its text is the checker's sentence.

    IPython calls ``_render_traceback_`` to draw an exception, so in Jupyter (and in nbgrader's
    feedback) a failed check shows as one line, not a traceback into this module.
    """

    def _render_traceback_(self):
        return [f"\x1b[0;31m{type(self).__name__}\x1b[0m: {self}"]


@dataclass(frozen=True)
class Feedback:
    """What a checker found: ``ok`` and one or two sentences in ``message``.

    Truthy when the function is right; shows as its sentence in a notebook.
    """

    ok: bool
    message: str

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return self.message

    def assert_ok(self) -> None:
        """Print the sentence if the check passed; raise :class:`CheckFailed` with it if not."""
        __tracebackhide__ = True  # pytest and IPython hide this frame
        if not self.ok:
            raise CheckFailed(self.message)
        print(self.message)


# ---------------------------------------------------------------------------------------------
# Expected outputs
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Leaf:
    """One expected array: its name in messages, its shape and the names of its axes."""

    name: str
    shape: tuple
    layout: str  # e.g. "(B, H)"
    time_axis: bool = False  # axis 0 counts time steps (messages name the step)

    def text(self) -> str:
        return f"{self.name} of shape {self.layout} = {_shape(self.shape)}"


def _shape(shape) -> str:
    return str(tuple(int(s) for s in shape))


def _leaves(spec):
    """The leaves of a spec (a Leaf or nested tuples of them), in order."""
    if isinstance(spec, Leaf):
        return [spec]
    return [leaf for item in spec for leaf in _leaves(item)]


def _spec_text(spec) -> str:
    """``h_t of shape (B, H) = (3, 5)`` or ``the pair (out, h_T): out of shape ...``."""
    if isinstance(spec, Leaf):
        return spec.text()
    names = _names(spec)
    leaves = _leaves(spec)
    kind = "pair" if len(spec) == 2 else f"tuple of {len(spec)}"
    if len({leaf.shape for leaf in leaves}) == 1:
        return f"the {kind} {names}, each of shape {leaves[0].layout} = {_shape(leaves[0].shape)}"
    return f"the {kind} {names}: " + ", ".join(leaf.text() for leaf in leaves)


def _names(spec) -> str:
    if isinstance(spec, Leaf):
        return spec.name
    return "(" + ", ".join(_names(item) for item in spec) + ")"


# ---------------------------------------------------------------------------------------------
# Test cases
# ---------------------------------------------------------------------------------------------
@dataclass
class Case:
    """One test case: the arguments passed to the student's function, and their sizes."""

    index: int
    args: tuple
    sizes: dict  # T, B, I, H
    arg_text: str  # "x_t of shape (3, 2), h_prev of shape (3, 5)"

    def where(self) -> str:
        return f"at the {ORDINALS[self.index]} test case ({self.arg_text})"


def _draw_sizes(rng) -> dict:
    """Four different sizes from 2 to 7, so a swapped axis always shows in a shape."""
    T, B, I, H = (int(v) + 2 for v in rng.choice(6, size=4, replace=False))
    return {"T": T, "B": B, "I": I, "H": H}


def _draw_params(rng, kind, n_in, hidden) -> dict:
    rows = max(1, len(GATE_NAMES[kind])) * hidden
    return {
        "weight_ih_l0": rng.normal(0.0, 1.0, (rows, n_in)) / np.sqrt(n_in),
        "weight_hh_l0": rng.normal(0.0, 1.0, (rows, hidden)) / np.sqrt(hidden),
        "bias_ih_l0": rng.normal(0.0, 0.5, rows),
        "bias_hh_l0": rng.normal(0.0, 0.5, rows),
    }


def _draw_case(rng, index, kind, sequence, with_grad=False) -> Case:
    s = _draw_sizes(rng)
    T, B, I, H = s["T"], s["B"], s["I"], s["H"]
    s["G"] = max(1, len(GATE_NAMES[kind]))
    params = _draw_params(rng, kind, I, H)
    x = rng.normal(0.0, 1.0, (T, B, I) if sequence else (B, I))
    h0 = rng.normal(0.0, 0.5, (B, H))
    x_name, h_name, c_name = ("x", "h0", "c0") if sequence else ("x_t", "h_prev", "c_prev")
    if kind == "lstm":
        c0 = rng.normal(0.0, 1.0, (B, H))
        state, state_text = (h0, c0), f"{h_name} and {c_name} of shape {_shape((B, H))}"
    else:
        state, state_text = h0, f"{h_name} of shape {_shape((B, H))}"
    args = (x, state, params)
    text = f"{x_name} of shape {_shape(x.shape)}, {state_text}"
    if with_grad:
        args += (rng.normal(0.0, 1.0, (T, B, H)),)
        text += f", d_out of shape {_shape((T, B, H))}"
    return Case(index, args, s, text)


def _copy(value):
    """A deep copy of the arguments, so a student's in-place change cannot touch ours."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return tuple(_copy(v) for v in value)
    return value


def _same(a, b) -> bool:
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.shape == b.shape and np.array_equal(a, b)
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, tuple):
        return isinstance(b, tuple) and len(a) == len(b) and all(map(_same, a, b))
    return a is b


# ---------------------------------------------------------------------------------------------
# Calling the student's code
# ---------------------------------------------------------------------------------------------
@dataclass
class Call:
    """What one call of the student's function gave: its result or the exception it raised."""

    result: object = None
    error: BaseException | None = None
    location: str = ""  # "line 3 of rnn_step: `z = x_t @ W_ih`"
    changed: str = ""  # the name of an argument the call changed in place


def _call(fn, args, arg_names) -> Call:
    """Call ``fn(*args)`` on copies, with its printing, warnings and floating-point errors muted."""
    copies = _copy(args)
    sink = io.StringIO()
    with contextlib.ExitStack() as stack:
        stack.enter_context(contextlib.redirect_stdout(sink))
        stack.enter_context(contextlib.redirect_stderr(sink))
        stack.enter_context(warnings.catch_warnings())
        stack.enter_context(np.errstate(all="ignore"))
        warnings.simplefilter("ignore")
        try:
            result = fn(*copies)
        except Exception as error:  # the student's code may raise anything
            return Call(error=error, location=_location(error, fn))
    for name, before, after in zip(arg_names, args, copies):
        if not _same(before, after):
            return Call(result=result, changed=name)
    return Call(result=result)


def _location(error, fn) -> str:
    """Where in the student's own code ``error`` was raised: the deepest frame that is not in
    a library (numpy, torch, the standard library, rnnbook), as "line 3 of rnn_step: `...`"."""
    library = (os.path.dirname(os.path.abspath(__file__)), sysconfig.get_paths()["stdlib"],
               sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"])
    found = None
    tb = error.__traceback__.tb_next if error.__traceback__ else None  # skip _call itself
    while tb is not None:
        code = tb.tb_frame.f_code
        if not os.path.abspath(code.co_filename).startswith(library):
            found = (code, tb.tb_lineno)
        tb = tb.tb_next
    if found is None:
        return ""
    code, lineno = found
    line = linecache.getline(code.co_filename, lineno).strip()
    if len(line) > 60:
        line = line[:57] + "..."
    where = f"line {lineno - code.co_firstlineno + 1} of {code.co_name}"
    return f"{where}: `{line}`" if line else where


def _error_text(error) -> str:
    """The exception's first line, without numpy's gufunc signature, at most 160 characters."""
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    text = re.sub(r", with gufunc signature \S+", "", text)
    if len(text) > 160:
        text = text[:157] + "..."
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


# ---------------------------------------------------------------------------------------------
# Reading what came back
# ---------------------------------------------------------------------------------------------
def _describe(value) -> str:
    if value is None:
        return "None"
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        return f"an array of shape {_shape(value.shape)}"
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of {len(value)} item{'s' if len(value) != 1 else ''}"
    return f"a {type(value).__name__}"


def _to_numpy(value):
    """A torch tensor as numpy (its dtype kept); anything else unchanged."""
    if hasattr(value, "detach") and hasattr(value, "numpy"):
        return value.detach().cpu().numpy()
    return value


def _structure_problem(fn_name, result, spec, case, reference, inside="") -> str | None:
    """A sentence if ``result`` does not have the structure of ``spec`` (tuples and their lengths).

    ``inside`` names the part of the result being looked at, for a nested pair.
    """
    where = case.where()
    returned = f"{fn_name} returned {inside}" if inside else f"{fn_name} returned"
    if result is None:
        return (f"{returned} None {where}; it should return {_spec_text(spec)}. "
                "Hint: is the `return` statement missing?")
    if isinstance(spec, Leaf):
        if isinstance(result, tuple):
            hint = "return only that array"
            for k, item in enumerate(result):
                if _close(_to_numpy(item), reference):
                    hint = f"item {k} of the tuple is {spec.name}: return only it"
                    break
            return (f"{returned} {_describe(result)} {where}; expected one "
                    f"array, {spec.text()}. Hint: {hint}.")
        return None
    if not isinstance(result, (tuple, list)) or hasattr(result, "shape"):
        return f"{returned} {_describe(_to_numpy(result))} {where}; expected {_spec_text(spec)}."
    if len(result) != len(spec):
        return (f"{returned} {_describe(result)} {where}; expected {_spec_text(spec)}. "
                f"Hint: return exactly {len(spec)} values, `return {_names(spec)[1:-1]}`.")
    for k, (item, sub, ref) in enumerate(zip(result, spec, reference)):
        if not isinstance(sub, Leaf):
            problem = _structure_problem(fn_name, item, sub, case, ref,
                                         inside=f"as item {k} of its result")
            if problem:
                return problem
    return None


def _flatten(result, spec) -> list:
    if isinstance(spec, Leaf):
        return [result]
    return [leaf for item, sub in zip(result, spec) for leaf in _flatten(item, sub)]


def _leaf_problem(fn_name, value, leaf: Leaf, case, reference) -> str | None:
    """A sentence if one returned array has the wrong type, shape, dtype or non-finite values."""
    where = case.where()
    what = f"{leaf.name}"
    value = _to_numpy(value)
    if value is None:
        return (f"{fn_name} returned None as {what} {where}; expected {leaf.text()}. "
                "Hint: is a variable left unset or a `return` missing?")
    if isinstance(value, (list, tuple)):
        try:
            stacked = np.stack([np.asarray(_to_numpy(v), dtype=float) for v in value])
        except (ValueError, TypeError):
            stacked = None
        hint = ""
        if stacked is not None and stacked.shape == leaf.shape:
            hint = f" Hint: turn the list of steps into one array with np.stack(...)."
        return (f"{fn_name} returned {what} as {_describe(value)} {where}; expected one numpy "
                f"array, {leaf.text()}.{hint}")
    if not isinstance(value, np.ndarray):
        if isinstance(value, (float, int, np.generic)):
            return (f"{fn_name} returned {what} as a single number {where}; expected an array, "
                    f"{leaf.text()}.")
        return (f"{fn_name} returned {what} as {_describe(value)} {where}; expected a numpy "
                f"array, {leaf.text()}.")
    if value.shape != leaf.shape:
        return _shape_problem(fn_name, value.shape, leaf, case)
    if value.dtype != np.float64:
        return _dtype_problem(fn_name, value, leaf, case, reference)
    finite = np.isfinite(value)
    if not finite.all():
        return _nonfinite_problem(fn_name, value, finite, leaf, case)
    return None


def _shape_problem(fn_name, got, leaf: Leaf, case) -> str:
    s, want = case.sizes, leaf.shape
    got = tuple(got)
    base = (f"{fn_name} returned {leaf.name} of shape {_shape(got)} {case.where()}; expected "
            f"{leaf.layout} = {_shape(want)}.")
    T, B, H = s["T"], s["B"], s["H"]
    if len(want) == 2 and got == want[::-1]:
        if leaf.layout == "(B, H)":
            return base + (" It looks transposed, (H, B), as the column form W @ h.T gives; in "
                           "PyTorch's row layout write x_t @ W_ih.T + h_prev @ W_hh.T.")
        return base + (" It looks transposed: a weight's gradient has the weight's own shape, "
                       "sum_t dz_t.T @ x_t for W_ih and sum_t dz_t.T @ h_{t-1} for W_hh, with "
                       "dz_t of shape (B, rows) on the left.")
    if len(want) == 1 and got == (s["B"],) + want:
        return base + " Sum over the batch axis as well: delta.sum(axis=0)."
    if got == (1,) + want:
        return base + (" It has an extra leading axis of size 1, the (num_layers, B, H) layout of "
                       f"PyTorch's h_n: return {leaf.name}[0].")
    if leaf.time_axis and got == (B, T, H) and want == (T, B, H):
        return base + (" Time and batch axes are swapped (batch-first, (B, T, H)): stack the "
                       "steps along axis 0, np.stack(steps), so that out[t - 1] is h_t.")
    if leaf.time_axis and len(got) == 3 and got[1:] == want[1:] and abs(got[0] - T) == 1:
        few = got[0] < T
        return base + (f" That is one step too {'few' if few else 'many'}: out holds h_1, ..., "
                       f"h_T, one row per step (T = {T}), and not h_0. Hint: loop "
                       "`for t in range(T)` and append the new state after computing it.")
    gates = s.get("G", 1)
    if gates > 1 and got == want[:-1] + (gates * H,) and gates * H != s["I"]:
        return base + (f" Its last axis is {gates}H: the stacked pre-activations of all "
                       f"{gates} gates; split them with np.split(z, {gates}, axis=1) and combine "
                       "the gates.")
    if got == want[:-1] + (s["I"],) and want[-1] == H:
        return base + (f" Its last axis is the input size I = {s['I']} where the hidden size "
                       f"H = {H} belongs.")
    if len(got) == len(want) - 1 and got == want[1:]:
        return base + " The batch axis B is missing."
    return base


def _dtype_problem(fn_name, value, leaf: Leaf, case, reference) -> str:
    base = (f"{fn_name} returned {leaf.name} with dtype {value.dtype} {case.where()}; expected "
            "float64")
    kind = value.dtype.kind
    if kind == "f":
        eps = 10 * float(np.finfo(value.dtype).eps)
        close = _close(value.astype(np.float64), reference, eps, eps)
        agreement = (f"its values agree with the reference only to {value.dtype} precision"
                     if close else "and its values are wrong too")
        return (base + f" ({agreement}). Hint: keep float64 throughout: no "
                f".astype(np.{value.dtype}), no torch tensors of the default float32.")
    if kind in "iub":
        return base + f": the values were rounded to whole numbers. {INT_HINT}"
    if kind == "c":
        return base + ". Hint: a complex number crept in (np.sqrt of a negative number?)."
    return base + f". Hint: convert with np.asarray(..., dtype=np.float64)."


def _nonfinite_problem(fn_name, value, finite, leaf: Leaf, case) -> str:
    bad = int(finite.size - finite.sum())
    kinds = "NaN" if np.isnan(value).any() else "inf"
    if np.isnan(value).any() and np.isinf(value).any():
        kinds = "NaN and inf"
    hint = INF_HINT if kinds == "inf" else NAN_HINT
    if leaf.time_axis:
        rows = np.flatnonzero(~finite.reshape(value.shape[0], -1).all(axis=1))
        t = int(rows[0]) + 1
        return (f"{fn_name} returned {kinds} in {leaf.name} {case.where()}, first at step {t} "
                f"({leaf.name}[{t - 1}]; {bad} of {finite.size} entries). {hint}")
    return (f"{fn_name} returned {kinds} in {bad} of {finite.size} entries of {leaf.name} "
            f"{case.where()}. {hint}")


def _close(a, b, atol=ATOL, rtol=RTOL) -> bool:
    try:
        a = np.asarray(a, dtype=np.float64)
        b = np.asarray(b, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    if a.shape != b.shape:
        return False
    return bool(np.all(np.abs(a - b) <= atol + rtol * np.maximum(np.abs(a), np.abs(b))))


def _tree_close(got: list, want: list, atol=ATOL, rtol=RTOL) -> bool:
    return len(got) == len(want) and all(_close(a, b, atol, rtol) for a, b in zip(got, want))


def _value_problem(fn_name, got, leaf: Leaf, want, case) -> str:
    """Which entry is furthest from the reference, and from which step on it is wrong."""
    diff = np.abs(got - want)
    bad = diff > ATOL + RTOL * np.maximum(np.abs(got), np.abs(want))
    where = case.where()
    if leaf.time_axis:
        steps = np.flatnonzero(bad.reshape(got.shape[0], -1).any(axis=1))
        t = int(steps[0]) + 1
        idx = np.unravel_index(int(np.argmax(np.where(bad, diff, -1.0)[t - 1])), got.shape[1:])
        idx = (t - 1,) + tuple(int(i) for i in idx)
        right = "" if t == 1 else (f" (step 1 is right)" if t == 2 else
                                   f" (steps 1 to {t - 1} are right)")
        return (f"{fn_name} returned {leaf.name} that first differs from the reference at step "
                f"{t}{right} {where}: {leaf.name}[{', '.join(map(str, idx))}] is "
                f"{got[idx]:.4g}, expected {want[idx]:.4g}.")
    idx = tuple(int(i) for i in np.unravel_index(int(np.argmax(diff)), got.shape))
    return (f"{fn_name} returned {leaf.name} that differs from the reference in {int(bad.sum())} "
            f"of {bad.size} entries {where}; the largest difference is at "
            f"{leaf.name}[{', '.join(map(str, idx))}]: {got[idx]:.4g}, expected {want[idx]:.4g}.")


# ---------------------------------------------------------------------------------------------
# The check itself
# ---------------------------------------------------------------------------------------------
@dataclass
class Hypothesis:
    """A likely mistake: a prediction of what a function with that mistake returns, and a sentence.

    ``predict(case)`` returns the flat list of arrays a function with the mistake would return,
    or None where the mistake does not apply to that case; ``retry(case)`` instead gives other
    arguments to call the student's function with (its result is then compared with the
    reference): for a function that works only on transposed weights, say.
    """

    message: str
    predict: Callable | None = None
    retry: Callable | None = None


@dataclass
class _Problem:
    """Everything a checker needs to know about one kind of function."""

    role: str  # what the function computes, for messages: "rnn_step"
    arg_names: tuple
    draw: Callable  # (rng, index) -> Case
    reference: Callable  # case -> nested result in the structure of spec
    spec: Callable  # case -> spec
    hypotheses: list = field(default_factory=list)
    hint: str = ""  # added to the generic sentence about wrong values
    passed: str = ""  # what agreement means, for the success sentence


def _run_check(fn, problem: _Problem, seed: int, cases: int) -> Feedback:
    """Check ``fn`` on ``cases`` fresh cases; the first problem found is the answer."""
    if not callable(fn):
        return Feedback(False, f"Expected your function {problem.role} itself; got "
                               f"{_describe(fn)}. Hint: pass the function without calling it, "
                               f"e.g. check({problem.role}), not check({problem.role}(...)).")
    fn_name = getattr(fn, "__name__", problem.role)
    if fn_name == "<lambda>":
        fn_name = problem.role
    rng = np.random.default_rng(seed)
    drawn = [problem.draw(rng, k) for k in range(cases)]
    for case in drawn:
        message = _check_case(fn, fn_name, problem, case)
        if message:
            return Feedback(False, message)
    return Feedback(True, f"{fn_name} is correct: it agrees with {problem.passed} on {cases} "
                          f"fresh test cases.")


def _check_case(fn, fn_name, problem: _Problem, case: Case) -> str | None:
    reference = problem.reference(case)
    spec = problem.spec(case)
    want = _flatten(reference, spec)
    call = _call(fn, case.args, problem.arg_names)
    if call.error is not None:
        if isinstance(call.error, NotImplementedError):
            return (f"{fn_name} raised NotImplementedError {case.where()}: replace "
                    "`raise NotImplementedError()` with your code.")
        found = _retry_hypotheses(fn, fn_name, problem, case, want, spec)
        if found:
            return found
        where = f" in {call.location}" if call.location else ""
        return f"{fn_name} raised {_error_text(call.error)}{where}, {case.where()}."
    if call.changed:
        return (f"{fn_name} changed its argument {call.changed} in place {case.where()} (e.g. "
                f"`{call.changed} += ...` or `{call.changed}[...] = ...`). Hint: compute a new "
                "array instead, the caller still needs the old one.")
    result = call.result
    problem_text = _structure_problem(fn_name, result, spec, case, reference)
    if problem_text:
        return problem_text
    got = _flatten(result, spec)
    leaves = _leaves(spec)
    swapped = _swapped_items(got, spec, want)
    if swapped:
        first, second = swapped
        return (f"{fn_name} returned the pair in the wrong order, ({second}, {first}), "
                f"{case.where()}; expected ({first}, {second}). Hint: `return {first}, {second}`.")
    for value, leaf, ref in zip(got, leaves, want):
        problem_text = _leaf_problem(fn_name, value, leaf, case, ref)
        if problem_text:
            return problem_text
    got = [np.asarray(_to_numpy(v), dtype=np.float64) for v in got]
    if _tree_close(got, want):
        return None
    for hypothesis in problem.hypotheses:
        if hypothesis.predict is None:
            continue
        predicted = hypothesis.predict(case)
        if predicted is not None and _tree_close(got, predicted):
            return f"{fn_name} {hypothesis.message}"
    found = _retry_hypotheses(fn, fn_name, problem, case, want, spec)
    if found:
        return found
    if _tree_close(got, want, ATOL32, RTOL32):
        return (f"{fn_name} agrees with the reference only to about 1e-6, float32 precision, "
                f"{case.where()}. Hint: keep every array float64 (no np.float32, no torch "
                "tensors of the default float32).")
    for value, leaf, ref in zip(got, leaves, want):
        if not _close(value, ref):
            right = [lf.name for v, lf, r in zip(got, leaves, want) if _close(v, r)]
            also = f" ({', '.join(right)} {'is' if len(right) == 1 else 'are'} right)" if right \
                else ""
            text = _value_problem(fn_name, value, leaf, ref, case)
            return text[:-1] + also + "." + (f" Hint: {problem.hint}" if problem.hint else "")
    return None


def _retry_hypotheses(fn, fn_name, problem, case, want, spec) -> str | None:
    """Mistakes found by calling the student's function again on other arguments."""
    for hypothesis in problem.hypotheses:
        if hypothesis.retry is None:
            continue
        args = hypothesis.retry(case)
        if args is None:
            continue
        call = _call(fn, args, problem.arg_names)
        if call.error is not None or call.result is None:
            continue
        try:
            got = _flatten(call.result, spec)
            got = [np.asarray(_to_numpy(v), dtype=np.float64) for v in got]
        except (TypeError, ValueError):
            continue
        if _tree_close(got, want):
            return f"{fn_name} {hypothesis.message}"
    return None


def _swapped_items(got, spec, want) -> tuple | None:
    """The two names, when a pair of same-shaped outputs comes back in the wrong order."""
    leaves = _leaves(spec)
    if len(leaves) != 2 or leaves[0].shape != leaves[1].shape:
        return None
    try:
        a, b = (np.asarray(_to_numpy(v), dtype=np.float64) for v in got)
    except (TypeError, ValueError):
        return None
    if _close(a, want[1]) and _close(b, want[0]) and not _close(a, want[0]):
        return leaves[0].name, leaves[1].name
    return None


# ---------------------------------------------------------------------------------------------
# The reference (numpy, float64) and the mistakes (the same cells with one thing changed)
# ---------------------------------------------------------------------------------------------
def _torch():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import torch
    return torch


# The reference is the book's own numpy implementation (rnnbook.rnn, rnnbook.lstm, rnnbook.gru,
# tested equal to PyTorch in tests/test_rnn.py, test_lstm.py, test_gru.py and again in
# tests/test_check.py), so a check that passes never needs to import PyTorch.
_FORWARD = {"rnn": rnn_forward, "lstm": lstm_forward, "gru": gru_forward}
_BACKWARD = {"rnn": rnn_backward, "lstm": lstm_backward, "gru": gru_backward}


def _reference_cell(kind, case):
    x_t, state, params = case.args[:3]
    return _FORWARD[kind](x_t[None], state, params)[1]


def _reference_sequence(kind, case):
    return _FORWARD[kind](*case.args[:3])


def _reference_grads(kind, case) -> dict:
    return _BACKWARD[kind](*case.args)


class _NumpyOps:
    """The array operations of :func:`_step`, in numpy (forward mistakes, no gradients)."""

    sigmoid, tanh = staticmethod(sigmoid), staticmethod(np.tanh)

    @staticmethod
    def relu(v):
        return np.maximum(v, 0.0)

    @staticmethod
    def chunk(t, n, axis=-1):
        return np.split(t, n, axis=axis)

    @staticmethod
    def cat(ts):
        return np.concatenate(ts, axis=-1)

    @staticmethod
    def detach(t):
        return t


class _TorchOps:
    """The same operations in PyTorch, for the gradients of a backward pass with a mistake."""

    def __init__(self):
        torch = _torch()
        self.sigmoid, self.tanh, self.relu = torch.sigmoid, torch.tanh, torch.relu
        self._cat = torch.cat

    @staticmethod
    def chunk(t, n, axis=-1):
        return t.chunk(n, dim=axis)

    def cat(self, ts):
        return self._cat(ts, dim=-1)

    @staticmethod
    def detach(t):
        return t.detach()


def _block_index(kind, order):
    """For each gate in PyTorch's order, the block a student with gate ``order`` reads it from."""
    return [order.index(name) for name in GATE_NAMES[kind]]


def _permute_blocks(t, perm, ops):
    blocks = ops.chunk(t, len(perm))
    return ops.cat([blocks[k] for k in perm])


def _step(kind, x_t, h, c, p, m, ops):
    """One step of the cell with the mistakes ``m`` (a dict); returns ``(h_new, c_new, gh)``.

    ``gh = h W_hh^T + b_hh`` is returned for the off-by-one gradient of ``weight_hh_l0``.
    ``ops`` is :class:`_NumpyOps` or :class:`_TorchOps`.
    """
    W_ih, W_hh, b_ih, b_hh = (p[k] for k in PARAM_KEYS)
    if m.get("hh_T"):
        W_hh = W_hh.T
    gi = x_t @ W_ih.T + (0.0 if m.get("no_bias_ih") else b_ih)
    gh = h @ W_hh.T + (0.0 if m.get("no_bias_hh") else b_hh)
    if m.get("no_recurrence"):
        gh = gh - h @ W_hh.T
    if kind == "rnn":
        z = gi + gh
        act = m.get("act", "tanh")
        h_new = {"tanh": ops.tanh, "relu": ops.relu, "sigmoid": ops.sigmoid,
                 "none": lambda v: v}[act](z)
        return h_new, None, gh
    order = m.get("order", GATE_NAMES[kind])
    if m.get("bwd_order"):
        # The forward values stay right; the gradient that reaches the weight rows comes back
        # with its gate blocks in the student's order (a straight-through permutation).
        perm = _block_index(kind, m["bwd_order"])
        moved_i, moved_h = _permute_blocks(gi, perm, ops), _permute_blocks(gh, perm, ops)
        gi = ops.detach(gi) + moved_i - ops.detach(moved_i)
        gh = ops.detach(gh) + moved_h - ops.detach(moved_h)
    idx = _block_index(kind, order)
    gi_b, gh_b = ops.chunk(gi, len(idx)), ops.chunk(gh, len(idx))
    if kind == "lstm":
        z = [gi_b[k] + gh_b[k] for k in idx]
        i, f, o = ops.sigmoid(z[0]), ops.sigmoid(z[1]), ops.sigmoid(z[3])
        g = ops.sigmoid(z[2]) if m.get("g_sigmoid") else ops.tanh(z[2])
        if m.get("c_straight"):
            carried = f * ops.detach(c) + c - ops.detach(c)
        else:
            carried = f * c
        c_new = {"no_forget": c + i * g, "no_input": carried + g}.get(m.get("cell"),
                                                                       carried + i * g)
        if m.get("h_from_c_prev"):
            h_new = o * ops.tanh(c)
        elif m.get("no_tanh_c"):
            h_new = o * c_new
        else:
            h_new = o * ops.tanh(c_new)
        return h_new, c_new, gh
    r = ops.sigmoid(gi_b[idx[0]] + gh_b[idx[0]])
    zg = ops.sigmoid(gi_b[idx[1]] + gh_b[idx[1]])
    if m.get("reset_before"):
        rows = ops.chunk(W_hh, 3, axis=0)[idx[2]]
        bias = 0.0 if m.get("no_bias_hh") else ops.chunk(b_hh, 3)[idx[2]]
        pre = gi_b[idx[2]] + (r * h) @ rows.T + bias
    else:
        pre = gi_b[idx[2]] + r * gh_b[idx[2]]
    n = pre if m.get("no_tanh_n") else ops.tanh(pre)
    direct = ops.detach(h) if m.get("no_direct") else h
    h_new = zg * n + (1 - zg) * direct if m.get("z_swapped") else (1 - zg) * n + zg * direct
    return h_new, None, gh


def _unroll(kind, case, m):
    """The outputs of the cell with mistakes ``m`` on ``case``, as a flat list (numpy)."""
    x, state, params = case.args[:3]
    h0, c0 = state if kind == "lstm" else (state, None)
    h, c = h0, c0
    if m.get("zero_h0"):
        h = np.zeros_like(h0)
        c = None if c0 is None else np.zeros_like(c0)
    sequence = x.ndim == 3
    outs = []
    with np.errstate(all="ignore"):
        for x_t in (x if sequence else x[None]):
            h_prev, c_prev = h, c
            h, c, _ = _step(kind, x_t, h, c, params, m, _NumpyOps)
            if m.get("return_prev") == "both":
                h, c = h_prev, c_prev
            elif m.get("return_prev") == "c":
                c = c_prev
            outs.append(h)
    out = np.stack(outs)
    last = h
    if m.get("out_shift"):
        out = np.concatenate([(0 * h0 if m.get("zero_h0") else h0)[None], out[:-1]])
        if m.get("out_shift") == "all":
            last = out[-1]
    if not sequence:
        return [h] + ([] if c is None else [c])
    return [out, last] + ([] if c is None else [c])


def _unroll_grads(kind, case, m) -> dict:
    """The gradients a backward pass with mistake ``m`` returns on ``case``, by autograd."""
    ops = _TorchOps()
    torch = _torch()
    x, state, params, d_out = case.args
    h0, c0 = state if kind == "lstm" else (state, None)
    p = {k: torch.from_numpy(v.copy()).requires_grad_() for k, v in params.items()}
    xt = torch.from_numpy(x.copy()).requires_grad_()
    h = h0t = torch.from_numpy(h0.copy()).requires_grad_()
    c = c0t = None if c0 is None else torch.from_numpy(c0.copy()).requires_grad_()
    outs, ghs, h_ins = [], [], []
    for t, x_t in enumerate(xt):
        if m.get("detach_state") and t > 0:
            h = h.detach()
            c = None if c is None else c.detach()
        if m.get("detach_c") and t > 0:
            c = c.detach()
        h_prev = h
        h, c, gh = _step(kind, x_t, h, c, p, m, ops)
        gh.retain_grad()
        ghs.append(gh)
        h_ins.append((h_prev, h))
        outs.append(h)
    d_out = torch.from_numpy(d_out.copy())
    if m.get("d_out_last_only"):
        d_out[:-1] = 0.0
    torch.stack(outs).backward(d_out)
    result = {k: v.grad.numpy().copy() for k, v in p.items()}
    if m.get("hh_uses_h_t"):
        result["weight_hh_l0"] = sum((g.grad.T @ after.detach()).numpy()
                                     for g, (_, after) in zip(ghs, h_ins))
    result["x"] = xt.grad.numpy().copy()
    result["h0"] = h0t.grad.numpy().copy() if h0t.grad is not None else np.zeros(h0.shape)
    if c0 is not None:
        result["c0"] = c0t.grad.numpy().copy() if c0t.grad is not None else np.zeros(c0.shape)
    return result


def _predict(kind, m):
    """A ``predict`` for :class:`Hypothesis`: the outputs of the cell with mistakes ``m``."""
    def predict(case):
        return _unroll(kind, case, m)
    return predict


def _transposed(keys):
    """A ``retry`` for :class:`Hypothesis`: the case's arguments with the weights ``keys``
    transposed, for a function written for weights stored as (I, H) rather than (H, I)."""
    def retry(case):
        x, state, params = case.args[:3]
        moved = dict(params, **{key: params[key].T.copy() for key in keys})
        return (x, state, moved) + tuple(case.args[3:])
    return retry


def _gate_orders(kind):
    """Every other order of the gate blocks, with its sentence, PyTorch's own excluded."""
    names = GATE_NAMES[kind]
    for order in itertools.permutations(names):
        if order != names:
            yield order, ", ".join(order), ", ".join(names)


# ---------------------------------------------------------------------------------------------
# The forward checkers
# ---------------------------------------------------------------------------------------------
def _cell_problem(kind, sequence) -> _Problem:
    H_rows = {"rnn": "(H, I)", "lstm": "(4H, I)", "gru": "(3H, I)"}[kind]
    if sequence:
        role = f"{kind}_forward"
        arg_names = ("x", "h0 and c0" if kind == "lstm" else "h0", "params")

        def spec(case):
            T, B, H = case.sizes["T"], case.sizes["B"], case.sizes["H"]
            out = Leaf("out", (T, B, H), "(T, B, H)", time_axis=True)
            if kind == "lstm":
                return (out, (Leaf("h_T", (B, H), "(B, H)"), Leaf("c_T", (B, H), "(B, H)")))
            return (out, Leaf("h_T", (B, H), "(B, H)"))

        reference = lambda case: _reference_sequence(kind, case)  # noqa: E731
    else:
        role = {"rnn": "rnn_step", "lstm": "lstm_cell", "gru": "gru_cell"}[kind]
        arg_names = ("x_t", "(h_prev, c_prev)" if kind == "lstm" else "h_prev", "params")

        def spec(case):
            B, H = case.sizes["B"], case.sizes["H"]
            if kind == "lstm":
                return (Leaf("h_t", (B, H), "(B, H)"), Leaf("c_t", (B, H), "(B, H)"))
            return Leaf("h_t", (B, H), "(B, H)")

        reference = lambda case: _reference_cell(kind, case)  # noqa: E731

    def draw(rng, index):
        return _draw_case(rng, index, kind, sequence)

    rows = H_rows[1:-1].split(", ")[0]
    h_prev = "h_{t-1}" if sequence else "h_prev"
    hyps = [
        Hypothesis(f"works only when the weights are stored transposed, as (I, {rows}) and "
                   f"(H, {rows}); PyTorch stores weight_ih_l0 as ({rows}, I) and weight_hh_l0 "
                   f"as ({rows}, H), so multiply by their transposes: x_t @ W_ih.T and "
                   f"{h_prev} @ W_hh.T.", retry=_transposed(("weight_ih_l0", "weight_hh_l0"))),
        Hypothesis(f"works only when weight_ih_l0 is stored transposed, as (I, {rows}); PyTorch "
                   f"stores it as ({rows}, I), so multiply by its transpose: x_t @ W_ih.T.",
                   retry=_transposed(("weight_ih_l0",))),
        Hypothesis(f"works only when weight_hh_l0 is stored transposed, as (H, {rows}); PyTorch "
                   f"stores it as ({rows}, H), so multiply by its transpose: {h_prev} @ W_hh.T.",
                   retry=_transposed(("weight_hh_l0",))),
    ]
    hyps += _forward_hypotheses(kind, sequence)
    module = {"rnn": "nn.RNN", "lstm": "nn.LSTM", "gru": "nn.GRU"}[kind]
    passed = f"PyTorch's {module}" if sequence else f"PyTorch's {module}Cell"
    hint = {
        "rnn": "h_t = tanh(x_t @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh) (chapter 1).",
        "lstm": "compare each gate with chapter 4's step-by-step cell: c_t = f * c_prev + i * g, "
                "h_t = o * tanh(c_t).",
        "gru": "r and z are sigmoids of x_t @ W_i?.T + b_i? + h_prev @ W_h?.T + b_h?, "
               "n = tanh(x_t @ W_in.T + b_in + r * (h_prev @ W_hn.T + b_hn)), "
               "h_t = (1 - z) * n + z * h_prev.",
    }[kind]
    if sequence:
        hint = "check the first wrong step against your cell, and that each step starts from " \
               "the previous step's new state."
    return _Problem(role, arg_names, draw, reference, spec, hyps, hint, passed)


def _forward_hypotheses(kind, sequence) -> list:
    h_prev = "h_{t-1}" if sequence else "h_prev"
    hyps = []
    if kind == "rnn":
        hyps += [
            Hypothesis(f"multiplies {h_prev} by W_hh where it needs W_hh's transpose: "
                       f"use h @ W_hh.T (W_hh is square, so no error was raised).",
                       _predict(kind, {"hh_T": True})),
            Hypothesis("leaves out the nonlinearity: h_t = tanh(z_t), not z_t.",
                       _predict(kind, {"act": "none"})),
            Hypothesis("uses relu where the RNN uses tanh (nonlinearity='tanh').",
                       _predict(kind, {"act": "relu"})),
            Hypothesis("uses sigmoid where the RNN uses tanh.", _predict(kind, {"act": "sigmoid"})),
        ]
    if kind in ("lstm", "gru"):
        pytorch = ", ".join(GATE_NAMES[kind])
        example = {"lstm": "i, f, g, o = np.split(z, 4, axis=1)",
                   "gru": "r, z, n: rows [0:H], [H:2H], [2H:3H] of each weight"}[kind]
        for order, text, _ in _gate_orders(kind):
            hyps.append(Hypothesis(
                f"reads the gate blocks in the order {text}; PyTorch stacks them {pytorch} "
                f"(chapter {4 if kind == 'lstm' else 6}). Hint: {example}.",
                _predict(kind, {"order": order})))
    if kind == "lstm":
        hyps += [
            Hypothesis("computes h_t from the previous cell state: h_t = o_t * tanh(c_{t-1}); "
                       "use the new one, h_t = o_t * tanh(c_t).",
                       _predict(kind, {"h_from_c_prev": True})),
            Hypothesis("leaves out the tanh of the cell state: h_t = o_t * tanh(c_t), "
                       "not o_t * c_t.", _predict(kind, {"no_tanh_c": True})),
            Hypothesis("uses sigmoid for the candidate g_t; it is tanh(z_g), so it can be "
                       "negative.", _predict(kind, {"g_sigmoid": True})),
            Hypothesis("never forgets: c_t = f_t * c_{t-1} + i_t * g_t, not c_{t-1} + i_t * g_t.",
                       _predict(kind, {"cell": "no_forget"})),
            Hypothesis("writes the candidate without the input gate: c_t = f_t * c_{t-1} + "
                       "i_t * g_t.", _predict(kind, {"cell": "no_input"})),
        ]
    if kind == "gru":
        hyps += [
            Hypothesis("swaps the roles of z and 1 - z: PyTorch's GRU keeps the old state with "
                       "weight z, h_t = (1 - z) * n + z * h_prev.",
                       _predict(kind, {"z_swapped": True})),
            Hypothesis("applies the reset gate before the matrix product, (r * h_prev) @ W_hn.T "
                       "(the original paper's form); PyTorch applies it after: "
                       "r * (h_prev @ W_hn.T + b_hn).", _predict(kind, {"reset_before": True})),
            Hypothesis("leaves out the tanh of the candidate n.",
                       _predict(kind, {"no_tanh_n": True})),
        ]
    hyps += [
        Hypothesis("leaves out bias_ih_l0.", _predict(kind, {"no_bias_ih": True})),
        Hypothesis("leaves out bias_hh_l0.", _predict(kind, {"no_bias_hh": True})),
        Hypothesis("leaves out both biases.", _predict(kind, {"no_bias_ih": True,
                                                              "no_bias_hh": True})),
        Hypothesis(f"leaves out the recurrent term {h_prev} @ W_hh.T, so nothing is remembered.",
                   _predict(kind, {"no_recurrence": True})),
    ]
    if sequence:
        state = "(h0, c0)" if kind == "lstm" else "h0"
        hyps += [
            Hypothesis(f"is off by one step in time: out[t - 1] holds the state before step t "
                       f"(out[0] is h_0); it must hold the state after it, h_t. Hint: append the "
                       f"new state after computing it.", _predict(kind, {"out_shift": "all"})),
            Hypothesis(f"is off by one step in time in out: out[t - 1] holds h_{{t-1}} (out[0] "
                       f"is h_0) though h_T is right. Hint: append the new state after computing "
                       f"it.", _predict(kind, {"out_shift": "out"})),
            Hypothesis(f"ignores the initial state {state} and starts from zeros; start from "
                       f"the {state} it is given.", _predict(kind, {"zero_h0": True})),
        ]
    else:
        if kind == "lstm":
            hyps.append(Hypothesis(
                "returns the previous cell state c_prev as c_t; return the new one, "
                "c_t = f * c_prev + i * g.", _predict(kind, {"return_prev": "c"})))
        hyps.append(Hypothesis(
            "returns the state it was given (one step behind in time); return the new state.",
            _predict(kind, {"return_prev": "both"})))
    return hyps


def check_rnn_step(fn, *, seed: int = 0, cases: int = 3) -> Feedback:
    """Check ``fn(x_t, h_prev, params) -> h_t``, one step of PyTorch's ``nn.RNNCell`` (tanh).

    ``x_t`` is ``(B, I)``, ``h_prev`` and ``h_t`` are ``(B, H)``; ``params`` holds
    ``weight_ih_l0`` ``(H, I)``, ``weight_hh_l0`` ``(H, H)``, ``bias_ih_l0``, ``bias_hh_l0``.
    """
    return _safely(fn, _cell_problem("rnn", sequence=False), seed, cases)


def check_rnn_forward(fn, *, seed: int = 0, cases: int = 3) -> Feedback:
    """Check ``fn(x, h0, params) -> (out, h_T)`` against ``nn.RNN`` (one layer, tanh).

    ``x`` is time-major ``(T, B, I)``, ``h0`` ``(B, H)``, ``out`` ``(T, B, H)`` with ``out[t - 1]``
    the state after step ``t``, and ``h_T`` ``(B, H)``.
    """
    return _safely(fn, _cell_problem("rnn", sequence=True), seed, cases)


def check_lstm_cell(fn, *, seed: int = 0, cases: int = 3) -> Feedback:
    """Check ``fn(x_t, (h_prev, c_prev), params) -> (h_t, c_t)`` against ``nn.LSTMCell``.

    Gate blocks in PyTorch's order i, f, g, o (``weight_ih_l0`` is ``(4H, I)``).
    """
    return _safely(fn, _cell_problem("lstm", sequence=False), seed, cases)


def check_lstm_forward(fn, *, seed: int = 0, cases: int = 3) -> Feedback:
    """Check ``fn(x, (h0, c0), params) -> (out, (h_T, c_T))`` against ``nn.LSTM`` (one layer)."""
    return _safely(fn, _cell_problem("lstm", sequence=True), seed, cases)


def check_gru_cell(fn, *, seed: int = 0, cases: int = 3) -> Feedback:
    """Check ``fn(x_t, h_prev, params) -> h_t`` against ``nn.GRUCell``.

    PyTorch's GRU: gate blocks r, z, n (``weight_ih_l0`` is ``(3H, I)``), the reset gate applied
    after the product, ``n = tanh(x_t W_in^T + b_in + r * (h_prev W_hn^T + b_hn))``, and
    ``h_t = (1 - z) * n + z * h_prev``.
    """
    return _safely(fn, _cell_problem("gru", sequence=False), seed, cases)


def check_gru_forward(fn, *, seed: int = 0, cases: int = 3) -> Feedback:
    """Check ``fn(x, h0, params) -> (out, h_T)`` against ``nn.GRU`` (one layer)."""
    return _safely(fn, _cell_problem("gru", sequence=True), seed, cases)


def _safely(fn, problem, seed, cases) -> Feedback:
    """Run a check; a failure of the checker itself becomes a sentence too, not a traceback."""
    if not (isinstance(cases, int) and 1 <= cases <= len(ORDINALS)):
        raise ValueError(f"cases must be an integer from 1 to {len(ORDINALS)}; got {cases!r}.")
    try:
        return _run_check(fn, problem, seed, cases)
    except Exception as error:  # a bug in this module must not look like the student's
        return Feedback(False, f"rnnbook.check could not check {problem.role}: the checker "
                               f"itself failed with {_error_text(error)}. Please report this.")


# ---------------------------------------------------------------------------------------------
# The gradient checker
# ---------------------------------------------------------------------------------------------
def _grad_problem(kind, keys) -> _Problem:
    state = "(h0, c0)" if kind == "lstm" else "h0"

    def draw(rng, index):
        return _draw_case(rng, index, kind, sequence=True, with_grad=True)

    def reference(case):
        grads = _reference_grads(kind, case)
        return tuple(grads[k] for k in keys)

    def spec(case):
        s = case.sizes
        shapes = {"x": ((s["T"], s["B"], s["I"]), "(T, B, I)"), "h0": ((s["B"], s["H"]), "(B, H)"),
                  "c0": ((s["B"], s["H"]), "(B, H)")}
        rows = max(1, len(GATE_NAMES[kind]))
        r = "H" if rows == 1 else f"{rows}H"
        shapes.update({"weight_ih_l0": ((rows * s["H"], s["I"]), f"({r}, I)"),
                       "weight_hh_l0": ((rows * s["H"], s["H"]), f"({r}, H)"),
                       "bias_ih_l0": ((rows * s["H"],), f"({r},)"),
                       "bias_hh_l0": ((rows * s["H"],), f"({r},)")})
        return tuple(Leaf(f"the gradient of {k}", *shapes[k]) for k in keys)

    role = f"{kind}_backward"
    return _Problem(role, ("x", state, "params", "d_out"), draw, reference, spec, [],
                    "run rnnbook.gradcheck on a tiny case to see which term is missing.",
                    f"autograd through PyTorch's {'nn.' + kind.upper()}")


def _grad_hypotheses(kind) -> list:
    """Model mistakes of a backward pass: each gives all gradients of a backward with that bug."""
    dz = "delta_t" if kind == "rnn" else "dz_t"
    hyps = [
        ("does not carry the gradient back through time: dL/dh_t must add the part that comes "
         f"from step t + 1, {dz.replace('_t', '_{t+1}')} @ W_hh (chapter 3, Part B).",
         {"detach_state": True}),
        ("is off by one step in time in the gradient of weight_hh_l0: it uses h_t where "
         f"h_{{t-1}} belongs, dW_hh = sum_t {dz}.T @ h_{{t-1}} (the state that entered step t).",
         {"hh_uses_h_t": True}),
        ("uses only d_out at the last step; every step's d_out[t - 1] enters dL/dh_t.",
         {"d_out_last_only": True}),
    ]
    if kind == "rnn":
        hyps.append(("is the backward pass of a forward that uses h @ W_hh instead of h @ W_hh.T.",
                     {"hh_T": True}))
    if kind == "lstm":
        hyps += [
            ("does not carry the gradient back along the cell state: dc_{t-1} = dc_t * f_t must "
             "reach the step before (the constant error carousel, chapter 5).", {"detach_c": True}),
            ("carries dc back without the forget gate: dc_{t-1} = dc_t * f_t, not dc_t.",
             {"c_straight": True}),
        ]
    if kind == "gru":
        hyps.append(("misses the direct path to h_{t-1}: dh_{t-1} gets dh_t * z_t besides the "
                     "paths through the gates.", {"no_direct": True}))
    if kind in ("lstm", "gru"):
        names = GATE_NAMES[kind]
        for order, text, pytorch in _gate_orders(kind):
            dz = "[" + ", ".join(f"dz_{n}" for n in order) + "]"
            hyps.append((f"stacks the gate errors in the order {dz}; they must follow the rows of "
                         f"the weights, PyTorch's {pytorch}.", {"bwd_order": order}))
            hyps.append((f"differentiates a forward that reads the gate blocks in the order "
                         f"{text}; PyTorch stacks them {pytorch}.", {"order": order}))
        del names
    return hyps


def _scale_text(k, sizes) -> str | None:
    """Name a constant factor: 2, 1/2, -1, T, 1/T, B, 1/B."""
    known = [(2.0, "2"), (0.5, "1/2"), (-1.0, "-1 (a sign error)"),
             (float(sizes["T"]), f"T = {sizes['T']}"), (1.0 / sizes["T"], f"1/T = 1/{sizes['T']}"),
             (float(sizes["B"]), f"B = {sizes['B']}"), (1.0 / sizes["B"], f"1/B = 1/{sizes['B']}")]
    for value, text in known:
        if abs(k - value) <= 1e-6 * abs(value):
            return text
    return None


def _grad_key_problem(got, want, key, case, dz) -> tuple | None:
    """What is wrong with one gradient array, and a hint: a scale, a transpose, all zeros."""
    name = f"the gradient of {key}"
    if not np.any(got):
        if key == "bias_hh_l0":
            return (f"returns zeros for {name}", "It equals the gradient of bias_ih_l0: both "
                    "biases enter z_t the same way.")
        return f"returns zeros for {name}", ""
    denom = float(np.vdot(want, want))
    if denom > 0:
        k = float(np.vdot(got, want)) / denom
        if abs(k - 1.0) > 1e-6 and _close(got, k * want):
            factor = _scale_text(k, case.sizes)
            if factor is not None:
                return f"returns {name} off by a factor of {factor}", ""
            return f"returns {name} off by a constant factor of {k:.4g}", ""
    if got.ndim == 2 and got.shape[0] == got.shape[1] and _close(got.T, want):
        return (f"returns the transpose of {name}",
                f"Hint: dW_hh = sum_t {dz}.T @ h_{{t-1}}, with {dz} of shape (B, H) on the left.")
    return None


def check_bptt(backward, cell: str = "rnn", *, inputs=None, keys=None, seed: int = 0,
               cases: int = 3) -> Feedback:
    """Check a hand-written backward pass against PyTorch's autograd.

    ``backward(x, h0, params, d_out) -> dict`` (for ``cell="lstm"``, ``(h0, c0)`` in place of
    ``h0``) returns the gradients of a loss ``L`` whose gradient with respect to ``out`` is
    ``d_out`` (``(T, B, H)``), keyed by PyTorch's names. ``keys`` are the gradients to check
    (default: the four parameters, plus ``x``, ``h0`` and ``c0`` if the dict has them).

    Or pass a dict of gradients already computed, with ``inputs=(x, h0, params, d_out)``: then
    that one case is checked.
    """
    if not (isinstance(cases, int) and 1 <= cases <= len(ORDINALS)):
        raise ValueError(f"cases must be an integer from 1 to {len(ORDINALS)}; got {cases!r}.")
    try:
        if cell not in GATE_NAMES:
            raise ValueError(f"cell must be one of 'rnn', 'lstm', 'gru'; got {cell!r}.")
        if isinstance(backward, dict) and inputs is not None:
            given = backward
            x = np.asarray(inputs[0], dtype=np.float64)
            H = np.asarray(inputs[3]).shape[2]
            sizes = {"T": x.shape[0], "B": x.shape[1], "I": x.shape[2], "H": H}
            case = Case(0, tuple(_copy(tuple(inputs))), sizes, "the inputs given")
            return _check_grads(lambda *args: given, "your backward pass", cell, [case], keys,
                                "the given inputs")
        if isinstance(backward, dict):
            return Feedback(False, "check_bptt got a dict of gradients but not the inputs they "
                                   "were computed from; pass them too, check_bptt(grads, "
                                   "inputs=(x, h0, params, d_out)), or pass the backward "
                                   "function itself.")
        if not callable(backward):
            return Feedback(False, f"Expected your backward function itself; got "
                                   f"{_describe(backward)}. Hint: pass the function without "
                                   "calling it.")
        rng = np.random.default_rng(seed)
        drawn = [_draw_case(rng, k, cell, sequence=True, with_grad=True) for k in range(cases)]
        fn_name = getattr(backward, "__name__", "<lambda>")
        fn_name = f"{cell}_backward" if fn_name == "<lambda>" else fn_name
        return _check_grads(backward, fn_name, cell, drawn, keys, None)
    except Exception as error:  # a bug in this module must not look like the student's
        return Feedback(False, f"rnnbook.check could not check the backward pass: the checker "
                               f"itself failed with {_error_text(error)}. Please report this.")


def _check_grads(fn, fn_name, cell, drawn, keys, given) -> Feedback:
    optional = ("x", "h0") + (("c0",) if cell == "lstm" else ())
    for case in drawn:
        problem = _grad_problem(cell, keys or PARAM_KEYS)
        call = _call(fn, case.args, problem.arg_names)
        where = case.where() if given is None else "for the given inputs"
        if call.error is not None:
            if isinstance(call.error, NotImplementedError):
                return Feedback(False, f"{fn_name} raised NotImplementedError {where}: replace "
                                       "`raise NotImplementedError()` with your code.")
            loc = f" in {call.location}" if call.location else ""
            return Feedback(False, f"{fn_name} raised {_error_text(call.error)}{loc}, {where}.")
        if call.changed:
            return Feedback(False, f"{fn_name} changed its argument {call.changed} in place "
                                   f"{where}. Hint: compute new arrays instead.")
        result = call.result
        if not isinstance(result, dict):
            return Feedback(False, _not_a_dict(fn_name, result, where))
        chosen = tuple(keys) if keys else PARAM_KEYS + tuple(k for k in optional if k in result)
        missing = [k for k in chosen if k not in result]
        if missing:
            extra = [str(k) for k in result if k not in PARAM_KEYS + optional]
            hint = (f" (it has {', '.join(map(repr, extra))}: use PyTorch's parameter names)"
                    if extra else "")
            return Feedback(False, f"{fn_name} returned a dict without "
                                   f"{', '.join(map(repr, missing))} {where}; expected the "
                                   f"keys {', '.join(chosen)}{hint}.")
        problem = _grad_problem(cell, chosen)
        spec = problem.spec(case)
        want = problem.reference(case)
        got = [result[k] for k in chosen]
        for value, leaf, ref in zip(got, spec, want):
            text = _leaf_problem(fn_name, value, leaf, case, ref)
            if text:
                if given is not None:
                    text = text.replace(case.where(), where)
                return Feedback(False, text)
        got = [np.asarray(_to_numpy(v), dtype=np.float64) for v in got]
        wrong = [k for k, g, w in zip(chosen, got, want) if not _close(g, w)]
        if not wrong:
            continue
        return Feedback(False, _grad_diagnosis(fn_name, cell, case, chosen, got, want, wrong,
                                               where))
    n = len(drawn)
    against = f"on {n} fresh test cases" if given is None else "for the given inputs"
    return Feedback(True, f"{fn_name} is correct: its gradients agree with autograd through "
                          f"PyTorch's nn.{cell.upper()} {against}.")


def _not_a_dict(fn_name, result, where) -> str:
    keys = ", ".join(PARAM_KEYS)
    if result is None:
        return (f"{fn_name} returned None {where}; it should return a dict of gradients with "
                f"the keys {keys}. Hint: is the `return` statement missing?")
    return (f"{fn_name} returned {_describe(_to_numpy(result))} {where}; expected a dict of "
            f"gradients keyed by PyTorch's parameter names, {keys}. Hint: "
            "`return {'weight_ih_l0': dW_ih, ...}`.")


def _grad_diagnosis(fn_name, cell, case, chosen, got, want, wrong, where) -> str:
    """Name the mistake that reproduces every gradient the student returned, if one does."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for message, mistakes in _grad_hypotheses(cell):
            predicted = _unroll_grads(cell, case, mistakes)
            if _tree_close(got, [predicted[k] for k in chosen]):
                return f"{fn_name} {message}"
    if cell == "gru" and wrong == ["bias_hh_l0"] and "bias_ih_l0" in chosen and \
            _close(got[chosen.index("bias_hh_l0")], want[chosen.index("bias_ih_l0")]):
        return (f"{fn_name} gives bias_hh_l0 the gradient of bias_ih_l0 {where}; in the GRU they "
                "differ in the n block, where b_hn sits inside the reset gate: its gradient is "
                "sum_t r_t * delta_n,t, that of b_in is sum_t delta_n,t (chapter 6).")
    dz = "delta_t" if cell == "rnn" else "dz_t"
    if len(wrong) == 1:
        found = _grad_key_problem(got[chosen.index(wrong[0])], want[chosen.index(wrong[0])],
                                  wrong[0], case, dz)
        if found:
            others = "; the other gradients are right" if len(chosen) > 1 else ""
            claim, hint = found
            return f"{fn_name} {claim} {where}{others}." + (f" {hint}" if hint else "")
    if _tree_close(got, want, ATOL32, RTOL32):
        return (f"{fn_name} returns gradients that agree with autograd only to about 1e-6, "
                f"float32 precision, {where}. Hint: keep every array float64.")
    right = [k for k in chosen if k not in wrong]
    key = wrong[0]
    k = chosen.index(key)
    error = relative_error(got[k], want[k])
    others = f"; {', '.join(right)} {'is' if len(right) == 1 else 'are'} right" if right else ""
    more = f" (also wrong: {', '.join(wrong[1:])})" if len(wrong) > 1 else ""
    return (f"{fn_name} returned the gradient of {key} off by a relative error of {error:.2g} "
            f"{where}{more}{others}. Hint: run rnnbook.gradcheck on a tiny case to see which "
            "term is missing.")


# ---------------------------------------------------------------------------------------------
# Building blocks for a teacher's own checks
# ---------------------------------------------------------------------------------------------
def check_array(got, expected, name: str = "the result", *, layout: str | None = None,
                time_axis: bool = False) -> Feedback:
    """Compare one array a student computed with the expected one, in one sentence.

    For a teacher's own checks (see ``book/teaching.md``): it answers about None, a list where an
    array belongs, a wrong shape or dtype, NaN or inf, and otherwise the largest difference; with
    ``time_axis=True`` axis 0 counts steps and the sentence names the first wrong step.
    ``layout`` names the axes for the message, e.g. ``"(T,)"``. ``got`` and ``expected`` may be
    torch tensors (compared as numpy, gradient and all) or single numbers, such as a loss.
    """
    expected = np.asarray(_to_numpy(expected), dtype=np.float64)
    want = f"shape {layout + ' = ' if layout else ''}{_shape(expected.shape)}"
    got = _to_numpy(got)
    if isinstance(got, (np.generic, float, int)):  # a single number: a 0-d array
        got = np.asarray(got)
    if got is None:
        return Feedback(False, f"{name} is None; expected an array of {want}. Hint: is a "
                               "variable left unset or a `return` missing?")
    if isinstance(got, (list, tuple)):
        return Feedback(False, f"{name} is {_describe(got)}; expected one numpy array of {want}. "
                               "Hint: np.array(...) or np.stack(...) turns it into one.")
    if not isinstance(got, np.ndarray):
        return Feedback(False, f"{name} is {_describe(got)}; expected a numpy array of {want}.")
    if got.shape != expected.shape:
        return Feedback(False, f"{name} has shape {_shape(got.shape)}; expected {want}.")
    if got.dtype != np.float64:
        hint = INT_HINT if got.dtype.kind in "iub" else "Hint: keep float64 throughout."
        return Feedback(False, f"{name} has dtype {got.dtype}; expected float64. {hint}")
    finite = np.isfinite(got)
    if not finite.all():
        kinds = "NaN" if np.isnan(got).any() else "inf"
        first = ""
        if time_axis:
            t = int(np.flatnonzero(~finite.reshape(got.shape[0], -1).all(axis=1))[0]) + 1
            first = f", first at step {t} ({name}[{t - 1}])"
        return Feedback(False, f"{name} has {kinds} in {int(finite.size - finite.sum())} of "
                               f"{finite.size} entries{first}. "
                               f"{NAN_HINT if kinds == 'NaN' else INF_HINT}")
    if _close(got, expected):
        return Feedback(True, f"{name} is correct.")
    if got.ndim == 0:
        return Feedback(False, f"{name} is {float(got):.6g}; expected {float(expected):.6g}.")
    diff = np.abs(got - expected)
    bad = diff > ATOL + RTOL * np.maximum(np.abs(got), np.abs(expected))
    if time_axis:
        t = int(np.flatnonzero(bad.reshape(got.shape[0], -1).any(axis=1))[0]) + 1
        sub = np.where(bad, diff, -1.0)[t - 1]
        idx = (t - 1,) + tuple(int(i) for i in np.unravel_index(int(np.argmax(sub)), sub.shape))
        right = "" if t == 1 else (" (step 1 is right)" if t == 2 else
                                   f" (steps 1 to {t - 1} are right)")
        return Feedback(False, f"{name} first differs from the expected values at step {t}"
                               f"{right}: {name}[{', '.join(map(str, idx))}] is "
                               f"{got[idx]:.4g}, expected {expected[idx]:.4g}.")
    idx = tuple(int(i) for i in np.unravel_index(int(np.argmax(diff)), got.shape))
    return Feedback(False, f"{name} differs from the expected values in {int(bad.sum())} of "
                           f"{bad.size} entries; the largest difference is at "
                           f"{name}[{', '.join(map(str, idx))}]: {got[idx]:.4g}, expected "
                           f"{expected[idx]:.4g}.")


def check_gradcheck(result, keys) -> Feedback:
    """Check what :func:`rnnbook.gradcheck` returned: that there is a result, that it covers
    exactly ``keys`` (the arrays the gradient check should cover) and that it passed."""
    keys = list(keys)
    if not (hasattr(result, "errors") and hasattr(result, "ok")):
        return Feedback(False, f"There is no gradient check result (got {_describe(result)}): "
                               "store what gradcheck returns, e.g. `result = gradcheck(loss_fn, "
                               "params, analytic)`.")
    missing = [key for key in keys if key not in result.errors]
    extra = [key for key in result.errors if key not in keys]
    if missing or extra:
        parts = ([f"leaves out {', '.join(missing)}"] if missing else []) + \
            ([f"also checks {', '.join(map(str, extra))}"] if extra else [])
        return Feedback(False, f"The gradient check {' and '.join(parts)}; it should cover "
                               f"{', '.join(keys)}.")
    if not result.ok:
        failed = ", ".join(f"{key} ({result.errors[key]:.1e})" for key in result.failed)
        return Feedback(False, f"The gradient check failed: the relative error is above "
                               f"{result.tol:.0e} for {failed}. Hint: check_bptt names the "
                               "mistake in your backward pass.")
    return Feedback(True, f"The gradient check passed for {', '.join(keys)}: every relative "
                          f"error is below {result.tol:.0e}.")


def expect(condition, failure: str, success: str = "Correct.") -> Feedback:
    """A :class:`Feedback` from a condition: for a test cell's own checks, ``failure`` is the
    sentence a student sees (one line in nbgrader, like the checkers' own)::

        expect(result.ok, "Your gradient check failed for ...").assert_ok()
    """
    return Feedback(bool(condition), success if condition else failure)
