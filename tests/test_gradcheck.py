"""rnnbook.relative_error and rnnbook.gradcheck: they pass correct gradients and catch wrong ones."""

import numpy as np
import pytest
import torch

import rnnbook


# ---- relative_error -------------------------------------------------------------------------
def test_relative_error_known_value():
    # |a - b| = 0.1, |a| + |b| = 2.1
    assert rnnbook.relative_error([1.0], [1.1]) == pytest.approx(0.1 / 2.1, rel=1e-14)
    # Euclidean norms of the whole array: |(3, 0) - (0, 4)| = 5, |a| + |b| = 7
    assert rnnbook.relative_error([3.0, 0.0], [0.0, 4.0]) == pytest.approx(5 / 7, rel=1e-14)


def test_relative_error_is_symmetric_scale_free_and_bounded(rng):
    a, b = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    e = rnnbook.relative_error(a, b)
    assert rnnbook.relative_error(b, a) == e
    assert rnnbook.relative_error(1e6 * a, 1e6 * b) == pytest.approx(e, rel=1e-12)
    assert rnnbook.relative_error(1e-9 * a, 1e-9 * b) == pytest.approx(e, rel=1e-12)
    assert 0 < e <= 1


def test_relative_error_edge_cases(rng):
    a = rng.normal(size=5)
    assert rnnbook.relative_error(a, a) == 0.0
    assert rnnbook.relative_error(np.zeros(3), np.zeros(3)) == 0.0  # no 0/0
    assert rnnbook.relative_error(a, np.zeros(5)) == 1.0  # one side zero: completely wrong
    assert rnnbook.relative_error(a, -a) == 1.0  # a sign error is as wrong as it gets


def test_relative_error_ignores_noise_on_a_near_zero_entry():
    """The reason for norms: a tiny entry's rounding noise does not dominate the verdict."""
    analytic = np.array([1.0, 1e-12])
    numeric = np.array([1.0 + 1e-11, 3e-12])  # entry 2 is pure noise at the 1e-12 level
    assert rnnbook.relative_error(analytic, numeric) < 1e-10


def test_relative_error_shape_mismatch():
    with pytest.raises(ValueError, match=r"^a and b must have the same shape; got \(2, 3\) and \(3, 2\)\.$"):
        rnnbook.relative_error(np.zeros((2, 3)), np.zeros((3, 2)))


def test_relative_error_non_finite():
    with pytest.raises(ValueError, match=r"^b must be finite"):
        rnnbook.relative_error([1.0, 2.0], [1.0, np.nan])


# ---- numeric_gradient and gradcheck on functions with known gradients -----------------------
def quadratic(arrays):
    """L = sum(A * A) + sum(b) * c[0], gradients 2A, c[0] * ones, and sum(b) in c[0]."""
    return float(np.sum(arrays["A"] ** 2) + np.sum(arrays["b"]) * arrays["c"][0])


@pytest.fixture
def point(rng):
    return {"A": rng.normal(size=(3, 4)), "b": rng.normal(size=5), "c": np.array([0.7])}


def true_gradients(point):
    return {"A": 2 * point["A"], "b": np.full(5, point["c"][0]), "c": np.array([point["b"].sum()])}


def test_numeric_gradient_of_a_quadratic(point):
    numeric = rnnbook.numeric_gradient(quadratic, point, "A")
    np.testing.assert_allclose(numeric, 2 * point["A"], rtol=0, atol=1e-8)


def test_gradcheck_passes_correct_gradients(point):
    result = rnnbook.gradcheck(quadratic, point, true_gradients(point))
    assert result.ok and result.failed == []
    assert list(result.errors) == ["A", "b", "c"]
    assert max(result.errors.values()) < 1e-8
    assert set(result.numeric) == {"A", "b", "c"}


def test_gradcheck_catches_one_wrong_entry(point):
    wrong = true_gradients(point)
    wrong["A"] = wrong["A"].copy()
    wrong["A"][1, 2] *= 1.01  # a 1 % error in one of twelve entries
    result = rnnbook.gradcheck(quadratic, point, wrong)
    assert not result.ok
    assert result.failed == ["A"]
    assert result.errors["A"] > 1e-4
    assert "A  FAILED" in str(result) and "b  ok" in str(result)


def test_gradcheck_checks_only_the_keys_given(point):
    result = rnnbook.gradcheck(quadratic, point, {"c": true_gradients(point)["c"]})
    assert list(result.errors) == ["c"] and result.ok


def test_gradcheck_does_not_modify_the_inputs(point):
    before = {k: v.copy() for k, v in point.items()}
    rnnbook.gradcheck(quadratic, point, true_gradients(point))
    assert all(np.array_equal(before[k], point[k]) for k in point)


def test_gradcheck_accepts_a_torch_scalar_loss(point):
    def torch_loss(arrays):
        return (torch.from_numpy(arrays["A"]) ** 2).sum()

    result = rnnbook.gradcheck(torch_loss, point, {"A": 2 * point["A"]})
    assert result.ok


# ---- the check catches a planted bug in an RNN backward pass --------------------------------
def buggy_rnn_backward(x, h0, params, d_out):
    """rnn_backward with the classic index slip: dL/dW_hh = sum_t delta_t h_t^T (not h_{t-1})."""
    grads = rnnbook.rnn_backward(x, h0, params, d_out)
    out, _ = rnnbook.rnn_forward(x, h0, params)
    delta = np.empty_like(out)  # recover delta_t = dL/dz_t from the correct pass
    from_future = np.zeros_like(h0)
    for t in range(len(x) - 1, -1, -1):
        delta[t] = (1 - out[t] ** 2) * (d_out[t] + from_future)
        from_future = delta[t] @ params["weight_hh_l0"]
    grads["weight_hh_l0"] = np.einsum("tbi,tbj->ij", delta, out)  # bug: out[t] is h_t
    return grads


def test_gradcheck_finds_the_planted_index_bug(rng):
    T, B, I, H = 6, 2, 3, 4
    torch.manual_seed(3)
    params = rnnbook.params_from_torch(torch.nn.RNN(I, H))
    x, h0 = rng.normal(size=(T, B, I)), rng.normal(size=(B, H))
    d_out = rng.normal(size=(T, B, H))
    inputs = {**params, "x": x, "h0": h0}

    def loss(arrays):
        p = {k: arrays[k] for k in params}
        out, _ = rnnbook.rnn_forward(arrays["x"], arrays["h0"], p)
        return float(np.sum(out * d_out))

    correct = rnnbook.gradcheck(loss, inputs, rnnbook.rnn_backward(x, h0, params, d_out))
    buggy = rnnbook.gradcheck(loss, inputs, buggy_rnn_backward(x, h0, params, d_out))
    assert correct.ok
    assert buggy.failed == ["weight_hh_l0"]  # and it points at the right array
    assert buggy.errors["weight_hh_l0"] > 1e-3


# ---- bad arguments --------------------------------------------------------------------------
def one_sentence(message):
    return message.count(". ") == 0 and message.endswith(".")


def test_analytic_key_not_in_inputs(point):
    with pytest.raises(ValueError, match=r"^analytic has key\(s\) 'W' that inputs does not have; inputs has 'A', 'b', 'c'\.$"):
        rnnbook.gradcheck(quadratic, point, {"W": np.zeros(2)})


def test_analytic_with_wrong_shape(point):
    with pytest.raises(ValueError, match=r"^analytic\['A'\] must have the shape of inputs\['A'\], \(3, 4\); got \(4, 3\)\.$") as info:
        rnnbook.gradcheck(quadratic, point, {"A": np.zeros((4, 3))})
    assert one_sentence(str(info.value))


@pytest.mark.parametrize("eps", [0.0, -1e-6, np.nan, "small"])
def test_bad_eps(point, eps):
    with pytest.raises(ValueError, match=r"^eps must be a positive number; got "):
        rnnbook.gradcheck(quadratic, point, true_gradients(point), eps=eps)


@pytest.mark.parametrize("tol", [0.0, -1.0, np.inf])
def test_bad_tol(point, tol):
    with pytest.raises(ValueError, match=r"^tol must be a positive number; got "):
        rnnbook.gradcheck(quadratic, point, true_gradients(point), tol=tol)


def test_empty_analytic(point):
    with pytest.raises(ValueError, match=r"^analytic must hold at least one gradient"):
        rnnbook.gradcheck(quadratic, point, {})


def test_inputs_not_a_dict(point):
    with pytest.raises(ValueError, match=r"^inputs and analytic must be dicts of arrays; got list and dict\.$"):
        rnnbook.gradcheck(quadratic, [point["A"]], {"A": point["A"]})


def test_loss_that_is_not_a_scalar(point):
    with pytest.raises(ValueError, match=r"^f must return one number \(the loss\); got an array of shape \(3, 4\)\.$"):
        rnnbook.gradcheck(lambda a: a["A"] ** 2, point, {"A": point["A"]})


def test_loss_that_is_not_finite(point):
    with pytest.raises(ValueError, match=r"^f must return a finite loss; got nan\.$"):
        rnnbook.gradcheck(lambda a: float("nan"), point, {"A": point["A"]})


def test_non_finite_analytic_gradient(point):
    bad = np.full((3, 4), np.inf)
    with pytest.raises(ValueError, match=r"^analytic\['A'\] must be finite"):
        rnnbook.gradcheck(quadratic, point, {"A": bad})


def test_agree_compares_numpy_and_torch_entry_by_entry():
    import torch

    from rnnbook import agree

    a = np.array([1.0, 2.0])
    assert agree(a, torch.tensor([1.0, 2.0 + 1e-13], dtype=torch.float64))
    assert not agree(a, a + 1e-11)
    assert agree(a, a + 1e-11, atol=1e-10)
    assert not agree(a, a[None])  # shapes must match
    assert not agree(a, np.array([1.0, np.nan]))
    assert agree(np.zeros(0), np.zeros(0))


def test_agree_has_a_relative_tolerance_for_large_entries():
    from rnnbook import agree

    big = np.array([1e6, -3e8])
    # a difference of one part in 1e13 is far below rtol = 1e-12 but above atol = 1e-12
    assert agree(big, big * (1 + 1e-13))
    assert not agree(big, big * (1 + 1e-13), rtol=0)
    assert not agree(big, big * (1 + 1e-11))
    # symmetric: neither argument is the reference
    x, y = np.array([1.0]), np.array([1.0 + 1.5e-12])
    assert agree(x, y) == agree(y, x)
    # the absolute tolerance is what matters next to zero
    assert agree(np.array([0.0]), np.array([5e-13]))
    assert not agree(np.array([0.0]), np.array([5e-13]), atol=0)


@pytest.mark.parametrize("kwargs", [{"atol": -1.0}, {"rtol": float("nan")}, {"atol": "small"}])
def test_agree_rejects_a_bad_tolerance(kwargs):
    from rnnbook import agree

    with pytest.raises(ValueError, match=r"^(atol|rtol) must be a number >= 0; got .*\.$"):
        agree(np.zeros(2), np.zeros(2), **kwargs)
