"""Notebook 10: a gallery of real failing runs on the digits, each made by
changing ONE thing in a healthy run, for the reader to diagnose.

    CAUSES            {cause: Cause(label, change, giveaway, signature)}
    failing_run       train one run of the gallery (a FailingRun)
    failure_gallery   every cause (and the healthy run), in a dict
    judge_diagnosis   the words a reader gets for a guess
    describe_diagnosis  the diagnosis panel's line for a run and a guess

The healthy run: 64-64-10 ReLU network (He init), plain SGD, lr 0.1,
batches of 32, 15 epochs on 899 training digits, 449 validation digits.
Every run is measured with ``train_watched`` (nnlib/diagnostics.py): losses,
accuracies, update-to-data ratios, dead or saturated fractions.
"""

from dataclasses import dataclass, field

import numpy as np

from ._checks import as_rng
from .diagnostics import Recorder, WatchedRun, dead_fraction, kind_of, saturated_fraction, train_watched
from .layers import mlp
from .losses import SoftmaxCrossEntropy
from .optim import SGD
from .splits import shared_rows


@dataclass(frozen=True)
class Cause:
    """label: the cause in a few words; change: what was changed in the
    healthy run; giveaway: what in the curves and numbers gives it away;
    signature: what a run with this cause would show (the hint after a
    wrong guess)."""

    label: str
    change: str
    giveaway: str
    signature: str


CAUSES = {
    "lr_too_high": Cause(
        "learning rate too high", "lr 1.2 instead of 0.1",
        "after the first epoch the loss is higher than where it started, and it then jumps up and down from "
        "epoch to epoch instead of falling; the update ratios have medians of about 0.04 (first layer) and "
        "0.06 (last layer), ten times the healthy run's 0.004 and 0.006, and reach a few tenths; most ReLU "
        "units die",
        "a jagged loss that goes up as often as down, with update ratios far above 1e-3 (0.01 to a few tenths)"),
    "lr_too_low": Cause(
        "learning rate too low", "lr 0.002 instead of 0.1",
        "both losses fall slowly and steadily, still far above the healthy run after 15 epochs, with no sign "
        "of flattening; the update ratios sit at 1e-4 to 3e-4, more than ten times below the healthy run's "
        "4e-3 to 6e-3",
        "a smooth loss that falls slowly and steadily, with update ratios well below 1e-3"),
    "bad_init": Cause(
        "initialisation too large", "every weight 4 times the He standard deviation",
        "the loss at initialisation is far above ln 10 = 2.30 (16 with this seed: confident and wrong): the first "
        "batches spend their updates undoing it (the hockey stick), and the validation loss ends above the "
        "healthy run's",
        "a first loss far above ln 10 = 2.30 that falls steeply in the first batches (a hockey stick), "
        "with the inputs in their usual range 0 to 1"),
    "saturated": Cause(
        "saturated tanh layers", "eight tanh hidden layers at 3 times the LeCun standard deviation",
        "more than half of the units of the deeper tanh layers sit beyond 0.97 of their range, where their "
        "slope is nearly 0; for the first five epochs the training loss hovers around ln 10 and jumps (from "
        "about 2 up to about 4) before it falls, although the update ratios are at a normal level",
        "a large saturated fraction in the tanh layers and a loss that stalls or jumps with normal "
        "update ratios"),
    "shuffled_labels": Cause(
        "labels shuffled against the images", "the training labels permuted at random",
        "the training loss hardly falls below ln 10 = 2.30 and the validation accuracy stays between about 9 "
        "and 19 %, far below the healthy run, although the update ratios look normal: there is nothing to "
        "learn, only labels to memorise, slowly (not exactly 10 %: one random shuffle leaves, by chance, a "
        "few digits more often with one label than with the others); a look at a few images with their "
        "labels shows it at once",
        "a training loss stuck near ln 10 = 2.30 and accuracies far below the healthy run (about 10 to 20 %), "
        "with normal update ratios"),
    "unnormalised": Cause(
        "inputs not normalised", "pixels from 0 to 16 (the raw counts) instead of 0 to 1",
        "the inputs range from 0 to 16 (the statistics of the data show it before any training), the first "
        "loss is far above ln 10 (16 with this seed) and the next batches jump to about 50, and most ReLU "
        "units die",
        "inputs far outside 0 to 1 in the statistics of the data, a large first loss and erratic training"),
    "no_zero_grad": Cause(
        "zero_grad forgotten", "optimizer.zero_grad() left out of the loop",
        "every step adds the new gradient to all the old ones, so each step is mostly the sum of the old "
        "gradients, which changes little from one step to the next: after rising for the first 10 to 20 "
        "steps the update ratios fall in a smooth curve, without the step-to-step noise of every other "
        "run; the loss falls faster than the healthy run's in the first epoch and then climbs, and most "
        "ReLU units die",
        "update ratios that rise for a few steps and then fall smoothly, without noise, and a loss that "
        "falls fast and then climbs"),
    "leaked_validation": Cause(
        "validation data leaked into training", "the training set is 450 training digits plus all 449 "
        "validation digits",
        "the validation curve is glued to the training curve epoch after epoch, although the training "
        "loss is low (a run that learns new digits shows a gap by then): the validation digits are "
        "training digits (449 shared rows), so the validation numbers say nothing about new digits",
        "a validation curve glued to the training curve, and rows shared by the two sets"),
}

HEALTHY = dict(hidden=64, depth=1, activation="relu", gain=1.0, lr=0.1, batch_size=32, epochs=15)

# What each cause changes in the healthy run's settings (data changes are in failing_run).
CHANGES = {
    "healthy": {},
    "lr_too_high": {"lr": 1.2},
    "lr_too_low": {"lr": 0.002},
    "bad_init": {"gain": 4.0},
    "saturated": {"activation": "tanh", "depth": 8, "gain": 3.0},
    "shuffled_labels": {},
    "unnormalised": {},
    "no_zero_grad": {},
    "leaked_validation": {},
}


@dataclass
class FailingRun:
    """One run of the gallery.

    cause: a key of CAUSES, or "healthy". run: the WatchedRun.
    initial_loss: the loss of the whole training set before training.
    x_range: (min, max) of the training inputs. shared: how many validation
    rows also appear in the training set. settings: the run's settings.
    model: the trained network. dead_at_end, saturated_at_end: {layer
    index: fraction} after training, on the run's whole training set: the
    ReLU units 0 for every training example (nnlib.dead_fraction), the tanh
    outputs beyond 0.97 of their range (nnlib.saturated_fraction).
    """

    cause: str
    run: WatchedRun
    initial_loss: float
    x_range: tuple
    shared: int
    settings: dict
    model: object = None
    dead_at_end: dict = field(default_factory=dict)
    saturated_at_end: dict = field(default_factory=dict)

    @property
    def label(self):
        return "healthy run" if self.cause == "healthy" else CAUSES[self.cause].label


def failing_run(cause, train, val, *, epochs=None, seed=0):
    """Train the healthy run with one thing changed (``cause``, a key of
    CAUSES, or "healthy"). train, val: (x, y) pairs, x: (n, 64) digits in
    0..1, y: (n,) labels. Returns a FailingRun."""
    if cause not in CHANGES:
        raise ValueError(f"cause must be 'healthy' or one of {list(CAUSES)}; got {cause!r}")
    settings = {**HEALTHY, **CHANGES[cause]}
    if epochs is not None:
        settings["epochs"] = epochs
    (x, y), (x_val, y_val) = train, val
    if cause == "shuffled_labels":
        y = as_rng(seed + 1).permutation(y)  # the same labels, each on a random image
    if cause == "unnormalised":
        x, x_val = 16 * x, 16 * x_val
    if cause == "leaked_validation":
        half = len(x) // 2
        x, y = np.concatenate([x[:half], x_val]), np.concatenate([y[:half], y_val])
    n_classes = int(max(y.max(), y_val.max())) + 1
    sizes = [x.shape[1]] + [settings["hidden"]] * settings["depth"] + [n_classes]
    model = mlp(sizes, activation=settings["activation"], gain=settings["gain"], rng=seed)
    loss = SoftmaxCrossEntropy()
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        initial_loss = float(loss.forward(model.forward(x), y))
    run = train_watched(model, loss, SGD(model.parameters(), lr=settings["lr"]), x, y, epochs=settings["epochs"],
                        batch_size=settings["batch_size"], validation=(x_val, y_val), rng=seed,
                        zero_grad=cause != "no_zero_grad")
    dead, saturated = end_statistics(model, x)
    return FailingRun(cause, run, initial_loss, (float(x.min()), float(x.max())), shared_rows(x_val, x),
                      settings, model, dead, saturated)


def end_statistics(model, x):
    """({ReLU layer index: dead fraction}, {tanh / sigmoid layer index:
    saturated fraction}) of a model on all of x: (n, in_features)."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        with Recorder(model) as record:
            model.forward(x)
    dead, saturated = {}, {}
    for i, layer in enumerate(model.layers):
        kind = kind_of(layer)
        if kind == "relu":
            dead[i] = dead_fraction(record.outputs[i])
        elif kind in ("tanh", "sigmoid"):
            saturated[i] = saturated_fraction(record.outputs[i], kind)
    return dead, saturated


def failure_gallery(train, val, *, causes=None, epochs=None, seed=0, runs=None):
    """{cause: FailingRun} for "healthy" and every cause (or ``causes``).
    runs: a dict of runs already trained, reused and filled in."""
    runs = {} if runs is None else runs
    for cause in causes or ["healthy", *CAUSES]:
        if cause not in runs:
            runs[cause] = failing_run(cause, train, val, epochs=epochs, seed=seed)
    return runs


def judge_diagnosis(cause, guess):
    """(right, words) for a reader who says run ``cause`` failed because of ``guess``."""
    if guess not in CAUSES:
        raise ValueError(f"guess must be one of {list(CAUSES)}; got {guess!r}")
    truth = CAUSES[cause]
    if guess == cause:
        return True, f"Right: {truth.label} ({truth.change}). What gives it away: {truth.giveaway}."
    return False, f"Not {CAUSES[guess].label}: that would show {CAUSES[guess].signature}. Look again."


NO_GUESS, ANSWER = "none", "answer"


def describe_diagnosis(name, cause, guess):
    """The diagnosis panel's line for run ``name`` (whose cause is ``cause``)
    and the reader's guess: a cause, NO_GUESS or ANSWER."""
    if guess == NO_GUESS:
        return f"run {name}: pick your diagnosis in the list, or '(show the answer)'"
    if guess == ANSWER:
        truth = CAUSES[cause]
        return f"run {name}: {truth.label} ({truth.change}). What gives it away: {truth.giveaway}."
    _, words = judge_diagnosis(cause, guess)
    return f"run {name}: {words}"
