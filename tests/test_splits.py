"""nnlib.splits: stratified splits, overlap checks, error bars of a test
score and the winner's curse, each against a direct computation."""

import math

import numpy as np
import pytest

import nnlib
from nnlib import (accuracy_margin, best_of_k, examples_needed, expected_best_accuracy, shared_rows,
                   stratified_split)


def unbalanced(n_common=180, n_rare=20):
    y = np.array([0] * n_common + [1] * n_rare)
    x = np.arange(len(y), dtype=float)[:, None] * np.ones((1, 3))  # every row different
    return x, y


def test_stratified_split_keeps_every_class_share_in_each_set():
    x, y = unbalanced()
    (x_tr, y_tr), (x_va, y_va), (x_te, y_te) = stratified_split(x, y, val_fraction=0.1, test_fraction=0.2, rng=0)
    assert np.bincount(y_va).tolist() == [18, 2]
    assert np.bincount(y_te).tolist() == [36, 4]
    assert np.bincount(y_tr).tolist() == [126, 14]
    # every example exactly once, and x stays paired with its y
    rows = np.concatenate([x_tr, x_va, x_te])[:, 0].astype(int)
    assert sorted(rows.tolist()) == list(range(200))
    np.testing.assert_array_equal(np.concatenate([y_tr, y_va, y_te]), y[rows])


def test_stratified_split_shuffles_and_is_reproducible():
    x, y = unbalanced()
    first = stratified_split(x, y, val_fraction=0.1, test_fraction=0.2, rng=3)
    again = stratified_split(x, y, val_fraction=0.1, test_fraction=0.2, rng=3)
    other = stratified_split(x, y, val_fraction=0.1, test_fraction=0.2, rng=4)
    np.testing.assert_array_equal(first[0][0], again[0][0])
    assert not np.array_equal(first[0][0], other[0][0])
    assert not np.all(np.diff(first[0][0][:, 0]) > 0)  # not in the original order


def test_a_plain_random_split_can_miss_the_rare_class_a_stratified_one_cannot():
    x, y = unbalanced(n_common=190, n_rare=10)
    plain = [np.sum(nnlib.train_val_test_split(x, y, val_fraction=0.1, test_fraction=0.0, rng=s)[1][1] == 1)
             for s in range(200)]
    strat = [np.sum(stratified_split(x, y, val_fraction=0.1, test_fraction=0.0, rng=s)[1][1] == 1)
             for s in range(200)]
    assert min(plain) == 0 and max(plain) >= 2
    assert set(strat) == {1}  # 10 rare examples, 10 %: always exactly one


@pytest.mark.parametrize("kwargs, words", [
    ({"val_fraction": 0.5, "test_fraction": 0.5}, "sum must be below 1"),
    ({"val_fraction": -0.1, "test_fraction": 0.2}, "val_fraction"),
    ({"val_fraction": 0.45, "test_fraction": 0.45}, "class 1 has only 2"),
])
def test_stratified_split_bad_fractions(kwargs, words):
    x, y = np.zeros((12, 2)), np.array([0] * 10 + [1] * 2)
    with pytest.raises(ValueError, match=words):
        stratified_split(x, y, **kwargs)


def test_stratified_split_needs_integer_labels_of_the_same_length():
    with pytest.raises(ValueError, match="integer class labels"):
        stratified_split(np.zeros((4, 2)), np.array([0.0, 1.0, 0.0, 1.0]), val_fraction=0.25, test_fraction=0.25)
    with pytest.raises(ValueError, match="same number of examples"):
        stratified_split(np.zeros((4, 2)), np.array([0, 1, 0]), val_fraction=0.25, test_fraction=0.25)


def test_shared_rows_counts_exact_duplicates_only():
    a = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    b = np.array([[3.0, 4.0], [1.0, 2.0000001], [7.0, 8.0]])
    assert shared_rows(a, b) == 1
    assert shared_rows(a, a) == 3
    assert shared_rows(a, np.empty((0, 2))) == 0
    assert shared_rows(np.array([[1, 2]]), np.array([[1.0, 2.0]])) == 1  # int and float rows compare by value


def test_shared_rows_finds_the_copies_an_oversampled_split_makes():
    x, y = nnlib.load_digits()
    rare = np.flatnonzero(y == 0)[:20]
    x_big = np.concatenate([x, x[rare], x[rare]])  # the rare images copied twice, then split
    train, _, test = nnlib.train_val_test_split(x_big, np.zeros(len(x_big), int), val_fraction=0.0,
                                                test_fraction=0.3, rng=0)
    assert shared_rows(test[0], train[0]) > 0
    clean = nnlib.train_val_test_split(x, y, val_fraction=0.0, test_fraction=0.3, rng=0)
    assert shared_rows(clean[2][0], clean[0][0]) == 0


def test_shared_rows_needs_the_same_shape_per_example():
    with pytest.raises(ValueError, match="same shape per example"):
        shared_rows(np.zeros((2, 3)), np.zeros((2, 4)))


def test_accuracy_margin_is_z_sigma_and_examples_needed_inverts_it():
    assert accuracy_margin(0.5, 2500, z=1.0) == pytest.approx(0.01)
    assert accuracy_margin(0.9, 100) == pytest.approx(1.96 * 0.03)
    np.testing.assert_allclose(accuracy_margin(0.5, np.array([100, 10000]), z=1.0), [0.05, 0.005])
    assert examples_needed(0.5, 0.01, z=1.0) == 2500
    assert examples_needed(0.5, 0.01) == 9604  # 1.96² * 2500
    assert examples_needed(0.9, 0.01) == 3458
    for p in (0.6, 0.9, 0.97):
        n = examples_needed(p, 0.02)
        assert accuracy_margin(p, n) <= 0.02 < accuracy_margin(p, n - 1)


def test_the_95_percent_margin_covers_the_truth_95_percent_of_the_time():
    rng = np.random.default_rng(0)
    n, p = 400, 0.8
    measured = rng.binomial(n, p, size=20000) / n
    covered = np.abs(measured - p) <= accuracy_margin(p, n)
    assert 0.94 < covered.mean() < 0.97


@pytest.mark.parametrize("call, words", [
    (lambda: accuracy_margin(1.5, 100), "accuracy"),
    (lambda: accuracy_margin(0.5, 0), "n must be at least 1"),
    (lambda: examples_needed(0.5, 0.0), "margin must be above 0"),
    (lambda: examples_needed(0.5, 0.01, z=0), "z must be positive"),
    (lambda: expected_best_accuracy(0, 100, 0.8), "k must be whole numbers"),
    (lambda: expected_best_accuracy(5, 0, 0.8), "n_test"),
    (lambda: best_of_k([1, 2], [1, 2], [3]), "from 1 to the number of models"),
    (lambda: best_of_k([1, 2], [1, 2, 3], [1]), "same number"),
])
def test_bad_input_is_named(call, words):
    with pytest.raises((ValueError, TypeError), match=words):
        call()


def test_expected_best_accuracy_matches_the_issue_numbers_and_a_simulation():
    best = expected_best_accuracy(np.array([1, 20, 100, 1000]), 100, 0.8)
    np.testing.assert_allclose(best, [0.80, 0.8715, 0.8940, 0.9181], atol=5e-5)
    assert expected_best_accuracy(1, 10, 0.3) == pytest.approx(0.3)
    rng = np.random.default_rng(1)
    simulated = rng.binomial(100, 0.8, size=(4000, 20)).max(axis=1).mean() / 100
    assert simulated == pytest.approx(expected_best_accuracy(20, 100, 0.8), abs=0.002)


def test_expected_best_accuracy_for_large_test_sets_and_sure_models():
    # 5000 test examples: math.comb would overflow a float; K = 1 is the mean, and the best of 100 sits
    # about 2.5 standard deviations (sqrt(0.9 * 0.1 / 5000) = 0.42 points) above it
    assert expected_best_accuracy(1, 5000, 0.9) == pytest.approx(0.9, abs=1e-9)
    assert 0.9 + 2.2 * 0.0042 < expected_best_accuracy(100, 5000, 0.9) < 0.9 + 2.7 * 0.0042
    assert expected_best_accuracy(50, 20, 1.0) == 1.0
    assert expected_best_accuracy(50, 20, 0.0) == 0.0


def test_best_of_k_picks_the_first_best_and_averages_over_orders():
    test = np.array([5, 9, 9, 3])
    fresh = np.array([1, 2, 3, 4])
    winner_test, winner_fresh = best_of_k(test, fresh, np.array([1, 4]), repeats=4000, rng=0)
    assert winner_test[0] == pytest.approx(test.mean(), abs=0.15)  # one model: any of them
    assert winner_fresh[0] == pytest.approx(fresh.mean(), abs=0.1)
    assert winner_test[1] == 9  # all four: always a 9, and either of the two tied ones
    assert winner_fresh[1] == pytest.approx(2.5, abs=0.05)


def test_best_of_k_on_independent_models_follows_the_binomial_expectation():
    rng = np.random.default_rng(2)
    test = rng.binomial(100, 0.8, size=1000)
    fresh = rng.binomial(10000, 0.8, size=1000)
    ks = np.array([1, 20, 100])
    winner_test, winner_fresh = best_of_k(test, fresh, ks, repeats=300, rng=3)
    np.testing.assert_allclose(winner_test / 100, expected_best_accuracy(ks, 100, 0.8), atol=0.006)
    np.testing.assert_allclose(winner_fresh / 10000, 0.8, atol=0.002)  # the winner was only lucky
