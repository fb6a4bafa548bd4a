"""rnnbook.rnn_backward against PyTorch autograd and central finite differences (float64)."""

import numpy as np
import pytest
import torch

import rnnbook

AUTOGRAD_TOL = 1e-10
FD_TOL = 1e-7
KEYS = ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "x", "h0"]
SHAPES = [(1, 1, 1, 1), (1, 3, 2, 5), (7, 1, 4, 3), (12, 4, 3, 8), (40, 2, 1, 16)]


def torch_rnn(I, H, nonlinearity="tanh", seed=0):
    torch.manual_seed(seed)
    return torch.nn.RNN(I, H, nonlinearity=nonlinearity).double()


def random_case(rng, T, B, I, H, nonlinearity="tanh"):
    module = torch_rnn(I, H, nonlinearity)
    x = rng.normal(size=(T, B, I))
    h0 = rng.normal(size=(B, H))
    d_out = rng.normal(size=(T, B, H))
    return module, x, h0, d_out


def autograd_gradients(module, x, h0, d_out):
    """Every gradient rnn_backward returns, computed by out.backward(d_out) in PyTorch."""
    x_t = torch.tensor(x, requires_grad=True)
    h0_t = torch.tensor(h0[None], requires_grad=True)  # nn.RNN wants (num_layers, B, H)
    module.zero_grad()
    out, _ = module(x_t, h0_t)
    out.backward(torch.from_numpy(d_out))
    grads = {name: p.grad.numpy().copy() for name, p in module.named_parameters()}
    grads["x"] = x_t.grad.numpy()
    grads["h0"] = h0_t.grad[0].numpy()
    return grads


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
@pytest.mark.parametrize("T,B,I,H", SHAPES)
def test_rnn_backward_equals_autograd(nonlinearity, T, B, I, H, rng):
    module, x, h0, d_out = random_case(rng, T, B, I, H, nonlinearity)
    params = rnnbook.params_from_torch(module)

    grads = rnnbook.rnn_backward(x, h0, params, d_out, nonlinearity=nonlinearity)
    expected = autograd_gradients(module, x, h0, d_out)

    assert list(grads) == KEYS
    for key in KEYS:
        assert grads[key].shape == expected[key].shape, key
        assert grads[key].dtype == np.float64, key
        np.testing.assert_allclose(grads[key], expected[key], rtol=0, atol=AUTOGRAD_TOL,
                                   err_msg=key)


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
@pytest.mark.parametrize("T,B,I,H", [(1, 1, 1, 1), (1, 2, 3, 2), (6, 1, 2, 3), (9, 3, 2, 4)])
def test_rnn_backward_matches_finite_differences(nonlinearity, T, B, I, H, rng):
    module, x, h0, d_out = random_case(rng, T, B, I, H, nonlinearity)
    params = rnnbook.params_from_torch(module)
    grads = rnnbook.rnn_backward(x, h0, params, d_out, nonlinearity)

    def loss(arrays):  # L = sum_t sum_b <d_out[t, b], h_t>, so dL/dout = d_out
        p = {k: arrays[k] for k in params}
        out, _ = rnnbook.rnn_forward(arrays["x"], arrays["h0"], p, nonlinearity)
        return float(np.sum(out * d_out))

    result = rnnbook.gradcheck(loss, {**params, "x": x, "h0": h0}, grads, tol=FD_TOL)
    assert list(result.errors) == KEYS
    assert result.ok, result.errors


def test_default_nonlinearity_is_tanh(rng):
    module, x, h0, d_out = random_case(rng, 5, 2, 3, 4)
    params = rnnbook.params_from_torch(module)
    default = rnnbook.rnn_backward(x, h0, params, d_out)
    relu = rnnbook.rnn_backward(x, h0, params, d_out, nonlinearity="relu")
    tanh = rnnbook.rnn_backward(x, h0, params, d_out, nonlinearity="tanh")
    for key in KEYS:
        np.testing.assert_array_equal(default[key], tanh[key])
    assert not np.allclose(default["weight_hh_l0"], relu["weight_hh_l0"])


def test_gradient_is_linear_in_d_out(rng):
    """Backpropagation is linear in the incoming gradient: g(a d1 + d2) = a g(d1) + g(d2)."""
    module, x, h0, d1 = random_case(rng, 8, 3, 2, 5)
    d2 = rng.normal(size=d1.shape)
    params = rnnbook.params_from_torch(module)
    g1 = rnnbook.rnn_backward(x, h0, params, d1)
    g2 = rnnbook.rnn_backward(x, h0, params, d2)
    g12 = rnnbook.rnn_backward(x, h0, params, 2.5 * d1 + d2)
    for key in KEYS:
        np.testing.assert_allclose(g12[key], 2.5 * g1[key] + g2[key], rtol=0, atol=1e-12)


def test_only_the_last_step_reaches_h0_through_every_step(rng):
    """With d_out zero except at the last step, dL/dh0 equals autograd of h_T alone."""
    module, x, h0, _ = random_case(rng, 6, 2, 3, 4)
    d_out = np.zeros((6, 2, 4))
    d_out[-1] = rng.normal(size=(2, 4))
    grads = rnnbook.rnn_backward(x, h0, rnnbook.params_from_torch(module), d_out)
    h0_t = torch.tensor(h0[None], requires_grad=True)
    _, h_T = module(torch.from_numpy(x), h0_t)
    (h_T[0] * torch.from_numpy(d_out[-1])).sum().backward()
    np.testing.assert_allclose(grads["h0"], h0_t.grad[0].numpy(), rtol=0, atol=AUTOGRAD_TOL)
    assert np.abs(grads["h0"]).max() > 0


def test_inputs_are_not_modified_and_tensors_are_accepted(rng):
    module, x, h0, d_out = random_case(rng, 4, 2, 3, 5)
    params = rnnbook.params_from_torch(module)
    copies = [x.copy(), h0.copy(), d_out.copy()] + [v.copy() for v in params.values()]
    grads = rnnbook.rnn_backward(torch.from_numpy(x), torch.from_numpy(h0), params,
                                 torch.from_numpy(d_out))
    originals = [x, h0, d_out] + list(params.values())
    assert all(np.array_equal(a, b) for a, b in zip(copies, originals))
    expected = autograd_gradients(module, x, h0, d_out)
    np.testing.assert_allclose(grads["weight_hh_l0"], expected["weight_hh_l0"], rtol=0,
                               atol=AUTOGRAD_TOL)


# ---- bad input: one ValueError, one sentence naming the argument, the shape got and expected ----
@pytest.fixture
def good():
    module = torch_rnn(3, 4)
    x, h0, d_out = np.zeros((5, 2, 3)), np.zeros((2, 4)), np.ones((5, 2, 4))
    return x, h0, rnnbook.params_from_torch(module), d_out


def one_sentence(message):
    return message.count(". ") == 0 and message.endswith(".")


@pytest.mark.parametrize("shape", [(5, 2, 3), (4, 2, 4), (5, 1, 4), (6, 2, 4)])
def test_d_out_with_wrong_shape(good, shape):
    x, h0, params, _ = good
    got = "(" + ", ".join(map(str, shape)) + ")"
    pattern = (r"^d_out must have shape \(T, B, H\) = \(5, 2, 4\); got "
               + got.replace("(", r"\(").replace(")", r"\)") + r"\.$")
    with pytest.raises(ValueError, match=pattern) as info:
        rnnbook.rnn_backward(x, h0, params, np.zeros(shape))
    assert one_sentence(str(info.value))


@pytest.mark.parametrize("shape", [(5, 8), (5, 2, 4, 1)])
def test_d_out_with_wrong_number_of_dimensions(good, shape):
    x, h0, params, _ = good
    with pytest.raises(ValueError, match=r"^d_out must have 3 dimensions \(T, B, H\); got shape") as info:
        rnnbook.rnn_backward(x, h0, params, np.zeros(shape))
    assert one_sentence(str(info.value))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_d_out_not_finite(good, bad):
    x, h0, params, d_out = good
    d_out = d_out.copy()
    d_out[3, 1, 0] = bad
    with pytest.raises(ValueError, match=r"^d_out must be finite; got 1 NaN or infinite value\(s\) in an array of shape \(5, 2, 4\)\.$"):
        rnnbook.rnn_backward(x, h0, params, d_out)


def test_d_out_not_numeric(good):
    x, h0, params, _ = good
    with pytest.raises(ValueError, match=r"^d_out must be a numeric array of shape \(T, B, H\); got an object of type str\.$"):
        rnnbook.rnn_backward(x, h0, params, "gradient")


def test_d_out_batch_first_is_rejected(good):
    """A (B, T, H) gradient is the most likely mistake; it is caught, not silently transposed."""
    x, h0, params, _ = good
    with pytest.raises(ValueError, match=r"d_out must have shape \(T, B, H\) = \(5, 2, 4\); got \(2, 5, 4\)"):
        rnnbook.rnn_backward(x, h0, params, np.zeros((2, 5, 4)))


def test_x_with_wrong_input_size(good):
    _, h0, params, d_out = good
    with pytest.raises(ValueError, match=r"^x must have shape \(T, B, I\) = \(5, 2, 3\); got \(5, 2, 7\)\.$"):
        rnnbook.rnn_backward(np.zeros((5, 2, 7)), h0, params, d_out)


def test_x_not_finite(good):
    x, h0, params, d_out = good
    x = x.copy()
    x[0, 0, 0] = np.nan
    with pytest.raises(ValueError, match=r"^x must be finite"):
        rnnbook.rnn_backward(x, h0, params, d_out)


def test_h0_with_wrong_shape(good):
    x, _, params, d_out = good
    with pytest.raises(ValueError, match=r"^h0 must have shape \(B, H\) = \(2, 4\).*got \(3, 4\)\.$") as info:
        rnnbook.rnn_backward(x, np.zeros((3, 4)), params, d_out)
    assert one_sentence(str(info.value))


def test_params_with_wrong_shape(good):
    x, h0, params, d_out = good
    broken = dict(params, bias_hh_l0=np.zeros(6))
    with pytest.raises(ValueError, match=r"^params\['bias_hh_l0'\] must have shape \(H,\) = \(4,\); got \(6,\)\.$"):
        rnnbook.rnn_backward(x, h0, broken, d_out)


def test_params_missing_a_key(good):
    x, h0, params, d_out = good
    broken = {k: v for k, v in params.items() if k != "weight_hh_l0"}
    with pytest.raises(ValueError, match=r"^params must have exactly the keys .*; missing weight_hh_l0\.$"):
        rnnbook.rnn_backward(x, h0, broken, d_out)


def test_unknown_nonlinearity(good):
    with pytest.raises(ValueError, match=r"^nonlinearity must be one of 'tanh', 'relu'; got 'sigmoid'\.$"):
        rnnbook.rnn_backward(*good, nonlinearity="sigmoid")
