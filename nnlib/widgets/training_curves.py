"""Notebook 05: a slider panel that trains a small network on the two
moons for a few epochs and draws its training and validation loss.

    learning_rate_curve_panel   controls lr, momentum, batch_size
    train_moons                 the plain function every move calls

The problem is small on purpose (300 points, a 2-16-16-2 network, 30
epochs) so that one training run plus the picture takes about 0.1-0.2 s.
"""

import ipywidgets as widgets

from .. import SGD, SoftmaxCrossEntropy, fit, make_moons, mlp, train_val_test_split
from ..training import training_outcome
from ..plots.curves import TrainValCurves
from ..plots.style import new_figure
from .panel import SliderPanel, learning_rate_slider

BATCH_SIZES = (8, 16, 32, 64, 200)


def moons_split(n_samples=300, *, noise=0.2, seed=0):
    """Two-moons data split 2/3 for training and 1/3 for validation.
    Returns (x_train, y_train), (x_val, y_val) with x: (n, 2), y: (n,)."""
    x, y = make_moons(n_samples, noise=noise, rng=seed)
    train, val, _ = train_val_test_split(x, y, val_fraction=1 / 3, test_fraction=0.0, rng=seed)
    return train, val


def train_moons(train, val, *, lr, momentum=0.0, batch_size=32, epochs=30, hidden=(16, 16), seed=0):
    """Train a fresh ReLU network (2 -> hidden -> 2) with SGD and return its
    History. The same seed gives the same starting weights and batch order,
    so two settings differ only by the settings."""
    model = mlp([2, *hidden, 2], rng=seed)
    optimizer = SGD(model.parameters(), lr=lr, momentum=momentum)
    return fit(model, SoftmaxCrossEntropy(), optimizer, *train, epochs=epochs,
               batch_size=batch_size, validation=val, rng=seed)


def outcome(history, *, initial_loss):
    """How a run ended, in words: see ``nnlib.training.training_outcome``."""
    return training_outcome(history, initial_loss=initial_loss)


def untrained_loss(train, *, hidden=(16, 16), seed=0):
    """The training loss of the network ``train_moons`` starts from."""
    x, y = train
    return SoftmaxCrossEntropy().forward(mlp([2, *hidden, 2], rng=seed).forward(x), y)


def describe(history, *, lr, momentum, batch_size, epochs, initial_loss):
    """One line saying what was trained and how it ended (see ``outcome``);
    initial_loss: the untrained network's training loss."""
    settings = f"lr={lr:g} momentum={momentum:g} batch_size={batch_size}"
    if history.diverged:
        return (f"{settings} epochs={history.epochs} of {epochs} final val loss=none "
                f"(diverged: yes) {history.message}")
    return (f"{settings} epochs={history.epochs} final val loss={history.val_loss[-1]:.4f} "
            f"val acc={100 * history.val_accuracy[-1]:.1f}% (diverged: no): "
            f"{outcome(history, initial_loss=initial_loss)}")


def learning_rate_curve_panel(*, lr=0.1, momentum=0.9, batch_size=32, epochs=30,
                              n_samples=300, noise=0.2, hidden=(16, 16), seed=0):
    """A SliderPanel: every move trains the network from the same start with
    the chosen learning rate, momentum and batch size, and draws the loss
    per epoch on the training and the validation set.

    lr: one of the slider's round rates 0.0001, 0.00015, 0.0002, ..., 5, 8, 10
    (see ``round_log_values``), else ValueError; batch_size: one of BATCH_SIZES.
    ``panel.curves.history`` is the last run's History; ``panel.text`` its
    summary. Runs are kept in ``panel.histories`` by setting, so moving back
    to a setting already seen only redraws.
    """
    if batch_size not in BATCH_SIZES:
        raise ValueError(f"batch_size must be one of {BATCH_SIZES}; got {batch_size!r}")
    lr_control = learning_rate_slider(lr, 0.0001, 10)
    train, val = moons_split(n_samples, noise=noise, seed=seed)
    initial_loss = untrained_loss(train, hidden=hidden, seed=seed)
    fig, ax = new_figure(width=9.0, height=4.2)
    curves = TrainValCurves(ax, epochs)
    style = {"description_width": "initial"}
    controls = {
        "lr": lr_control,
        "momentum": widgets.FloatSlider(value=momentum, min=0.0, max=0.99, step=0.01,
                                        description="momentum", style=style),
        "batch_size": widgets.SelectionSlider(options=BATCH_SIZES, value=batch_size,
                                              description="batch size", style=style),
    }

    histories = {}  # (lr, momentum, batch_size) -> History: moving back answers at once

    def draw(lr, momentum, batch_size):
        key = (lr, momentum, batch_size)
        if key not in histories:
            histories[key] = train_moons(train, val, lr=lr, momentum=momentum, batch_size=batch_size,
                                         epochs=epochs, hidden=hidden, seed=seed)
        history = histories[key]
        curves.update(history, lr=lr, momentum=momentum, batch_size=batch_size)
        return describe(history, lr=lr, momentum=momentum, batch_size=batch_size, epochs=epochs,
                        initial_loss=initial_loss)

    def busy(lr, momentum, batch_size):
        if (lr, momentum, batch_size) in histories:
            return None
        return f"lr={lr:g} momentum={momentum:g} batch_size={batch_size}: training {epochs} epochs..."

    panel = SliderPanel(draw, controls, fig, busy=busy, stops={"lr": [0.001, 0.01, 0.1, 0.3, 1.0, 5.0, 8.0], "momentum": [0.0, 0.5, 0.9], "batch_size": [8, 32, 200]})
    panel.histories = histories
    panel.curves = curves
    return panel
