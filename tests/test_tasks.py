"""rnnbook.tasks: the data the labs train on are what the chapters say they are."""

import math

import pytest
import torch

from rnnbook import adding_problem, sine_windows


def test_sine_windows_are_a_sine_and_its_cosine_on_a_grid():
    g = torch.Generator().manual_seed(0)
    x, y = sine_windows(5, 30, dt=0.1, omega=(0.5, 2.0), amplitude=(0.5, 3.0), generator=g)
    assert x.shape == y.shape == (5, 30, 1) and x.dtype == torch.float64
    radius = torch.sqrt(x**2 + y**2)[..., 0]  # A^2 (sin^2 + cos^2) = A^2 at every step
    assert torch.allclose(radius, radius[:, :1].expand(-1, 30), atol=1e-12)
    assert ((radius >= 0.5) & (radius <= 3.0)).all()
    # The angle advances by omega * dt per step, the same within a window.
    angle = torch.atan2(x, y)[..., 0]
    step = torch.remainder(angle[:, 1:] - angle[:, :-1], 2 * math.pi)
    assert torch.allclose(step, step[:, :1].expand(-1, 29), atol=1e-10)
    assert ((step >= 0.05 - 1e-12) & (step <= 0.2 + 1e-12)).all()


def test_sine_windows_with_fixed_values_and_reproducible_draws():
    x, y = sine_windows(2, 4, dt=0.5, omega=2.0, amplitude=1.5, phase=0.25)
    theta = 0.25 + 2.0 * 0.5 * torch.arange(4, dtype=torch.float64)
    assert torch.allclose(x[1, :, 0], 1.5 * torch.sin(theta), atol=1e-15)
    assert torch.allclose(y[0, :, 0], 1.5 * torch.cos(theta), atol=1e-15)
    first = sine_windows(3, 5, generator=torch.Generator().manual_seed(7))
    second = sine_windows(3, 5, generator=torch.Generator().manual_seed(7))
    assert torch.equal(first[0], second[0])


def test_adding_problem_target_is_the_sum_of_the_two_marked_values():
    x, y = adding_problem(200, 11, generator=torch.Generator().manual_seed(1))
    assert x.shape == (11, 200, 2) and y.shape == (200,)
    values, markers = x[..., 0], x[..., 1]
    assert ((values >= -1) & (values <= 1)).all()
    assert torch.equal(markers.sum(dim=0), torch.full((200,), 2.0, dtype=torch.float64))
    assert torch.equal(markers[:5].sum(dim=0), torch.ones(200, dtype=torch.float64))  # first half
    assert torch.allclose((values * markers).sum(dim=0), y, atol=1e-15)


def test_adding_problem_statistics_give_the_mean_predictors_error():
    """Values uniform in [-1, 1]: the target has mean 0 and variance 2/3, the error of the best
    constant prediction; markers fall anywhere in their half."""
    x, y = adding_problem(40000, 20, generator=torch.Generator().manual_seed(2))
    assert abs(y.mean().item()) < 0.02
    assert abs(y.var().item() - 2 / 3) < 0.02
    positions = x[..., 1].argmax(dim=0)  # the first marker
    assert set(positions.tolist()) == set(range(10))


@pytest.mark.parametrize("call,message", [
    (lambda: sine_windows(0, 5), r"n must be a positive integer; got 0"),
    (lambda: sine_windows(2, 5, dt=-1.0), r"dt must be a positive number"),
    (lambda: sine_windows(2, 5, omega=(2.0, 1.0)), r"omega must be a number or a range \(low, high\)"),
    (lambda: adding_problem(3, 1), r"length must be at least 2"),
    (lambda: adding_problem(3, 2.5), r"length must be a positive integer; got 2.5"),
])
def test_bad_arguments_are_reported(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_importing_rnnbook_does_not_import_torch():
    """The book build and nbclean import rnnbook; the torch-based names load on first use."""
    import subprocess
    import sys

    code = ("import sys, rnnbook; assert 'torch' not in sys.modules; "
            "from rnnbook import adding_problem; assert 'torch' in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)
