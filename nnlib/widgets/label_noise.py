"""Notebook 08: the phases of learning on digits with wrong labels.

    digits_sets            the digits split into training, validation, test
    train_with_label_noise one run, measured after every epoch (a NoisyRun)
    label_noise_panel      a slider for the fraction of wrong labels

A fraction of the training labels is changed on purpose (``corrupt_labels``);
validation and test labels stay right. Every epoch we measure the training
accuracy (on the labels the network is given), the validation accuracy and
the fraction of the wrong labels the network reproduces: memorised.
"""

from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np

from .. import SGD, SoftmaxCrossEntropy, corrupt_labels, evaluate, fit, load_digits, mlp, predicted_classes
from .. import train_val_test_split
from ..plots.loop import PhasesView, phase_bounds
from .panel import SliderPanel

FRACTIONS = (0.0, 0.1, 0.2, 0.3, 0.4)

# The run of the notebook: 64-128-10, SGD lr 0.2, batches of 40, 400 points,
# 150 epochs (10 updates an epoch): about 1 s per run.
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


@dataclass
class NoisyRun:
    """One training run on labels with a fraction changed on purpose.

    Every array has one entry per epoch 0..E, where epoch 0 is the random
    network before any update: train_accuracy (on the labels trained on,
    wrong ones included), val_accuracy, val_loss, test_accuracy, test_loss
    (all of the model as it was after that epoch) and memorised (the
    fraction of the wrong labels the network predicts; NaN with none).
    history is fit's History (epochs 1..E).
    """

    fraction: float
    flipped: np.ndarray
    train_accuracy: np.ndarray
    train_loss: np.ndarray
    val_accuracy: np.ndarray
    val_loss: np.ndarray
    test_accuracy: np.ndarray
    test_loss: np.ndarray
    memorised: np.ndarray
    history: object

    @property
    def epochs(self):
        return len(self.val_accuracy) - 1


def train_with_label_noise(train, val, test, fraction, *, hidden=128, lr=0.2, batch_size=40, epochs=150,
                           seed=0):
    """Change ``fraction`` of the training labels (corrupt_labels, seed
    ``seed + 1``), train a 64-hidden-10 ReLU network with plain SGD, and
    measure it after every epoch. train, val, test: (x, y) pairs, x: (n, 64).
    Returns a NoisyRun."""
    x_train, y_clean = train
    y_train, flipped = corrupt_labels(y_clean, fraction, n_classes=10, rng=seed + 1)
    model = mlp([64, hidden, 10], rng=seed)
    loss = SoftmaxCrossEntropy()
    rows = []

    def measure(epoch=None, history=None):
        on_train = evaluate(model, loss, x_train, y_train)
        outputs = model.forward(x_train[flipped])
        memorised = float(np.mean(predicted_classes(outputs) == y_train[flipped])) if flipped.any() else np.nan
        on_val, on_test = evaluate(model, loss, *val), evaluate(model, loss, *test)
        rows.append((on_train.accuracy, on_train.loss, on_val.accuracy, on_val.loss, on_test.accuracy,
                     on_test.loss, memorised))

    measure()  # epoch 0: the random network
    history = fit(model, loss, SGD(model.parameters(), lr=lr), x_train, y_train, epochs=epochs,
                  batch_size=batch_size, validation=val, rng=seed, on_epoch_end=measure)
    columns = [np.array(column) for column in zip(*rows)]
    return NoisyRun(fraction, flipped, *columns, history)


def describe_phases(run):
    """One line: the fraction of wrong labels, where validation accuracy
    peaked, and how the run ended, with rounded percentages; with wrong
    labels, the fraction memorised at the peak and at the end."""
    start, best, end = phase_bounds(run)
    pct = lambda value: f"{100 * value:.0f}%"  # noqa: E731
    line = (f"wrong labels={pct(run.fraction)}: val acc {pct(run.val_accuracy[0])} at epoch 0, "
            f"best {pct(run.val_accuracy[best])} at epoch {best}, {pct(run.val_accuracy[-1])} at epoch {end}; "
            f"train acc {pct(run.train_accuracy[-1])}")
    if run.flipped.any():
        line += (f"; wrong labels memorised {pct(run.memorised[best])} at epoch {best}, "
                 f"{pct(run.memorised[-1])} at epoch {end}")
    else:
        line += " (no wrong labels to memorise)"
    return line


def label_noise_panel(runs=None, *, fraction=0.3, settings=None):
    """A SliderPanel with one control, "fraction" (0, 10, 20, 30 or 40 %
    wrong training labels): it draws that run's accuracies per epoch with
    the phases of learning marked.

    runs: {fraction: NoisyRun}, a cache; settings missing from it are
    trained on first use (about 1 s each) and kept, so moving back is
    instant. settings: RUN_SETTINGS by default.
    """
    if fraction not in FRACTIONS:
        raise ValueError(f"fraction must be one of {FRACTIONS}; got {fraction!r}")
    settings = {**RUN_SETTINGS, **(settings or {})}
    n_train = settings.pop("n_train")
    runs = {} if runs is None else runs
    train, val, test = digits_sets(n_train, seed=settings["seed"])
    view = PhasesView(settings["epochs"])

    def run_for(fraction):
        if fraction not in runs:
            runs[fraction] = train_with_label_noise(train, val, test, fraction, **settings)
        return runs[fraction]

    def draw(fraction):
        run = run_for(fraction)
        view.show(run)
        return describe_phases(run)

    def busy(fraction):
        if fraction in runs:
            return None  # cached: the redraw is quick
        return f"wrong labels={100 * fraction:.0f}%: training {settings['epochs']} epochs..."

    control = widgets.SelectionSlider(options=[(f"{100 * f:.0f}%", f) for f in FRACTIONS], value=fraction,
                                      description="wrong labels", continuous_update=False,
                                      style={"description_width": "initial"})
    panel = SliderPanel(draw, {"fraction": control}, view.figure, stops={"fraction": list(FRACTIONS)},
                        busy=busy)
    panel.runs = runs
    panel.view = view
    return panel
