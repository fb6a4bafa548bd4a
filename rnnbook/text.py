"""Text for a character-level language model: the 300 Tang poems, and what a model does with them.

Chapter 10 trains recurrent networks to continue a text one character at a time. This module holds
the parts that do not depend on the network:

* the text: :func:`load_poems` reads ``data/tang300.txt`` (313 classical Chinese poems, public
  domain; ``data/README.md`` says where the file came from), :func:`poem_stream` joins the poems
  into one long string with ``"\\n"`` after each poem, and :class:`Vocabulary` maps characters to
  integer ids and back;
* batches for truncated backpropagation through time: :func:`batchify` cuts a long stream of ids
  into ``B`` parallel streams, :func:`bptt_windows` walks along them ``T`` steps at a time;
* the output layer of a language model in numpy float64 (PyTorch's ``nn.Linear`` names and
  layout): :func:`softmax`, :func:`log_softmax`, :func:`softmax_cross_entropy` (the loss summed
  over all positions and its gradient with respect to the logits) and :func:`readout_loss` (the
  linear layer, softmax and cross-entropy together, with the gradient of every input), tested
  against ``nn.Linear`` + ``F.cross_entropy``; :func:`perplexity` and the smoothed
  :func:`unigram_log_probs` of the baseline;
* sampling: :func:`sample_ids` (greedy or with a temperature ``theta``, from ``softmax(o / theta)``,
  one shared stream of uniform random numbers so that models and temperatures can be compared on
  equal terms), :func:`entropy`;
* measuring a poem's form: :func:`split_lines`, :func:`poems_in_sample` and
  :func:`poem_structure`, which says how many lines have 5 or 7 characters, whether "，" and "。"
  alternate, how many poems have 4 or 8 lines, and how many keep one line length throughout.

Shapes follow the book: time-major ``(T, B)`` ids and ``(T, B, H)`` states; ``V`` is the size of
the vocabulary.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Sequence

import numpy as np

from ._checks import _shape_text, as_array, expect_shape

#: The file of the 300 Tang poems, in ``data/`` (see ``data/README.md``).
TANG300 = "tang300.txt"
#: The marks that end a line of a poem: "，" after odd lines, "。" (or "？", "！") after even ones;
#: "；", "：" and "、" occur a few times inside long poems.
PUNCTUATION = "，。？！；：、"
#: The marks that end a couplet (an even line).
SENTENCE_END = "。？！"
#: The character that ends a poem in :func:`poem_stream` (and in a model's samples).
POEM_END = "\n"

_HERE = Path(__file__).resolve().parent


def data_path(name: str = TANG300) -> Path:
    """The path of a text shipped with the book.

    In a checkout of the repository (and an editable install, which is what ``make install``
    makes) the file is in the repository's ``data/`` folder, next to the package; an installed
    wheel carries the same folder as ``rnnbook/data/``. Either way the result does not depend on
    the current directory, so a notebook finds the text whether it runs from ``notebooks/``, under
    nbval or in the book build.
    """
    for folder in (_HERE / "data", _HERE.parent / "data"):
        if (folder / name).is_file():
            return folder / name
    raise FileNotFoundError(
        f"cannot find the text {name!r}: it should be in {_HERE.parent / 'data'} (a checkout of "
        f"the repository) or in {_HERE / 'data'} (an installed package)."
    )


# ---------------------------------------------------------------------------------------------
# The text
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Poem:
    """One poem: its title, its author and its rows as printed (a row is usually a couplet, two
    lines: ``"兰叶春葳蕤，桂华秋皎洁。"``)."""

    title: str
    author: str
    rows: tuple[str, ...]

    @property
    def text(self) -> str:
        """The poem's characters and punctuation in one string, without titles or newlines."""
        return "".join(self.rows)


def load_poems(path: str | Path | None = None) -> list[Poem]:
    """Read the poems of ``data/tang300.txt`` (or a file in the same format).

    The format: blocks separated by one blank line; each block is the title line, the author
    line, then the poem's rows.
    """
    path = data_path() if path is None else Path(path)
    blocks = path.read_text(encoding="utf-8").strip("\n").split("\n\n")
    poems = []
    for number, block in enumerate(blocks, start=1):
        rows = block.split("\n")
        if len(rows) < 3 or not all(rows):
            raise ValueError(
                f"block {number} of {path.name} must be a title line, an author line and at least "
                f"one row of the poem, with no empty line inside; got {len(rows)} line(s)."
            )
        poems.append(Poem(title=rows[0], author=rows[1], rows=tuple(rows[2:])))
    return poems


def poem_stream(poems: Sequence[Poem]) -> str:
    """All the poems as one string, each poem's text followed by ``POEM_END`` (a newline)."""
    return "".join(poem.text + POEM_END for poem in poems)


class Vocabulary:
    """The characters of a text, each with an integer id (in the order of their code points, so the
    ids do not depend on where a character first occurs)."""

    def __init__(self, text: str):
        if not isinstance(text, str) or not text:
            raise ValueError(f"Vocabulary needs a non-empty string; got {text!r:.40}.")
        self.chars = sorted(set(text))
        self.index = {char: i for i, char in enumerate(self.chars)}

    def __len__(self) -> int:
        return len(self.chars)

    def __repr__(self) -> str:
        return f"<Vocabulary of {len(self)} characters>"

    def encode(self, text: str) -> np.ndarray:
        """The ids of the characters of ``text``, an int64 array of shape ``(len(text),)``."""
        unknown = sorted({char for char in text if char not in self.index})
        if unknown:
            shown = "".join(unknown[:10])
            raise ValueError(
                f"text has {len(unknown)} character(s) that are not in the vocabulary, e.g. "
                f"{shown!r}; build the Vocabulary from a text that contains them."
            )
        return np.array([self.index[char] for char in text], dtype=np.int64)

    def decode(self, ids) -> str:
        """The characters of a sequence of ids."""
        ids = np.asarray(ids)
        if ids.ndim != 1 or (ids.size and not np.issubdtype(ids.dtype, np.integer)):
            raise ValueError(f"ids must be a 1-D sequence of integers; got shape "
                             f"{_shape_text(ids.shape)} of {ids.dtype}.")
        if ids.size and (ids.min() < 0 or ids.max() >= len(self)):
            raise ValueError(f"ids must lie in 0..{len(self) - 1}; got values from {ids.min()} "
                             f"to {ids.max()}.")
        return "".join(self.chars[i] for i in ids.tolist())


#: What :func:`skeleton` writes for every character that is not punctuation or a poem end.
BLANK = "□"


def skeleton(text: str) -> str:
    """The form of a text without its words: every character becomes ``BLANK`` ("□"), except the
    punctuation marks and the poem ends. ``"白日依山尽，黄河入海流。\n"`` becomes
    ``"□□□□□，□□□□□。\n"``."""
    if not isinstance(text, str):
        raise ValueError(f"text must be a string; got {type(text).__name__}.")
    return "".join(c if c in PUNCTUATION or c == POEM_END else BLANK for c in text)


def reading_positions(stream: str) -> dict[str, np.ndarray]:
    """Where a reader of ``stream`` (poems joined by :func:`poem_stream`) stands before each
    character; every array has one entry per character, int64.

    * ``"in_line"``: the characters of the current line read so far (0 at the start of a line);
    * ``"line"``: the number of the current line within its poem (0 for the first line);
    * ``"meter"``: the line length of the poem the character belongs to, 5 or 7, when all its
      lines have that length, and 0 otherwise (a poem of mixed or other lengths).

    So the character at position ``i`` is predicted after reading ``in_line[i]`` characters of
    line ``line[i]``; a mark is due when ``in_line[i] == meter[i]``.
    """
    if not isinstance(stream, str):
        raise ValueError(f"stream must be a string; got {type(stream).__name__}.")
    in_line = np.zeros(len(stream), dtype=np.int64)
    line = np.zeros(len(stream), dtype=np.int64)
    meter = np.zeros(len(stream), dtype=np.int64)
    start, chars, number = 0, 0, 0
    for i, char in enumerate(stream):
        in_line[i], line[i] = chars, number
        if char in PUNCTUATION:
            chars, number = 0, number + 1
        elif char == POEM_END:
            lengths = {len(c) for c, _ in split_lines(stream[start:i])}
            meter[start:i + 1] = lengths.pop() if lengths in ({5}, {7}) else 0
            start, chars, number = i + 1, 0, 0
        else:
            chars += 1
    return {"in_line": in_line, "line": line, "meter": meter}


# ---------------------------------------------------------------------------------------------
# Batches for truncated BPTT
# ---------------------------------------------------------------------------------------------
def batchify(ids, batch_size: int) -> np.ndarray:
    """Cut one long stream of ids into ``batch_size`` parallel streams, side by side: ``(N, B)``.

    Column ``b`` is the ``b``-th of ``B`` equal, consecutive pieces of the stream, so reading down a
    column is reading the text; the last ``len(ids) % B`` ids are dropped. Time-major, like every
    sequence in the book: row ``n`` holds the ``n``-th character of every stream.
    """
    ids = np.asarray(ids)
    if ids.ndim != 1 or not np.issubdtype(ids.dtype, np.integer):
        raise ValueError(f"ids must be a 1-D array of integer ids; got shape "
                         f"{_shape_text(ids.shape)} of {ids.dtype}.")
    if not (isinstance(batch_size, int) and 1 <= batch_size <= len(ids) // 2):
        raise ValueError(f"batch_size must be an integer from 1 to {len(ids) // 2} (each stream "
                         f"needs at least 2 ids); got {batch_size!r}.")
    rows = len(ids) // batch_size
    return ids[: rows * batch_size].reshape(batch_size, rows).T.copy()


def bptt_windows(streams, seq_len: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Walk down ``(N, B)`` parallel streams ``seq_len`` steps at a time.

    Yields ``(inputs, targets)``, both ``(T, B)`` with ``T = seq_len`` (the last window may be
    shorter): the targets are the inputs moved one step on, the next character of each stream.
    Consecutive windows continue each other, so a model can carry its hidden state from one window
    to the next (truncated BPTT).
    """
    streams = np.asarray(streams)
    if streams.ndim != 2 or streams.shape[0] < 2:
        raise ValueError(f"streams must have shape (N, B) with N >= 2, e.g. from batchify; got "
                         f"{_shape_text(streams.shape)}.")
    if not (isinstance(seq_len, int) and seq_len >= 1):
        raise ValueError(f"seq_len must be a positive integer; got {seq_len!r}.")
    for start in range(0, streams.shape[0] - 1, seq_len):
        stop = min(start + seq_len, streams.shape[0] - 1)
        yield streams[start:stop], streams[start + 1:stop + 1]


# ---------------------------------------------------------------------------------------------
# The output layer: softmax and cross-entropy
# ---------------------------------------------------------------------------------------------
def softmax(logits, axis: int = -1) -> np.ndarray:
    """``exp(o_k) / sum_j exp(o_j)`` along ``axis``, computed without overflow (the largest logit
    is subtracted first, which does not change the result)."""
    logits = as_array("logits", logits, np.ndim(logits), "(..., V)")
    shifted = logits - logits.max(axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=axis, keepdims=True)


def log_softmax(logits, axis: int = -1) -> np.ndarray:
    """``log softmax(o)``, computed as ``o - max - log sum exp(o - max)`` (no overflow, no log 0)."""
    logits = as_array("logits", logits, np.ndim(logits), "(..., V)")
    shifted = logits - logits.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def _check_targets(targets, shape: tuple, vocab_size: int) -> np.ndarray:
    targets = np.asarray(targets)
    if not np.issubdtype(targets.dtype, np.integer):
        raise ValueError(f"targets must be integer ids; got an array of {targets.dtype}.")
    if targets.shape != shape:
        raise ValueError(f"targets must have the shape of the logits without their last axis, "
                         f"{_shape_text(shape)}; got {_shape_text(targets.shape)}.")
    if targets.size and (targets.min() < 0 or targets.max() >= vocab_size):
        raise ValueError(f"targets must lie in 0..{vocab_size - 1} (the vocabulary has "
                         f"{vocab_size} entries); got values from {targets.min()} to "
                         f"{targets.max()}.")
    return targets


def softmax_cross_entropy(logits, targets) -> tuple[float, np.ndarray]:
    """The cross-entropy of a softmax, summed over every position, and its gradient.

    ::

        L = - sum_positions log softmax(o)[target]        dL/do = softmax(o) - onehot(target)

    ``logits`` has shape ``(..., V)`` (e.g. ``(T, B, V)``) and ``targets`` the same shape without
    the last axis. Equal to ``F.cross_entropy(logits.reshape(-1, V), targets.reshape(-1),
    reduction="sum")``.
    """
    logits = as_array("logits", logits, np.ndim(logits), "(..., V)")
    if logits.ndim == 0 or logits.shape[-1] == 0:
        raise ValueError(f"logits must have a last axis of V >= 1 entries; got shape "
                         f"{_shape_text(logits.shape)}.")
    targets = _check_targets(targets, logits.shape[:-1], logits.shape[-1])
    log_p = log_softmax(logits)
    picked = np.take_along_axis(log_p, targets[..., None], axis=-1)
    d_logits = np.exp(log_p)  # softmax(o)
    at_target = np.take_along_axis(d_logits, targets[..., None], axis=-1)
    np.put_along_axis(d_logits, targets[..., None], at_target - 1.0, axis=-1)  # minus onehot
    return float(-picked.sum()), d_logits


def readout_loss(out, weight, bias, targets) -> tuple[float, dict[str, np.ndarray]]:
    """A language model's output layer: logits, softmax and cross-entropy, with all gradients.

    ::

        o_t = h_t V^T + b_o          (B, V)     V = weight (V, H), b_o = bias (V,)
        L   = - sum_t sum_batch log softmax(o_t)[target]

    ``out`` is the RNN's output ``(T, B, H)`` (e.g. from :func:`rnnbook.rnn_forward`),
    ``targets`` the ids ``(T, B)`` of the next characters. Returns ``L`` and a dict with
    ``"out"`` (the ``d_out`` that :func:`rnnbook.rnn_backward` takes), ``"weight"`` and
    ``"bias"``. Equal to ``nn.Linear(H, V)`` followed by ``F.cross_entropy(..., reduction="sum")``
    under autograd.
    """
    out = as_array("out", out, 3, "(T, B, H)")
    weight = as_array("weight", weight, 2, "(V, H)")
    expect_shape("weight", weight, (weight.shape[0], out.shape[2]), "(V, H)")
    bias = as_array("bias", bias, 1, "(V,)")
    expect_shape("bias", bias, (weight.shape[0],), "(V,)")
    logits = out @ weight.T + bias  # (T, B, V)
    loss, e = softmax_cross_entropy(logits, targets)  # e = dL/do: (T, B, V)
    grads = {
        "out": e @ weight,  # (T, B, H)
        "weight": np.einsum("tbv,tbh->vh", e, out),  # sum over t and batch of e_t^T h_t
        "bias": e.sum(axis=(0, 1)),
    }
    return loss, grads


def perplexity(total_loss: float, count: int) -> float:
    """``exp(total_loss / count)``: the exponential of the mean cross-entropy (in nats) per
    predicted character. A model that spreads its probability evenly over ``k`` characters has
    perplexity ``k``."""
    if not (isinstance(count, (int, np.integer)) and count > 0):
        raise ValueError(f"count must be a positive number of predicted characters; got {count!r}.")
    if not math.isfinite(total_loss) or total_loss < 0:
        raise ValueError(f"total_loss must be a finite cross-entropy >= 0; got {total_loss!r}.")
    return math.exp(total_loss / count)


def unigram_log_probs(ids, vocab_size: int, alpha: float = 1.0) -> np.ndarray:
    """Log-probabilities of the unigram model: each character's share of ``ids``, smoothed.

    ``p_k = (count_k + alpha) / (len(ids) + alpha V)`` (add-``alpha`` smoothing), so that a
    character the counted text never shows still gets a probability above 0 (its log would
    otherwise be ``-inf`` and the perplexity infinite).
    """
    ids = np.asarray(ids)
    if ids.ndim != 1 or not np.issubdtype(ids.dtype, np.integer):
        raise ValueError(f"ids must be a 1-D array of integer ids; got shape "
                         f"{_shape_text(ids.shape)} of {ids.dtype}.")
    if ids.size and (ids.min() < 0 or ids.max() >= vocab_size):
        raise ValueError(f"ids must lie in 0..{vocab_size - 1}; got values from {ids.min()} to "
                         f"{ids.max()}.")
    if not (alpha > 0 and math.isfinite(alpha)):
        raise ValueError(f"alpha must be a positive number; got {alpha!r}.")
    counts = np.bincount(ids, minlength=vocab_size).astype(np.float64)
    return np.log(counts + alpha) - np.log(len(ids) + alpha * vocab_size)


# ---------------------------------------------------------------------------------------------
# Sampling
# ---------------------------------------------------------------------------------------------
def entropy(probs, axis: int = -1) -> np.ndarray:
    """``- sum_k p_k log p_k`` in nats along ``axis`` (terms with ``p_k = 0`` count as 0).
    ``exp(entropy)`` is the number of equally likely characters with the same uncertainty."""
    probs = as_array("probs", probs, np.ndim(probs), "(..., V)")
    terms = np.where(probs > 0, -probs * np.log(np.where(probs > 0, probs, 1.0)), 0.0)
    return terms.sum(axis=axis)


def sample_ids(step: Callable, state, first, length: int, temperatures: Sequence[float],
               uniforms) -> np.ndarray:
    """Let a model write: ``length`` characters for each of ``B`` temperatures, side by side.

    ``step(ids, state) -> (logits, state)`` runs the model one character on: ``ids`` is an int64
    array ``(B,)``, ``logits`` an array ``(B, V)`` (numpy or torch). ``state`` is whatever the
    model carries from step to step (``None`` to start from its default). ``first`` is the id fed
    in first (e.g. the poem end, so that the model starts a new poem).

    Stream ``b`` samples at ``theta = temperatures[b]`` from ``p = softmax(logits / theta)``, by
    the inverse of the cumulative distribution: the next id is the first ``k`` with
    ``p_1 + ... + p_k > uniforms[n, b]``. ``uniforms`` is an array
    ``(length, B)`` of numbers in ``[0, 1)``, drawn once and shared, so two models (or two
    temperatures) given the same uniforms differ only by what they predict. Temperature 0 is greedy
    decoding (the uniforms are not used). Returns the ids, ``(length, B)``.
    """
    temperatures = np.array(temperatures, dtype=np.float64).reshape(-1)
    if not (np.all(np.isfinite(temperatures)) and np.all(temperatures >= 0)):
        raise ValueError(f"temperatures must be numbers >= 0; got {temperatures.tolist()}.")
    uniforms = as_array("uniforms", uniforms, 2, "(length, B)")
    expect_shape("uniforms", uniforms, (length, len(temperatures)), "(length, B)")
    if uniforms.size and (uniforms.min() < 0 or uniforms.max() >= 1):
        raise ValueError("uniforms must lie in [0, 1); draw them with rng.random(...).")
    greedy = temperatures == 0
    divide = np.where(greedy, 1.0, temperatures)[:, None]  # (B, 1); greedy rows use argmax
    ids = np.full(len(temperatures), first, dtype=np.int64)
    written = np.empty((length, len(temperatures)), dtype=np.int64)
    for n in range(length):
        logits, state = step(ids, state)
        if hasattr(logits, "detach"):
            logits = logits.detach().cpu().numpy()
        logits = np.asarray(logits, dtype=np.float64)  # (B, V)
        cumulative = np.cumsum(softmax(logits / divide), axis=1)  # (B, V)
        threshold = uniforms[n] * cumulative[:, -1]  # (B,)
        drawn = (cumulative <= threshold[:, None]).sum(axis=1)  # first k with cum_k > u
        ids = np.where(greedy, logits.argmax(axis=1), np.minimum(drawn, logits.shape[1] - 1))
        written[n] = ids
    return written


# ---------------------------------------------------------------------------------------------
# The form of a poem, measured
# ---------------------------------------------------------------------------------------------
def split_lines(poem: str) -> list[tuple[str, str]]:
    """The lines of one poem's text as ``(characters, mark)`` pairs.

    A line is the run of characters up to a punctuation mark (one of ``PUNCTUATION``). Text after
    the last mark is a line with mark ``""`` (an unfinished line), and a mark with no character
    before it is a line of length 0: both count against a model in :func:`poem_structure`.
    """
    if not isinstance(poem, str):
        raise ValueError(f"poem must be a string; got {type(poem).__name__}.")
    lines, current = [], []
    for char in poem:
        if char in PUNCTUATION:
            lines.append(("".join(current), char))
            current = []
        elif char != POEM_END:
            current.append(char)
    if current:
        lines.append(("".join(current), ""))
    return lines


def rows(poem: str) -> list[str]:
    """A poem's text cut into rows as a book prints them: a row ends after each "。", "？" or "！"
    (usually a couplet) and at each poem end. Text after the last such mark is a row of its own."""
    if not isinstance(poem, str):
        raise ValueError(f"poem must be a string; got {type(poem).__name__}.")
    out, current = [], []
    for char in poem:
        if char == POEM_END:
            out.append("".join(current))
            current = []
            continue
        current.append(char)
        if char in SENTENCE_END:
            out.append("".join(current))
            current = []
    if current:
        out.append("".join(current))
    return out


def poems_in_sample(sample: str) -> list[str]:
    """The complete poems of a model's sample: the pieces that a ``POEM_END`` closes (the text after
    the last one is unfinished and dropped; empty pieces are dropped too). A sample that starts
    right after a ``POEM_END`` therefore starts with a complete poem."""
    return [piece for piece in sample.split(POEM_END)[:-1] if piece]


def _percent_row(values: Sequence[float], header: str) -> str:
    """Whole percentages, each right-aligned under its column of ``header`` (columns are
    separated by two spaces)."""
    columns = header.split("  ")
    return "  ".join(f"{100 * value:{len(column) - 1}.0f}%"
                     for value, column in zip(values, columns))


@dataclass(frozen=True)
class Structure:
    """What :func:`poem_structure` measures; the shares are numbers between 0 and 1."""

    poems: int
    lines: int
    five_or_seven: float  # share of lines with 5 or 7 characters
    punctuation: float  # share of lines ending in the right mark for their place
    keeps_length: float  # share of lines (after a poem's first) as long as the line before
    one_length: float  # share of poems of 4 lines or more whose lines all have one length
    four_or_eight: float  # share of poems with 4 or 8 lines

    HEADER = "5 or 7  marks  keeps  1 len  4 or 8"

    def row(self) -> str:
        """The five shares as whole percentages, in the columns of ``Structure.HEADER``."""
        return _percent_row((self.five_or_seven, self.punctuation, self.keeps_length,
                             self.one_length, self.four_or_eight), self.HEADER)


def poem_structure(poems: Sequence[str]) -> Structure:
    """Measure the form of poems (the texts of :attr:`Poem.text`, or :func:`poems_in_sample`).

    * ``five_or_seven``: the share of lines with 5 or 7 characters;
    * ``punctuation``: the share of lines that end with the right mark for their place: "，" after
      the 1st, 3rd, 5th... line of a poem, one of "。？！" after the 2nd, 4th, 6th...;
    * ``keeps_length``: the share of lines, from the second line of a poem on, that have as many
      characters as the line before (and at least one): the model has to remember a length across a
      mark;
    * ``one_length``: among poems with at least 4 lines, the share whose lines all have the same
      number of characters (at least one). The long-range part: the length is only kept if the
      model remembers the poem's first lines all the way to its last;
    * ``four_or_eight``: the share of poems with 4 or 8 lines.

    A share whose count is zero (no lines, no poem of 4 lines) is 0.
    """
    if isinstance(poems, str) or not all(isinstance(p, str) for p in poems):
        raise ValueError("poems must be a list of strings, one per poem (e.g. from "
                         "poems_in_sample); got " + type(poems).__name__ + ".")
    all_lines = [split_lines(poem) for poem in poems]
    lengths = [[len(chars) for chars, _ in lines] for lines in all_lines]
    n_lines = sum(len(lines) for lines in all_lines)
    five_or_seven = sum(n in (5, 7) for poem in lengths for n in poem)
    punctuation = sum(
        (mark == "，") if k % 2 == 0 else (mark != "" and mark in SENTENCE_END)
        for lines in all_lines for k, (_, mark) in enumerate(lines)
    )
    followers = sum(max(len(poem) - 1, 0) for poem in lengths)
    keeps_length = sum(a == b > 0 for poem in lengths for a, b in zip(poem, poem[1:]))
    long_poems = [poem for poem in lengths if len(poem) >= 4]
    one_length = sum(len(set(poem)) == 1 and poem[0] > 0 for poem in long_poems)
    four_or_eight = sum(len(poem) in (4, 8) for poem in lengths)

    def share(count: int, total: int) -> float:
        return count / total if total else 0.0

    return Structure(
        poems=len(poems), lines=n_lines,
        five_or_seven=share(five_or_seven, n_lines), punctuation=share(punctuation, n_lines),
        keeps_length=share(keeps_length, followers),
        one_length=share(one_length, len(long_poems)),
        four_or_eight=share(four_or_eight, len(poems)),
    )


@dataclass(frozen=True)
class LineEnds:
    """What :func:`line_end_predictions` measures: mean probabilities, between 0 and 1."""

    first_line: float  # P(a mark) after 5 characters of a poem's first line
    five_of_five: float  # P(a mark) after 5 characters, later lines of a 5-character poem
    five_of_seven: float  # P(a mark) after 5 characters, later lines of a 7-character poem
    seven_of_seven: float  # P(a mark) after 7 characters, later lines of a 7-character poem
    right_mark: float  # P(the right mark | some mark), where a line ends

    HEADER = "1st line @5  5-char @5  7-char @5  7-char @7  right mark"

    def row(self) -> str:
        """The five probabilities as whole percentages, in the columns of ``LineEnds.HEADER``."""
        return _percent_row((self.first_line, self.five_of_five, self.five_of_seven,
                             self.seven_of_seven, self.right_mark), self.HEADER)


def line_end_predictions(stream: str, probs, chars: Sequence[str]) -> LineEnds:
    """How well a model that reads ``stream`` knows where a line ends, and with which mark.

    ``probs`` is ``(len(stream), V)``: row ``i`` is the model's distribution for the character
    ``stream[i]``, after reading ``stream[:i]`` (a model that is given a poem end first, so that
    the first poem starts like every other). ``chars`` names the ``V`` columns (a
    :class:`Vocabulary`'s ``chars``). With :func:`reading_positions`, and counting only poems whose
    lines all have 5 or all 7 characters:

    * ``first_line``: the probability of a mark after 5 characters of a poem's first line, where
      nothing read so far says whether the poem has 5- or 7-character lines;
    * ``five_of_five`` and ``five_of_seven``: the same after 5 characters of a later line, in
      poems of 5- and of 7-character lines. The text of the current line is no help here; a model
      that tells the two apart has remembered the length of the lines before (the long-range part);
    * ``seven_of_seven``: after 7 characters of a later line of a 7-character poem;
    * ``right_mark``: where a line does end, the probability of the mark that follows, given that
      some mark follows ("，" or "。": which line of the couplet this is).
    """
    probs = as_array("probs", probs, 2, "(N, V)")
    expect_shape("probs", probs, (len(stream), len(chars)), "(N, V)")
    marks = np.array([c in PUNCTUATION for c in chars])
    p_mark = probs[:, marks].sum(axis=1)  # (N,)
    where = reading_positions(stream)
    in_line, line, meter = where["in_line"], where["line"], where["meter"]

    def mean(selected: np.ndarray) -> float:
        return float(p_mark[selected].mean()) if selected.any() else 0.0

    ends = np.array([c in PUNCTUATION for c in stream])
    column = {c: k for k, c in enumerate(chars)}
    right = np.array([probs[i, column[stream[i]]] for i in np.nonzero(ends)[0]])
    return LineEnds(
        first_line=mean((in_line == 5) & (line == 0) & (meter > 0)),
        five_of_five=mean((in_line == 5) & (line > 0) & (meter == 5)),
        five_of_seven=mean((in_line == 5) & (line > 0) & (meter == 7)),
        seven_of_seven=mean((in_line == 7) & (line > 0) & (meter == 7)),
        right_mark=float((right / p_mark[ends]).mean()) if ends.any() else 0.0,
    )
