"""Notebook 07: underfitting and overfitting, computed (numpy only).

    sine_data             noisy samples of sin(2 pi x): a training and a validation set
    fit_polynomial        the least-squares polynomial of one degree (+ ridge penalty)
    degree_errors         training and validation error for many degrees
    standard_error        the standard error of a mean (over validation points, or seeds)
    paired_standard_errors  the standard error of each model's difference from the best, as pairs
    within_noise          which models are within two paired standard errors of the best (and at most twice it)
    fit_regions           underfitting, one sweet spot, overfitting (a contiguous variant of the 1-SE rule)
    learning_curves       error against the number of training points
    ridge_solutions       least squares for many penalties from one SVD
    double_descent        random ReLU features on the digits, 10 to 2000 features
    flipped_moons         two moons with a fifth of the training labels wrong
    train_hidden_units    a 2-h-h-2 network trained on them
    WidthSweep            networks of every width from several seeds, scored on validation and fresh moons;
                          WidthSweep.load() reads the shipped one (resources/nb07_width_sweep.npz),
                          ``python -m nnlib.overfitting`` trains it again and rewrites that file

Everything takes a seed, so the same call gives the same numbers. Plots
live in ``nnlib.plots.overfitting``, slider panels in
``nnlib.widgets.overfitting``.
"""

from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np

from ._checks import check_array, check_positive_int, check_range
from .capacity import least_squares, polynomial_features, random_relu_features
from .data import train_val_test_split
from .datasets import corrupt_labels, make_moons, make_sine
from .layers import mlp
from .losses import SoftmaxCrossEntropy
from .optim import SGD
from .training import History, accuracy, fit, predict

X_RANGE = (0.0, 1.0)  # make_sine draws x in [0, 1]; every fit maps this range to [-1, 1]
VALIDATION_SEED_OFFSET = 10_000  # the validation points of seed s come from seed s + 10000
REGIONS = ("underfitting", "sweet spot", "overfitting")
# "Within the noise": a model's validation error is at most this many (paired)
# standard errors above the lowest. Two is about the 95 % level: a smaller
# difference could well come from the noise of the validation points (or seeds).
NOISE_STANDARD_ERRORS = 2.0
# ...and less than this many times the lowest. A wild fit (degree 24 through 25
# points) can be off by 1e11 at two or three validation points and close elsewhere:
# its difference is carried by those few points, so its standard error is nearly
# as large as the difference itself (only 1.5 standard errors apart) and means nothing.
NOISE_MAX_RATIO = 2.0


def true_curve(x):
    """The curve the noisy samples come from: sin(2 pi x)."""
    return np.sin(2 * np.pi * np.asarray(x, dtype=float))


def sine_data(n_train, *, noise, seed=0, n_val=200):
    """Noisy samples of sin(2 pi x), x uniform in [0, 1]: ``n_train`` points to
    fit and ``n_val`` fresh ones (another seed) to validate on.
    Returns (x_train, y_train), (x_val, y_val), all 1-D of shape (n,)."""
    x, y = make_sine(n_train, noise=noise, rng=seed)
    x_val, y_val = make_sine(n_val, noise=noise, rng=VALIDATION_SEED_OFFSET + seed)
    return (x[:, 0], y[:, 0]), (x_val[:, 0], y_val[:, 0])


def fit_polynomial(x, y, degree, *, l2=0.0):
    """The weights of the polynomial of ``degree`` that minimises
    mean((p(x) - y)^2) + l2 * |w|^2, in the Legendre basis on [0, 1].
    x, y: (n,). Returns w: (degree + 1,). More weights than points gives
    the minimum-norm fit that passes through every point."""
    return least_squares(polynomial_features(x, degree, x_range=X_RANGE), y, l2=l2)


def predict_polynomial(weights, x):
    """The polynomial with Legendre weights (degree + 1,) at x (n,) -> (n,)."""
    weights = np.asarray(weights, dtype=float)
    return polynomial_features(x, len(weights) - 1, x_range=X_RANGE) @ weights


def mean_squared_error(prediction, y):
    return float(np.mean((np.asarray(prediction) - np.asarray(y)) ** 2))


def degree_errors(train, val, degrees, *, l2=0.0, standard_errors=False):
    """Training and validation mean squared error of the polynomial fit of
    each degree. train, val: (x, y) pairs of (n,) arrays.
    Returns (train_errors, val_errors), each (len(degrees),); with
    ``standard_errors=True`` also the *paired* standard error of each
    degree's difference from the degree with the lowest validation error
    (paired_standard_errors: every degree is scored on the same validation
    points; 0 for the lowest itself)."""
    train_errors, squared = [], []
    for degree in degrees:
        weights = fit_polynomial(*train, degree, l2=l2)
        train_errors.append(mean_squared_error(predict_polynomial(weights, train[0]), train[1]))
        squared.append((predict_polynomial(weights, val[0]) - val[1]) ** 2)
    squared = np.array(squared)  # (degrees, n_val): one squared error per degree and validation point
    val_errors = squared.mean(axis=1)
    if standard_errors:
        return np.array(train_errors), val_errors, paired_standard_errors(squared)
    return np.array(train_errors), val_errors


def standard_error(values):
    """The standard error of the mean of ``values`` (n,): std (ddof=1) / sqrt(n),
    how much the mean would move if the n values were drawn again."""
    values = check_array(values, "values", ndim=1)
    if len(values) < 2:
        raise ValueError(f"values must hold at least 2 numbers to have a spread; got {len(values)}")
    return float(values.std(ddof=1) / np.sqrt(len(values)))


def paired_standard_errors(losses):
    """How far each model's mean loss is from the best one's, in noise units.

    losses: (models, n): the loss of every model on the *same* n examples
    (the squared error on each validation point, or the error of each seed).
    Because the models share the examples, they are compared as pairs: for
    model i the n differences losses[i] - losses[best] (best: the lowest
    mean) have a mean and a standard error std / sqrt(n); an example that is
    hard for every model cancels out. Returns (models,) those standard
    errors (0 for the best model itself)."""
    losses = check_array(losses, "losses", ndim=2)
    if losses.shape[1] < 2:
        raise ValueError(f"losses must hold at least 2 examples per model (columns); got shape {losses.shape}")
    best = int(np.argmin(losses.mean(axis=1)))
    differences = losses - losses[best]
    return differences.std(axis=1, ddof=1) / np.sqrt(losses.shape[1])


def within_noise(val_errors, standard_errors, *, multiple=NOISE_STANDARD_ERRORS, max_ratio=NOISE_MAX_RATIO):
    """True for each model whose validation error is at most ``multiple``
    (NOISE_STANDARD_ERRORS, 2) standard errors above the lowest: a difference
    the noise of the measurement could explain, at about the 95 % level.
    A model more than ``max_ratio`` (NOISE_MAX_RATIO, 2) times the lowest is
    never within: so large a difference carried by a few points makes its
    own standard error large, and that standard error cannot be trusted.
    val_errors: (n,); standard_errors: (n,), the standard error of each
    model's difference from the best (paired_standard_errors), or one number
    for every model. Returns (n,) bool."""
    val_errors = check_array(val_errors, "val_errors", ndim=1)
    standard_errors = np.broadcast_to(check_array(standard_errors, "standard_errors", ndim=(0, 1)), val_errors.shape)
    if np.any(standard_errors < 0):
        raise ValueError(f"standard_errors must be >= 0; got {standard_errors.min()!r}")
    multiple = check_range(multiple, "multiple", 0.0, np.inf)
    max_ratio = check_range(max_ratio, "max_ratio", 1.0, np.inf, include_high=True)
    lowest = val_errors.min()
    return (val_errors - lowest <= multiple * standard_errors) & (val_errors <= max_ratio * lowest)


def fit_regions(val_errors, *, standard_errors=None, standard_error=None, tolerance=0.2,
                multiple=NOISE_STANDARD_ERRORS):
    """Name each point of a validation-error curve (ordered from the least
    to the most flexible model), in three runs that always come in this
    order: "underfitting", then one "sweet spot", then "overfitting".

    The sweet spot is the run of neighbouring models around the lowest
    validation error whose errors are within the noise of the lowest; it
    stops at the first model on each side that is clearly worse. Everything
    before it underfits, everything after it overfits (a more flexible model
    that comes back within the noise after a clearly worse one still counts
    as overfitting: one curve cannot tell that dip from luck, and a simpler
    model does as well).

    "Within the noise" is, in order of preference:
    - ``standard_errors`` (n,): model i is within if its error is at most
      ``multiple`` (2) times standard_errors[i] above the lowest, and at
      most twice the lowest (within_noise); give the paired standard
      errors of each model's difference from the best
      (paired_standard_errors);
    - ``standard_error``: one standard error for every model, the same way;
    - else within ``tolerance`` times the lowest error (0.2: within 20 %).

    Where this comes from: the *one-standard-error rule* of Hastie,
    Tibshirani and Friedman (ESL §7.10) picks one model, the simplest one
    within one standard error of the best. Ours is a contiguous variant of
    it: it names three regions (all the neighbours within the noise form
    the sweet spot, so that each region stays one run), and it uses two
    paired standard errors, so that only differences the noise cannot
    explain split regions.

    val_errors: (n,). Returns a list of n names.
    """
    val_errors = check_array(val_errors, "val_errors", ndim=1)
    if len(val_errors) == 0:
        raise ValueError("val_errors is empty; give at least one error")
    best = int(np.argmin(val_errors))
    if standard_errors is not None:
        standard_errors = check_array(standard_errors, "standard_errors", ndim=1)
        if standard_errors.shape != val_errors.shape:
            raise ValueError(f"standard_errors must have one value per error, shape {val_errors.shape}; "
                             f"got shape {standard_errors.shape}")
        inside = within_noise(val_errors, standard_errors, multiple=multiple)
    elif standard_error is not None:
        standard_error = check_range(standard_error, "standard_error", 0.0, np.inf)
        inside = within_noise(val_errors, standard_error, multiple=multiple)
    else:
        tolerance = check_range(tolerance, "tolerance", 0.0, np.inf)
        inside = val_errors <= (1.0 + tolerance) * val_errors[best]
    first = last = best
    while first > 0 and inside[first - 1]:
        first -= 1
    while last < len(val_errors) - 1 and inside[last + 1]:
        last += 1
    n_over = len(val_errors) - 1 - last
    return ["underfitting"] * first + ["sweet spot"] * (last - first + 1) + ["overfitting"] * n_over


def learning_curves(degree, sizes, *, noise, seeds=range(20), n_val=500):
    """Training and validation error of the degree-``degree`` polynomial
    against the number of training points, each the **median** over
    ``seeds`` (a few unlucky samples make the mean of a flexible fit jump).
    Returns (train_errors, val_errors), each (len(sizes),)."""
    train_errors = np.empty((len(seeds), len(sizes)))
    val_errors = np.empty_like(train_errors)
    for i, seed in enumerate(seeds):
        for j, size in enumerate(sizes):
            train, val = sine_data(size, noise=noise, seed=seed, n_val=n_val)
            errors = degree_errors(train, val, [degree])
            train_errors[i, j], val_errors[i, j] = errors[0][0], errors[1][0]
    return np.median(train_errors, axis=0), np.median(val_errors, axis=0)


def ridge_solutions(features, y, l2_values, *, svd=None):
    """least_squares(features, y, l2=l2) for every l2 in ``l2_values``, from
    one singular value decomposition F = U diag(s) Vt:

        w(l2) = V diag(s / (s^2 + n l2)) U^T y

    (l2 = 0 gives the minimum-norm solution: directions with s = 0, or s
    below round-off, are left out, as numpy's lstsq does).
    features: (n, p); y: (n,) or (n, k); svd: optional (U, s, Vt) of features
    (np.linalg.svd(features, full_matrices=False)), if already computed.
    Returns a list of weights (p,) or (p, k).
    """
    features = check_array(features, "features", ndim=2)
    y = check_array(y, "y", ndim=(1, 2))
    n = features.shape[0]
    U, s, Vt = svd if svd is not None else np.linalg.svd(features, full_matrices=False)
    uty = U.T @ y
    kept = s > rank_tolerance(s, features.shape)
    solutions = []
    for l2 in l2_values:
        l2 = check_range(l2, "l2", 0.0, np.inf)
        if l2 == 0.0:
            scale = np.where(kept, 1.0 / np.where(kept, s, 1.0), 0.0)
        else:
            scale = s / (s**2 + n * l2)
        solutions.append(Vt.T @ (scale.reshape((-1,) + (1,) * (uty.ndim - 1)) * uty))
    return solutions


def rank_tolerance(singular_values, shape):
    """Singular values at or below this are round-off (numpy's matrix_rank rule)."""
    return (singular_values.max() if len(singular_values) else 0.0) * max(shape) * np.finfo(float).eps


@dataclass
class DoubleDescent:
    """Test error of random-ReLU-feature models on the digits.

    feature_counts: (m,); l2_values: the penalties compared (0 = minimum norm);
    errors: (len(l2_values), seeds, m) fraction of test digits misclassified;
    live_features: (seeds, m) features that are not zero on every training
    image (a ReLU that never fires adds a column of zeros);
    rank: (seeds, m) rank of the training feature matrix.
    """

    feature_counts: np.ndarray
    l2_values: tuple
    n_train: int
    errors: np.ndarray
    live_features: np.ndarray
    rank: np.ndarray

    def mean_errors(self, l2):
        """The test error for one penalty, averaged over the seeds: (m,)."""
        return self.errors[self.l2_values.index(l2)].mean(axis=0)


def double_descent(x, y, feature_counts, *, n_train=200, seeds=(0, 1, 2), l2_values=(0.0, 1e-3)):
    """For each seed: draw ``n_train`` training images (the rest test), then
    for each number of features p a fresh random ReLU layer of p features
    and the least-squares fit of one-hot labels on it, for each penalty in
    ``l2_values``. x: (n, d) images; y: (n,) labels 0..9. Returns a DoubleDescent."""
    x = check_array(x, "x", ndim=2)
    n_train = check_positive_int(n_train, "n_train")
    if n_train >= len(x):
        raise ValueError(f"n_train must be smaller than the {len(x)} examples; got {n_train}")
    n_classes = int(y.max()) + 1
    shape = (len(seeds), len(feature_counts))
    errors = np.empty((len(l2_values),) + shape)
    live, rank = np.empty(shape, dtype=int), np.empty(shape, dtype=int)
    for i, seed in enumerate(seeds):
        rng = np.random.default_rng(seed)
        order = rng.permutation(len(x))
        train, test = order[:n_train], order[n_train:]
        one_hot = np.eye(n_classes)[y[train]]
        for j, count in enumerate(feature_counts):
            features, weights = random_relu_features(x[train], int(count), rng=rng)
            test_features, _ = random_relu_features(x[test], int(count), weights=weights)
            live[i, j] = int(np.count_nonzero(features.any(axis=0)))
            svd = np.linalg.svd(features, full_matrices=False)
            rank[i, j] = int(np.count_nonzero(svd[1] > rank_tolerance(svd[1], features.shape)))
            for k, w in enumerate(ridge_solutions(features, one_hot, l2_values, svd=svd)):
                errors[k, i, j] = np.mean((test_features @ w).argmax(axis=1) != y[test])
    return DoubleDescent(np.asarray(feature_counts), tuple(l2_values), n_train, errors, live, rank)


def flipped_moons(n_samples=300, *, noise=0.15, flip=0.2, seed=0):
    """Two moons split half for training, half for validation; ``flip`` of
    the training labels are changed to the other class (the validation
    labels stay right). Returns (x_train, y_train), (x_val, y_val), flipped
    ((n_train,) bool, True for the training labels that were changed)."""
    x, y = make_moons(n_samples, noise=noise, rng=seed)
    (x_train, y_train), val, _ = train_val_test_split(x, y, val_fraction=0.5, test_fraction=0.0, rng=seed)
    y_train, flipped = corrupt_labels(y_train, flip, n_classes=2, rng=seed)
    return (x_train, y_train), val, flipped


def train_hidden_units(train, val, hidden, *, epochs=300, batch_size=25, lr=0.05, momentum=0.9, seed=0):
    """Train a fresh 2-hidden-hidden-2 ReLU network (SGD with momentum).
    Returns (model, History); the same seed gives the same start and batches."""
    hidden = check_positive_int(hidden, "hidden")
    model = mlp([2, hidden, hidden, 2], rng=seed)
    optimizer = SGD(model.parameters(), lr=lr, momentum=momentum)
    history = fit(model, SoftmaxCrossEntropy(), optimizer, *train, epochs=epochs,
                  batch_size=batch_size, validation=val, rng=seed)
    return model, history


FRESH_SEED_OFFSET = 20_000  # the fresh moons of data seed s come from seed s + 20000
WIDTHS = (1, 2, 4, 8, 16, 32, 64, 128)
SEEDS = (0, 1, 2, 3, 4)
# The shipped WidthSweep(seeds=SEEDS) of notebook 07 (WidthSweep.load reads it;
# ``python -m nnlib.overfitting`` writes it again).
WIDTH_SWEEP_FILE = Path(__file__).parent / "resources" / "nb07_width_sweep.npz"
_SWEEP_SETTINGS = ("widths", "seeds", "data_seed", "resolution", "n_fresh", "noise")
_SWEEP_ARRAYS = ("train_accuracies", "val_accuracies", "fresh_accuracies", "probability")
# The probability maps are stored in float16: at most 0.0005 off, an eighth of one
# of the 256 colours the panel draws them with (and they are drawn at 35 % opacity).
_PROBABILITY_DTYPE = np.float16


class WidthSweep:
    """Networks 2-h-h-2 of every width in ``widths``, trained on the moons
    with flipped labels from each of ``seeds`` (the seed sets the network's
    starting weights and batch order; the data are always the same).

    train_accuracies, val_accuracies: (seeds, widths), on the 150 training
    points (flipped labels) and the 150 validation points;
    fresh_accuracies: (seeds, widths), the same networks on ``n_fresh`` new
    moons (right labels) that took no part in any choice, to check the
    validation scores; train_accuracy, val_accuracy: means over the seeds
    (one per width); val_errors: the mean validation error; val_ses: the
    paired standard error over the seeds of each width's difference from
    the best width; names: the regions read from val_errors with val_ses
    (fit_regions); probability: the class-1 probability maps of the first
    seed's networks (the boundaries the panel draws), (resolution,
    resolution) each on ``grid``; histories: their training Histories;
    seed_train_accuracy / seed_val_accuracy the accuracies of those networks.

    The 40 trainings of WidthSweep(seeds=SEEDS) take about 10 s of CPU, so
    notebook 07 reads them from WIDTH_SWEEP_FILE with ``WidthSweep.load()``,
    which gives the same attributes; ``python -m nnlib.overfitting`` trains
    them again and rewrites the file (tests/test_overfitting.py checks that
    the file holds what a fresh WidthSweep computes)."""

    def __init__(self, widths=WIDTHS, *, seeds=SEEDS, data_seed=0, resolution=120, n_fresh=10_000, noise=0.15):
        self._make_data(widths, seeds, data_seed, resolution, n_fresh, noise)
        points = np.column_stack([g.ravel() for g in self.grid])
        shape = (len(self.seeds), len(self.widths))
        self.train_accuracies, self.val_accuracies = np.empty(shape), np.empty(shape)
        self.fresh_accuracies = np.empty(shape)
        self.probability, self.histories = [], []
        for i, seed in enumerate(self.seeds):
            for j, hidden in enumerate(self.widths):
                model, history = train_hidden_units(self.train, self.val, hidden, seed=seed)
                self.train_accuracies[i, j] = accuracy(predict(model, self.train[0]), self.train[1])
                self.val_accuracies[i, j] = accuracy(predict(model, self.val[0]), self.val[1])
                self.fresh_accuracies[i, j] = accuracy(predict(model, self.fresh[0]), self.fresh[1])
                if i == 0:
                    self.histories.append(history)
                    scores = predict(model, points)
                    shifted = np.exp(scores - scores.max(axis=1, keepdims=True))
                    self.probability.append((shifted[:, 1] / shifted.sum(axis=1)).reshape(self.grid[0].shape))
        self._summarise()

    def _make_data(self, widths, seeds, data_seed, resolution, n_fresh, noise):
        """The settings, the moons (train, val, flipped, fresh) and the grid
        (two (resolution, resolution) arrays) of the probability maps: cheap,
        so a loaded sweep draws them again from the same seeds."""
        self.widths, self.seeds = tuple(widths), tuple(seeds)
        self.data_seed, self.resolution, self.n_fresh, self.noise = data_seed, resolution, n_fresh, noise
        self.train, self.val, self.flipped = flipped_moons(noise=noise, seed=data_seed)
        self.fresh = make_moons(n_fresh, noise=noise, rng=FRESH_SEED_OFFSET + data_seed)
        x = np.vstack([self.train[0], self.val[0]])
        low, high = x.min(axis=0) - 0.4, x.max(axis=0) + 0.4
        self.grid = np.meshgrid(np.linspace(low[0], high[0], resolution), np.linspace(low[1], high[1], resolution))

    def _summarise(self):
        """Everything read from the (seeds, widths) accuracies."""
        self.seed_train_accuracy = list(self.train_accuracies[0])
        self.seed_val_accuracy = list(self.val_accuracies[0])
        self.train_accuracy = list(self.train_accuracies.mean(axis=0))
        self.val_accuracy = list(self.val_accuracies.mean(axis=0))
        self.val_errors = 1.0 - self.val_accuracies.mean(axis=0)
        self.best = int(np.argmin(self.val_errors))
        if len(self.seeds) > 1:  # each seed scores every width: compare the widths seed by seed, as pairs
            self.val_ses = paired_standard_errors(1.0 - self.val_accuracies.T)
        else:  # one seed: the only noise we know is that of 150 validation points (a binomial count)
            self.val_ses = np.sqrt(self.val_errors * (1 - self.val_errors) / len(self.val[1]))
            self.val_ses[self.best] = 0.0
        self.names = fit_regions(self.val_errors, standard_errors=self.val_ses)

    def save(self, path=WIDTH_SWEEP_FILE):
        """Write the settings, the accuracies, the first seed's probability
        maps (float16) and histories (batch losses in float32) to a
        compressed .npz file (WIDTH_SWEEP_FILE: about 230 kB)."""
        arrays = {key: np.asarray(getattr(self, key)) for key in _SWEEP_SETTINGS + _SWEEP_ARRAYS}
        arrays["probability"] = arrays["probability"].astype(_PROBABILITY_DTYPE)
        for j, history in enumerate(self.histories):
            arrays.update(_history_arrays(history, f"history{j}|"))
        np.savez_compressed(path, **arrays)

    @classmethod
    def load(cls, path=WIDTH_SWEEP_FILE):
        """The sweep saved in ``path`` (by default the shipped
        WidthSweep(seeds=SEEDS) of notebook 07), with every attribute of a
        freshly computed one: the moons and grid are drawn again from the
        saved settings, the summaries recomputed from the accuracies."""
        sweep = cls.__new__(cls)
        with np.load(path) as data:
            missing = [key for key in _SWEEP_SETTINGS + _SWEEP_ARRAYS if key not in data.files]
            if missing:
                raise ValueError(f"{path} is missing the arrays {missing}; a WidthSweep file holds "
                                 f"{list(_SWEEP_SETTINGS + _SWEEP_ARRAYS)} (write it with python -m nnlib.overfitting)")
            settings = {key: data[key] for key in _SWEEP_SETTINGS}
            sweep._make_data(tuple(int(w) for w in settings["widths"]), tuple(int(s) for s in settings["seeds"]),
                             int(settings["data_seed"]), int(settings["resolution"]), int(settings["n_fresh"]),
                             float(settings["noise"]))
            shape, grid_shape = (len(sweep.seeds), len(sweep.widths)), sweep.grid[0].shape
            for key in _SWEEP_ARRAYS[:3]:
                if data[key].shape != shape:
                    raise ValueError(f"{path}: {key} has shape {data[key].shape}; expected (seeds, widths) = {shape}")
                setattr(sweep, key, data[key].astype(np.float64))
            if data["probability"].shape != (len(sweep.widths), *grid_shape):
                raise ValueError(f"{path}: probability has shape {data['probability'].shape}; "
                                 f"expected (widths, resolution, resolution) = {(len(sweep.widths), *grid_shape)}")
            sweep.probability = list(data["probability"].astype(np.float64))
            sweep.histories = [_history_from_arrays(data, f"history{j}|", path) for j in range(len(sweep.widths))]
        sweep._summarise()
        return sweep


def _history_arrays(history, prefix):
    """A History as arrays named prefix + field (a field that is None is left
    out). The loss of every batch (1800 numbers a network) is kept in float32,
    half the size, 7 significant digits; the rest exactly."""
    arrays = {}
    for item in fields(History):
        value = getattr(history, item.name)
        if value is not None:
            dtype = np.float32 if item.name == "batch_loss" else float
            arrays[prefix + item.name] = np.asarray(value, dtype=dtype) if isinstance(value, list) else np.asarray(value)
    return arrays


def _history_from_arrays(data, prefix, path):
    """The History that _history_arrays stored under ``prefix`` in ``data``."""
    if prefix + "train_loss" not in data.files:
        raise ValueError(f"{path} is missing the history {prefix!r} of the first seed's networks "
                         f"(write it with python -m nnlib.overfitting)")
    values = {}
    for item in fields(History):
        key = prefix + item.name
        if key not in data.files:
            values[item.name] = None
        elif item.default_factory is list:
            values[item.name] = [float(v) for v in data[key]]
        else:
            values[item.name] = data[key].item()
    return History(**values)


def main():
    """Train WidthSweep(seeds=SEEDS) again and write WIDTH_SWEEP_FILE (about
    10 s of CPU). Run as ``python -m nnlib.overfitting``."""
    import time

    started = time.perf_counter()
    WidthSweep(seeds=SEEDS).save()
    print(f"wrote {WIDTH_SWEEP_FILE} in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
