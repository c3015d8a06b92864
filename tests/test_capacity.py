"""polynomial_features, least_squares, random_relu_features and corrupt_labels."""

import numpy as np
import pytest

from nnlib import corrupt_labels, least_squares, load_digits, make_sine, polynomial_features, random_relu_features


def test_polynomial_features_are_legendre_on_the_data_range():
    x = np.array([0.0, 0.5, 1.0])
    f = polynomial_features(x, 2)
    t = np.array([-1.0, 0.0, 1.0])  # [0, 1] mapped to [-1, 1]
    np.testing.assert_allclose(f, np.column_stack([np.ones(3), t, (3 * t**2 - 1) / 2]))


def test_polynomial_features_accept_a_column_and_a_given_range():
    x = np.linspace(0, 1, 5)[:, None]
    assert polynomial_features(x, 3).shape == (5, 4)
    inside = polynomial_features(np.array([0.5]), 1, x_range=(0.0, 2.0))
    np.testing.assert_allclose(inside, [[1.0, -0.5]])


def test_degree_n_minus_1_passes_through_every_point_and_stays_accurate_at_degree_30():
    x, y = make_sine(31, noise=0.3, rng=0)
    features = polynomial_features(x, 30)
    w = least_squares(features, y)
    np.testing.assert_allclose(features @ w, y, atol=1e-6)
    t = 2 * (x[:, 0] - x.min()) / (x.max() - x.min()) - 1
    powers = np.vander(t, 31)  # 1, t, t², ... on the same points: about 1e18, past float64's 1e16
    assert np.linalg.cond(features) < 1e-6 * np.linalg.cond(powers)


def test_least_squares_matches_the_normal_equations_and_ridge_shrinks_the_weights():
    rng = np.random.default_rng(0)
    f = rng.standard_normal((50, 4))
    y = f @ np.array([1.0, -2.0, 0.5, 3.0]) + 0.1 * rng.standard_normal(50)
    np.testing.assert_allclose(least_squares(f, y), np.linalg.solve(f.T @ f, f.T @ y))
    l2 = 0.3
    ridge = least_squares(f, y, l2=l2)
    np.testing.assert_allclose(ridge, np.linalg.solve(f.T @ f / 50 + l2 * np.eye(4), f.T @ y / 50))
    assert np.linalg.norm(ridge) < np.linalg.norm(least_squares(f, y))


def test_least_squares_is_minimum_norm_when_over_parameterised():
    rng = np.random.default_rng(1)
    f = rng.standard_normal((5, 20))
    y = rng.standard_normal(5)
    w = least_squares(f, y)
    np.testing.assert_allclose(f @ w, y, atol=1e-10)
    np.testing.assert_allclose(w, np.linalg.pinv(f) @ y, atol=1e-10)


@pytest.mark.parametrize("call, words", [
    (lambda: polynomial_features(np.ones(3), -1), "degree"),
    (lambda: polynomial_features(np.ones((3, 2)), 2), "(n, 1)"),
    (lambda: polynomial_features(np.ones(3), 2), "x_range"),
    (lambda: least_squares(np.ones((3, 2)), np.ones(4)), "same number"),
    (lambda: least_squares(np.ones((3, 2)), np.ones(3), l2=-1.0), "l2"),
    (lambda: least_squares(np.full((3, 2), np.nan), np.ones(3)), "NaN"),
])
def test_bad_input_is_named(call, words):
    with pytest.raises(ValueError, match=words.replace("(", r"\(").replace(")", r"\)")):
        call()


def test_random_relu_features_reuse_their_weights():
    x, _ = load_digits()
    train, weights = random_relu_features(x[:10], 30, rng=0)
    again, _ = random_relu_features(x[:10], 30, weights=weights)
    assert train.shape == (10, 30) and (train >= 0).all()
    np.testing.assert_array_equal(train, again)
    with pytest.raises(ValueError, match="weights"):
        random_relu_features(x[:10], 31, weights=weights)


def test_corrupt_labels_changes_exactly_the_fraction_to_other_classes():
    y = np.arange(1000) % 10
    y_noisy, flipped = corrupt_labels(y, 0.3, n_classes=10, rng=0)
    assert flipped.sum() == 300
    assert (y_noisy[flipped] != y[flipped]).all() and (y_noisy[~flipped] == y[~flipped]).all()
    assert set(np.unique(y_noisy)) <= set(range(10))
    np.testing.assert_array_equal(y, np.arange(1000) % 10)  # the input is not modified
    again, _ = corrupt_labels(y, 0.3, n_classes=10, rng=0)
    np.testing.assert_array_equal(again, y_noisy)


@pytest.mark.parametrize("kwargs, words", [
    ({"fraction": 1.5}, "fraction"),
    ({"fraction": 0.1, "n_classes": 3}, "labels 0..2"),
    ({"fraction": 0.1, "n_classes": 1}, "n_classes"),
])
def test_corrupt_labels_bad_input(kwargs, words):
    with pytest.raises(ValueError, match=words):
        corrupt_labels(np.arange(10) % 5, **kwargs)


def test_least_squares_with_one_hot_targets_is_one_ridge_fit_per_output():
    """For y of shape (n, k) the penalty is l2 per output column: the loss is
    the per-example squared error summed over the k outputs, averaged over the
    n examples (not a mean over all n*k entries, which would mean k * l2)."""
    rng = np.random.default_rng(3)
    f, labels = rng.standard_normal((40, 6)), rng.integers(0, 3, 40)
    onehot = np.eye(3)[labels]
    w = least_squares(f, onehot, l2=0.1)
    for j in range(3):
        np.testing.assert_allclose(w[:, j], least_squares(f, onehot[:, j], l2=0.1), atol=1e-12)
    # the gradient of (1/n) sum_i |f_i w - y_i|^2 + l2 |w|^2 is zero there
    gradient = 2 * f.T @ (f @ w - onehot) / 40 + 2 * 0.1 * w
    np.testing.assert_allclose(gradient, 0, atol=1e-12)
