"""Notebook 08: the training loop, the phases of learning, early stopping,
reading curves and the mistakes of a trained network.

    plot_batch_losses       every batch loss, the epoch means, validation
    plot_phases             accuracies per epoch with the phases of learning marked
    PhasesView              the same, as a panel's kept figure
    ReplayView              a finished run replayed with early stopping (a panel's figure)
    plot_curve_gallery      loss curves of several runs, each with its diagnosis
    plot_confusion_matrix   counts of true class x predicted class
    plot_misclassified      a grid of 8x8 digits with true and predicted labels

Plots draw; they never train: they take Histories and NoisyRuns. The
plot_* functions make pyplot figures (shown by plt.show() in a notebook);
the two views keep a figure made without pyplot, which a slider panel redraws.
"""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.ticker import FixedLocator, MaxNLocator, NullLocator

from ..label_noise import WINDOW, moving_average, phase_edges
from .curves import plain_log_ticks
from .style import COLORS, new_figure

TEXT = {
    "epoch": "epoch (one pass over the training set)",
    "loss": "loss (cross-entropy, log scale)",
    "loss_linear": "loss (cross-entropy)",
    "epoch_short": "epoch",
    "batch_loss": "loss of each batch (one per update)",
    "epoch_mean": "mean of the epoch's batch losses (what fit reports)",
    "epoch_mean_mid": "the same means, drawn at mid-epoch",
    "train_end": "training set loss after the epoch",
    "validation": "validation loss after the epoch",
    "batch_title": "Batch losses jump around; their epoch mean lags half an epoch behind the weights",
    "accuracy": "accuracy",
    "phases_epoch": "epoch (linear from 0 to 1, then log scale)",
    "phases_title": "{percent:.0f}% wrong training labels: the phases of learning",
    "train_acc": "training accuracy (on the given labels)",
    "val_acc": "validation accuracy (right labels)",
    "memorised": "wrong labels memorised",
    "chance": "10%: a random guess among ten classes",
    "initialisation": "initialisation",
    "learning": "learning",
    "memorisation": "memorisation",
    "transition": "learning → memorisation",  # a narrow band: the label stands upright
    "each_epoch": "thin: epoch by epoch",
    "smoothed": f"thick: {WINDOW}-epoch mean (fewer at ends)",
    "replay_loss_title": "Loss",
    "replay_acc_title": "Accuracy",
    "train_loss": "training loss (mean over the epoch)",
    "val_loss": "validation loss",
    "train_acc_short": "training accuracy",
    "val_acc_short": "validation accuracy",
    "now": "epoch {epoch}",
    "best_legend": "best epoch so far at the stop",
    "stop_legend": "where training stops",
    "counter": "epoch {epoch}\nno improvement for {waited} of {patience}",
    "counter_stopped": "epoch {epoch}\ntraining stopped after epoch {stop}",
    "replay_title": "Early stopping on {monitor}, patience {patience}: {stop}, keeps epoch {kept} ({how})",
    "stops_after": "stops after epoch {epoch}",
    "never_stops": "never stops (all {epoch} epochs)",
    "restored": "restored",
    "not_restored": "not restored: the last epoch",
    "gallery_title": "Reading curves: six real runs",
    "confusion_title": "Test set: true class against predicted class ({errors} mistakes of {total})",
    "true_class": "true class",
    "predicted_class": "predicted class",
    "mistakes": "mistakes (counts off the diagonal)",
    "misclassified_title": "Test digits the network gets wrong",
    "digit_label": "true {true}, said {pred}",
}

# Epoch ticks of the phases plot (symlog axis: linear 0..1, log after).
PHASE_TICKS = (0, 1, 2, 5, 10, 20, 50, 100, 200, 500)


def _pyplot_figure(ncols=1, nrows=1, *, width, height):
    """(fig, axes) from pyplot, laid out with the constrained layout."""
    return plt.subplots(nrows, ncols, figsize=(width, height), layout="constrained")


def _style_log_loss(ax, low, high):
    ax.set_yscale("log")
    ax.set_ylim(low, high)
    ax.grid(True, which="major", alpha=0.3)


def plot_batch_losses(batch_loss, updates_per_epoch, epoch_mean, train_end, val_loss, *, train_start=None,
                      title=None):
    """One plot of a training run's losses against the epoch.

    batch_loss: (updates,) the loss of every batch, drawn at the end of its
    update (batch b of epoch e at e - 1 + b / updates_per_epoch);
    epoch_mean: (E,) the mean batch loss of each epoch, drawn both at the
    epoch's end (as fit reports it) and at its middle; train_end, val_loss:
    (E,) the loss on the whole training / validation set after each epoch;
    train_start: optional loss of the training set before any update,
    drawn at epoch 0 on the dashed line.
    """
    batch_loss = np.asarray(batch_loss)
    epochs = np.arange(1, len(epoch_mean) + 1)
    fig, ax = _pyplot_figure(width=10.0, height=4.8)
    steps = np.arange(1, len(batch_loss) + 1) / updates_per_epoch
    ax.plot(steps, batch_loss, "-", color=COLORS["train"], alpha=0.35, linewidth=1, label=TEXT["batch_loss"])
    ax.plot(epochs, epoch_mean, "o", color=COLORS["train"], markersize=7, label=TEXT["epoch_mean"])
    ax.plot(epochs - 0.5, epoch_mean, "o", markerfacecolor="none", markeredgecolor=COLORS["train"],
            markersize=7, label=TEXT["epoch_mean_mid"])
    end_x, end_y = (epochs, train_end) if train_start is None else (
        np.arange(len(train_end) + 1), np.concatenate([[train_start], train_end]))
    ax.plot(end_x, end_y, "--", color=COLORS["train"], linewidth=2, label=TEXT["train_end"])
    ax.plot(epochs, val_loss, "-s", color=COLORS["validation"], linewidth=2, markersize=5,
            label=TEXT["validation"])
    values = np.concatenate([batch_loss, end_y, val_loss])
    _style_log_loss(ax, values.min() / 1.5, values.max() * 1.5)
    plain_log_ticks(ax.yaxis)
    ax.set_xlim(0, len(epochs) + 0.2)
    ax.set_xticks(np.arange(0, len(epochs) + 1, 2 if len(epochs) > 12 else 1))
    ax.set_xlabel(TEXT["epoch"], fontsize=12)
    ax.set_ylabel(TEXT["loss"], fontsize=12)
    ax.set_title(title or TEXT["batch_title"], fontsize=13)
    ax.legend(fontsize=9.5, loc="upper right")
    return fig


def _keep_layout(fig, moving):
    """Mark the artists a slider moves as animated (a panel's FastRenderer
    then redraws only them over a kept background) and fix the layout once:
    solving the constrained layout again on every move would double its cost."""
    for artist in moving:
        artist.set_animated(True)
    fig.draw_without_rendering()
    fig.set_layout_engine(None)


class PhasesView:
    """The kept figure of the label-noise panel: training and validation
    accuracy and the fraction of wrong labels memorised, epochs 0..E on a
    symlog axis (linear up to 1, so epoch 0 shows). Each curve is drawn
    twice: thin, epoch by epoch, and thick, smoothed over a few epochs
    (nnlib.label_noise.moving_average). Initialisation is a line at epoch 0;
    the other phases are shaded, with the turn from learning to
    memorisation as a band (nnlib.label_noise.phase_edges)."""

    def __init__(self, epochs, *, animated=True):
        self.figure, ax = new_figure(width=10.0, height=5.0)
        self.ax = ax
        ax.set_xscale("symlog", linthresh=1.0, linscale=0.6)
        ax.set_xlim(-0.04, epochs)  # a little room left of 0 for the initialisation line
        ax.xaxis.set_major_locator(FixedLocator([t for t in PHASE_TICKS if t <= epochs] + [epochs]))
        ax.xaxis.set_major_formatter(lambda value, _: f"{value:g}")
        ax.xaxis.set_minor_locator(NullLocator())
        ax.set_ylim(0, 1.08)
        ax.yaxis.set_major_formatter(lambda value, _: f"{100 * value:.0f}%")
        spans = (("learning", "#d9f0d3"), ("transition", "#fff2c2"), ("memorisation", "#fde0dd"))
        self.spans, self.span_labels = [], []
        for name, color in spans:
            self.spans.append(_full_height_band(ax, color=color, alpha=0.6, linewidth=0, zorder=0))
            # The band between learning and memorisation is narrow: its label stands upright inside it.
            upright = dict(y=0.4, rotation=90, fontsize=9.5) if name == "transition" else dict(y=1.04, fontsize=10)
            self.span_labels.append(ax.text(0.5, s=TEXT[name], ha="center", va="center", **upright))
        # Initialisation is epoch 0, the random network: a line, not a span. After the spans:
        # a panel redraws the moving artists in the order they were made.
        # Added as an artist, not with axvline: axvline also updates the data limits through the inverse
        # symlog transform, which warns for x = 0 on matplotlib before 3.8 (the limits are set above anyway).
        self.init_line = ax.add_artist(Line2D([0, 0], [0, 1], transform=ax.get_xaxis_transform(),
                                              color="#888888", linewidth=3, zorder=1))
        self.init_label = ax.text(0.05, 0.62, TEXT["initialisation"], rotation=90, ha="left", va="center",
                                  fontsize=9.5, transform=ax.get_xaxis_transform())
        self.chance_line = ax.axhline(0.1, color=COLORS["neutral"], linestyle=":", linewidth=1.5,
                                      label=TEXT["chance"])
        self.raw, self.smooth = {}, {}
        for name, color in (("train", COLORS["train"]), ("val", COLORS["validation"]), ("memorised", COLORS["bad"])):
            (self.raw[name],) = ax.plot([], [], "-", color=color, linewidth=0.9, alpha=0.45)
            (self.smooth[name],) = ax.plot([], [], "-", color=color, linewidth=2.4)
        ax.set_xlabel(TEXT["phases_epoch"], fontsize=12)
        ax.set_ylabel(TEXT["accuracy"], fontsize=12)
        ax.grid(True, alpha=0.3)
        # Two legends, one without the memorised curve (a run with no wrong labels draws none);
        # show() makes one of them visible. Not animated: the layout must leave room for them.
        handles = [self.smooth["train"], self.smooth["val"], self.smooth["memorised"], self.chance_line,
                   Line2D([], [], color="gray", linewidth=0.9, alpha=0.6), Line2D([], [], color="gray", linewidth=2.4)]
        labels = [TEXT["train_acc"], TEXT["val_acc"], TEXT["memorised"], TEXT["chance"], TEXT["each_epoch"],
                  TEXT["smoothed"]]
        self.legends = {}
        for key, keep in (("noisy", range(6)), ("clean", (0, 1, 3, 4, 5))):
            self.legends[key] = self.figure.legend([handles[i] for i in keep], [labels[i] for i in keep],
                                                   fontsize=9.5, loc="outside lower center", ncols=3)
        self.title = ax.set_title(" ", fontsize=13)
        self.run = None
        if animated:  # for a panel; a figure saved or shown once must not be animated
            moving = [*self.spans, *self.span_labels, self.init_line, self.init_label, self.chance_line,
                      *self.raw.values(), *self.smooth.values(),
                      self.title]
            _keep_layout(self.figure, moving)

    def show(self, run):
        """Draw a NoisyRun (see nnlib.label_noise)."""
        self.run = run
        epochs = np.arange(run.epochs + 1)
        noisy = bool(run.flipped.any())
        curves = {"train": run.train_accuracy, "val": run.val_accuracy, "memorised": run.memorised}
        for name, values in curves.items():
            if name == "memorised" and not noisy:
                self.raw[name].set_data([], [])
                self.smooth[name].set_data([], [])
                continue
            self.raw[name].set_data(epochs, values)
            self.smooth[name].set_data(epochs[1:], moving_average(values[1:]))
        edges = phase_edges(run)
        for i, (span, label) in enumerate(zip(self.spans, self.span_labels)):
            low, high = edges[i], edges[i + 1]
            span.set_x(low)
            span.set_width(high - low)
            span.set_visible(high > low)
            label.set_visible(high > low)
            label.set_x(np.sqrt(max(low, 1) * high))  # the middle of the log part of the axis
        for key, legend in self.legends.items():
            if legend.get_visible() != (noisy == (key == "noisy")):
                legend.set_visible(not legend.get_visible())
                self.figure.stale = True  # a figure legend does not tell the figure: redraw the background
        self.title.set_text(TEXT["phases_title"].format(percent=100 * run.fraction))


def _full_height_band(ax, **style):
    """A band over the full height of ax, from x=0 to x=1 in data units
    until its set_x and set_width move it.

    What ax.axvspan draws, but a Rectangle on every matplotlib: axvspan
    returns a Polygon (no set_x) before matplotlib 3.9. The x limits must be
    set before: add_patch may widen the data limits to the band."""
    band = Rectangle((0, 0), 1, 1, transform=ax.get_xaxis_transform(), **style)
    ax.add_patch(band)
    return band


def plot_phases(run):
    """The phases figure of one NoisyRun, to show once (not in a panel)."""
    view = PhasesView(run.epochs, animated=False)
    view.show(run)
    return view.figure


class ReplayView:
    """The kept figure of the early-stopping replay: loss (left) and
    accuracy (right) per epoch of a finished run, a marker at the replayed
    epoch, the best and the stopping epoch as vertical lines, and the
    patience counter in a box."""

    def __init__(self, run):
        self.run = run
        self.figure, (loss_ax, acc_ax) = new_figure(2, width=11.0, height=4.6)
        self.axes = (loss_ax, acc_ax)
        epochs = np.arange(1, run.epochs + 1)
        history = run.history
        loss_ax.plot(epochs, history.train_loss, "-", color=COLORS["train"], linewidth=1.8,
                     label=TEXT["train_loss"])
        loss_ax.plot(epochs, history.val_loss, "-", color=COLORS["validation"], linewidth=1.8,
                     label=TEXT["val_loss"])
        values = np.concatenate([history.train_loss, history.val_loss])
        _style_log_loss(loss_ax, values.min() / 1.3, values.max() * 1.3)
        plain_log_ticks(loss_ax.yaxis)
        loss_ax.set_ylabel(TEXT["loss"], fontsize=11)
        acc_ax.plot(epochs, run.train_accuracy[1:], "-", color=COLORS["train"], linewidth=1.8,
                    label=TEXT["train_acc_short"])
        acc_ax.plot(epochs, history.val_accuracy, "-", color=COLORS["validation"], linewidth=1.8,
                    label=TEXT["val_acc_short"])
        acc_ax.yaxis.set_major_formatter(lambda value, _: f"{100 * value:.0f}%")
        acc_ax.set_ylabel(TEXT["accuracy"], fontsize=11)
        acc_ax.grid(True, alpha=0.3)
        self.markers, self.best_lines, self.stop_lines = [], [], []
        for ax, values, name in ((loss_ax, history.val_loss, "replay_loss_title"),
                                 (acc_ax, history.val_accuracy, "replay_acc_title")):
            ax.set_xlim(0, run.epochs + 1)
            ax.set_xlabel(TEXT["epoch"], fontsize=11)
            ax.set_title(TEXT[name], fontsize=12)
            (marker,) = ax.plot([], [], "o", color="black", markersize=9, zorder=5)
            self.markers.append((marker, np.asarray(values)))
            self.best_lines.append(ax.axvline(1, color=COLORS["good"], linewidth=2, label=TEXT["best_legend"]))
            self.stop_lines.append(ax.axvline(1, color=COLORS["bad"], linewidth=2, linestyle="--",
                                              label=TEXT["stop_legend"]))
        self.counter = loss_ax.text(0.03, 0.04, "", transform=loss_ax.transAxes, fontsize=10.5,
                                    va="bottom", bbox=dict(boxstyle="round", facecolor="white", alpha=0.9))
        self.title = self.figure.suptitle(" ", fontsize=12.5)
        loss_ax.legend(fontsize=9, loc="upper right")
        acc_ax.legend(fontsize=9, loc="lower right")
        moving = [marker for marker, _ in self.markers] + self.best_lines + self.stop_lines + [self.counter, self.title]
        _keep_layout(self.figure, moving)

    def show(self, epoch, point, waited, *, patience, monitor, restore):
        """Move the marker to ``epoch``; draw the best and stopping epochs of
        ``point`` (a StoppingPoint) and the counter ``waited`` (int)."""
        kept = point.best_epoch if restore else point.stop_epoch
        for marker, values in self.markers:
            marker.set_data([epoch], [values[epoch - 1]])
        for lines, x in ((self.best_lines, point.best_epoch), (self.stop_lines, point.stop_epoch)):
            for line in lines:
                line.set_xdata([x, x])
        if epoch > point.stop_epoch:
            self.counter.set_text(TEXT["counter_stopped"].format(epoch=epoch, stop=point.stop_epoch))
            self.counter.set_color(COLORS["bad"])
        else:
            self.counter.set_text(TEXT["counter"].format(epoch=epoch, waited=waited, patience=patience))
            self.counter.set_color("black")
        how = TEXT["restored"] if restore else TEXT["not_restored"]
        stop = (TEXT["stops_after"] if point.stopped_early else TEXT["never_stops"]).format(epoch=point.stop_epoch)
        self.title.set_text(TEXT["replay_title"].format(monitor=monitor, patience=patience, stop=stop, kept=kept,
                                                        how=how))


def plot_curve_gallery(runs, *, ncols=3):
    """Training and validation loss of several runs, one small plot each.

    runs: list of (title, History); the title names the diagnosis. The
    loss axes are linear from 0, so that a gap between the curves looks as
    large as it is.
    """
    nrows = int(np.ceil(len(runs) / ncols))
    fig, axes = _pyplot_figure(ncols, nrows, width=12.0, height=3.4 * nrows + 0.4)
    axes = np.atleast_1d(axes).reshape(-1)
    for ax, (title, history) in zip(axes, runs):
        epochs = np.arange(1, history.epochs + 1)
        ax.plot(epochs, history.train_loss, "-", color=COLORS["train"], linewidth=1.8, label=TEXT["train_loss"])
        ax.plot(epochs, history.val_loss, "-", color=COLORS["validation"], linewidth=1.8, label=TEXT["val_loss"])
        top = max(max(history.train_loss), max(history.val_loss))
        ax.set_ylim(0, 1.08 * top)
        ax.grid(True, alpha=0.3)
        ax.set_title(title, fontsize=11)
        ax.set_xlabel(TEXT["epoch_short"], fontsize=10)
        ax.set_ylabel(TEXT["loss_linear"], fontsize=10)
    for ax in axes[len(runs):]:
        ax.set_visible(False)
    # One legend for all six plots, under them: every plot draws the same two curves.
    fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncols=2, fontsize=10)
    fig.suptitle(TEXT["gallery_title"], fontsize=13)
    return fig


def plot_confusion_matrix(matrix):
    """matrix: (C, C) counts, rows the true class, columns the predicted
    one. The diagonal (right answers) is left white so the mistakes stand out."""
    matrix = np.asarray(matrix)
    n = len(matrix)
    mistakes = matrix * (1 - np.eye(n, dtype=matrix.dtype))
    fig, ax = _pyplot_figure(width=6.4, height=5.6)
    image = ax.imshow(mistakes, cmap="Reds", vmin=0, vmax=max(mistakes.max(), 1))
    for i in range(n):
        for j in range(n):
            if matrix[i, j]:
                ax.text(j, i, str(matrix[i, j]), ha="center", va="center", fontsize=9,
                        color="white" if i != j and mistakes[i, j] > 0.6 * mistakes.max() else "black",
                        fontweight="bold" if i == j else "normal")
    ax.set_xticks(range(n))
    ax.set_yticks(range(n))
    ax.set_xlabel(TEXT["predicted_class"], fontsize=12)
    ax.set_ylabel(TEXT["true_class"], fontsize=12)
    total = int(matrix.sum())
    ax.set_title(TEXT["confusion_title"].format(errors=total - int(np.trace(matrix)), total=total), fontsize=11)
    colorbar = fig.colorbar(image, ax=ax, shrink=0.8, label=TEXT["mistakes"])
    colorbar.ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    return fig


def plot_misclassified(images, true, predicted, *, ncols=8):
    """A grid of 8x8 digits. images: (n, 64); true, predicted: (n,) labels."""
    n = len(images)
    nrows = max(1, int(np.ceil(n / ncols)))
    fig, axes = _pyplot_figure(ncols, nrows, width=1.35 * ncols, height=1.6 * nrows + 0.5)
    axes = np.atleast_1d(axes).reshape(-1)
    for ax in axes:
        ax.set_axis_off()
    for ax, image, t, p in zip(axes, images, true, predicted):
        ax.imshow(np.asarray(image).reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
        ax.set_title(TEXT["digit_label"].format(true=t, pred=p), fontsize=9)
    fig.suptitle(TEXT["misclassified_title"], fontsize=12)
    return fig
