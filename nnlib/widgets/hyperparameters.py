"""Notebook 09: the hyperparameter explorer. Four sliders (learning rate,
batch size, hidden units, epochs) choose one training run of a 64-h-10
network on the digits; the panel draws its loss and accuracy per epoch and
says in words how it went.

    hyperparameter_panel   the SliderPanel
    digits_split           the digits cut into training, validation, test
    train_digits           the plain training function every setting calls
    describe_run           the status line: accuracy, overfitting, divergence

Every (learning rate, batch size, hidden units) is trained once for the
longest epoch count and cached: the epochs slider only cuts that run
(``first_epochs``: the same seed gives the same first epochs), and moving
back to a setting seen before draws without training.
"""

import ipywidgets as widgets

from .. import SGD, SoftmaxCrossEntropy, fit, load_digits, mlp, train_val_test_split
from ..plots.search import ExplorerCurves
from ..plots.style import new_figure
from ..search import first_epochs
from .panel import SliderPanel, learning_rate_slider

BATCH_SIZES = (8, 16, 32, 64, 128, 256)
HIDDEN_UNITS = (4, 8, 16, 32, 64, 128, 256)
MAX_EPOCHS = 50
LR_RANGE = (0.001, 3.0)

# What a static book precomputes (60 settings, 30 trainings): rates too
# small, good, at the cliff and too large; small and large batches and
# networks; a short and a long run. Among them every regime of the status
# line but "diverged" (no rate on the slider diverges): stuck at chance
# (lr=3), underfitting (0.003), learning well (0.3, 32, 16, 50), jumpy
# (0.3, 32, 16, 10), overfitting (0.3, 8, 128, 50), unstable (1.5, 128, 128, 10).
STOPS = {"lr": [0.003, 0.03, 0.3, 1.5, 3.0], "batch_size": [8, 32, 128], "hidden": [16, 128], "epochs": [10, 50]}

# Status-line thresholds.
CHANCE_ACCURACY = 0.2  # validation accuracy below this is hardly better than guessing among ten classes
STUCK_LOSS = 2.2  # a training loss still near ln 10 = 2.30, the loss of a uniform guess over ten classes
LARGE_LR = 0.5  # "stuck" with a rate this large means the steps overshoot (seen from 1 upwards)
RISE = 0.10  # a loss this much (10 %) above its lowest has turned up: overfitting, or unstable steps
SUSTAINED = 3  # epochs in a row above the lowest validation loss before a rise counts as overfitting
GOOD_ACCURACY = 0.90  # accuracy below this: not learned yet
BOUNCE = 0.5  # after its lowest point, a validation loss 50 % above the epoch before bounces: steps overshoot
SMALL_NETWORK = 16  # fewer hidden units than this underfit the digits; from 16 up size changes little


def digits_split(seed=0, *, val_fraction=0.2, test_fraction=0.2):
    """The shipped digits, shuffled with ``seed`` and cut into training,
    validation and test sets (1079, 359, 359 digits for the defaults).
    Returns (x_train, y_train), (x_val, y_val), (x_test, y_test); x: (n, 64)."""
    x, y = load_digits()
    return train_val_test_split(x, y, val_fraction=val_fraction, test_fraction=test_fraction, rng=seed)


def train_digits(train, val, *, lr, batch_size=32, hidden=64, epochs=20, seed=0):
    """Train a fresh 64-hidden-10 ReLU network with plain SGD and return
    its History (train, val: (x, y) pairs). The seed fixes the starting
    weights and the batch order."""
    model = mlp([64, hidden, 10], rng=seed)
    optimizer = SGD(model.parameters(), lr=lr)
    return fit(model, SoftmaxCrossEntropy(), optimizer, *train, epochs=epochs, batch_size=batch_size,
               validation=val, rng=seed)


def describe_run(history, *, lr, batch_size, hidden, epochs, n_val):
    """The one-line status of a run: its setting, the accuracy it reached
    (as a percentage and a count of validation digits) and its regime in
    words: diverged, stuck at chance, unstable, jumpy, overfitting,
    underfitting, or learning well."""
    setting = f"lr={lr:g} batch={batch_size} hidden={hidden} epochs={epochs}"
    if history.diverged:
        return (f"{setting}: diverged in epoch {history.epochs + 1} (the loss exploded): "
                f"the learning rate is too large, try {lr / 10:g}.")
    val_acc, train_acc = history.val_accuracy[-1], history.train_accuracy[-1]
    numbers = (f"val acc {100 * val_acc:.1f}% ({round(val_acc * n_val)}/{n_val}), "
               f"train acc {100 * train_acc:.1f}%")
    best = min(range(len(history.val_loss)), key=history.val_loss.__getitem__)
    val_rise = history.val_loss[-1] / history.val_loss[best] - 1
    train_rise = history.train_loss[-1] / min(history.train_loss) - 1
    # Overfitting is a trend: the last SUSTAINED epochs all sit well above the lowest validation loss.
    recent = history.val_loss[-SUSTAINED:]
    sustained = len(history.val_loss) > SUSTAINED and min(recent) > (1 + RISE) * history.val_loss[best]
    # ... and a smooth one: a validation loss that leaps from one epoch to the next after its lowest
    # point bounces (steps overshoot), whatever the training loss does.
    after = history.val_loss[best:]
    bounces = any(later > (1 + BOUNCE) * earlier for earlier, later in zip(after, after[1:]))
    if val_acc < CHANCE_ACCURACY and history.train_loss[-1] > STUCK_LOSS:
        advice = ("the steps are too large: try a smaller learning rate" if lr >= LARGE_LR else
                  "the steps are too small or too few: try a larger learning rate or more epochs")
        regime = f"stuck at chance level (loss near ln 10 = 2.3, a uniform guess): {advice} (diverged: no)"
    elif val_rise > RISE and train_rise > RISE:
        # Overfitting lowers the training loss; here it went back up as well.
        regime = (f"unstable: both losses jumped back up (validation loss lowest at epoch {best + 1}, "
                  f"now {100 * val_rise:.0f}% higher): the steps are too large, try a smaller learning rate "
                  f"(diverged: no)")
    elif val_rise > RISE and (bounces or not sustained):
        jump = (f"jumped up in the last epochs (lowest at epoch {best + 1}): a step overshot" if not sustained
                else f"jumps up and down after its lowest point (epoch {best + 1}): steps overshoot")
        regime = (f"jumpy: the validation loss {jump}, and a smaller learning rate or a larger batch gives "
                  f"smoother curves (overfitting: not clear, diverged: no)")
    elif val_rise > RISE and train_acc >= GOOD_ACCURACY:
        regime = (f"overfitting: validation loss lowest at epoch {best + 1}, "
                  f"now {100 * val_rise:.0f}% higher, while the training loss keeps falling (diverged: no)")
    elif train_acc < GOOD_ACCURACY:
        # Advise only what can help: a rate of LARGE_LR or more is already too large for steady steps,
        # and from SMALL_NETWORK hidden units up the size hardly matters (the grid search of notebook 09).
        rate = "a smaller, steadier learning rate" if lr >= LARGE_LR else "a larger learning rate"
        size = " or more hidden units" if hidden < SMALL_NETWORK else ""
        regime = (f"underfitting, training accuracy is low too: train longer, or try {rate}{size} "
                  f"(overfitting: no, diverged: no)")
    elif val_acc < GOOD_ACCURACY:
        regime = (f"learning, but validation accuracy is {100 * (train_acc - val_acc):.0f} points below training "
                  f"(overfitting: not yet, diverged: no)")
    else:
        regime = "learning well (overfitting: no, diverged: no)"
    return f"{setting}: {numbers}; {regime}"


class Explorer:
    """What the panel draws, as plain Python: ``draw(lr, batch_size, hidden,
    epochs) -> str`` trains (or finds in ``cache``) the run of that setting,
    updates ``curves`` and returns the status line; ``busy`` says "training
    ..." while a new setting trains.

    cache: {(lr, batch_size, hidden): History of a MAX_EPOCHS run};
    trainings: how many runs were actually trained; history: the run on show.
    """

    def __init__(self, curves, train, val, *, seed=0):
        self.curves = curves
        self.train, self.val, self.seed = train, val, seed
        self.cache = {}
        self.trainings = 0
        self.history = None

    def busy(self, lr, batch_size, hidden, epochs):
        """What to show at once while a setting not seen before trains; None
        when it is cached (the draw is then quick)."""
        if (lr, batch_size, hidden) in self.cache:
            return None
        return f"training lr={lr:g} batch={batch_size} hidden={hidden} for {MAX_EPOCHS} epochs..."

    def draw(self, lr, batch_size, hidden, epochs):
        key = (lr, batch_size, hidden)
        if key not in self.cache:
            self.cache[key] = train_digits(self.train, self.val, lr=lr, batch_size=batch_size, hidden=hidden,
                                           epochs=MAX_EPOCHS, seed=self.seed)
            self.trainings += 1
        self.history = first_epochs(self.cache[key], epochs)
        self.curves.update(self.history, lr=lr, batch_size=batch_size, hidden=hidden, epochs=epochs)
        return describe_run(self.history, lr=lr, batch_size=batch_size, hidden=hidden, epochs=epochs,
                            n_val=len(self.val[1]))


def hyperparameter_panel(*, lr=0.1, batch_size=32, hidden=64, epochs=20, seed=0):
    """A SliderPanel over one training run on the digits.

    lr: one of the round rates from 0.001 to 3 (``round_log_values``);
    batch_size: one of BATCH_SIZES; hidden: one of HIDDEN_UNITS; epochs: 1 to
    MAX_EPOCHS. Otherwise ValueError. ``panel.explorer`` holds the cache,
    the count of runs trained and the run on show.
    """
    for name, value, allowed in (("batch_size", batch_size, BATCH_SIZES), ("hidden", hidden, HIDDEN_UNITS)):
        if value not in allowed:
            raise ValueError(f"{name} must be one of {allowed}; got {value!r}")
    if isinstance(epochs, bool) or not isinstance(epochs, int) or not 1 <= epochs <= MAX_EPOCHS:
        raise ValueError(f"epochs must be an integer from 1 to {MAX_EPOCHS}; got {epochs!r}")
    train, val, _ = digits_split(seed)
    style = {"description_width": "initial"}
    controls = {
        "lr": learning_rate_slider(lr, *LR_RANGE),
        "batch_size": widgets.SelectionSlider(options=BATCH_SIZES, value=batch_size, description="batch size",
                                              style=style),
        "hidden": widgets.SelectionSlider(options=HIDDEN_UNITS, value=hidden, description="hidden units",
                                          style=style),
        "epochs": widgets.IntSlider(value=epochs, min=1, max=MAX_EPOCHS, description="epochs", style=style,
                                    continuous_update=False),
    }
    fig, (loss_ax, acc_ax) = new_figure(ncols=2, width=12.0, height=4.4)
    explorer = Explorer(ExplorerCurves(loss_ax, acc_ax, MAX_EPOCHS), train, val, seed=seed)
    panel = SliderPanel(explorer.draw, controls, fig, stops=STOPS, busy=explorer.busy)
    panel.explorer = explorer
    return panel
