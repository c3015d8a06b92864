"""nnlib.overfitting: the computations behind notebook 07."""

import numpy as np
import pytest

import nnlib
from nnlib import overfitting as of


def test_sine_data_gives_fresh_validation_points_of_the_same_curve():
    (x, y), (x_val, y_val) = of.sine_data(30, noise=0.0, seed=3, n_val=50)
    assert x.shape == y.shape == (30,) and x_val.shape == (50,)
    np.testing.assert_allclose(y, np.sin(2 * np.pi * x))
    assert not np.isin(x_val, x).any()
    (x2, _), _ = of.sine_data(30, noise=0.0, seed=3)
    np.testing.assert_array_equal(x, x2)


def test_fit_polynomial_recovers_a_polynomial_and_passes_through_points():
    x = np.linspace(0, 1, 12)
    y = 1 - 2 * x + 3 * x**3
    weights = of.fit_polynomial(x, y, 3)
    np.testing.assert_allclose(of.predict_polynomial(weights, np.array([0.25, 0.9])),
                               1 - 2 * np.array([0.25, 0.9]) + 3 * np.array([0.25, 0.9]) ** 3, atol=1e-12)
    # degree n - 1 through n points; degree > n - 1 (minimum norm) too
    rng = np.random.default_rng(0)
    y = rng.standard_normal(12)
    for degree in (11, 20):
        w = of.fit_polynomial(x, y, degree)
        np.testing.assert_allclose(of.predict_polynomial(w, x), y, atol=1e-8)


def test_degree_errors_training_error_never_rises_with_degree():
    train, val = of.sine_data(30, noise=0.3, seed=0)
    train_errors, val_errors = of.degree_errors(train, val, range(26))
    assert np.all(np.diff(train_errors) <= 1e-12)
    assert val_errors[0] > 4 * val_errors.min() and val_errors[25] > 1000 * val_errors.min()
    assert 3 <= int(np.argmin(val_errors)) <= 5


def test_fit_regions_names_each_side_of_the_best():
    names = of.fit_regions([5.0, 2.0, 1.0, 1.1, 1.3, 9.0], tolerance=0.2)
    assert names == ["underfitting", "underfitting", "sweet spot", "sweet spot", "overfitting", "overfitting"]
    assert of.fit_regions([1.0]) == ["sweet spot"]
    with pytest.raises(ValueError, match="tolerance"):
        of.fit_regions([1.0, 2.0], tolerance=-0.1)
    with pytest.raises(ValueError, match="standard_error"):
        of.fit_regions([1.0, 2.0], standard_error=-0.1)
    with pytest.raises(ValueError, match="val_errors"):
        of.fit_regions([1.0, np.nan])


def test_fit_regions_standard_error_rule_keeps_one_contiguous_sweet_spot():
    assert of.NOISE_STANDARD_ERRORS == 2.0  # "within the noise": at most two standard errors above the lowest
    # the case: degree 2 worse than 1 and 3 (noise 1, 30 points) must not split the sweet spot
    errors = [1.33, 1.13, 1.37, 1.31, 1.33, 1.32, 1.46]
    assert of.fit_regions(errors, standard_error=0.055) == ["underfitting", "sweet spot"] + ["overfitting"] * 5
    assert of.fit_regions(errors, standard_error=0.125) == ["sweet spot"] * 6 + ["overfitting"]
    # an interpolating model far to the right that dips back down is still overfitting
    errors = [0.79, 0.52, 0.64, 0.185, 0.21, 0.22, 0.20, 0.34, 80.6, 7.3, 0.19]
    names = of.fit_regions(errors, standard_error=0.02)
    assert names == ["underfitting"] * 3 + ["sweet spot"] * 4 + ["overfitting"] * 4
    # a difference smaller than two standard errors is not split; a larger one is
    assert of.fit_regions([0.040, 0.047], standard_error=0.004) == ["sweet spot", "sweet spot"]
    assert of.fit_regions([0.040, 0.047], standard_error=0.003) == ["sweet spot", "overfitting"]
    # 1.5 standard errors apart: within the noise at two, split at one (the multiple can be changed)
    assert of.fit_regions([0.040, 0.043], standard_error=0.002) == ["sweet spot", "sweet spot"]
    assert of.fit_regions([0.040, 0.043], standard_error=0.002, multiple=1.0) == ["sweet spot", "overfitting"]


def test_standard_error_is_that_of_a_mean():
    assert of.standard_error([1.0, 2.0, 3.0, 4.0]) == pytest.approx(np.std([1, 2, 3, 4], ddof=1) / 2)
    with pytest.raises(ValueError, match="values"):
        of.standard_error([1.0])


def test_degree_errors_standard_errors_are_paired_differences_from_the_best():
    train, val = of.sine_data(30, noise=0.3, seed=0)
    _, val_errors, ses = of.degree_errors(train, val, [1, 4, 6], standard_errors=True)
    squared = {d: (of.predict_polynomial(of.fit_polynomial(*train, d), val[0]) - val[1]) ** 2 for d in (1, 4, 6)}
    assert val_errors[1] == pytest.approx(squared[4].mean()) and int(np.argmin(val_errors)) == 1
    assert ses[1] == 0.0
    difference = squared[6] - squared[4]  # the same 200 points: compared as pairs
    assert ses[2] == pytest.approx(difference.std(ddof=1) / np.sqrt(200))
    # pairing removes the noise both degrees share: far below the unpaired standard error of degree 6
    assert ses[2] < 0.5 * squared[6].std(ddof=1) / np.sqrt(200)
    assert (val_errors[2] - val_errors[1]) / ses[2] == pytest.approx(3.15, abs=0.01)  # the notebook's "3.2"


def test_paired_standard_errors_and_within_noise():
    losses = np.array([[3.0, 4.0, 5.0], [1.0, 2.0, 3.0], [1.0, 3.0, 3.5]])
    ses = of.paired_standard_errors(losses)
    assert ses[1] == 0 and ses[0] == 0  # model 0 is model 1 shifted by 2: no spread in the difference
    assert ses[2] == pytest.approx(np.std([0.0, 1.0, 0.5], ddof=1) / np.sqrt(3))
    means = losses.mean(axis=1)  # 4, 2, 2.5: model 2 is 0.5 above the best, 1.7 standard errors (0.29)
    np.testing.assert_array_equal(of.within_noise(means, ses), [False, True, True])
    np.testing.assert_array_equal(of.within_noise(means, ses, multiple=1.0), [False, True, False])
    with pytest.raises(ValueError, match="multiple"):
        of.within_noise(means, ses, multiple=-1.0)
    # more than twice the lowest is never within the noise, however large its standard error:
    # a wild fit whose whole difference comes from a few points (degree 24 through 25 points)
    np.testing.assert_array_equal(of.within_noise([0.1, 0.19, 0.21, 1e11], [0.0, 0.1, 0.1, 1e11]),
                                  [True, True, False, False])
    assert of.fit_regions([0.1, 0.19, 0.21, 1e11], standard_errors=[0.0, 0.1, 0.1, 1e11]) == \
        ["sweet spot"] * 2 + ["overfitting"] * 2
    with pytest.raises(ValueError, match="losses"):
        of.paired_standard_errors(np.ones((3, 1)))
    with pytest.raises(ValueError, match="standard_errors"):
        of.fit_regions([1.0, 2.0], standard_errors=[0.1])


def test_fit_regions_with_one_standard_error_per_model_stays_contiguous():
    errors = [2.0, 1.3, 1.0, 1.05, 1.6, 1.1, 3.0]
    ses = [0.3, 0.1, 0.0, 0.1, 0.2, 0.1, 0.5]
    # model 5 is within its noise (1 standard error) but beyond the clearly worse model 4 (3 standard
    # errors): overfitting, not a second sweet spot
    assert of.fit_regions(errors, standard_errors=ses) == ["underfitting"] * 2 + ["sweet spot"] * 2 + \
        ["overfitting"] * 3
    assert of.within_noise(errors, ses)[5]


def test_learning_curves_simple_model_stays_above_the_floor_flexible_one_reaches_it():
    sizes = [15, 200, 1000]
    train1, val1 = of.learning_curves(1, sizes, noise=0.3, seeds=range(5))
    train15, val15 = of.learning_curves(15, sizes, noise=0.3, seeds=range(5))
    assert val1[-1] > 2.5 * 0.09 and abs(train1[-1] - val1[-1]) < 0.04  # bias: met, high above σ²
    assert train15[0] < 1e-12 and val15[0] > 10  # interpolates 15 points, wild in between
    assert val15[-1] == pytest.approx(0.09, rel=0.1)  # variance gone: at the floor


@pytest.mark.parametrize("shape", [(30, 8), (10, 40)])
@pytest.mark.parametrize("l2", [0.0, 1e-3, 1.0])
def test_ridge_solutions_equal_least_squares(shape, l2):
    rng = np.random.default_rng(1)
    features, y = rng.standard_normal(shape), rng.standard_normal((shape[0], 3))
    (w,) = of.ridge_solutions(features, y, [l2])
    np.testing.assert_allclose(w, nnlib.least_squares(features, y, l2=l2), atol=1e-10)


def test_ridge_solutions_rejects_a_negative_penalty():
    with pytest.raises(ValueError, match="l2"):
        of.ridge_solutions(np.eye(3), np.ones(3), [0.0, -1.0])


def test_sgd_weight_decay_is_half_the_least_squares_penalty():
    """SGD adds wd * p to the gradient of the mean loss: the minimum of
    mean loss + (wd / 2) |p|^2, i.e. least_squares(l2 = wd / 2)."""
    rng = np.random.default_rng(0)
    features, y = rng.uniform(-1, 1, (40, 4)), rng.standard_normal(40)
    model = nnlib.Linear(4, 1, rng=0)
    optimizer = nnlib.SGD(model.parameters(), lr=0.3, weight_decay=0.1)
    loss = nnlib.MSELoss()
    for _ in range(2000):
        optimizer.zero_grad()
        loss.forward(model.forward(features), y[:, None])
        model.backward(loss.backward())
        optimizer.step()
    w_sgd = np.concatenate([model.b.value, model.W.value[:, 0]])
    with_ones = np.column_stack([np.ones(40), features])
    np.testing.assert_allclose(w_sgd, nnlib.least_squares(with_ones, y, l2=0.05), atol=1e-9)
    assert np.abs(w_sgd - nnlib.least_squares(with_ones, y, l2=0.1)).max() > 1e-3


def test_double_descent_peaks_near_the_threshold_and_ridge_removes_it():
    x, y = nnlib.load_digits()
    result = of.double_descent(x, y, [50, 100, 250, 1000], n_train=200, seeds=(0, 1), l2_values=(0.0, 1e-3))
    plain, ridge = result.mean_errors(0.0), result.mean_errors(1e-3)
    assert plain[1] < 0.2 and plain[2] > 0.35 and plain[3] < 0.1  # down, up at the threshold, down again
    assert ridge[2] < 0.15 and ridge[2] < plain[2] / 3
    assert np.all(result.rank <= np.minimum(result.live_features, 200))
    assert np.all(result.rank[:, 2:] == 200)


def test_double_descent_checks_n_train():
    x, y = nnlib.load_digits()
    with pytest.raises(ValueError, match="n_train"):
        of.double_descent(x[:100], y[:100], [10], n_train=100)


def test_flipped_moons_flips_a_fifth_of_training_labels_only():
    (x, y), (x_val, y_val), flipped = of.flipped_moons(300, noise=0.15, flip=0.2, seed=0)
    assert len(x) == len(y) == 150 and len(x_val) == 150
    assert flipped.sum() == 30
    clean_x, clean_y = nnlib.make_moons(300, noise=0.15, rng=0)
    # the validation labels are the true ones: each validation point is in the clean data with its label
    index = {tuple(point): label for point, label in zip(clean_x, clean_y)}
    assert all(index[tuple(point)] == label for point, label in zip(x_val, y_val))
    assert all((index[tuple(point)] != label) == flip for point, label, flip in zip(x, y, flipped))
