"""Splitting data into mini-batches and into train / validation / test sets.

One epoch visits every example exactly once, in a new random order each
epoch. With n examples and batch size B there are ceil(n / B) batches: the
last one keeps the remainder. 1000 examples with B = 64 give 15 batches of
64 and one of 40, so 16 updates per epoch.
"""

import math

import numpy as np

from ._checks import as_rng, check_array, check_positive_int, check_range, check_same_length


def batches_per_epoch(n, batch_size):
    """ceil(n / batch_size): the number of updates in one epoch."""
    n = check_positive_int(n, "n")
    batch_size = check_positive_int(batch_size, "batch_size")
    return math.ceil(n / batch_size)


def epoch_order(n, *, shuffle=True, rng=None):
    """The order in which one epoch visits the n examples: a fresh random
    permutation when shuffling, else 0, 1, ..., n-1."""
    return as_rng(rng).permutation(n) if shuffle else np.arange(n)


def batch_indices(n, batch_size, *, shuffle=True, rng=None):
    """The batches of one epoch, as a list of index arrays.

    Every index in 0..n-1 appears exactly once. Sizes are batch_size, except
    the last, which keeps the remainder. Call it again with the same
    Generator for the next epoch: the order is drawn anew. An int seed makes
    a new Generator on every call, so the same int gives the same order
    every time (reproducible, but not reshuffled): for epochs, make one
    Generator, ``rng = np.random.default_rng(0)``, and pass it each time.
    """
    n = check_positive_int(n, "n")
    batch_size = check_positive_int(batch_size, "batch_size")
    order = epoch_order(n, shuffle=shuffle, rng=rng)
    return [order[start : start + batch_size] for start in range(0, n, batch_size)]


def minibatches(x, y, batch_size, *, shuffle=True, rng=None):
    """Yield (x_batch, y_batch) pairs covering one epoch.

    x: (n, ...), y: (n, ...). Batches come from the same order as
    ``batch_indices`` (and, like it, the same int seed gives the same order:
    pass one Generator across epochs); the data is reordered once per epoch
    (one copy) and each batch is then a slice of it, not a copy.
    """
    check_same_length(x, y)
    batch_size = check_positive_int(batch_size, "batch_size")
    n = check_positive_int(len(x), "len(x)")
    order = epoch_order(n, shuffle=shuffle, rng=rng)
    if shuffle:
        x, y = x[order], y[order]
    for start in range(0, n, batch_size):
        yield x[start : start + batch_size], y[start : start + batch_size]


def train_val_test_split(x, y, *, val_fraction, test_fraction, rng=None):
    """Shuffle, then split into training, validation and test sets.

    x: (n, ...), y: (n, ...). Returns (x_train, y_train), (x_val, y_val),
    (x_test, y_test). Sizes are round(n * fraction) for validation and test;
    the training set gets the rest and must not be empty.
    """
    x = check_array(x, "x")
    y = check_array(y, "y")
    check_same_length(x, y)
    val_fraction = check_range(val_fraction, "val_fraction", 0.0, 1.0)
    test_fraction = check_range(test_fraction, "test_fraction", 0.0, 1.0)
    n = len(x)
    n_val = round(n * val_fraction)
    n_test = round(n * test_fraction)
    if n - n_val - n_test < 1:
        raise ValueError(
            f"val_fraction={val_fraction} and test_fraction={test_fraction} leave no training "
            f"examples out of {n}; their sum must be below 1"
        )
    for name, fraction, count in (("val_fraction", val_fraction, n_val), ("test_fraction", test_fraction, n_test)):
        if fraction > 0 and count == 0:
            raise ValueError(f"{name}={fraction} of {n} examples rounds to an empty set; use a larger fraction")
    order = as_rng(rng).permutation(n)
    test_idx, val_idx, train_idx = np.split(order, [n_test, n_test + n_val])
    return (x[train_idx], y[train_idx]), (x[val_idx], y[val_idx]), (x[test_idx], y[test_idx])
