"""rnnbook.batched: each model of the batch is the PyTorch network it claims to be, and trains alone."""

import pytest
import torch

from rnnbook import adding_problem, clip_grad_norm_per_model_, init_models, run_models, to_torch

TOL = 1e-12  # float64 against nn.RNN / nn.LSTM / nn.GRU


def ladder(kind, lengths, n=3, seed=0):
    g = torch.Generator().manual_seed(seed)
    params = init_models(kind, len(lengths), 2, 5, generator=g,
                         forget_bias=1.0 if kind == "lstm" else 0.0)
    xs = [adding_problem(n, max(lengths), generator=g)[0] for _ in lengths]
    return params, torch.stack(xs, dim=1)  # (T, M, n, 2)


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_every_model_equals_pytorchs_module_on_its_own_length(kind):
    lengths = [4, 9, 1, 9, 6]  # any order; the longest first is only faster
    params, x = ladder(kind, lengths)
    y = run_models(kind, params, x, lengths)
    assert y.shape == (5, 3, 1)
    for m, length in enumerate(lengths):
        layer, head = to_torch(kind, params, m)
        out, _ = layer(x[:length, m])  # time-major, zero initial state
        assert torch.allclose(head(out[-1]), y[m], atol=TOL), (kind, m)


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_recorded_states_are_pytorchs_outputs_and_the_gates_are_in_range(kind):
    params, x = ladder(kind, [7, 7])
    y, states = run_models(kind, params, x, record=True)
    expected = {"rnn": {"h"}, "lstm": {"h", "i", "f", "o", "c"}, "gru": {"h", "r", "z"}}[kind]
    assert set(states) == expected and len(states["h"]) == 7
    layer, _ = to_torch(kind, params, 1)
    out, _ = layer(x[:, 1])
    assert torch.allclose(torch.stack(states["h"])[:, 1], out, atol=TOL)
    for name in expected - {"h", "c"}:
        gate = torch.stack(states[name])
        assert ((gate > 0) & (gate < 1)).all()
    if kind == "lstm":  # h_t = o_t * tanh(c_t)
        h, o, c = (torch.stack(states[k]) for k in "hoc")
        assert torch.allclose(h, o * torch.tanh(c), atol=TOL)


def test_forget_bias_is_the_sum_of_the_two_bias_blocks():
    params = init_models("lstm", 3, 2, 4, forget_bias=torch.tensor([0.0, 1.0, 3.0]))
    for m, bias in enumerate([0.0, 1.0, 3.0]):
        layer, _ = to_torch("lstm", params, m)
        total = layer.bias_ih_l0[4:8] + layer.bias_hh_l0[4:8]
        assert torch.equal(total, torch.full((4,), bias, dtype=torch.float64))
        assert torch.equal(layer.bias_hh_l0[4:8], torch.zeros(4, dtype=torch.float64))


def test_each_model_gets_only_its_own_gradient():
    lengths = [8, 3, 5]
    params, x = ladder("gru", lengths)
    y = run_models("gru", params, x, lengths)[..., 0]  # (M, n)
    (grad_1,) = torch.autograd.grad(y[1].sum(), params["weight_hh"], retain_graph=True)
    assert grad_1[1].abs().sum() > 0 and grad_1[0].abs().sum() == 0 and grad_1[2].abs().sum() == 0
    (grad_all,) = torch.autograd.grad(y.sum(), params["weight_hh"])
    layer, head = to_torch("gru", params, 1)
    out, _ = layer(x[:3, 1])
    head(out[-1]).sum().backward()
    assert torch.allclose(grad_all[1], layer.weight_hh_l0.grad, atol=TOL)


def test_clipping_scales_each_model_by_its_own_norm():
    params = init_models("rnn", 2, 1, 3)
    for p in params.values():
        p.grad = torch.ones_like(p)
        p.grad[1] *= 0.01  # model 1: a small gradient that must not be touched
    count = sum(p[0].numel() for p in params.values())
    norms = clip_grad_norm_per_model_(params, 1.0)
    assert torch.allclose(norms, torch.tensor([1.0, 0.01], dtype=torch.float64) * count ** 0.5)
    after = torch.sqrt(sum(p.grad[0].pow(2).sum() for p in params.values()))
    assert abs(after.item() - 1.0) < 1e-5
    assert all(torch.allclose(p.grad[1], torch.full_like(p.grad[1], 0.01)) for p in params.values())


@pytest.mark.parametrize("call,message", [
    (lambda: init_models("lstmm", 2, 1, 3), r"kind must be one of 'rnn', 'lstm', 'gru'; got 'lstmm'"),
    (lambda: init_models("rnn", 2, 1, 3, forget_bias=1.0), r"forget_bias is for kind='lstm'"),
    (lambda: init_models("lstm", 2, 1, 3, forget_bias=torch.ones(3)),
     r"forget_bias must be a number or one value per model \(2\)"),
    (lambda: run_models("rnn", init_models("rnn", 2, 1, 3), torch.zeros(4, 3, 5, 1)),
     r"x must have shape \(T, M, n, I\) with M = 2 models and I = 1 inputs; got \(4, 3, 5, 1\)"),
    (lambda: run_models("rnn", init_models("rnn", 2, 1, 3), torch.zeros(4, 2, 5, 1), [4, 5]),
     r"lengths must hold one length from 1 to T = 4 per model"),
    (lambda: run_models("rnn", init_models("rnn", 2, 1, 3), torch.zeros(4, 2, 5, 1), [4, 2],
                        record=True), r"record=True needs every model to read all T steps"),
    (lambda: to_torch("rnn", init_models("rnn", 2, 1, 3), 2), r"m must be a model index from 0 to 1"),
])
def test_bad_arguments_are_reported(call, message):
    with pytest.raises(ValueError, match=message):
        call()
