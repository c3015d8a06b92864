"""Notebook 08: early stopping replayed over a finished run.

The run trained all its epochs and kept its numbers (a NoisyRun from
``nnlib/label_noise.py``); the panel asks, for any patience: where would early
stopping have stopped, and which epoch would it have kept? It uses the
same rule as ``fit`` (``nnlib.training.replay_early_stopping``), so what it
shows is what ``fit(..., early_stopping=EarlyStopping(patience))`` does.
The kept model is judged on the run's second validation set (training
digits the run never trained on), never on the test set.
"""

import ipywidgets as widgets

from ..plots.loop import ReplayView
from ..training import epochs_without_improvement, replay_early_stopping
from ..label_noise import phase_sets, train_with_label_noise
from .panel import SliderPanel

MONITORS = ("val_loss", "val_accuracy")


def kept_epoch(run, patience, *, monitor="val_loss", restore=True):
    """(StoppingPoint, kept epoch) for a NoisyRun: the best epoch with
    restore, else the epoch training stopped at."""
    point = replay_early_stopping(getattr(run.history, monitor), patience, monitor=monitor)
    return point, (point.best_epoch if restore else point.stop_epoch)


def describe_replay(run, epoch, point, waited, kept, *, patience, monitor, restore):
    """The panel's line: the replayed epoch and its counter, then where
    training stops, which epoch is kept, its validation accuracy and how
    many digits of the second validation set it gets right."""
    if epoch > point.stop_epoch:
        now = f"epoch {epoch}: training stopped after epoch {point.stop_epoch}"
    else:
        now = f"epoch {epoch}: no improvement for {waited} of {patience}"
    stop = (f"stops after epoch {point.stop_epoch}" if point.stopped_early
            else f"never stops (all {point.stop_epoch} epochs)")
    how = "restores" if restore else "keeps the last,"
    return (f"{now} | {monitor}, patience {patience}: {stop}, {how} epoch {kept}: "
            f"val acc {100 * run.val_accuracy[kept]:.1f}%, second val {int(run.second_correct[kept].sum())}/"
            f"{run.second_correct.shape[1]} = {100 * run.second_accuracy[kept]:.1f}%")


def early_stopping_panel(run=None, *, epoch=None, patience=10, monitor="val_loss", restore=True):
    """A SliderPanel over a finished NoisyRun with controls "epoch" (1..E,
    the replayed epoch), "patience" (1..50), "restore" (checkbox) and
    "monitor" ("val_loss" or "val_accuracy").

    run: by default notebook 08's run with 30 % wrong labels
    (``train_with_label_noise(*phase_sets(400), 0.3)``, about 1 s).

    ``panel.text`` reads like "epoch 40: no improvement for 12 of 20 |
    val_loss, patience 20: stops after epoch 77, restores epoch 57: val acc
    84.9%, second val 432/499 = 86.6%".
    """
    if monitor not in MONITORS:
        raise ValueError(f"monitor must be one of {MONITORS}; got {monitor!r}")
    if run is None:
        run = train_with_label_noise(*phase_sets(400), 0.3)
    epochs = run.epochs
    epoch = epochs if epoch is None else epoch
    if not 1 <= epoch <= epochs:
        raise ValueError(f"epoch must be in 1..{epochs}; got {epoch!r}")
    if not 1 <= patience <= 50:
        raise ValueError(f"patience must be in 1..50; got {patience!r}")
    view = ReplayView(run)
    counters = {name: epochs_without_improvement(getattr(run.history, name), monitor=name) for name in MONITORS}

    def draw(epoch, patience, restore, monitor):
        point, kept = kept_epoch(run, patience, monitor=monitor, restore=restore)
        waited = counters[monitor][epoch - 1]
        view.show(epoch, point, waited, patience=patience, monitor=monitor, restore=restore)
        return describe_replay(run, epoch, point, waited, kept, patience=patience, monitor=monitor,
                               restore=restore)

    style = {"description_width": "initial"}
    controls = {
        "epoch": widgets.IntSlider(value=epoch, min=1, max=epochs, description="epoch", style=style,
                                   continuous_update=True),
        "patience": widgets.IntSlider(value=patience, min=1, max=50, description="patience", style=style,
                                      continuous_update=True),
        "restore": widgets.Checkbox(value=restore, description="restore the best epoch", style=style),
        "monitor": widgets.ToggleButtons(options=MONITORS, value=monitor, description="stop on", style=style),
    }
    stops = {"epoch": sorted({e for e in (1, 10, 25, 50, 100) if e < epochs} | {epochs}), "patience": [5, 20],
             "restore": [True, False], "monitor": list(MONITORS)}
    panel = SliderPanel(draw, controls, view.figure, stops=stops)
    panel.view = view
    return panel
