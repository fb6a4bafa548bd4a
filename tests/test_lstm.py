"""rnnbook.lstm_forward and rnnbook.lstm_backward against torch.nn.LSTM, autograd and finite differences."""

import itertools

import numpy as np
import pytest
import torch

import rnnbook

TOL = 1e-10  # against PyTorch (forward values and autograd gradients), float64
FD_TOL = 1e-7  # relative error against central finite differences
FD_EPS = 1e-5
PARAM_KEYS = ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")
SHAPES = [(1, 1, 1, 1), (1, 3, 2, 5), (7, 1, 4, 3), (12, 4, 3, 8), (40, 2, 1, 16)]


def torch_lstm(I, H, seed=0):
    torch.manual_seed(seed)
    return torch.nn.LSTM(I, H).double()


def random_inputs(rng, T, B, I, H):
    return rng.normal(size=(T, B, I)), rng.normal(size=(B, H)), rng.normal(size=(B, H))


def torch_run(module, x, h0, c0):
    """nn.LSTM on numpy inputs, with gradients tracked for x, h0 and c0 (given without layer axis)."""
    xt = torch.tensor(x, requires_grad=True)
    h0t = torch.tensor(h0[None], requires_grad=True)  # nn.LSTM wants (num_layers, B, H)
    c0t = torch.tensor(c0[None], requires_grad=True)
    out, (h_T, c_T) = module(xt, (h0t, c0t))
    return out, h_T[0], c_T[0], (xt, h0t, c0t)


def relative_error(a, b):
    return np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), 1e-12)


def central_differences(loss, array, eps=FD_EPS):
    """dL/d array by (L(a + eps) - L(a - eps)) / (2 eps), entry by entry, changing array in place."""
    grad = np.zeros_like(array)
    for index in np.ndindex(array.shape):
        kept = array[index]
        array[index] = kept + eps
        up = loss()
        array[index] = kept - eps
        down = loss()
        array[index] = kept
        grad[index] = (up - down) / (2 * eps)
    return grad


# ---- forward: equal to nn.LSTM ----
@pytest.mark.parametrize("T,B,I,H", SHAPES)
def test_lstm_forward_equals_torch(T, B, I, H, rng):
    module = torch_lstm(I, H)
    params = rnnbook.params_from_torch(module)
    x, h0, c0 = random_inputs(rng, T, B, I, H)

    out, (h_T, c_T) = rnnbook.lstm_forward(x, (h0, c0), params)
    ref_out, ref_h, ref_c, _ = torch_run(module, x, h0, c0)

    assert out.shape == (T, B, H) and h_T.shape == (B, H) and c_T.shape == (B, H)
    assert out.dtype == h_T.dtype == c_T.dtype == np.float64
    np.testing.assert_allclose(out, ref_out.detach().numpy(), rtol=0, atol=TOL)
    np.testing.assert_allclose(h_T, ref_h.detach().numpy(), rtol=0, atol=TOL)
    np.testing.assert_allclose(c_T, ref_c.detach().numpy(), rtol=0, atol=TOL)
    np.testing.assert_array_equal(h_T, out[-1])


def test_lstm_forward_accepts_torch_tensors_and_leaves_inputs_unchanged(rng):
    module = torch_lstm(2, 3)
    params = rnnbook.params_from_torch(module)
    x, h0, c0 = random_inputs(rng, 4, 2, 2, 3)
    copies = [a.copy() for a in (x, h0, c0, *params.values())]
    xt, h0t, c0t = (torch.tensor(a, requires_grad=True) for a in (x, h0, c0))

    out, _ = rnnbook.lstm_forward(xt, (h0t, c0t), params)
    assert np.array_equal(out, rnnbook.lstm_forward(x, [h0, c0], params)[0])  # a list pair works too
    for before, after in zip(copies, (x, h0, c0, *params.values())):
        np.testing.assert_array_equal(before, after)


# ---- the gate order is PyTorch's i, f, g, o: any other order gives different numbers ----
@pytest.mark.parametrize("order", [p for p in itertools.permutations(range(4)) if p != (0, 1, 2, 3)])
def test_permuted_gate_blocks_break_equality(order, rng):
    H = 3
    module = torch_lstm(2, H)
    params = rnnbook.params_from_torch(module)
    x, h0, c0 = random_inputs(rng, 5, 2, 2, H)
    ref_out = torch_run(module, x, h0, c0)[0].detach().numpy()
    rows = np.concatenate([np.arange(k * H, (k + 1) * H) for k in order])
    permuted = {key: value[rows] for key, value in params.items()}

    out, _ = rnnbook.lstm_forward(x, (h0, c0), permuted)
    assert np.max(np.abs(out - ref_out)) > 1e-2
    np.testing.assert_allclose(rnnbook.lstm_forward(x, (h0, c0), params)[0], ref_out, rtol=0, atol=TOL)


# ---- the forget gate: f = 1 and i = 0 keep the cell state exactly ----
def test_open_forget_gate_and_closed_input_gate_keep_the_cell_state(rng):
    H = 4
    module = torch_lstm(3, H)
    params = rnnbook.params_from_torch(module)
    x, h0, c0 = random_inputs(rng, 20, 2, 3, H)
    params["bias_ih_l0"][:H] = -1e3  # input gate i = sigmoid(-1000) = 0
    params["bias_ih_l0"][H : 2 * H] = 1e3  # forget gate f = sigmoid(1000) = 1

    out, (h_T, c_T) = rnnbook.lstm_forward(x, (h0, c0), params)
    np.testing.assert_array_equal(c_T, c0)
    o = slice(3 * H, 4 * H)  # the output gate's rows
    z_o = x[-1] @ params["weight_ih_l0"][o].T + params["bias_ih_l0"][o]
    z_o += out[-2] @ params["weight_hh_l0"][o].T + params["bias_hh_l0"][o]
    np.testing.assert_allclose(h_T, rnnbook.sigmoid(z_o) * np.tanh(c0), rtol=0, atol=TOL)
    with torch.no_grad():  # PyTorch agrees with the same biases
        module.bias_ih_l0.copy_(torch.from_numpy(params["bias_ih_l0"]))
    np.testing.assert_allclose(c_T, torch_run(module, x, h0, c0)[2].detach().numpy(), rtol=0, atol=TOL)


def test_ordinary_forget_gate_changes_the_cell_state(rng):
    module = torch_lstm(3, 4)
    x, h0, c0 = random_inputs(rng, 20, 2, 3, 4)
    _, (_, c_T) = rnnbook.lstm_forward(x, (h0, c0), rnnbook.params_from_torch(module))
    assert np.max(np.abs(c_T - c0)) > 0.1


# ---- backward: equal to autograd and to finite differences ----
@pytest.mark.parametrize("T,B,I,H", SHAPES)
def test_lstm_backward_equals_autograd(T, B, I, H, rng):
    module = torch_lstm(I, H)
    params = rnnbook.params_from_torch(module)
    x, h0, c0 = random_inputs(rng, T, B, I, H)
    d_out = rng.normal(size=(T, B, H))

    grads = rnnbook.lstm_backward(x, (h0, c0), params, d_out)
    ref_out, _, _, (xt, h0t, c0t) = torch_run(module, x, h0, c0)
    ref_out.backward(torch.from_numpy(d_out))
    reference = {key: getattr(module, key).grad.numpy() for key in PARAM_KEYS}
    reference.update(x=xt.grad.numpy(), h0=h0t.grad[0].numpy(), c0=c0t.grad[0].numpy())

    assert list(grads) == [*PARAM_KEYS, "x", "h0", "c0"]
    for key, expected in reference.items():
        assert grads[key].shape == expected.shape and grads[key].dtype == np.float64, key
        np.testing.assert_allclose(grads[key], expected, rtol=0, atol=TOL, err_msg=key)


@pytest.mark.parametrize("T,B,I,H", [(1, 1, 1, 1), (6, 2, 3, 4)])
def test_lstm_backward_equals_finite_differences(T, B, I, H, rng):
    params = rnnbook.params_from_torch(torch_lstm(I, H))
    x, h0, c0 = random_inputs(rng, T, B, I, H)
    d_out = rng.normal(size=(T, B, H))
    grads = rnnbook.lstm_backward(x, (h0, c0), params, d_out)

    def loss():  # L = sum(d_out * out), so dL/d out = d_out
        return float(np.sum(d_out * rnnbook.lstm_forward(x, (h0, c0), params)[0]))

    arrays = dict(params, x=x, h0=h0, c0=c0)
    for key, array in arrays.items():
        numeric = central_differences(loss, array)
        worst = np.max(relative_error(grads[key], numeric))
        assert worst < FD_TOL, f"{key}: relative error {worst:.2e}"


def test_lstm_backward_leaves_inputs_unchanged(rng):
    params = rnnbook.params_from_torch(torch_lstm(2, 3))
    x, h0, c0 = random_inputs(rng, 4, 2, 2, 3)
    d_out = rng.normal(size=(4, 2, 3))
    arrays = (x, h0, c0, d_out, *params.values())
    copies = [a.copy() for a in arrays]
    rnnbook.lstm_backward(x, (h0, c0), params, d_out)
    for before, after in zip(copies, arrays):
        np.testing.assert_array_equal(before, after)


# ---- bad input: one ValueError, one sentence naming the argument, the shape got and expected ----
@pytest.fixture
def good():
    module = torch_lstm(3, 4)
    return np.zeros((5, 2, 3)), (np.zeros((2, 4)), np.zeros((2, 4))), rnnbook.params_from_torch(module)


def one_sentence(message):
    return message.count(". ") == 0 and message.endswith(".")


def forward_and_backward(x, state0, params):
    """Both public functions, so each bad input is shown to be caught by both."""
    yield lambda: rnnbook.lstm_forward(x, state0, params)
    yield lambda: rnnbook.lstm_backward(x, state0, params, np.zeros((5, 2, 4)))


def test_state0_given_as_a_single_array(good):
    x, (h0, _), params = good
    for call in forward_and_backward(x, h0, params):
        with pytest.raises(ValueError, match=r"^state0 must be a pair \(h0, c0\) of arrays of shape \(B, H\) = \(2, 4\) each, .*; got a single array of shape \(2, 4\)\.$") as info:
            call()
        assert one_sentence(str(info.value))


def test_state0_that_is_not_an_array(good):
    x, _, params = good
    with pytest.raises(ValueError, match=r"^state0 must be a pair \(h0, c0\).*; got an object of type NoneType\.$"):
        rnnbook.lstm_forward(x, None, params)


def test_state0_with_three_items(good):
    x, (h0, c0), params = good
    with pytest.raises(ValueError, match=r"^state0 must be a pair \(h0, c0\) .*; got a tuple of 3 items\.$") as info:
        rnnbook.lstm_forward(x, (h0, c0, c0), params)
    assert one_sentence(str(info.value))


@pytest.mark.parametrize("which", ["h0", "c0"])
def test_state_in_nn_lstm_layout_with_a_layer_axis(good, which):
    x, (h0, c0), params = good
    state0 = (h0[None], c0) if which == "h0" else (h0, torch.from_numpy(c0)[None])
    for call in forward_and_backward(x, state0, params):
        with pytest.raises(ValueError, match=rf"^{which} must have 2 dimensions \(B, H\) = \(2, 4\); got shape \(1, 2, 4\), the \(num_layers, B, H\) layout of nn.LSTM's states, so pass {which}\[0\] for the single layer\.$") as info:
            call()
        assert one_sentence(str(info.value))


@pytest.mark.parametrize("which,bad_shape", [("h0", (3, 4)), ("c0", (2, 5))])
def test_state_with_wrong_batch_or_hidden_size(good, which, bad_shape):
    x, (h0, c0), params = good
    state0 = (np.zeros(bad_shape), c0) if which == "h0" else (h0, np.zeros(bad_shape))
    got = f"{bad_shape[0]}, {bad_shape[1]}"
    with pytest.raises(ValueError, match=rf"^{which} must have shape \(B, H\) = \(2, 4\).*; got \({got}\)\.$") as info:
        rnnbook.lstm_forward(x, state0, params)
    assert one_sentence(str(info.value))


def test_state_with_one_dimension(good):
    x, (h0, _), params = good
    with pytest.raises(ValueError, match=r"^c0 must have 2 dimensions \(B, H\); got shape \(4,?\)\.$"):  # _checks writes (4)
        rnnbook.lstm_forward(x, (h0, np.zeros(4)), params)


def test_x_with_wrong_number_of_dimensions(good):
    _, state0, params = good
    with pytest.raises(ValueError, match=r"^x must have 3 dimensions \(T, B, I\); got shape \(2, 3\)\.$"):
        rnnbook.lstm_forward(np.zeros((2, 3)), state0, params)


def test_x_with_wrong_input_size(good):
    _, state0, params = good
    with pytest.raises(ValueError, match=r"^x must have shape \(T, B, I\) = \(5, 2, 3\); got \(5, 2, 7\)\.$"):
        rnnbook.lstm_forward(np.zeros((5, 2, 7)), state0, params)


def test_empty_sequence(good):
    _, state0, params = good
    with pytest.raises(ValueError, match=r"^x must have at least one time step and one sequence; got shape \(0, 2, 3\)\.$"):
        rnnbook.lstm_forward(np.zeros((0, 2, 3)), state0, params)


@pytest.mark.parametrize("where", ["x", "h0", "c0", "d_out"])
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_input(good, where, bad):
    x, (h0, c0), params = good
    arrays = {"x": x.copy(), "h0": h0.copy(), "c0": c0.copy(), "d_out": np.zeros((5, 2, 4))}
    arrays[where][(0,) * arrays[where].ndim] = bad
    shape = ", ".join(map(str, arrays[where].shape))
    with pytest.raises(ValueError, match=rf"^{where} must be finite; got 1 NaN or infinite value\(s\) in an array of shape \({shape}\)\.$"):
        rnnbook.lstm_backward(arrays["x"], (arrays["h0"], arrays["c0"]), params, arrays["d_out"])


def test_non_finite_weight(good):
    x, state0, params = good
    params = dict(params, weight_hh_l0=np.full((16, 4), np.inf))
    with pytest.raises(ValueError, match=r"^params\['weight_hh_l0'\] must be finite"):
        rnnbook.lstm_forward(x, state0, params)


@pytest.mark.parametrize("bad_shape,message", [
    ((5, 2, 3), r"^d_out must have shape \(T, B, H\) = \(5, 2, 4\); got \(5, 2, 3\)\.$"),
    ((4, 2, 4), r"^d_out must have shape \(T, B, H\) = \(5, 2, 4\); got \(4, 2, 4\)\.$"),
    ((2, 4), r"^d_out must have 3 dimensions \(T, B, H\); got shape \(2, 4\)\.$"),
])
def test_d_out_with_wrong_shape(good, bad_shape, message):
    x, state0, params = good
    with pytest.raises(ValueError, match=message):
        rnnbook.lstm_backward(x, state0, params, np.zeros(bad_shape))


@pytest.mark.parametrize("cls,rows", [(torch.nn.RNN, 4), (torch.nn.GRU, 12)])
def test_params_from_another_kind_of_layer(good, cls, rows):
    x, state0, _ = good
    params = rnnbook.params_from_torch(cls(3, 4))
    with pytest.raises(ValueError, match=rf"^params\['weight_hh_l0'\] must have shape \(4H, H\) for an LSTM layer; got \({rows}, 4\)"):
        rnnbook.lstm_forward(x, state0, params)


def test_missing_key(good):
    x, state0, params = good
    broken = {k: v for k, v in params.items() if k != "bias_ih_l0"}
    with pytest.raises(ValueError, match=r"^params must have exactly the keys .*; missing bias_ih_l0\.$"):
        rnnbook.lstm_forward(x, state0, broken)


def test_wrong_bias_shape(good):
    x, state0, params = good
    with pytest.raises(ValueError, match=r"^params\['bias_hh_l0'\] must have shape \(4H,\) = \(16,\); got \(4,\)\.$"):
        rnnbook.lstm_forward(x, state0, dict(params, bias_hh_l0=np.zeros(4)))


def test_forward_cache_holds_every_value_by_step(rng):
    """lstm_forward_cache: h[t], c[t] for t = 0..T and the gates of step t in row t."""
    T, B, I, H = 4, 2, 3, 5
    module = torch_lstm(I, H)
    params = rnnbook.params_from_torch(module)
    x, h0, c0 = rng.normal(size=(T, B, I)), rng.normal(size=(B, H)), rng.normal(size=(B, H))
    cache = rnnbook.lstm_forward_cache(x, (h0, c0), params)
    out, (h_T, c_T) = rnnbook.lstm_forward(x, (h0, c0), params)
    assert set(cache) == {"h", "c", "i", "f", "g", "o"}
    assert all(value.shape == (T + 1, B, H) for value in cache.values())
    np.testing.assert_array_equal(cache["h"][0], h0)
    np.testing.assert_array_equal(cache["c"][0], c0)
    np.testing.assert_allclose(cache["h"][1:], out, rtol=0, atol=TOL)
    np.testing.assert_allclose(cache["c"][-1], c_T, rtol=0, atol=TOL)
    assert all(np.isnan(cache[gate][0]).all() for gate in "ifgo")
    for t in range(1, T + 1):  # the recurrence, from the cached values alone
        c_t = cache["f"][t] * cache["c"][t - 1] + cache["i"][t] * cache["g"][t]
        np.testing.assert_allclose(cache["c"][t], c_t, rtol=0, atol=TOL)
        np.testing.assert_allclose(cache["h"][t], cache["o"][t] * np.tanh(c_t), rtol=0, atol=TOL)
    z = x[0] @ params["weight_ih_l0"].T + params["bias_ih_l0"] + h0 @ params["weight_hh_l0"].T \
        + params["bias_hh_l0"]
    np.testing.assert_allclose(cache["f"][1], rnnbook.sigmoid(z[:, H:2 * H]), rtol=0, atol=TOL)
