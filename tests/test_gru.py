"""rnnbook.gru_forward, gru_forward_cache and gru_backward against torch.nn.GRU, autograd and
finite differences (float64), and their one-sentence errors for bad input."""

import itertools

import numpy as np
import pytest
import torch

import rnnbook

TOL = 1e-10  # against PyTorch (forward values and autograd gradients), float64
FD_TOL = 1e-7  # relative error against central finite differences (rnnbook.gradcheck)
PARAM_KEYS = ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")
KEYS = [*PARAM_KEYS, "x", "h0"]
SHAPES = [(1, 1, 1, 1), (1, 3, 2, 5), (7, 1, 4, 3), (12, 4, 3, 8), (40, 2, 1, 16)]


def torch_gru(I, H, seed=0):
    torch.manual_seed(seed)
    return torch.nn.GRU(I, H).double()


def random_inputs(rng, T, B, I, H):
    return rng.normal(size=(T, B, I)), rng.normal(size=(B, H))


def torch_run(module, x, h0):
    """nn.GRU on numpy inputs, with gradients tracked for x and h0 (given without layer axis)."""
    xt = torch.tensor(x, requires_grad=True)
    h0t = torch.tensor(h0[None], requires_grad=True)  # nn.GRU wants (num_layers, B, H)
    out, h_T = module(xt, h0t)
    return out, h_T[0], (xt, h0t)


# ---- forward: equal to nn.GRU ----
@pytest.mark.parametrize("T,B,I,H", SHAPES)
def test_gru_forward_equals_torch(T, B, I, H, rng):
    module = torch_gru(I, H)
    params = rnnbook.params_from_torch(module)
    x, h0 = random_inputs(rng, T, B, I, H)

    out, h_T = rnnbook.gru_forward(x, h0, params)
    ref_out, ref_h, _ = torch_run(module, x, h0)

    assert out.shape == (T, B, H) and h_T.shape == (B, H)
    assert out.dtype == h_T.dtype == np.float64
    np.testing.assert_allclose(out, ref_out.detach().numpy(), rtol=0, atol=TOL)
    np.testing.assert_allclose(h_T, ref_h.detach().numpy(), rtol=0, atol=TOL)
    np.testing.assert_array_equal(h_T, out[-1])


def test_gru_forward_equals_gru_cell_loop(rng):
    """nn.GRUCell stepped in a Python loop is the same function as nn.GRU and gru_forward."""
    T, B, I, H = 6, 2, 3, 4
    module = torch_gru(I, H)
    cell = torch.nn.GRUCell(I, H).double()
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(cell, name).copy_(getattr(module, f"{name}_l0"))
    x, h0 = random_inputs(rng, T, B, I, H)
    h = torch.tensor(h0)
    steps = []
    for x_t in torch.tensor(x):
        h = cell(x_t, h)
        steps.append(h.detach().numpy())
    out, _ = rnnbook.gru_forward(x, h0, rnnbook.params_from_torch(module))
    np.testing.assert_allclose(out, np.stack(steps), rtol=0, atol=TOL)


def test_gru_forward_accepts_torch_tensors_and_leaves_inputs_unchanged(rng):
    module = torch_gru(2, 3)
    params = rnnbook.params_from_torch(module)
    x, h0 = random_inputs(rng, 4, 2, 2, 3)
    copies = [a.copy() for a in (x, h0, *params.values())]
    xt, h0t = (torch.tensor(a, requires_grad=True) for a in (x, h0))

    out, _ = rnnbook.gru_forward(xt, h0t, params)
    np.testing.assert_array_equal(out, rnnbook.gru_forward(x, h0, params)[0])
    for before, after in zip(copies, (x, h0, *params.values())):
        np.testing.assert_array_equal(before, after)


# ---- the gate order is PyTorch's r, z, n: any other order gives different numbers ----
@pytest.mark.parametrize("order", [p for p in itertools.permutations(range(3)) if p != (0, 1, 2)])
def test_permuted_gate_blocks_break_equality(order, rng):
    H = 3
    module = torch_gru(2, H)
    params = rnnbook.params_from_torch(module)
    x, h0 = random_inputs(rng, 5, 2, 2, H)
    ref_out = torch_run(module, x, h0)[0].detach().numpy()
    rows = np.concatenate([np.arange(k * H, (k + 1) * H) for k in order])
    permuted = {key: value[rows] for key, value in params.items()}

    out, _ = rnnbook.gru_forward(x, h0, permuted)
    assert np.max(np.abs(out - ref_out)) > 1e-2
    np.testing.assert_allclose(rnnbook.gru_forward(x, h0, params)[0], ref_out, rtol=0, atol=TOL)


# ---- the update gate: z = 1 keeps h exactly, z = 0 with r = 0 copies the input's candidate ----
def test_closed_update_gate_keeps_the_state(rng):
    H = 4
    module = torch_gru(3, H)
    params = rnnbook.params_from_torch(module)
    x, h0 = random_inputs(rng, 20, 2, 3, H)
    params["bias_ih_l0"][H:2 * H] = 1e3  # z = sigmoid(1000) = 1: keep everything

    out, h_T = rnnbook.gru_forward(x, h0, params)
    np.testing.assert_array_equal(h_T, h0)
    np.testing.assert_array_equal(out, np.broadcast_to(h0, out.shape))
    with torch.no_grad():  # PyTorch agrees with the same bias
        module.bias_ih_l0.copy_(torch.from_numpy(params["bias_ih_l0"]))
    np.testing.assert_allclose(h_T, torch_run(module, x, h0)[1].detach().numpy(), rtol=0, atol=TOL)


def test_open_update_gate_and_closed_reset_gate_forget_the_past(rng):
    H = 4
    params = rnnbook.params_from_torch(torch_gru(3, H))
    x, h0 = random_inputs(rng, 6, 2, 3, H)
    params["bias_ih_l0"][:H] = -1e3  # r = 0: the candidate ignores h_{t-1} (and b_hn)
    params["bias_ih_l0"][H:2 * H] = -1e3  # z = 0: h_t is the candidate
    out, _ = rnnbook.gru_forward(x, h0, params)
    n_rows = slice(2 * H, 3 * H)
    memoryless = np.tanh(x @ params["weight_ih_l0"][n_rows].T + params["bias_ih_l0"][n_rows])
    np.testing.assert_allclose(out, memoryless, rtol=0, atol=TOL)


def test_reset_after_the_product_differs_from_reset_before(rng):
    """nn.GRU is not the tutorial form tanh(W_in x + W_hn (r * h) + b): same weights, other h."""
    H = 4
    module = torch_gru(3, H)
    p = rnnbook.params_from_torch(module)
    x, h0 = random_inputs(rng, 1, 2, 3, H)
    out, _ = rnnbook.gru_forward(x, h0, p)
    gi = x[0] @ p["weight_ih_l0"].T + p["bias_ih_l0"]
    W_hr, W_hz, W_hn = np.split(p["weight_hh_l0"], 3)
    b_hr, b_hz, b_hn = np.split(p["bias_hh_l0"], 3)
    r = rnnbook.sigmoid(gi[:, :H] + h0 @ W_hr.T + b_hr)
    z = rnnbook.sigmoid(gi[:, H:2 * H] + h0 @ W_hz.T + b_hz)
    n_before = np.tanh(gi[:, 2 * H:] + (r * h0) @ W_hn.T + b_hn)
    assert np.max(np.abs((1 - z) * n_before + z * h0 - out[0])) > 1e-3


# ---- the per-step cache ----
def test_forward_cache_holds_every_value_by_step(rng):
    T, B, I, H = 4, 2, 3, 5
    params = rnnbook.params_from_torch(torch_gru(I, H))
    x, h0 = random_inputs(rng, T, B, I, H)
    cache = rnnbook.gru_forward_cache(x, h0, params)
    out, _ = rnnbook.gru_forward(x, h0, params)
    assert set(cache) == {"h", "r", "z", "n", "hn"}
    assert all(value.shape == (T + 1, B, H) for value in cache.values())
    np.testing.assert_array_equal(cache["h"][0], h0)
    np.testing.assert_allclose(cache["h"][1:], out, rtol=0, atol=TOL)
    assert all(np.isnan(cache[key][0]).all() for key in ("r", "z", "n", "hn"))
    W_hh, b_hh = params["weight_hh_l0"], params["bias_hh_l0"]
    for t in range(1, T + 1):  # the recurrence, from the cached values alone
        h_t = (1 - cache["z"][t]) * cache["n"][t] + cache["z"][t] * cache["h"][t - 1]
        np.testing.assert_allclose(cache["h"][t], h_t, rtol=0, atol=TOL)
        hn = cache["h"][t - 1] @ W_hh[2 * H:].T + b_hh[2 * H:]
        np.testing.assert_allclose(cache["hn"][t], hn, rtol=0, atol=TOL)
    gi = x[0] @ params["weight_ih_l0"].T + params["bias_ih_l0"]
    gh = h0 @ W_hh.T + b_hh
    np.testing.assert_allclose(cache["r"][1], rnnbook.sigmoid(gi[:, :H] + gh[:, :H]), rtol=0,
                               atol=TOL)


# ---- backward: equal to autograd and to finite differences ----
@pytest.mark.parametrize("T,B,I,H", SHAPES)
def test_gru_backward_equals_autograd(T, B, I, H, rng):
    module = torch_gru(I, H)
    params = rnnbook.params_from_torch(module)
    x, h0 = random_inputs(rng, T, B, I, H)
    d_out = rng.normal(size=(T, B, H))

    grads = rnnbook.gru_backward(x, h0, params, d_out)
    ref_out, _, (xt, h0t) = torch_run(module, x, h0)
    ref_out.backward(torch.from_numpy(d_out))
    reference = {key: getattr(module, key).grad.numpy() for key in PARAM_KEYS}
    reference.update(x=xt.grad.numpy(), h0=h0t.grad[0].numpy())

    assert list(grads) == KEYS
    for key, expected in reference.items():
        assert grads[key].shape == expected.shape and grads[key].dtype == np.float64, key
        np.testing.assert_allclose(grads[key], expected, rtol=0, atol=TOL, err_msg=key)


def test_the_two_biases_get_different_gradients_in_the_n_block(rng):
    """b_hn sits inside the reset, b_in outside: only the r and z blocks are equal."""
    H = 4
    params = rnnbook.params_from_torch(torch_gru(3, H))
    x, h0 = random_inputs(rng, 5, 2, 3, H)
    grads = rnnbook.gru_backward(x, h0, params, rng.normal(size=(5, 2, H)))
    np.testing.assert_array_equal(grads["bias_ih_l0"][:2 * H], grads["bias_hh_l0"][:2 * H])
    assert np.max(np.abs(grads["bias_ih_l0"][2 * H:] - grads["bias_hh_l0"][2 * H:])) > 1e-3


@pytest.mark.parametrize("T,B,I,H", [(1, 1, 1, 1), (1, 2, 3, 2), (6, 1, 2, 3), (9, 3, 2, 4)])
def test_gru_backward_matches_finite_differences(T, B, I, H, rng):
    params = rnnbook.params_from_torch(torch_gru(I, H))
    x, h0 = random_inputs(rng, T, B, I, H)
    d_out = rng.normal(size=(T, B, H))
    grads = rnnbook.gru_backward(x, h0, params, d_out)

    def loss(arrays):  # L = sum(d_out * out), so dL/d out = d_out
        p = {k: arrays[k] for k in PARAM_KEYS}
        return float(np.sum(d_out * rnnbook.gru_forward(arrays["x"], arrays["h0"], p)[0]))

    result = rnnbook.gradcheck(loss, {**params, "x": x, "h0": h0}, grads, tol=FD_TOL)
    assert list(result.errors) == KEYS
    assert result.ok, result.errors


def test_gru_backward_leaves_inputs_unchanged(rng):
    params = rnnbook.params_from_torch(torch_gru(2, 3))
    x, h0 = random_inputs(rng, 4, 2, 2, 3)
    d_out = rng.normal(size=(4, 2, 3))
    arrays = (x, h0, d_out, *params.values())
    copies = [a.copy() for a in arrays]
    rnnbook.gru_backward(x, h0, params, d_out)
    for before, after in zip(copies, arrays):
        np.testing.assert_array_equal(before, after)


# ---- bad input: one ValueError, one sentence naming the argument, the shape got and expected ----
@pytest.fixture
def good():
    return np.zeros((5, 2, 3)), np.zeros((2, 4)), rnnbook.params_from_torch(torch_gru(3, 4))


def one_sentence(message):
    return message.count(". ") == 0 and message.endswith(".")


def forward_and_backward(x, h0, params):
    """The three public functions, so each bad input is shown to be caught by all of them."""
    yield lambda: rnnbook.gru_forward(x, h0, params)
    yield lambda: rnnbook.gru_forward_cache(x, h0, params)
    yield lambda: rnnbook.gru_backward(x, h0, params, np.zeros((5, 2, 4)))


def test_h0_in_nn_gru_layout_with_a_layer_axis(good):
    x, h0, params = good
    for bad in (h0[None], torch.from_numpy(h0)[None]):
        for call in forward_and_backward(x, bad, params):
            with pytest.raises(ValueError, match=r"^h0 must have 2 dimensions \(B, H\) = \(2, 4\); got shape \(1, 2, 4\), the \(num_layers, B, H\) layout of nn.GRU's states, so pass h0\[0\] for the single layer\.$") as info:
                call()
            assert one_sentence(str(info.value))


def test_h0_given_as_an_lstm_state_pair(good):
    x, h0, params = good
    for call in forward_and_backward(x, (h0, h0), params):
        with pytest.raises(ValueError, match=r"^h0 must be one array of shape \(B, H\) = \(2, 4\), because a GRU has no cell state; got a tuple of 2 arrays, like an LSTM's \(h0, c0\)\.$") as info:
            call()
        assert one_sentence(str(info.value))


def test_h0_with_wrong_shape(good):
    x, _, params = good
    with pytest.raises(ValueError, match=r"^h0 must have shape \(B, H\) = \(2, 4\), with B taken from x of shape \(5, 2, 3\) read as time-major \(T, B, I\) and H from the weights; got \(3, 4\)\.$") as info:
        rnnbook.gru_forward(x, np.zeros((3, 4)), params)
    assert one_sentence(str(info.value))


def test_batch_first_x_gets_a_hint(good):
    """x given as (B, T, I) = (2, 5, 3) with h0 (2, 4): h0's batch matches x's first axis."""
    _, h0, params = good
    for call in forward_and_backward(np.zeros((2, 5, 3)), h0, params):
        with pytest.raises(ValueError, match=r"^h0 must have shape \(B, H\) = \(5, 4\).*; got \(2, 4\), which fits x only if x is batch-first \(B, T, I\): pass x\.transpose\(1, 0, 2\)\.$") as info:
            call()
        assert one_sentence(str(info.value))


def test_h0_with_one_dimension(good):
    x, _, params = good
    with pytest.raises(ValueError, match=r"^h0 must have 2 dimensions \(B, H\); got shape \(4,\)\.$"):
        rnnbook.gru_forward(x, np.zeros(4), params)


def test_h0_that_is_not_numeric(good):
    x, _, params = good
    with pytest.raises(ValueError, match=r"^h0 must be a numeric array of shape \(B, H\); got an object of type str\.$"):
        rnnbook.gru_forward(x, "zeros", params)


def test_x_with_wrong_number_of_dimensions(good):
    _, h0, params = good
    with pytest.raises(ValueError, match=r"^x must have 3 dimensions \(T, B, I\); got shape \(2, 3\)\.$"):
        rnnbook.gru_forward(np.zeros((2, 3)), h0, params)


def test_x_with_wrong_input_size(good):
    _, h0, params = good
    for call in forward_and_backward(np.zeros((5, 2, 7)), h0, params):
        with pytest.raises(ValueError, match=r"^x must have shape \(T, B, I\) = \(5, 2, 3\); got \(5, 2, 7\)\.$"):
            call()


def test_empty_sequence(good):
    _, h0, params = good
    with pytest.raises(ValueError, match=r"^x must have at least one time step and one sequence; got shape \(0, 2, 3\)\.$"):
        rnnbook.gru_forward(np.zeros((0, 2, 3)), h0, params)


@pytest.mark.parametrize("where", ["x", "h0", "d_out"])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_input(good, where, bad):
    x, h0, params = good
    arrays = {"x": x.copy(), "h0": h0.copy(), "d_out": np.zeros((5, 2, 4))}
    arrays[where][(0,) * arrays[where].ndim] = bad
    shape = ", ".join(map(str, arrays[where].shape))
    with pytest.raises(ValueError, match=rf"^{where} must be finite; got 1 NaN or infinite value\(s\) in an array of shape \({shape}\)\.$"):
        rnnbook.gru_backward(arrays["x"], arrays["h0"], params, arrays["d_out"])


def test_non_finite_weight(good):
    x, h0, params = good
    params = dict(params, weight_hh_l0=np.full((12, 4), np.inf))
    with pytest.raises(ValueError, match=r"^params\['weight_hh_l0'\] must be finite"):
        rnnbook.gru_forward(x, h0, params)


@pytest.mark.parametrize("bad_shape,message", [
    ((5, 2, 3), r"^d_out must have shape \(T, B, H\) = \(5, 2, 4\); got \(5, 2, 3\)\.$"),
    ((2, 5, 4), r"^d_out must have shape \(T, B, H\) = \(5, 2, 4\); got \(2, 5, 4\)\.$"),
    ((2, 4), r"^d_out must have 3 dimensions \(T, B, H\); got shape \(2, 4\)\.$"),
])
def test_d_out_with_wrong_shape(good, bad_shape, message):
    x, h0, params = good
    with pytest.raises(ValueError, match=message) as info:
        rnnbook.gru_backward(x, h0, params, np.zeros(bad_shape))
    assert one_sentence(str(info.value))


@pytest.mark.parametrize("cls,rows", [(torch.nn.RNN, 4), (torch.nn.LSTM, 16)])
def test_params_from_another_kind_of_layer(good, cls, rows):
    x, h0, _ = good
    params = rnnbook.params_from_torch(cls(3, 4))
    with pytest.raises(ValueError, match=rf"^params\['weight_hh_l0'\] must have shape \(3H, H\) for a GRU layer; got \({rows}, 4\)"):
        rnnbook.gru_forward(x, h0, params)


def test_missing_key(good):
    x, h0, params = good
    broken = {k: v for k, v in params.items() if k != "bias_hh_l0"}
    with pytest.raises(ValueError, match=r"^params must have exactly the keys .*; missing bias_hh_l0\.$"):
        rnnbook.gru_forward(x, h0, broken)


def test_wrong_bias_shape(good):
    x, h0, params = good
    with pytest.raises(ValueError, match=r"^params\['bias_ih_l0'\] must have shape \(3H,\) = \(12,\); got \(4,\)\.$"):
        rnnbook.gru_backward(x, h0, dict(params, bias_ih_l0=np.zeros(4)), np.zeros((5, 2, 4)))
