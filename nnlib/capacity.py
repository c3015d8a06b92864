"""Model capacity in closed form: fits that take no training loop, for the
notebooks on underfitting and overfitting (07) and on the winner's curse (06).

    polynomial_features   x -> [P0(x), P1(x), ..., Pd(x)] (Legendre polynomials)
    least_squares         the weights that minimise the mean squared error (+ ridge)
    random_relu_features  a fixed random hidden layer: max(0, x @ W + b)

A polynomial of degree d is a linear model on polynomial_features(x, d), so
one ``least_squares`` call fits it exactly: no learning rate, no epochs.
"""

import numpy as np

from ._checks import as_rng, check_array, check_positive_int, check_range, check_same_length


def polynomial_features(x, degree, *, x_range=None):
    """Legendre polynomials P0..P_degree of x, evaluated column by column.

    x: (n,) or (n, 1) numbers. Returns (n, degree + 1).
    x_range: (low, high) mapped to [-1, 1]; by default the data's own range.
    Pass the training data's range when you evaluate new points, so that the
    same weights mean the same curve.

    Why Legendre and not 1, x, x², ...: on [-1, 1] the plain powers x^20 and
    x^22 are almost the same curve, so a degree-25 fit with them is lost to
    round-off; Legendre polynomials are far apart from each other (they are
    orthogonal on [-1, 1]) and stay accurate in float64 at degree 30.
    """
    if isinstance(degree, bool) or not isinstance(degree, (int, np.integer)) or degree < 0:
        raise ValueError(f"degree must be a whole number >= 0; got {degree!r}")
    x = check_array(x, "x", ndim=(1, 2))
    if x.ndim == 2:
        if x.shape[1] != 1:
            raise ValueError(f"x must be (n,) or (n, 1); got shape {x.shape}")
        x = x[:, 0]
    low, high = (float(x.min()), float(x.max())) if x_range is None else map(float, x_range)
    if not high > low:
        raise ValueError(f"x_range must have high > low; got ({low}, {high})")
    t = 2.0 * (x - low) / (high - low) - 1.0  # the data's range mapped to [-1, 1]
    return np.polynomial.legendre.legvander(t, int(degree))


def least_squares(features, y, *, l2=0.0):
    """The weights w that minimise

        (1/n) Σ_i |features[i] @ w - y[i]|²  +  l2 * |w|²,

    the squared error of each example (summed over its k outputs when y is
    (n, k), e.g. one-hot labels) averaged over the n examples, plus l2 times
    the sum of all squared weights. With k outputs this is k separate ridge
    fits, one per output, each with penalty l2 (a mean over all n*k entries
    instead would be the same as penalty k * l2). The minimum solves the
    normal equations (Fᵀ F / n + l2 I) w = Fᵀ y / n.

    features: (n, p); y: (n,) or (n, k). Returns w: (p,) or (p, k).
    With l2 = 0 and more features than examples (p > n) there are many exact
    fits; this returns the one with the smallest |w| (the minimum-norm
    solution, what gradient descent from zero also finds). With p = n
    independent features it passes through every point.
    """
    features = check_array(features, "features", ndim=2)
    y = check_array(y, "y", ndim=(1, 2))
    check_same_length(features, y, "features", "y")
    l2 = check_range(l2, "l2", 0.0, np.inf)
    n, p = features.shape
    if l2 == 0.0:
        # lstsq uses the SVD: it is accurate and gives the minimum-norm answer.
        weights, *_ = np.linalg.lstsq(features, y, rcond=None)
        return weights
    # Ridge: setting the gradient of the penalised loss to zero gives
    # (Fᵀ F / n + l2 I) w = Fᵀ y / n. Stacking sqrt(n * l2) I under F turns it
    # into a plain least-squares problem, solved as stably as above.
    stacked = np.vstack([features, np.sqrt(n * l2) * np.eye(p)])
    target = np.concatenate([y, np.zeros((p,) + y.shape[1:])])
    weights, *_ = np.linalg.lstsq(stacked, target, rcond=None)
    return weights


def random_relu_features(x, n_features, *, rng=None, weights=None):
    """A random, fixed hidden layer: max(0, x @ W + b), W and b Gaussian.

    x: (n, d). Returns (features (n, n_features), (W, b)). Pass the returned
    (W, b) as ``weights`` to compute the same features for other data.
    W has std 1/sqrt(d) so that x @ W stays of the order of x.
    """
    x = check_array(x, "x", ndim=2)
    n_features = check_positive_int(n_features, "n_features")
    if weights is None:
        rng = as_rng(rng)
        d = x.shape[1]
        weights = (rng.standard_normal((d, n_features)) / np.sqrt(d), rng.standard_normal(n_features) * 0.5)
    W, b = weights
    if W.shape != (x.shape[1], n_features) or b.shape != (n_features,):
        raise ValueError(f"weights must be (W {(x.shape[1], n_features)}, b ({n_features},)); "
                         f"got W {W.shape}, b {b.shape}")
    return np.maximum(x @ W + b, 0.0), (W, b)
