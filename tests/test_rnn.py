"""rnnbook.rnn_forward and rnnbook.params_from_torch against torch.nn.RNN (float64)."""

import numpy as np
import pytest
import torch

import rnnbook

TOL = 1e-10


def torch_rnn(I, H, nonlinearity="tanh", seed=0):
    torch.manual_seed(seed)
    return torch.nn.RNN(I, H, nonlinearity=nonlinearity).double()


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
@pytest.mark.parametrize("T,B,I,H", [(1, 1, 1, 1), (1, 3, 2, 5), (7, 1, 4, 3), (12, 4, 3, 8), (50, 2, 1, 16)])
def test_rnn_forward_equals_torch(nonlinearity, T, B, I, H, rng):
    module = torch_rnn(I, H, nonlinearity)
    params = rnnbook.params_from_torch(module)
    x = rng.normal(size=(T, B, I))
    h0 = rng.normal(size=(B, H))

    out, h_T = rnnbook.rnn_forward(x, h0, params, nonlinearity=nonlinearity)
    ref_out, ref_h = module(torch.from_numpy(x), torch.from_numpy(h0)[None])

    assert out.shape == (T, B, H) and h_T.shape == (B, H)
    assert out.dtype == np.float64
    np.testing.assert_allclose(out, ref_out.detach().numpy(), rtol=0, atol=TOL)
    np.testing.assert_allclose(h_T, ref_h[0].detach().numpy(), rtol=0, atol=TOL)


def test_params_from_torch_names_shapes_and_copies():
    module = torch_rnn(3, 5)
    params = rnnbook.params_from_torch(module)
    assert list(params) == ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"]
    assert [p.shape for p in params.values()] == [(5, 3), (5, 5), (5,), (5,)]
    assert all(p.dtype == np.float64 for p in params.values())
    params["weight_hh_l0"][0, 0] += 1.0  # a copy: the module is unchanged
    assert module.weight_hh_l0[0, 0].item() != params["weight_hh_l0"][0, 0]


def test_params_from_float32_module_are_float64():
    torch.manual_seed(0)
    module = torch.nn.RNN(2, 3)  # float32
    params = rnnbook.params_from_torch(module)
    assert params["weight_ih_l0"].dtype == np.float64
    np.testing.assert_array_equal(params["weight_ih_l0"], module.weight_ih_l0.detach().double().numpy())


@pytest.mark.parametrize("cls,rows", [(torch.nn.LSTM, 4), (torch.nn.GRU, 3)])
def test_params_from_torch_gated_layers(cls, rows):
    module = cls(3, 5)
    params = rnnbook.params_from_torch(module)
    assert params["weight_ih_l0"].shape == (rows * 5, 3)
    assert params["weight_hh_l0"].shape == (rows * 5, 5)
    assert params["bias_hh_l0"].shape == (rows * 5,)


def test_torch_tensors_are_accepted_as_input(rng):
    module = torch_rnn(2, 3)
    x = torch.from_numpy(rng.normal(size=(4, 2, 2)))
    out, _ = rnnbook.rnn_forward(x, torch.zeros(2, 3, dtype=torch.float64), rnnbook.params_from_torch(module))
    np.testing.assert_allclose(out, module(x)[0].detach().numpy(), rtol=0, atol=TOL)


# ---- bad input: one ValueError, one sentence naming the argument, the shape got and expected ----
@pytest.fixture
def good():
    module = torch_rnn(3, 4)
    return np.zeros((5, 2, 3)), np.zeros((2, 4)), rnnbook.params_from_torch(module)


def one_sentence(message):
    return message.count(". ") == 0 and message.endswith(".")


def test_x_with_wrong_number_of_dimensions(good):
    _, h0, params = good
    with pytest.raises(ValueError, match=r"^x must have 3 dimensions \(T, B, I\); got shape \(2, 3\)\.$"):
        rnnbook.rnn_forward(np.zeros((2, 3)), h0, params)


def test_x_with_wrong_input_size(good):
    _, h0, params = good
    with pytest.raises(ValueError, match=r"x must have shape \(T, B, I\) = \(5, 2, 3\); got \(5, 2, 7\)") as info:
        rnnbook.rnn_forward(np.zeros((5, 2, 7)), h0, params)
    assert one_sentence(str(info.value))


def test_h0_with_wrong_shape_names_batch_and_hidden(good):
    x, _, params = good
    with pytest.raises(ValueError, match=r"h0 must have shape \(B, H\) = \(2, 4\).*got \(3, 4\)") as info:
        rnnbook.rnn_forward(x, np.zeros((3, 4)), params)
    assert one_sentence(str(info.value))


def test_batch_first_x_gets_a_hint(good):
    _, h0, params = good  # h0 is (B=2, H=4)
    x_batch_first = np.zeros((2, 5, 3))  # (B, T, I)
    with pytest.raises(ValueError, match=r"got \(2, 4\), which fits x only if x is batch-first \(B, T, I\): "
                                         r"pass x.transpose\(1, 0, 2\)\.$") as info:
        rnnbook.rnn_forward(x_batch_first, h0, params)
    assert one_sentence(str(info.value))


def test_h0_with_layer_axis_is_rejected(good):
    x, _, params = good
    with pytest.raises(ValueError, match=r"^h0 must have 2 dimensions \(B, H\) = \(2, 4\); got shape \(1, 2, 4\), the \(num_layers, B, H\) layout of nn.RNN's states, so pass h0\[0\] for the single layer\.$"):
        rnnbook.rnn_forward(x, np.zeros((1, 2, 4)), params)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_input(good, bad):
    x, h0, params = good
    x = x.copy()
    x[1, 0, 2] = bad
    with pytest.raises(ValueError, match=r"^x must be finite; got 1 NaN or infinite value\(s\) in an array of shape \(5, 2, 3\)\.$"):
        rnnbook.rnn_forward(x, h0, params)


def test_non_finite_weight(good):
    x, h0, params = good
    params = dict(params, weight_hh_l0=np.full((4, 4), np.nan))
    with pytest.raises(ValueError, match=r"params\['weight_hh_l0'\] must be finite"):
        rnnbook.rnn_forward(x, h0, params)


def test_missing_and_unexpected_keys(good):
    x, h0, params = good
    broken = {k: v for k, v in params.items() if k != "bias_hh_l0"}
    broken["bias_hh"] = params["bias_hh_l0"]
    with pytest.raises(ValueError, match=r"params must have exactly the keys .*; missing bias_hh_l0 and unexpected bias_hh\.$"):
        rnnbook.rnn_forward(x, h0, broken)


def test_params_from_another_kind_of_layer(good):
    x, h0, _ = good
    lstm_params = rnnbook.params_from_torch(torch.nn.LSTM(3, 4))
    with pytest.raises(ValueError, match=r"weight_hh_l0'\] must have shape \(H, H\) for an RNN layer; got \(16, 4\)"):
        rnnbook.rnn_forward(x, h0, lstm_params)


def test_wrong_bias_shape(good):
    x, h0, params = good
    with pytest.raises(ValueError, match=r"params\['bias_ih_l0'\] must have shape \(H,\) = \(4,\); got \(5,\)\.$"):
        rnnbook.rnn_forward(x, h0, dict(params, bias_ih_l0=np.zeros(5)))


def test_unknown_nonlinearity(good):
    with pytest.raises(ValueError, match=r"^nonlinearity must be one of 'tanh', 'relu'; got 'sigmoid'\.$"):
        rnnbook.rnn_forward(*good, nonlinearity="sigmoid")


def test_params_not_a_dict(good):
    x, h0, _ = good
    with pytest.raises(ValueError, match=r"^params must be a dict"):
        rnnbook.rnn_forward(x, h0, [1, 2, 3])


def test_non_numeric_input(good):
    _, h0, params = good
    with pytest.raises(ValueError, match=r"^x must be a numeric array of shape \(T, B, I\); got an object of type str\.$"):
        rnnbook.rnn_forward("hello", h0, params)


def test_empty_sequence(good):
    _, h0, params = good
    with pytest.raises(ValueError, match=r"x must have at least one time step"):
        rnnbook.rnn_forward(np.zeros((0, 2, 3)), h0, params)


def test_params_from_torch_rejects_unsupported_modules():
    with pytest.raises(ValueError, match=r"^module must have bias=True \(rnnbook implements the plain layer\); got bias=False\.$"):
        rnnbook.params_from_torch(torch.nn.RNN(3, 4, bias=False))
    with pytest.raises(ValueError, match=r"^module must have proj_size=0"):
        rnnbook.params_from_torch(torch.nn.LSTM(3, 4, proj_size=2))


@pytest.mark.parametrize("cls", [torch.nn.RNN, torch.nn.LSTM, torch.nn.GRU])
def test_params_from_torch_picks_one_layer_and_direction(cls):
    module = cls(3, 4, num_layers=2, bidirectional=True)
    for layer in (0, 1):
        for reverse in (False, True):
            params = rnnbook.params_from_torch(module, layer=layer, reverse=reverse)
            suffix = f"_l{layer}" + ("_reverse" if reverse else "")
            assert list(params) == ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"]
            for key, value in params.items():
                expected = getattr(module, key.replace("_l0", suffix)).detach().double().numpy()
                np.testing.assert_array_equal(value, expected)


def test_params_from_torch_layer_of_a_stack_runs_like_torch(rng):
    """Layer 1 of a 2-layer nn.RNN reads layer 0's output: rnn_forward twice equals the module."""
    torch.manual_seed(0)
    module = torch.nn.RNN(3, 4, num_layers=2).double()
    x = rng.normal(size=(6, 2, 3))
    h0 = np.zeros((2, 4))
    lower, _ = rnnbook.rnn_forward(x, h0, rnnbook.params_from_torch(module, layer=0))
    upper, _ = rnnbook.rnn_forward(lower, h0, rnnbook.params_from_torch(module, layer=1))
    expected, _ = module(torch.from_numpy(x))
    np.testing.assert_allclose(upper, expected.detach().numpy(), rtol=0, atol=TOL)


def test_params_from_torch_rejects_a_layer_or_direction_it_does_not_have():
    with pytest.raises(ValueError, match=r"^layer must be an integer from 0 to 1 \(the module has num_layers=2\); got 2\.$"):
        rnnbook.params_from_torch(torch.nn.RNN(3, 4, num_layers=2), layer=2)
    with pytest.raises(ValueError, match=r"^reverse=True needs a module with bidirectional=True"):
        rnnbook.params_from_torch(torch.nn.GRU(3, 4), reverse=True)


def test_params_from_torch_rejects_other_modules():
    with pytest.raises(ValueError, match=r"^module must be a torch.nn.RNN, nn.LSTM or nn.GRU; got Linear\.$"):
        rnnbook.params_from_torch(torch.nn.Linear(3, 4))
