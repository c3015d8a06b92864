"""Mini-batches and train / validation / test splits."""

import numpy as np
import pytest

from nnlib import batch_indices, batches_per_epoch, minibatches, train_val_test_split


def test_1000_examples_in_batches_of_64():
    batches = batch_indices(1000, 64, rng=0)
    assert len(batches) == 16
    assert [len(b) for b in batches] == [64] * 15 + [40]
    np.testing.assert_array_equal(np.sort(np.concatenate(batches)), np.arange(1000))


@pytest.mark.parametrize("n, batch_size", [(1, 1), (1, 64), (64, 64), (65, 64), (10, 3), (7, 1)])
def test_every_index_exactly_once(n, batch_size):
    batches = batch_indices(n, batch_size, rng=1)
    assert len(batches) == batches_per_epoch(n, batch_size) == -(-n // batch_size)
    everything = np.concatenate(batches)
    np.testing.assert_array_equal(np.bincount(everything, minlength=n), np.ones(n, dtype=int))
    assert all(len(b) == batch_size for b in batches[:-1])
    assert len(batches[-1]) == n - batch_size * (len(batches) - 1)


def test_batches_per_epoch_values():
    assert batches_per_epoch(1000, 64) == 16
    assert batches_per_epoch(1024, 64) == 16
    assert batches_per_epoch(1025, 64) == 17
    assert batches_per_epoch(5, 100) == 1


def test_epochs_reshuffle_and_seeds_repeat():
    generator = np.random.default_rng(42)
    first = np.concatenate(batch_indices(1000, 64, rng=generator))
    second = np.concatenate(batch_indices(1000, 64, rng=generator))
    assert not np.array_equal(first, second)  # the next epoch has a new order
    np.testing.assert_array_equal(first, np.concatenate(batch_indices(1000, 64, rng=42)))
    replay = np.random.default_rng(42)
    batch_indices(1000, 64, rng=replay)
    np.testing.assert_array_equal(second, np.concatenate(batch_indices(1000, 64, rng=replay)))
    np.testing.assert_array_equal(np.sort(second), np.arange(1000))
    assert not np.array_equal(first, np.concatenate(batch_indices(1000, 64, rng=43)))
    assert not np.array_equal(first, np.arange(1000))


def test_same_seed_gives_the_same_sequence_of_epochs():
    a, b = np.random.default_rng(7), np.random.default_rng(7)
    for _ in range(3):
        for x, y in zip(batch_indices(100, 16, rng=a), batch_indices(100, 16, rng=b)):
            np.testing.assert_array_equal(x, y)


def test_no_shuffle_gives_0_to_n_minus_1():
    batches = batch_indices(10, 4, shuffle=False)
    assert [b.tolist() for b in batches] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]


def make_xy(n):
    x = np.arange(n * 3, dtype=float).reshape(n, 3)
    y = np.arange(n) * 10  # y[i] == x[i, 0] / 3 * 10: easy to check the pairs
    return x, y


def test_minibatches_match_batch_indices_and_keep_pairs():
    x, y = make_xy(1000)
    pairs = list(minibatches(x, y, 64, rng=5))
    indices = batch_indices(1000, 64, rng=5)
    assert len(pairs) == len(indices) == 16
    for (xb, yb), idx in zip(pairs, indices):
        np.testing.assert_array_equal(xb, x[idx])
        np.testing.assert_array_equal(yb, y[idx])
        np.testing.assert_array_equal(yb, xb[:, 0] / 3 * 10)
    seen = np.concatenate([yb for _, yb in pairs]) // 10
    np.testing.assert_array_equal(np.sort(seen), np.arange(1000))


def test_minibatches_reshuffle_each_epoch_with_one_generator():
    x, y = make_xy(50)
    generator = np.random.default_rng(3)
    first = np.concatenate([yb for _, yb in minibatches(x, y, 8, rng=generator)])
    second = np.concatenate([yb for _, yb in minibatches(x, y, 8, rng=generator)])
    assert not np.array_equal(first, second)
    np.testing.assert_array_equal(np.sort(first), np.sort(second))


def test_minibatches_without_shuffle_are_slices_in_order():
    x, y = make_xy(10)
    pairs = list(minibatches(x, y, 4, shuffle=False))
    assert [yb.tolist() for _, yb in pairs] == [[0, 10, 20, 30], [40, 50, 60, 70], [80, 90]]
    assert all(np.shares_memory(xb, x) for xb, _ in pairs)  # views, not copies


def test_split_sizes_disjoint_complete_and_pairs_kept():
    n = 100
    x = np.column_stack([np.arange(n), -np.arange(n)]).astype(float)
    y = np.arange(n) + 1000
    (x_tr, y_tr), (x_va, y_va), (x_te, y_te) = train_val_test_split(x, y, val_fraction=0.2, test_fraction=0.1, rng=0)
    assert (len(x_tr), len(x_va), len(x_te)) == (70, 20, 10)
    assert x_tr.shape == (70, 2) and y_va.shape == (20,)
    ids = [part[:, 0].astype(int) for part in (x_tr, x_va, x_te)]
    np.testing.assert_array_equal(np.sort(np.concatenate(ids)), np.arange(n))  # disjoint and complete
    for xs, ys in ((x_tr, y_tr), (x_va, y_va), (x_te, y_te)):
        np.testing.assert_array_equal(ys, xs[:, 0] + 1000)
        np.testing.assert_array_equal(xs[:, 1], -xs[:, 0])
    assert y_tr.dtype == y.dtype
    assert not np.array_equal(ids[0], np.sort(ids[0]))  # shuffled


def test_split_of_the_digits_sizes():
    x = np.zeros((1797, 64))
    y = np.zeros(1797, dtype=int)
    train, val, test = train_val_test_split(x, y, val_fraction=0.15, test_fraction=0.15, rng=0)
    assert (len(train[0]), len(val[0]), len(test[0])) == (1797 - 2 * 270, 270, 270)


def test_split_is_deterministic_with_a_seed():
    x, y = make_xy(60)
    a = train_val_test_split(x, y, val_fraction=0.25, test_fraction=0.25, rng=11)
    b = train_val_test_split(x, y, val_fraction=0.25, test_fraction=0.25, rng=np.random.default_rng(11))
    c = train_val_test_split(x, y, val_fraction=0.25, test_fraction=0.25, rng=12)
    for part_a, part_b in zip(a, b):
        np.testing.assert_array_equal(part_a[0], part_b[0])
        np.testing.assert_array_equal(part_a[1], part_b[1])
    assert not np.array_equal(a[0][1], c[0][1])


def test_split_with_no_test_set():
    x, y = make_xy(40)
    train, val, test = train_val_test_split(x, y, val_fraction=0.25, test_fraction=0.0, rng=0)
    assert (len(train[0]), len(val[0])) == (30, 10)
    assert test[0].shape == (0, 3) and test[1].shape == (0,)


# Errors ---------------------------------------------------------------------

@pytest.mark.parametrize("batch_size", [0, -1])
def test_batch_size_must_be_at_least_one(batch_size):
    x, y = make_xy(10)
    with pytest.raises(ValueError, match=rf"batch_size must be at least 1; got {batch_size}"):
        batch_indices(10, batch_size)
    with pytest.raises(ValueError, match=rf"batch_size must be at least 1; got {batch_size}"):
        list(minibatches(x, y, batch_size))
    with pytest.raises(ValueError, match=rf"batch_size must be at least 1; got {batch_size}"):
        batches_per_epoch(10, batch_size)


def test_batch_size_must_be_an_integer():
    with pytest.raises(TypeError, match=r"batch_size must be a positive integer; got 32\.0"):
        batch_indices(100, 32.0)
    with pytest.raises(TypeError, match=r"batch_size must be a positive integer; got True"):
        batch_indices(100, True)


def test_n_and_lengths():
    with pytest.raises(ValueError, match=r"n must be at least 1; got 0"):
        batch_indices(0, 4)
    with pytest.raises(ValueError, match=r"x and y must have the same number of examples; got 10 and 9"):
        list(minibatches(np.zeros((10, 2)), np.zeros(9), 4))
    with pytest.raises(ValueError, match=r"x and y must have the same number of examples; got 10 and 9"):
        train_val_test_split(np.zeros((10, 2)), np.zeros(9), val_fraction=0.2, test_fraction=0.2)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_split_rejects_nan_and_inf(bad):
    x, y = make_xy(10)
    x[3, 1] = bad
    with pytest.raises(ValueError, match=r"x contains 1 NaN or infinite value\(s\); clean the data first"):
        train_val_test_split(x, y, val_fraction=0.2, test_fraction=0.2)
    x, _ = make_xy(10)
    y = y.astype(float)
    y[[0, 5]] = bad
    with pytest.raises(ValueError, match=r"y contains 2 NaN or infinite value\(s\)"):
        train_val_test_split(x, y, val_fraction=0.2, test_fraction=0.2)


def test_split_fractions_that_leave_no_training_set():
    x, y = make_xy(10)
    with pytest.raises(ValueError, match=r"val_fraction=0\.5 and test_fraction=0\.5 leave no training examples out of 10"):
        train_val_test_split(x, y, val_fraction=0.5, test_fraction=0.5)
    with pytest.raises(ValueError, match=r"leave no training examples out of 10; their sum must be below 1"):
        train_val_test_split(x, y, val_fraction=0.6, test_fraction=0.4)
    with pytest.raises(ValueError, match=r"val_fraction must be in \[0\.0, 1\.0\); got 1\.0"):
        train_val_test_split(x, y, val_fraction=1.0, test_fraction=0.0)
    with pytest.raises(ValueError, match=r"test_fraction must be in \[0\.0, 1\.0\); got -0\.1"):
        train_val_test_split(x, y, val_fraction=0.1, test_fraction=-0.1)
    with pytest.raises(ValueError, match=r"val_fraction=0\.01 of 10 examples rounds to an empty set"):
        train_val_test_split(x, y, val_fraction=0.01, test_fraction=0.2)


@pytest.mark.parametrize("bad_rng, type_name", [(np.random.RandomState(0), "RandomState"), (0.5, "float"),
                                                 ("seed", "str")])
def test_wrong_rng_type(bad_rng, type_name):
    x, y = make_xy(10)
    message = rf"rng must be a numpy.random.Generator, an int seed or None; got {type_name}"
    with pytest.raises(TypeError, match=message):
        batch_indices(10, 4, rng=bad_rng)
    with pytest.raises(TypeError, match=message):
        list(minibatches(x, y, 4, rng=bad_rng))
    with pytest.raises(TypeError, match=message):
        train_val_test_split(x, y, val_fraction=0.2, test_fraction=0.2, rng=bad_rng)
