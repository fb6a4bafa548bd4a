"""rnnbook.text: the shipped poems, the vocabulary, truncated-BPTT batches, the output layer
against PyTorch (float64), sampling, and the measures of a poem's form."""

import math
import subprocess
import sys

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import rnnbook
from rnnbook import text

TOL = 1e-10


# ---- the shipped text -----------------------------------------------------------------------
def test_the_poems_are_shipped_and_read_from_any_directory(tmp_path):
    poems = text.load_poems()
    assert len(poems) == 313
    first = poems[0]
    assert (first.title, first.author) == ("《感遇・其一》", "张九龄")
    assert first.rows[0] == "兰叶春葳蕤，桂华秋皎洁。" and len(first.rows) == 4
    # another working directory (nbval, the book build, a reader's shell) finds the same file
    code = "from rnnbook.text import load_poems; print(len(load_poems()))"
    run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                         text=True, check=True)
    assert run.stdout.strip() == "313"


def test_the_text_holds_only_poems():
    """No colour codes, no prose prefaces, no fortune separators: the README's promises."""
    poems = text.load_poems()
    stream = text.poem_stream(poems)
    assert "\x1b" not in stream and "%" not in stream and "作者" not in stream
    assert set(stream) - set(text.PUNCTUATION) - {"\n"} <= {
        c for c in stream if "\u4e00" <= c <= "\u9fff"}
    assert all("并序" not in poem.title for poem in poems)
    assert all(poem.title.startswith("《") and poem.title.endswith("》") for poem in poems)
    assert stream.count("\n") == len(poems)


def test_the_package_ships_the_data_folder():
    """pyproject.toml maps the repository's data/ into the package, so a wheel carries the text
    as rnnbook/data/ (the first place data_path looks)."""
    import tomllib

    from conftest import ROOT

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert "rnnbook.data" in config["packages"]
    assert config["package-dir"]["rnnbook.data"] == "data"
    assert "tang300.txt" in config["package-data"]["rnnbook.data"]
    assert text.data_path() == ROOT / "data" / "tang300.txt"


def test_a_missing_text_is_reported():
    with pytest.raises(FileNotFoundError, match=r"cannot find the text 'nothing.txt'"):
        text.data_path("nothing.txt")


def test_load_poems_reports_a_malformed_file(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_text("《题》\n作者\n\n《二》\n某\n一二三四五，\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"block 1 of bad.txt must be a title line, an author"):
        text.load_poems(path)


# ---- vocabulary -----------------------------------------------------------------------------
def test_vocabulary_round_trip_and_order():
    vocab = text.Vocabulary("花开花落\n")
    assert len(vocab) == 4 and vocab.chars == sorted("花开落\n")
    ids = vocab.encode("落花\n")
    assert ids.dtype == np.int64 and vocab.decode(ids) == "落花\n"
    assert repr(vocab) == "<Vocabulary of 4 characters>"


def test_vocabulary_reports_unknown_characters_and_bad_ids():
    vocab = text.Vocabulary("春风")
    with pytest.raises(ValueError, match=r"1 character\(s\) that are not in the vocabulary, e.g. '雨'"):
        vocab.encode("春雨")
    with pytest.raises(ValueError, match=r"ids must lie in 0..1; got values from 0 to 5"):
        vocab.decode([0, 5])
    with pytest.raises(ValueError, match=r"non-empty string"):
        text.Vocabulary("")


# ---- batches --------------------------------------------------------------------------------
def test_batchify_puts_consecutive_pieces_side_by_side():
    streams = text.batchify(np.arange(11), 3)
    assert streams.shape == (3, 3)  # 11 // 3 = 3 rows, 2 ids dropped
    np.testing.assert_array_equal(streams[:, 1], [3, 4, 5])  # reading down a column reads the text


def test_bptt_windows_cover_each_stream_once_with_targets_one_step_on():
    streams = text.batchify(np.arange(40), 4)  # (10, 4)
    windows = list(text.bptt_windows(streams, 4))
    assert [x.shape for x, _ in windows] == [(4, 4), (4, 4), (1, 4)]  # 9 inputs per stream
    inputs = np.concatenate([x for x, _ in windows])
    targets = np.concatenate([y for _, y in windows])
    np.testing.assert_array_equal(inputs, streams[:-1])
    np.testing.assert_array_equal(targets, streams[1:])


@pytest.mark.parametrize("call,message", [
    (lambda: text.batchify(np.arange(5), 3), r"batch_size must be an integer from 1 to 2"),
    (lambda: text.batchify(np.zeros(5), 1), r"ids must be a 1-D array of integer ids"),
    (lambda: list(text.bptt_windows(np.arange(5), 2)), r"streams must have shape \(N, B\)"),
    (lambda: list(text.bptt_windows(np.zeros((4, 2), int), 0)), r"seq_len must be a positive"),
])
def test_bad_batch_arguments_are_reported(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# ---- the output layer against PyTorch -------------------------------------------------------
@pytest.mark.parametrize("T,B,H,V", [(1, 1, 1, 2), (5, 3, 4, 7), (12, 2, 8, 30)])
def test_readout_loss_equals_linear_and_cross_entropy(T, B, H, V, rng):
    out = rng.normal(size=(T, B, H))
    weight, bias = rng.normal(size=(V, H)), rng.normal(size=V)
    targets = rng.integers(0, V, size=(T, B))

    loss, grads = text.readout_loss(out, weight, bias, targets)

    linear = torch.nn.Linear(H, V).double()
    with torch.no_grad():
        linear.weight.copy_(torch.from_numpy(weight))
        linear.bias.copy_(torch.from_numpy(bias))
    out_t = torch.tensor(out, requires_grad=True)
    ref = F.cross_entropy(linear(out_t).reshape(-1, V), torch.from_numpy(targets).reshape(-1),
                          reduction="sum")
    ref.backward()
    assert loss == pytest.approx(ref.item(), rel=TOL, abs=TOL)
    np.testing.assert_allclose(grads["out"], out_t.grad.numpy(), rtol=0, atol=TOL)
    np.testing.assert_allclose(grads["weight"], linear.weight.grad.numpy(), rtol=0, atol=TOL)
    np.testing.assert_allclose(grads["bias"], linear.bias.grad.numpy(), rtol=0, atol=TOL)


def test_softmax_cross_entropy_gradient_is_p_minus_onehot(rng):
    logits = rng.normal(size=(3, 5))
    targets = np.array([0, 4, 2])
    loss, d_logits = text.softmax_cross_entropy(logits, targets)
    p = text.softmax(logits)
    np.testing.assert_allclose(d_logits, p - np.eye(5)[targets], rtol=0, atol=1e-15)
    assert loss == pytest.approx(-np.log(p[np.arange(3), targets]).sum(), rel=1e-14)


def test_softmax_does_not_overflow():
    p = text.softmax([1000.0, 1000.0, -1000.0])
    np.testing.assert_allclose(p, [0.5, 0.5, 0.0], atol=1e-300)
    assert np.isfinite(text.log_softmax([1000.0, -1000.0])).all()


def test_readout_loss_passes_the_gradient_check(rng):
    out = rng.normal(size=(3, 2, 4))
    weight, bias = rng.normal(size=(6, 4)), rng.normal(size=6)
    targets = rng.integers(0, 6, size=(3, 2))
    _, grads = text.readout_loss(out, weight, bias, targets)
    check = rnnbook.gradcheck(
        lambda a: text.readout_loss(a["out"], a["weight"], a["bias"], targets)[0],
        {"out": out, "weight": weight, "bias": bias}, grads)
    assert check.ok, check.errors


@pytest.mark.parametrize("targets,message", [
    (np.array([[0, 1]]), r"targets must have the shape of the logits without their last axis, \(2,\)"),
    (np.array([0, 9]), r"targets must lie in 0..2"),
    (np.array([0.0, 1.0]), r"targets must be integer ids"),
])
def test_bad_targets_are_reported(targets, message):
    with pytest.raises(ValueError, match=message):
        text.softmax_cross_entropy(np.zeros((2, 3)), targets)


def test_readout_loss_reports_a_weight_of_the_wrong_size():
    with pytest.raises(ValueError, match=r"weight must have shape \(V, H\) = \(3, 4\); got \(3, 5\)"):
        text.readout_loss(np.zeros((2, 1, 4)), np.zeros((3, 5)), np.zeros(3), np.zeros((2, 1), int))


# ---- perplexity and the baselines -----------------------------------------------------------
def test_perplexity_of_a_uniform_model_is_the_vocabulary_size():
    V, n = 37, 100
    loss, _ = text.softmax_cross_entropy(np.zeros((n, V)), np.arange(n) % V)
    assert text.perplexity(loss, n) == pytest.approx(V, rel=1e-12)
    with pytest.raises(ValueError, match=r"count must be a positive number"):
        text.perplexity(1.0, 0)


def test_unigram_log_probs_are_smoothed_shares():
    log_p = text.unigram_log_probs(np.array([0, 0, 1]), 3, alpha=1.0)
    np.testing.assert_allclose(np.exp(log_p), [3 / 6, 2 / 6, 1 / 6], rtol=1e-14)
    assert np.exp(log_p).sum() == pytest.approx(1.0, rel=1e-14)


# ---- sampling -------------------------------------------------------------------------------
def test_entropy_of_uniform_and_certain_distributions():
    assert text.entropy(np.full(8, 1 / 8)) == pytest.approx(math.log(8), rel=1e-14)
    assert text.entropy([0.0, 1.0, 0.0]) == 0.0


def test_sample_ids_flattens_the_distribution_at_a_high_temperature():
    def step(ids, state):
        return np.tile([5.0, 0.0, 0.0], (len(ids), 1)), state

    ids = text.sample_ids(step, None, 0, 1, [1.0, 100.0, 0.0], np.full((1, 3), 0.5))
    # temperature 1: p = (0.987, ...), so u = 0.5 picks 0; temperature 100: p close to
    # (0.345, 0.327, 0.327), cumulative 0.345, 0.672: u = 0.5 picks 1; greedy picks 0
    np.testing.assert_array_equal(ids[0], [0, 1, 0])
    with pytest.raises(ValueError, match=r"temperatures must be numbers >= 0"):
        text.sample_ids(step, None, 0, 1, [-1.0], np.zeros((1, 1)))


def test_sample_ids_follows_the_inverse_cumulative_distribution():
    fixed = np.log(np.array([0.2, 0.5, 0.3]))  # a "model" that always predicts these

    def step(ids, state):
        return np.tile(fixed, (len(ids), 1)), state

    uniforms = np.array([[0.1, 0.1], [0.3, 0.3], [0.69, 0.69], [0.71, 0.71]])
    ids = text.sample_ids(step, None, 0, 4, [1.0, 0.0], uniforms)
    np.testing.assert_array_equal(ids[:, 0], [0, 1, 1, 2])  # cumulative 0.2, 0.7, 1.0
    np.testing.assert_array_equal(ids[:, 1], [1, 1, 1, 1])  # greedy


def test_sample_ids_runs_a_torch_model_and_feeds_back_its_choice():
    seen = []

    def step(ids, state):
        seen.append(ids.copy())
        logits = torch.full((len(ids), 4), -50.0)
        logits[:, (int(ids[0]) + 1) % 4] = 0.0  # "next id, please"
        return logits, state

    ids = text.sample_ids(step, None, 2, 3, [1.0], np.full((3, 1), 0.5))
    np.testing.assert_array_equal(ids[:, 0], [3, 0, 1])
    assert [int(s[0]) for s in seen] == [2, 3, 0]


def test_sample_ids_reports_bad_uniforms():
    with pytest.raises(ValueError, match=r"uniforms must have shape \(length, B\) = \(3, 2\)"):
        text.sample_ids(lambda i, s: (np.zeros((2, 3)), s), None, 0, 3, [1.0, 1.0], np.zeros((3, 1)))
    with pytest.raises(ValueError, match=r"uniforms must lie in \[0, 1\)"):
        text.sample_ids(lambda i, s: (np.zeros((1, 3)), s), None, 0, 1, [1.0], np.ones((1, 1)))


# ---- the form of a poem ---------------------------------------------------------------------
def test_split_lines_keeps_marks_and_unfinished_lines():
    assert text.split_lines("白日依山尽，黄河入海流。欲穷") == [
        ("白日依山尽", "，"), ("黄河入海流", "。"), ("欲穷", "")]
    assert text.split_lines("，。") == [("", "，"), ("", "。")]


def test_rows_cut_after_each_couplet():
    assert text.rows("白日依山尽，黄河入海流。欲穷千里目，更上一层楼。") == [
        "白日依山尽，黄河入海流。", "欲穷千里目，更上一层楼。"]
    assert text.rows("？！，\n□□") == ["？", "！", "，", "□□"]
    assert text.poem_stream(text.load_poems()[:1]).count("\n") == 1
    first = text.load_poems()[0]
    assert text.rows(first.text) == list(first.rows)  # the source prints couplets this way


def test_poems_in_sample_drops_the_unfinished_poem():
    assert text.poems_in_sample("一二，三四。\n\n五六，\n七八") == ["一二，三四。", "五六，"]


def test_structure_of_the_real_poems():
    """The measured form the chapter quotes: nearly every line has 5 or 7 characters."""
    report = text.poem_structure([poem.text for poem in text.load_poems()])
    assert report.poems == 313 and report.lines == 3128
    assert report.five_or_seven > 0.95 and report.punctuation > 0.95
    assert report.keeps_length > 0.95 and report.one_length > 0.9
    assert 0.75 < report.four_or_eight < 0.8  # 244 of 313


def test_structure_counts_a_quatrain_and_a_broken_poem():
    quatrain = "白日依山尽，黄河入海流。欲穷千里目，更上一层楼。"
    broken = "白日依山，黄河入海流，欲穷千里目。更上一层楼"  # lengths 4, 5, 5, 5
    report = text.poem_structure([quatrain, broken])
    assert (report.poems, report.lines) == (2, 8)
    assert report.five_or_seven == 7 / 8  # 白日依山 has 4 characters
    assert report.punctuation == 5 / 8  # broken: line 2 ends in "，", line 3 in "。", line 4 in ""
    assert report.keeps_length == 5 / 6  # of 3 + 3 followers, only 黄河入海流 differs from before
    assert report.one_length == 1 / 2
    assert report.four_or_eight == 1.0
    row = text.Structure(1, 4, 1.0, 0.5, 0.25, 0.0, 1.0).row()
    assert row == "  100%    50%    25%     0%    100%"
    assert len(row) == len(text.Structure.HEADER)


def test_empty_lines_never_count_as_keeping_a_length():
    report = text.poem_structure(["，。，。"])  # four marks, four lines of no characters
    assert report.keeps_length == 0.0 and report.one_length == 0.0


def test_line_end_predictions_of_a_model_that_knows_the_meter():
    """A "model" that gives a mark probability 1 exactly where one is due, and the right one."""
    stream = "白日依山尽，黄河入海流。\n月落乌啼霜满天，江枫渔火对愁眠。\n"
    chars = sorted(set(stream))
    probs = np.zeros((len(stream), len(chars)))
    for i, c in enumerate(stream):
        probs[i, chars.index(c)] = 1.0  # it predicts the text perfectly
    perfect = text.line_end_predictions(stream, probs, chars)
    assert perfect == text.LineEnds(first_line=0.5, five_of_five=1.0, five_of_seven=0.0,
                                    seven_of_seven=1.0, right_mark=1.0)
    flat = text.line_end_predictions(stream, np.full_like(probs, 1 / len(chars)), chars)
    assert flat.five_of_five == flat.five_of_seven == pytest.approx(2 / len(chars))
    assert flat.right_mark == pytest.approx(0.5)
    assert len(perfect.row()) == len(text.LineEnds.HEADER)
    with pytest.raises(ValueError, match=r"probs must have shape \(N, V\)"):
        text.line_end_predictions(stream, probs[1:], chars)


def test_structure_of_nothing_is_zero_and_bad_input_is_reported():
    assert text.poem_structure([]) == text.Structure(0, 0, 0.0, 0.0, 0.0, 0.0, 0.0)
    with pytest.raises(ValueError, match=r"poems must be a list of strings"):
        text.poem_structure("白日依山尽")


def test_skeleton_keeps_only_the_form():
    assert text.skeleton("白日依山尽，黄河入海流。\n") == "□□□□□，□□□□□。\n"


def test_reading_positions_know_the_line_and_the_meter():
    stream = "白日依山尽，黄河入海流。\n一二，三。\n"
    where = text.reading_positions(stream)
    np.testing.assert_array_equal(where["in_line"][:7], [0, 1, 2, 3, 4, 5, 0])
    np.testing.assert_array_equal(where["line"][5:8], [0, 1, 1])
    assert where["meter"][:13].tolist() == [5] * 13  # the first poem, its newline included
    assert where["meter"][13:].tolist() == [0] * 6  # lines of 2 and 1 characters: no meter
