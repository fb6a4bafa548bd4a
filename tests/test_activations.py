"""rnnbook.sigmoid and the RNN's nonlinearity with its slope, against PyTorch."""

import numpy as np
import pytest
import torch

import rnnbook


def test_sigmoid_equals_torch_and_never_overflows():
    z = np.array([-1000.0, -745.0, -30.0, -1.0, 0.0, 1e-8, 2.5, 40.0, 1000.0])
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow to 0 is fine
        ours = rnnbook.sigmoid(z)
    np.testing.assert_allclose(ours, torch.sigmoid(torch.from_numpy(z)).numpy(), rtol=1e-15, atol=1e-300)
    assert ours[0] == 0.0 and ours[-1] == 1.0 and ours[4] == 0.5


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_activation_and_its_slope_equal_autograd(nonlinearity, rng):
    z = torch.tensor(rng.normal(size=50) * 3, requires_grad=True)
    f = torch.tanh if nonlinearity == "tanh" else torch.relu
    (slope,) = torch.autograd.grad(f(z).sum(), z)
    h = rnnbook.activation(z.detach().numpy(), nonlinearity)
    np.testing.assert_allclose(h, f(z).detach().numpy(), rtol=0, atol=1e-15)
    np.testing.assert_allclose(rnnbook.activation_derivative(h, nonlinearity), slope.numpy(),
                               rtol=0, atol=1e-15)


def test_unknown_nonlinearity_is_named():
    with pytest.raises(ValueError, match=r"^nonlinearity must be 'tanh' or 'relu'; got 'sigmoid'\.$"):
        rnnbook.activation(np.zeros(3), "sigmoid")
    with pytest.raises(ValueError, match=r"^nonlinearity must be 'tanh' or 'relu'; got 'elu'\.$"):
        rnnbook.activation_derivative(np.zeros(3), "elu")
