"""Training, validation and test sets done right, and what one test set can
tell you (notebook 06). numpy and the standard library only.

    stratified_split        like train_val_test_split, keeping each class's share
    shared_rows             how many examples of one set also sit in another
    accuracy_margin         ±z·sqrt(p(1-p)/n): the error bar of a measured accuracy
    examples_needed         the test-set size for a given error bar
    expected_best_accuracy  exact mean of the best of K binomial test scores
    best_of_k               the winner among K models: its test and fresh scores
    k_fold_indices          k folds for cross-validation, stratified by class if asked

A test score is one draw of a noisy measurement: n test examples give an
accuracy that wobbles by about sqrt(p(1-p)/n) around the true one. Picking
the best of K models by that score picks the luckiest draw too, which is
why the winner's test score is too high (the winner's curse).
"""

import math

import numpy as np

from ._checks import as_rng, check_array, check_positive_int, check_range, check_same_length
from .stats import _binomial_pmf


def _check_labels(y, name="y"):
    y = np.asarray(y)
    if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"{name} must be a 1-D array of integer class labels; got shape {y.shape}, dtype {y.dtype}")
    return y


def stratified_split(x, y, *, val_fraction, test_fraction, rng=None):
    """Shuffle, then split so that every class keeps its share in each set.

    x: (n, ...), y: (n,) integer labels. Returns (x_train, y_train),
    (x_val, y_val), (x_test, y_test) like ``train_val_test_split``; within
    each class round(n_class * fraction) examples go to validation and to
    test, the rest to training (each set then shuffled). With a rare class
    a plain random split can leave it out of a small validation set
    altogether; this one cannot.
    """
    x = check_array(x, "x")
    y = _check_labels(y)
    check_same_length(x, y)
    val_fraction = check_range(val_fraction, "val_fraction", 0.0, 1.0)
    test_fraction = check_range(test_fraction, "test_fraction", 0.0, 1.0)
    if val_fraction + test_fraction >= 1.0:
        raise ValueError(f"val_fraction={val_fraction} and test_fraction={test_fraction} leave no training "
                         f"examples; their sum must be below 1")
    rng = as_rng(rng)
    parts = ([], [], [])  # train, val, test indices
    for label in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == label))
        n_val, n_test = round(len(members) * val_fraction), round(len(members) * test_fraction)
        if len(members) - n_val - n_test < 1:
            raise ValueError(f"class {label} has only {len(members)} example(s): val_fraction={val_fraction} and "
                             f"test_fraction={test_fraction} leave none of them for training")
        parts[2].append(members[:n_test])
        parts[1].append(members[n_test:n_test + n_val])
        parts[0].append(members[n_test + n_val:])
    train, val, test = (rng.permutation(np.concatenate(part)) for part in parts)
    return (x[train], y[train]), (x[val], y[val]), (x[test], y[test])


def shared_rows(a, b):
    """How many rows of ``a`` also appear, exactly, as a row of ``b``.

    a: (n, ...), b: (m, ...) with the same shape per example. 0 means no
    example of ``a`` is also in ``b``: what a training set and a test set
    must give.
    """
    a, b = check_array(a, "a", finite=False), check_array(b, "b", finite=False)
    if a.shape[1:] != b.shape[1:]:
        raise ValueError(f"a and b must have the same shape per example; got {a.shape[1:]} and {b.shape[1:]}")
    dtype, width = np.result_type(a, b), int(np.prod(a.shape[1:]))

    def as_rows(array):  # one bytes key per example; + 0 turns -0.0 into 0.0
        return np.ascontiguousarray(array + 0, dtype=dtype).reshape(len(array), width)

    seen = {row.tobytes() for row in as_rows(b)}
    return sum(row.tobytes() in seen for row in as_rows(a))


def accuracy_margin(accuracy, n, *, z=1.96):
    """Half the width of the error bar of an accuracy measured on n examples:
    z * sqrt(p (1 - p) / n). z = 1.96 covers the truth 95 % of the time,
    z = 1 is one standard deviation (68 %). Works on arrays of n."""
    accuracy = check_range(accuracy, "accuracy", 0.0, 1.0, include_high=True)
    n = check_array(n, "n")
    if np.any(n < 1):
        raise ValueError(f"n must be at least 1 test example; got {n.min()}")
    if not z > 0:
        raise ValueError(f"z must be positive (1.96 for 95 %); got {z!r}")
    return z * np.sqrt(accuracy * (1.0 - accuracy) / n)


def examples_needed(accuracy, margin, *, z=1.96):
    """The smallest test-set size n with accuracy_margin(accuracy, n, z) <= margin.

    n = ceil(z² p (1 - p) / margin²); margin as a fraction (0.01 is one point).
    """
    accuracy = check_range(accuracy, "accuracy", 0.0, 1.0, include_high=True)
    margin = check_range(margin, "margin", 0.0, 1.0)
    if margin == 0:
        raise ValueError("margin must be above 0; got 0")
    if not z > 0:
        raise ValueError(f"z must be positive (1.96 for 95 %); got {z!r}")
    # The product is rounded to 12 significant digits first, so that an exact
    # answer such as 2500 is not pushed to 2501 by round-off.
    return max(1, math.ceil(float(f"{z * z * accuracy * (1.0 - accuracy) / margin ** 2:.12g}")))


def expected_best_accuracy(k, n_test, accuracy):
    """The mean of the best of k test scores, each the accuracy of a model that
    is truly right with probability ``accuracy`` on each of n_test examples,
    independently: E[max of k Binomial(n_test, accuracy)] / n_test, exactly.

    k: an int or an array of ints >= 1. Uses E[M] = sum_j P(M > j) and
    P(M <= j) = F(j)^k, F the binomial distribution function.
    """
    n_test = check_positive_int(n_test, "n_test")
    accuracy = check_range(accuracy, "accuracy", 0.0, 1.0, include_high=True)
    k = np.asarray(k)
    if not np.issubdtype(k.dtype, np.integer) or np.any(k < 1):
        raise ValueError(f"k must be whole numbers >= 1; got {k!r}")
    cdf = np.minimum(np.cumsum(_binomial_pmf(n_test, accuracy))[:-1], 1.0)  # F(0) .. F(n_test - 1)
    best = np.sum(1.0 - cdf[None, :] ** k.reshape(-1, 1).astype(float), axis=1) / n_test
    return best.reshape(k.shape) if k.ndim else float(best[0])


def best_of_k(test_scores, fresh_scores, ks, *, repeats=200, rng=None):
    """Pick the model with the best test score among k, for each k in ks, and
    average over ``repeats`` random orders of the models.

    test_scores, fresh_scores: (m,) one score per model (e.g. counts of
    correct answers) on the reused test set and on fresh data. The first
    k models of each random order compete; among equal test scores the
    first one wins. Returns (winner_test (len(ks),), winner_fresh (len(ks),)):
    the mean test and fresh score of the winner.
    """
    test_scores = check_array(test_scores, "test_scores", ndim=1)
    fresh_scores = check_array(fresh_scores, "fresh_scores", ndim=1)
    check_same_length(test_scores, fresh_scores, "test_scores", "fresh_scores")
    m = len(test_scores)
    ks = np.asarray(ks)
    if not np.issubdtype(ks.dtype, np.integer) or np.any(ks < 1) or np.any(ks > m):
        raise ValueError(f"ks must be whole numbers from 1 to the number of models ({m}); got {ks!r}")
    repeats = check_positive_int(repeats, "repeats")
    rng = as_rng(rng)
    orders = np.stack([rng.permutation(m) for _ in range(repeats)])  # (repeats, m)
    tests = test_scores[orders]
    # The winner after i models: the first position where the running best was reached.
    running_best = np.maximum.accumulate(tests, axis=1)
    improved = np.ones_like(tests, dtype=bool)
    improved[:, 1:] = tests[:, 1:] > running_best[:, :-1]
    winner_at = np.maximum.accumulate(np.where(improved, np.arange(m), 0), axis=1)
    winners = np.take_along_axis(orders, winner_at, axis=1)  # model index of the winner after i + 1 models
    chosen = winners[:, ks - 1]  # (repeats, len(ks))
    return test_scores[chosen].mean(axis=0), fresh_scores[chosen].mean(axis=0)


def k_fold_indices(n, k, *, labels=None, rng=None):
    """Split the examples 0..n-1 into k folds for k-fold cross-validation.

    Returns a list of k pairs (train_idx, val_idx), both sorted: each example
    is in exactly one val_idx, and the fold sizes differ by at most one.
    Training on train_idx and scoring on val_idx k times, then averaging,
    uses every example for validation once: a steadier estimate than one
    split, and the spread over folds shows how much one split can vary.
    labels: (n,) integer classes; when given, each class is dealt out over
    the folds in turn, so every fold keeps the class shares (stratified).
    """
    n = check_positive_int(n, "n")
    k = check_positive_int(k, "k")
    if not 2 <= k <= n:
        raise ValueError(f"k must be from 2 to n = {n} folds; got {k}")
    rng = as_rng(rng)
    if labels is None:
        order = rng.permutation(n)
    else:
        labels = _check_labels(labels, "labels")
        if len(labels) != n:
            raise ValueError(f"labels must have one class per example: n = {n}; got {len(labels)} labels")
        order = np.concatenate([rng.permutation(np.flatnonzero(labels == c)) for c in np.unique(labels)])
    fold = np.empty(n, dtype=int)
    fold[order] = np.arange(n) % k  # deal the (class-grouped) shuffled examples out like cards
    return [(np.flatnonzero(fold != i), np.flatnonzero(fold == i)) for i in range(k)]
