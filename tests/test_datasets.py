"""Datasets: the shipped digits and the seeded makers."""

import numpy as np
import pytest

from nnlib import load_digits, make_line, make_moons, make_sine, make_spirals


def test_digits_shapes_dtypes_and_values():
    x, y = load_digits()
    assert x.shape == (1797, 64) and x.dtype == np.float64
    assert y.shape == (1797,) and y.dtype == np.int64
    assert x.min() == 0.0 and x.max() == 1.0
    np.testing.assert_array_equal(np.unique(y), np.arange(10))
    counts = np.bincount(y)
    assert counts.sum() == 1797
    assert counts.min() >= 170 and counts.max() <= 190  # about 180 of each digit
    assert counts.tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]


def test_digits_unscaled_are_integers_0_to_16():
    x, y = load_digits(scale=False)
    assert x.min() == 0.0 and x.max() == 16.0
    np.testing.assert_array_equal(x, np.round(x))
    np.testing.assert_array_equal(load_digits()[0] * 16, x)


def test_digits_look_like_digits():
    """The mean image of each class differs from the others: a nearest-mean
    classifier on the pixels already gets most digits right."""
    x, y = load_digits()
    means = np.stack([x[y == k].mean(axis=0) for k in range(10)])
    distances = ((x[:, None, :] - means[None]) ** 2).sum(axis=2)
    assert np.mean(distances.argmin(axis=1) == y) > 0.85
    zero = means[0].reshape(8, 8)
    assert zero[3:5, 3:5].mean() < zero[3:5, 1].mean()  # a 0 is hollow in the middle


def test_digits_match_scikit_learn_when_available():
    datasets = pytest.importorskip("sklearn.datasets")
    reference = datasets.load_digits()
    x, y = load_digits(scale=False)
    np.testing.assert_array_equal(x, reference.data)
    np.testing.assert_array_equal(y, reference.target)


MAKERS = [
    (make_line, dict(n_samples=50), (50, 1), (50, 1)),
    (make_sine, dict(n_samples=30), (30, 1), (30, 1)),
    (make_moons, dict(n_samples=101), (101, 2), (101,)),
    (make_spirals, dict(n_samples=90), (90, 2), (90,)),
]


@pytest.mark.parametrize("maker, kwargs, x_shape, y_shape", MAKERS)
def test_makers_shapes_and_determinism(maker, kwargs, x_shape, y_shape):
    x1, y1 = maker(**kwargs, rng=0)
    x2, y2 = maker(**kwargs, rng=np.random.default_rng(0))
    x3, _ = maker(**kwargs, rng=1)
    assert x1.shape == x_shape and y1.shape == y_shape
    assert x1.dtype == np.float64
    np.testing.assert_array_equal(x1, x2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(x1, x3)
    assert np.isfinite(x1).all()


def test_make_line_is_near_its_line():
    x, y = make_line(2000, w=-1.5, b=0.7, noise=0.1, rng=0)
    w_fit, b_fit = np.polyfit(x[:, 0], y[:, 0], 1)
    assert w_fit == pytest.approx(-1.5, abs=0.02) and b_fit == pytest.approx(0.7, abs=0.01)
    assert np.std(y[:, 0] - (w_fit * x[:, 0] + b_fit)) == pytest.approx(0.1, rel=0.05)
    assert x.min() >= -1.0 and x.max() <= 1.0
    x0, y0 = make_line(20, w=3.0, b=-2.0, noise=0.0, x_range=(2.0, 5.0), rng=0)
    np.testing.assert_allclose(y0, 3.0 * x0 - 2.0, rtol=1e-15)
    assert x0.min() >= 2.0 and x0.max() <= 5.0


def test_make_sine_is_sorted_and_near_the_sine():
    x, y = make_sine(200, noise=0.0, rng=0)
    assert np.all(np.diff(x[:, 0]) >= 0) and x.min() >= 0.0 and x.max() <= 1.0
    np.testing.assert_allclose(y, np.sin(2 * np.pi * x), atol=1e-15)


def test_make_moons_balance_and_geometry():
    for n in (100, 101):
        _, y = make_moons(n, rng=0)
        assert y.dtype == np.int64 and set(np.unique(y)) == {0, 1}
        assert abs(np.count_nonzero(y == 0) - np.count_nonzero(y == 1)) <= 1
    x, y = make_moons(200, noise=0.0, rng=0)
    # Without noise: the upper moon lies on the unit circle, the lower one on
    # the circle of radius 1 around (1, 0.5).
    np.testing.assert_allclose(np.hypot(x[y == 0, 0], x[y == 0, 1]), 1.0, rtol=1e-14)
    np.testing.assert_allclose(np.hypot(x[y == 1, 0] - 1, x[y == 1, 1] - 0.5), 1.0, rtol=1e-14)
    assert np.all(x[y == 0, 1] >= -1e-15) and np.all(x[y == 1, 1] <= 0.5 + 1e-15)
    assert not np.array_equal(y[:100], np.sort(y[:100]))  # shuffled


def test_make_spirals_balance_and_range():
    x, y = make_spirals(300, n_classes=3, rng=0)
    assert np.bincount(y).tolist() == [100, 100, 100]
    assert np.abs(x).max() <= 1.0
    radius = np.hypot(x[:, 0], x[:, 1])
    assert radius.min() >= 0.05 - 1e-12 and radius.max() <= 1.0 + 1e-12
    _, y5 = make_spirals(101, n_classes=5, rng=0)
    counts = np.bincount(y5)
    assert len(counts) == 5 and counts.max() - counts.min() <= 1


def test_maker_argument_errors():
    with pytest.raises(ValueError, match=r"n_samples must be at least 1; got 0"):
        make_moons(0)
    with pytest.raises(ValueError, match=r"noise must be in \[0\.0, inf\); got -0\.1"):
        make_line(10, noise=-0.1)
    with pytest.raises(ValueError, match=r"n_classes must be at least 2; got 1"):
        make_spirals(10, n_classes=1)
    with pytest.raises(TypeError, match=r"rng must be a numpy.random.Generator, an int seed or None; got float"):
        make_sine(10, rng=1.5)
