"""Small data sets, all offline: seeded synthetic makers and the real 8x8
handwritten digits shipped with the package (see resources/DIGITS_SOURCE.md).

Regression makers return x: (n, 1) and y: (n, 1) floats; classification
makers return x: (n, 2) floats and y: (n,) integer labels.
"""

from pathlib import Path

import numpy as np

from ._checks import as_rng, check_positive_int, check_range

DIGITS_FILE = Path(__file__).parent / "resources" / "digits.npz"


def load_digits(*, scale=True):
    """The 1797 handwritten digits: x (1797, 64) float64, y (1797,) int64.

    Each row is an 8x8 image flattened row by row. Pixels are 0..16 in the
    file; scale=True divides them by 16 so they lie in [0, 1].
    """
    with np.load(DIGITS_FILE) as data:
        images = data["images"].astype(np.float64)
        labels = data["labels"].astype(np.int64)
    x = images.reshape(len(images), 64)
    return (x / 16.0 if scale else x), labels


def _check_noise(noise):
    return check_range(noise, "noise", 0.0, np.inf)


def make_line(n_samples=100, *, w=2.0, b=1.0, noise=0.5, x_range=(-1.0, 1.0), rng=None):
    """Points near the line y = w*x + b: x uniform in x_range, plus Gaussian
    noise of standard deviation ``noise`` on y. The best (w, b) for the mean
    squared error is close to the given one. Returns x (n, 1), y (n, 1)."""
    n = check_positive_int(n_samples, "n_samples")
    noise = _check_noise(noise)
    rng = as_rng(rng)
    x = rng.uniform(x_range[0], x_range[1], size=(n, 1))
    y = w * x + b + noise * rng.standard_normal((n, 1))
    return x, y


def make_sine(n_samples=30, *, noise=0.2, rng=None):
    """Noisy samples of y = sin(2 pi x) with x uniform in [0, 1], sorted.
    Few points and a flexible model overfit; a straight line underfits.
    Returns x (n, 1), y (n, 1)."""
    n = check_positive_int(n_samples, "n_samples")
    noise = _check_noise(noise)
    rng = as_rng(rng)
    x = np.sort(rng.uniform(0.0, 1.0, size=n))[:, None]
    y = np.sin(2 * np.pi * x) + noise * rng.standard_normal((n, 1))
    return x, y


def make_moons(n_samples=200, *, noise=0.1, rng=None):
    """Two interleaving half circles, labels 0 and 1, with Gaussian noise of
    standard deviation ``noise`` on both coordinates. Returns x (n, 2),
    y (n,); the classes differ in size by at most one."""
    n = check_positive_int(n_samples, "n_samples")
    noise = _check_noise(noise)
    rng = as_rng(rng)
    n_upper = n // 2
    n_lower = n - n_upper
    t_upper = np.linspace(0, np.pi, n_upper)
    t_lower = np.linspace(0, np.pi, n_lower)
    upper = np.column_stack([np.cos(t_upper), np.sin(t_upper)])
    lower = np.column_stack([1 - np.cos(t_lower), 0.5 - np.sin(t_lower)])
    x = np.vstack([upper, lower]) + noise * rng.standard_normal((n, 2))
    y = np.concatenate([np.zeros(n_upper, np.int64), np.ones(n_lower, np.int64)])
    order = rng.permutation(n)
    return x[order], y[order]


def make_spirals(n_samples=300, *, n_classes=3, noise=0.2, rng=None):
    """``n_classes`` spiral arms winding out from the origin (cs231n's toy
    problem), labels 0..n_classes-1; no straight line separates them.
    Returns x (n, 2) in about [-1, 1], y (n,)."""
    n = check_positive_int(n_samples, "n_samples")
    n_classes = check_positive_int(n_classes, "n_classes")
    if n_classes < 2:
        raise ValueError(f"n_classes must be at least 2; got {n_classes}")
    noise = _check_noise(noise)
    rng = as_rng(rng)
    y = np.arange(n) % n_classes
    radius = np.linspace(0.05, 1.0, n)[rng.permutation(n)]
    angle = y * (2 * np.pi / n_classes) + 4.0 * radius + noise * rng.standard_normal(n)
    x = np.column_stack([radius * np.sin(angle), radius * np.cos(angle)])
    return x, y.astype(np.int64)


def corrupt_labels(y, fraction, *, n_classes=None, rng=None):
    """Change exactly round(fraction * len(y)) labels, chosen at random, to
    another class (never the same one). ``y`` itself is not modified.

    y: (n,) integer labels 0..n_classes-1 (n_classes defaults to max(y) + 1).
    Returns (y_noisy (n,), flipped (n,) bool: True where the label changed).
    """
    y = np.asarray(y)
    if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"y must be a 1-D array of integer labels; got shape {y.shape}, dtype {y.dtype}")
    fraction = check_range(fraction, "fraction", 0.0, 1.0, include_high=True)
    if n_classes is None:
        n_classes = int(y.max()) + 1
    n_classes = check_positive_int(n_classes, "n_classes")
    if n_classes < 2:
        raise ValueError(f"n_classes must be at least 2 to change a label; got {n_classes}")
    if y.min() < 0 or y.max() >= n_classes:
        raise ValueError(f"y must hold labels 0..{n_classes - 1}; got values from {y.min()} to {y.max()}")
    rng = as_rng(rng)
    n_flip = round(fraction * len(y))
    flipped = np.zeros(len(y), dtype=bool)
    flipped[rng.choice(len(y), size=n_flip, replace=False)] = True
    # Adding 1..n_classes-1 (mod n_classes) gives a different class, each equally likely.
    shift = rng.integers(1, n_classes, size=n_flip)
    y_noisy = y.copy()
    y_noisy[flipped] = (y[flipped] + shift) % n_classes
    return y_noisy, flipped
