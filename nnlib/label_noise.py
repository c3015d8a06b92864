"""Notebook 08: the phases of learning on digits with wrong labels (numpy only).

    digits_sets              the digits split into training, validation, test
    phase_sets               400 training digits, the validation set, and the
                             499 training digits left over as a second validation set
    train_with_label_noise   one run, measured after every epoch (a NoisyRun)
    moving_average           a curve smoothed over a few epochs
    wrong_label_agreement    how often a run predicts given wrong labels, epoch by epoch
    transition_band          where learning turns into memorisation, as a band of epochs
    phase_edges              the epochs where the phases begin and end, for a plot

A fraction of the training labels is changed on purpose (``corrupt_labels``);
validation labels stay right. Every epoch we measure the training accuracy (on
the labels the network is given), the validation accuracy and the fraction of
the wrong labels the network reproduces: memorised. The test set is not used
here: notebook 08 looks at it once, at its end, for its final model.
"""

from dataclasses import dataclass

import numpy as np

from .data import train_val_test_split
from .datasets import corrupt_labels, load_digits
from .layers import mlp
from .losses import SoftmaxCrossEntropy
from .optim import SGD
from .training import evaluate, fit, predicted_classes

FRACTIONS = (0.0, 0.1, 0.2, 0.3, 0.4)

# The run of notebook 08: 64-128-10, SGD lr 0.2, batches of 40, 400 training
# digits, 150 epochs (10 updates an epoch): about 1 s per run.
RUN_SETTINGS = dict(n_train=400, hidden=128, lr=0.2, batch_size=40, epochs=150, seed=0)


def digits_sets(n_train=None, *, seed=0):
    """The 1797 digits split 50/25/25 (899/449/449) with ``seed``; the
    training part cut to its first ``n_train`` examples when given.
    Returns (x_train, y_train), (x_val, y_val), (x_test, y_test)."""
    x, y = load_digits()
    (x_train, y_train), val, test = train_val_test_split(x, y, val_fraction=0.25, test_fraction=0.25, rng=seed)
    if n_train is not None:
        x_train, y_train = x_train[:n_train], y_train[:n_train]
    return (x_train, y_train), val, test


def phase_sets(n_train=400, *, seed=0):
    """The sets of notebook 08's phases and early-stopping runs: the first
    ``n_train`` training digits of ``digits_sets``, its validation set (449),
    and the other training digits (899 - n_train), never trained on, as a
    second validation set that judges choices made on the first one.
    Returns (x, y) pairs: train, val, second_val. No test digits."""
    (x_train, y_train), val, _ = digits_sets(seed=seed)
    if not 0 < n_train < len(y_train):
        raise ValueError(f"n_train must be between 1 and {len(y_train) - 1}; got {n_train!r}")
    return (x_train[:n_train], y_train[:n_train]), val, (x_train[n_train:], y_train[n_train:])


@dataclass
class NoisyRun:
    """One training run on labels with a fraction changed on purpose.

    Every array has one entry per epoch 0..E, where epoch 0 is the random
    network before any update: train_accuracy (on the labels trained on,
    wrong ones included), clean_accuracy (on the training digits whose
    label was not changed), val_accuracy, val_loss, second_accuracy,
    second_loss (on the second validation set), memorised (the fraction of
    the wrong labels the network predicts; NaN with none). second_correct:
    (E + 1, n_second) booleans, which second-validation digits each epoch's
    model gets right (for paired comparisons). history is fit's History
    (epochs 1..E); n_val: how many validation digits. labels: (n_train,)
    the labels trained on; train_predicted: (E + 1, n_train) the class the
    network predicts for each training digit after each epoch.
    """

    fraction: float
    flipped: np.ndarray
    train_accuracy: np.ndarray
    train_loss: np.ndarray
    clean_accuracy: np.ndarray
    val_accuracy: np.ndarray
    val_loss: np.ndarray
    second_accuracy: np.ndarray
    second_loss: np.ndarray
    memorised: np.ndarray
    second_correct: np.ndarray
    history: object
    n_val: int
    labels: np.ndarray = None
    train_predicted: np.ndarray = None

    @property
    def epochs(self):
        return len(self.val_accuracy) - 1


def train_with_label_noise(train, val, second_val, fraction, *, hidden=128, lr=0.2, batch_size=40, epochs=150,
                           seed=0):
    """Change ``fraction`` of the training labels (corrupt_labels, seed
    ``seed + 1``), train a 64-hidden-10 ReLU network with plain SGD
    (validation data: ``val``), and measure it after every epoch.
    train, val, second_val: (x, y) pairs, x: (n, 64). Returns a NoisyRun."""
    x_train, y_clean = train
    y_train, flipped = corrupt_labels(y_clean, fraction, n_classes=10, rng=seed + 1)
    model = mlp([64, hidden, 10], rng=seed)
    loss = SoftmaxCrossEntropy()
    rows = []

    def measure(epoch=None, history=None):
        on_train = evaluate(model, loss, x_train, y_train)
        said = predicted_classes(model.forward(x_train))
        memorised = float(np.mean(said[flipped] == y_train[flipped])) if flipped.any() else np.nan
        clean = float(np.mean(said[~flipped] == y_train[~flipped]))
        on_val, on_second = evaluate(model, loss, *val), evaluate(model, loss, *second_val)
        second_correct = predicted_classes(model.forward(second_val[0])) == second_val[1]
        rows.append((on_train.accuracy, on_train.loss, clean, on_val.accuracy, on_val.loss, on_second.accuracy,
                     on_second.loss, memorised, second_correct, said))

    measure()  # epoch 0: the random network
    history = fit(model, loss, SGD(model.parameters(), lr=lr), x_train, y_train, epochs=epochs,
                  batch_size=batch_size, validation=val, rng=seed, on_epoch_end=measure)
    *columns, said = [np.array(column) for column in zip(*rows)]
    return NoisyRun(fraction, flipped, *columns, history, len(val[1]), labels=y_train, train_predicted=said)


def wrong_label_agreement(run, labels, flipped):
    """(E + 1,) the fraction of the wrong labels ``labels[flipped]`` that
    ``run`` predicts after each epoch 0..E. With a run's own labels and
    flipped this is its ``memorised``; with the run trained on the right
    labels (same seed) it says how often a network that memorised nothing
    agrees with those wrong labels: the baseline for memorisation.
    labels: (n_train,), flipped: (n_train,) booleans, at least one True."""
    flipped = np.asarray(flipped, dtype=bool)
    if run.train_predicted is None:
        raise ValueError("run must record its predictions on the training digits (train_predicted); got None: "
                         "make it with train_with_label_noise")
    if run.train_predicted.shape[1] != len(flipped) or not flipped.any():
        raise ValueError(f"flipped must mark at least one of the run's {run.train_predicted.shape[1]} training "
                         f"digits; got {int(flipped.sum())} of {len(flipped)}")
    return np.mean(run.train_predicted[:, flipped] == np.asarray(labels)[flipped], axis=1)


# Epochs the curves are smoothed over: validation accuracy moves several
# points from one epoch to the next, the trend over 9 epochs much less.
WINDOW = 9


def moving_average(values, window=WINDOW):
    """values: (E,) a per-epoch curve; returns (E,) its centred mean over
    ``window`` epochs (an odd number), so a curve that moves several points
    from epoch to epoch shows its trend. Near both ends the window shrinks
    to stay centred: the first and last values are kept as they are, and a
    curve that rises fast in its first epochs is not pulled up early."""
    values = np.asarray(values, dtype=float)
    if not (isinstance(window, (int, np.integer)) and window >= 1 and window % 2 == 1):
        raise ValueError(f"window must be an odd positive integer (epochs); got {window!r}")
    index = np.arange(len(values))
    half = np.minimum(np.minimum(window // 2, index), len(values) - 1 - index)
    sums = np.concatenate([[0.0], np.cumsum(values)])
    return (sums[index + half + 1] - sums[index - half]) / (2 * half + 1)


def transition_band(run, *, window=WINDOW, chance=0.1):
    """(start, end): the epochs where learning turns into memorisation, or
    None for a run without wrong labels. Both read the curves smoothed over
    ``window`` epochs (moving_average):

    start: the first epoch from which the fraction of wrong labels
    memorised stays above ``chance`` (10 %), more than a random guess among
    ten classes reproduces: from there on memorisation is plainly under way.
    It begins earlier and quietly: a network trained on the right labels
    agrees with the wrong ones far less than 10 % (wrong_label_agreement).
    end: the first epoch (after the highest smoothed validation accuracy)
    from which the smoothed validation accuracy stays more than
    2 sqrt(p (1 - p) / n_val) below that highest value. A heuristic: that is
    two binomial standard errors of one accuracy (about 3 points, 14 of 449
    digits, at p = 0.88), used only as "a drop of a few points"; the end
    moves by several epochs when the curve is close to that line.
    """
    if not run.flipped.any():
        return None
    memorised = moving_average(run.memorised[1:], window)
    above = memorised > chance
    start = _first_of_last_run(above)
    val = moving_average(run.val_accuracy[1:], window)
    peak = int(np.argmax(val))
    n_val = run.n_val
    margin = 2 * np.sqrt(val[peak] * (1 - val[peak]) / n_val)
    below = val < val[peak] - margin
    below[:peak] = False
    end = _first_of_last_run(below)
    # epochs are 1-based here: index i of the smoothed curves is epoch i + 1
    start = run.epochs if start is None else start + 1
    end = run.epochs if end is None else end + 1
    return min(start, end), max(start, end)


def _first_of_last_run(flags):
    """The index where the final run of True values in ``flags`` begins, or
    None when the last value is False."""
    flags = np.asarray(flags, dtype=bool)
    if not flags[-1]:
        return None
    false_at = np.flatnonzero(~flags)
    return 0 if false_at.size == 0 else int(false_at[-1]) + 1



def phase_edges(run, *, window=WINDOW):
    """(0, start, end, E): initialisation is epoch 0 (the random network, a
    line on a plot); learning from 0 to ``start``, the gradual turn from
    learning to memorisation from ``start`` to ``end`` (transition_band),
    memorisation from ``end`` to the last epoch E. Without wrong labels,
    learning runs to E (start = end = E)."""
    band = transition_band(run, window=window)
    start, end = (run.epochs, run.epochs) if band is None else band
    return 0, max(start, 1), max(end, 1), run.epochs
