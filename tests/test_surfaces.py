"""The loss surface of y = w*x + b and the paths descent takes across it."""

import warnings

import numpy as np
import pytest

from nnlib import (batch_indices, descent_path, gradient_descent_path, line_loss, line_loss_grid, make_line,
                   numerical_gradient)
from nnlib.surfaces import LineData, judged_losses, turning_steps


@pytest.fixture(scope="module")
def line():
    return make_line(1000, w=2.0, b=1.0, noise=0.5, rng=0)


def brute_force_loss(w, b, x, y):
    return np.mean((w * x.reshape(-1) + b - y.reshape(-1)) ** 2)


def test_line_loss_grid_equals_brute_force(line):
    x, y = line
    w_values = np.linspace(-3, 5, 9)
    b_values = np.linspace(-2, 4, 7)
    W, B, L = line_loss_grid(x, y, w_values, b_values)
    assert W.shape == B.shape == L.shape == (7, 9)
    np.testing.assert_array_equal(W[0], w_values)
    np.testing.assert_array_equal(B[:, 0], b_values)
    expected = np.array([[brute_force_loss(w, b, x, y) for w in w_values] for b in b_values])
    np.testing.assert_allclose(L, expected, rtol=1e-10)


def test_line_loss_scalar_and_1d_data(line):
    x, y = line
    assert line_loss(1.5, -0.5, x, y) == pytest.approx(brute_force_loss(1.5, -0.5, x, y), rel=1e-10)
    assert line_loss(1.5, -0.5, x[:, 0], y[:, 0]) == pytest.approx(brute_force_loss(1.5, -0.5, x, y), rel=1e-10)


def test_line_gradient_equals_numerical_gradient(line):
    data = LineData.from_arrays(*line)
    for w, b in [(-2.0, 3.0), (0.5, 0.5), (2.0, 1.0), (10.0, -7.0)]:
        wb = np.array([w, b])
        numeric = numerical_gradient(lambda v: float(data.loss(v[0], v[1])), wb)
        np.testing.assert_allclose(data.gradient(w, b), numeric, rtol=1e-7, atol=1e-8)


def test_line_best_equals_polyfit(line):
    x, y = line
    w, b = LineData.from_arrays(x, y).best()
    np.testing.assert_allclose([w, b], np.polyfit(x[:, 0], y[:, 0], 1), rtol=1e-10)
    np.testing.assert_allclose(LineData.from_arrays(x, y).gradient(w, b), [0.0, 0.0], atol=1e-12)


def test_minibatch_path_counts_updates(line):
    x, y = line
    path = descent_path(x, y, lr=0.05, epochs=3, batch_size=64, rng=0)
    assert path.updates_per_epoch == 16
    assert path.updates == 16 * 3 == len(path.w) - 1 == len(path.b) - 1 == len(path.loss) - 1
    assert (path.w[0], path.b[0]) == (-2.0, 3.0)


def test_minibatch_path_follows_the_batch_gradients_by_hand(line):
    x, y = line
    xs, ys = x[:, 0], y[:, 0]
    path = descent_path(x, y, lr=0.1, epochs=1, batch_size=64, start=(0.0, 0.0), rng=7)
    w, b = 0.0, 0.0
    for k, idx in enumerate(batch_indices(1000, 64, rng=7), start=1):
        residual = w * xs[idx] + b - ys[idx]
        w, b = w - 0.1 * 2 * np.mean(residual * xs[idx]), b - 0.1 * 2 * np.mean(residual)
        assert path.w[k] == pytest.approx(w, rel=1e-12, abs=1e-14)
        assert path.b[k] == pytest.approx(b, rel=1e-12, abs=1e-14)
        assert path.loss[k] == pytest.approx(brute_force_loss(w, b, x, y), rel=1e-10)


def test_full_batch_path_is_gradient_descent(line):
    x, y = line
    data = LineData.from_arrays(x, y)
    path = gradient_descent_path(x, y, lr=0.2, steps=5)
    assert path.updates == 5 and path.updates_per_epoch == 1 and path.batch_size == 1000
    w, b = -2.0, 3.0
    for k in range(1, 6):
        gw, gb = data.gradient(w, b)
        w, b = w - 0.2 * gw, b - 0.2 * gb
        assert path.w[k] == pytest.approx(w, rel=1e-12) and path.b[k] == pytest.approx(b, rel=1e-12)
    same = descent_path(x, y, lr=0.2, epochs=5, batch_size=None)
    np.testing.assert_array_equal(same.w, path.w)


@pytest.mark.parametrize("lr, verdict", [(0.01, "too slow"), (0.3, "converged"),
                                         (0.9, "oscillating, converged"), (1.2, "diverged")])
def test_full_batch_verdicts(line, lr, verdict):
    # The curvatures of this loss are about 0.65 and 2.0: steps above
    # 2 / 2.0 = 1 blow up, steps above 1 / 2.0 = 0.5 overshoot the steep direction.
    x, y = line
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        path = gradient_descent_path(x, y, lr=lr, steps=50)
    assert path.verdict == verdict
    assert np.isfinite(path.loss).all()
    assert path.best_loss == pytest.approx(line_loss(*LineData.from_arrays(x, y).best(), x, y), rel=1e-12)
    if verdict == "diverged":
        assert path.diverged
        assert path.updates < 50
        assert path.message.startswith("Training diverged at step ")
        assert "The learning rate 1.2 is too large for this problem: try 0.12 or smaller." in path.message
    else:
        assert not path.diverged and path.updates == 50
        assert path.message == f"50 updates; final loss {path.final_loss:.4f} ({verdict})."
    if "converged" in verdict:
        assert path.final_loss - path.best_loss < 0.01 * (path.loss[0] - path.best_loss)


@pytest.mark.parametrize("lr", [5.0, 1e6, 1e300])
def test_absurd_learning_rates_stop_cleanly(line, lr):
    x, y = line
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        path = descent_path(x, y, lr=lr, epochs=20, batch_size=64, rng=0)
    assert path.diverged and path.verdict == "diverged"
    assert np.isfinite(path.loss).all() and np.isfinite(path.w).all() and np.isfinite(path.b).all()
    assert "too large for this problem" in path.message


def test_descent_path_is_deterministic_per_seed(line):
    x, y = line
    a = descent_path(x, y, lr=0.05, epochs=2, batch_size=32, rng=3)
    b = descent_path(x, y, lr=0.05, epochs=2, batch_size=32, rng=np.random.default_rng(3))
    c = descent_path(x, y, lr=0.05, epochs=2, batch_size=32, rng=4)
    np.testing.assert_array_equal(a.w, b.w)
    np.testing.assert_array_equal(a.loss, b.loss)
    assert not np.array_equal(a.w, c.w)


def test_batch_size_above_n_is_full_batch(line):
    x, y = line
    path = descent_path(x, y, lr=0.1, epochs=4, batch_size=5000, rng=0)
    assert path.batch_size == 1000 and path.updates_per_epoch == 1 and path.updates == 4


def test_surface_argument_errors(line):
    x, y = line
    with pytest.raises(ValueError, match=r"lr must be a positive finite number; got 0"):
        descent_path(x, y, lr=0, epochs=1)
    with pytest.raises(ValueError, match=r"lr must be a positive finite number; got -0\.1"):
        gradient_descent_path(x, y, lr=-0.1, steps=3)
    with pytest.raises(ValueError, match=r"batch_size must be at least 1; got 0"):
        descent_path(x, y, lr=0.1, epochs=1, batch_size=0)
    with pytest.raises(ValueError, match=r"batch_size must be at least 1; got -1"):
        descent_path(x, y, lr=0.1, epochs=1, batch_size=-1)
    with pytest.raises(ValueError, match=r"x must hold at least two different values to fit a line"):
        line_loss(1.0, 0.0, np.ones(5), np.arange(5.0))
    with pytest.raises(ValueError, match=r"x contains 1 NaN or infinite value\(s\)"):
        line_loss(1.0, 0.0, np.array([0.0, np.nan, 1.0]), np.arange(3.0))
    with pytest.raises(TypeError, match=r"rng must be a numpy.random.Generator, an int seed or None; got RandomState"):
        descent_path(x, y, lr=0.1, epochs=1, batch_size=8, rng=np.random.RandomState(0))


def test_slightly_too_large_full_batch_rate_is_diverging_not_diverged(line):
    # lr * largest curvature = 2.0034 > 2: the loss is lowest at step 3 and
    # grows from then on, 0.68 % per step, far from the 1000-fold stop.
    x, y = line
    for steps in (30, 200):
        path = gradient_descent_path(x, y, lr=1.0, steps=steps)
        assert not path.diverged and path.verdict == "diverging"
        assert np.argmin(path.loss) == 3
    assert gradient_descent_path(x, y, lr=1.0, steps=3).verdict == "oscillating"  # not risen yet


@pytest.mark.parametrize("lr", [0.3, 0.5])
def test_pure_sgd_at_a_noise_floor_is_hovering_not_too_slow(line, lr):
    x, y = line
    path = descent_path(x, y, lr=lr, epochs=5, batch_size=1, rng=0)
    last_epoch = path.loss[-1000:]
    # The loss touches the lowest loss inside the last epoch, but averages well above it.
    assert last_epoch.min() < 1.01 * path.best_loss
    assert last_epoch.mean() > 1.5 * path.best_loss
    assert path.verdict == "noisy, hovering above the minimum"


def test_batch_64_at_lr_1_bounces_across_the_valley(line):
    x, y = line
    path = descent_path(x, y, lr=1.0, epochs=5, batch_size=64, rng=0)
    last_epoch = path.loss[-16:]
    assert 4 < last_epoch.min() and last_epoch.max() < 10  # bouncing 5-10, start 8.93
    assert path.verdict == "oscillating"
    # Keep going and the bouncing grows: above the start, not yet 1000-fold.
    longer = descent_path(x, y, lr=1.0, epochs=20, batch_size=64, rng=0)
    assert not longer.diverged and longer.verdict == "diverging"


@pytest.mark.parametrize("batch_size, lr, epochs, verdict", [
    (32, 0.05, 5, "converged"),       # the last epoch sits at the floor, spread 0.001
    (100, 0.05, 5, "too slow"),       # still falling steadily
    (1, 0.05, 5, "noisy, hovering near the minimum"),  # the blob of notebook 04
    (64, 0.001, 5, "too slow"),
    (64, 0.05, 5, "too slow"),        # mean and spread within 1 % of the gap, but still falling (0.34 to 0.29)
    (64, 0.05, 20, "converged"),      # there now: 0.2629
])
def test_minibatch_verdicts_judge_the_last_epoch(line, batch_size, lr, epochs, verdict):
    x, y = line
    path = descent_path(x, y, lr=lr, epochs=epochs, batch_size=batch_size, rng=0)
    assert path.verdict == verdict
    judged = judged_losses(path)
    assert len(judged) == path.updates_per_epoch


def test_one_epoch_is_judged_on_its_second_half(line):
    x, y = line
    path = descent_path(x, y, lr=0.5, epochs=1, batch_size=64, rng=0)
    assert len(judged_losses(path)) == 8
    assert path.verdict == "converged"  # the first half is the way down from the start


def test_a_zigzag_is_still_seen_after_the_path_settles(line):
    # lr 0.8: the steep factor is -0.6, every step turns back until the path
    # sits at the lowest point (about step 75); the round-off steps after
    # that point anywhere and must not hide the zig-zag.
    x, y = line
    path = gradient_descent_path(x, y, lr=0.8, steps=200)
    steps = np.column_stack([np.diff(path.w), np.diff(path.b)])
    assert np.sum(np.hypot(*steps.T) == 0) > 100  # most of the 200 steps no longer move
    assert turning_steps(path.w, path.b).all()
    assert path.verdict == "oscillating, converged"


def test_one_or_two_steps_do_not_make_an_oscillation(line):
    # Batch 999 of 1000: two updates per epoch, the second on one example,
    # which may point back; one turn is not a zig-zag, and the loss has
    # hardly moved from the start.
    x, y = line
    for lr in (0.001, 0.05, 0.3):
        path = descent_path(x, y, lr=lr, epochs=1, batch_size=999, rng=0)
        assert path.updates == 2 and path.verdict == "too slow"


@pytest.mark.parametrize("batch_size, lr, epochs", [
    (1, 0.5, 5),   # last-epoch mean 3.2x the lowest loss, spikes near 5 (lowest 0.263)
    (4, 0.8, 5),   # 2.4x (2.5x after one epoch)
    (1, 0.3, 5), (1, 0.2, 5), (8, 0.8, 5),
])
def test_a_noise_floor_well_above_the_lowest_loss_is_not_near_it(line, batch_size, lr, epochs):
    x, y = line
    path = descent_path(x, y, lr=lr, epochs=epochs, batch_size=batch_size, rng=0)
    judged = judged_losses(path)
    assert judged.mean() > 1.35 * path.best_loss
    assert path.verdict == "noisy, hovering above the minimum"


@pytest.mark.parametrize("batch_size", [1, 2, 4, 8, 16, 32, 64, 100])
@pytest.mark.parametrize("epochs", [1, 5, 20])
def test_hovering_near_the_minimum_means_as_close_as_a_converged_mean(line, batch_size, epochs):
    # Every round rate of the notebook 04 panel: "near" is a mean within 1 %
    # of the way from the start to the lowest loss (here 0.087 above 0.263,
    # at most 1.33 times it), "above" a noise floor higher than that.
    x, y = line
    for lr in (0.01, 0.02, 0.03, 0.05, 0.08, 0.1, 0.15, 0.2, 0.3, 0.5, 0.8):
        path = descent_path(x, y, lr=lr, epochs=epochs, batch_size=batch_size, rng=0)
        judged = judged_losses(path)
        gap = path.loss[0] - path.best_loss
        if path.verdict == "noisy, hovering near the minimum":
            assert judged.mean() - path.best_loss <= 0.01 * gap, (lr, judged.mean())
            assert judged.mean() < 1.34 * path.best_loss
        if path.verdict == "noisy, hovering above the minimum":
            assert 0.01 * gap < judged.mean() - path.best_loss <= 0.1 * gap, (lr, judged.mean())
    near = descent_path(x, y, lr=0.05, epochs=5, batch_size=1, rng=0)  # the blob of notebook 04
    assert near.verdict == "noisy, hovering near the minimum"
    assert judged_losses(near).mean() < 1.1 * near.best_loss


def test_the_noise_floor_of_notebook_04_at_lr_0_5(line):
    # Notebook 04, section 4: batch 1 at lr 0.5 averages 3.2 times the lowest
    # loss over its last epoch; "near" is within 1 % of the gap, 0.087 here.
    x, y = line
    path = descent_path(x, y, lr=0.5, epochs=5, batch_size=1, rng=0)
    assert round(judged_losses(path).mean() / path.best_loss, 1) == 3.2
    assert round(0.01 * (path.loss[0] - path.best_loss), 3) == 0.087 and round(path.best_loss, 3) == 0.263
