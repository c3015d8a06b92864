"""Notebook 05: loss curves and learning-rate sweeps.

Every function here takes ``History`` objects made by ``nnlib.fit`` (one
per training run) and only draws them:

    plot_loss_curves      training loss per epoch, one line per run
    plot_lr_sweep         final loss against the learning rate (log x)
    plot_batch_lr_grid    final validation loss for batch sizes x rates
    TrainValCurves        the kept lines of a slider panel, updated per move

A run that diverged has no final loss: its curve stops where training
stopped, and a cross at the top of the axes marks the spot.
"""

import math

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import LogNorm
from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator
from matplotlib.transforms import blended_transform_factory

from .style import COLORS

TEXT = {
    "curves_title": "Training loss for several learning rates",
    "momentum_title": "Momentum 0.9 at lr=0.03 does about what lr=0.3 does without it",
    "run_label": "lr={lr:g}",
    "run_label_momentum": "lr={lr:g}, momentum={momentum:g}",
    "epoch": "epoch (one pass over the training set)",
    "train_loss": "training loss (cross-entropy, log scale)",
    "diverged_label": "{label} (diverged in epoch {epoch})",
    "sweep_title": "Loss after {epochs} epochs against the learning rate",
    "lr": "learning rate (log scale)",
    "final_loss": "loss after the last epoch (log scale)",
    "final_train": "training loss",
    "final_val": "validation loss",
    "diverged_points": "diverged: no final loss",
    "best_region": "best region (validation loss within {factor:g}x of the lowest)",
    "grid_title": "Validation loss after {epochs} epochs: batch size x learning rate",
    "batch_size": "batch size (examples per update)",
    "grid_colorbar": "validation loss (log scale)",
    "grid_diverged": "diverged",
    "loss": "loss (cross-entropy, log scale)",
    "train": "training loss",
    "validation": "validation loss",
    "stopped": "diverged: stopped here",
    "stopped_short": "stopped here",
    "panel_title": "lr={lr:g}, momentum={momentum:g}, batch size={batch_size}",
    "panel_title_diverged": "lr={lr:g}, momentum={momentum:g}, batch size={batch_size}: diverged in epoch {epoch}",
}

# Where the "diverged" crosses sit: a fraction of the axes height, so they
# stay on the figure whatever the loss values are.
TOP_OF_AXES = 0.95

# Red is kept for runs that diverged.
LINE_COLORS = ["#9467bd", "#1f77b4", "#2ca02c", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"]


def plain_log_ticks(axis):
    """Label a log axis 0.01, 0.1, 1 (not 10^-2) and its minor ticks at 2
    and 5 times a power of ten (0.02, 0.05), which are easier to read."""
    def label(value, _):
        mantissa = value / 10.0 ** math.floor(math.log10(value) + 1e-9)
        return f"{value:g}" if round(mantissa) in (1, 2, 5) and abs(mantissa - round(mantissa)) < 1e-6 else ""

    axis.set_major_formatter(FuncFormatter(label))
    axis.set_minor_formatter(FuncFormatter(label))


def run_label(lr, momentum=None):
    """A legend label for one run: "lr=0.1" or "lr=0.1, momentum=0.9"."""
    if momentum is None:
        return TEXT["run_label"].format(lr=lr)
    return TEXT["run_label_momentum"].format(lr=lr, momentum=momentum)


def stop_epoch(history):
    """Where a diverged run stopped, in epochs: 1.5 is half way through epoch 2."""
    return history.updates / max(history.updates_per_epoch, 1)


def diverged_in_epoch(history):
    """The (1-based) epoch in which a diverged run stopped."""
    return history.epochs + 1


def final_loss(history, which="val_loss"):
    """The last value of ``history.<which>``, or NaN if the run diverged or
    has no such value."""
    values = getattr(history, which)
    if history.diverged or not values:
        return math.nan
    return float(values[-1])


def _mark_stop(ax, history, color):
    """A cross at the top of the axes, a dotted line and a note where
    training stopped."""
    top = blended_transform_factory(ax.transData, ax.transAxes)
    x = stop_epoch(history)
    ax.plot([x], [TOP_OF_AXES], marker="X", markersize=11, color=color,
            transform=top, clip_on=False, label="_stop", linestyle="none")
    ax.axvline(x, color=color, linestyle=":", linewidth=1.5, label="_stop line")
    ax.annotate(TEXT["stopped_short"], (x, TOP_OF_AXES), xycoords=top, xytext=(10, -4),
                textcoords="offset points", va="center", color=color, fontsize=10)


def plot_loss_curves(histories, labels, *, title=None, colors=None):
    """Training loss per epoch, one line per history, on a log y axis.

    histories: list of History; labels: one string per history (such as
    "lr=0.1"). A diverged run is drawn up to its last completed epoch (with
    dots, so that even one epoch shows), and a cross at the top marks where
    it stopped. Returns the Figure.
    """
    if len(histories) != len(labels):
        raise ValueError(f"labels must have one entry per history; got {len(labels)} labels "
                         f"for {len(histories)} histories")
    colors = colors or LINE_COLORS
    fig, ax = plt.subplots(figsize=(9, 4.5), layout="constrained")
    for i, (history, label) in enumerate(zip(histories, labels)):
        color = COLORS["bad"] if history.diverged else colors[i % len(colors)]
        epochs = np.arange(1, history.epochs + 1)
        if history.diverged:
            label = TEXT["diverged_label"].format(label=label, epoch=diverged_in_epoch(history))
            ax.plot(epochs, history.train_loss, color=color, marker="o", markersize=4, label=label)
            _mark_stop(ax, history, color)
        else:
            ax.plot(epochs, history.train_loss, color=color, linewidth=2, label=label)
    ax.set_yscale("log")
    plain_log_ticks(ax.yaxis)
    ax.set_xlim(left=0)
    ax.set_xlabel(TEXT["epoch"], fontsize=12)
    ax.set_ylabel(TEXT["train_loss"], fontsize=12)
    ax.set_title(title or TEXT["curves_title"], fontsize=13)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=10, loc="upper left", bbox_to_anchor=(1.01, 1))  # outside: the curves fill the axes
    return fig


def best_region(lrs, losses, factor):
    """(low, high): the smallest and the largest learning rate whose loss is
    within ``factor`` times the lowest, or None if no run finished. The band
    spans exactly those rates (no padding, so it does not look wider than
    the sweep shows); a single rate gets a sliver of a tenth of a grid step
    on each side (in log space), so that it stays visible."""
    lrs = np.asarray(lrs, dtype=float)
    losses = np.asarray(losses, dtype=float)
    if np.all(np.isnan(losses)):
        return None
    good = np.flatnonzero(losses <= factor * np.nanmin(losses))
    low, high = lrs[good.min()], lrs[good.max()]
    if low == high:
        log_lr = np.log10(lrs)
        sliver = 0.1 * np.diff(log_lr).mean() if len(lrs) > 1 else 0.05
        return 10 ** (np.log10(low) - sliver), 10 ** (np.log10(high) + sliver)
    return low, high


def plot_lr_sweep(lrs, histories, *, best_within=2.0, title=None):
    """Final training and validation loss against the learning rate.

    lrs: (k,) increasing learning rates; histories: k History objects, one
    per rate. Diverged runs have no final loss: they are drawn as red
    crosses at the top. The green band covers the rates whose validation
    loss is within ``best_within`` times the lowest. Returns the Figure.
    """
    lrs = np.asarray(lrs, dtype=float)
    if len(lrs) != len(histories):
        raise ValueError(f"lrs and histories must have the same length; got {len(lrs)} and {len(histories)}")
    train = np.array([final_loss(h, "train_loss") for h in histories])
    val = np.array([final_loss(h, "val_loss") for h in histories])
    diverged = np.array([h.diverged for h in histories])
    epochs = max((h.epochs for h in histories), default=0)

    fig, ax = plt.subplots(figsize=(9, 4.5), layout="constrained")
    ax.plot(lrs, train, "o-", color=COLORS["train"], label=TEXT["final_train"])
    ax.plot(lrs, val, "s-", color=COLORS["validation"], label=TEXT["final_val"])
    if diverged.any():
        top = blended_transform_factory(ax.transData, ax.transAxes)
        ax.plot(lrs[diverged], np.full(diverged.sum(), TOP_OF_AXES), "X", color=COLORS["bad"],
                markersize=12, transform=top, clip_on=False, label=TEXT["diverged_points"])
    region = best_region(lrs, val, best_within)
    if region is not None:
        ax.axvspan(*region, color=COLORS["good"], alpha=0.15,
                   label=TEXT["best_region"].format(factor=best_within))
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    plain_log_ticks(ax.yaxis)
    ax.set_xlabel(TEXT["lr"], fontsize=12)
    ax.set_ylabel(TEXT["final_loss"], fontsize=12)
    ax.set_title(title or TEXT["sweep_title"].format(epochs=epochs), fontsize=13)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=10, loc="lower left")
    return fig


def plot_batch_lr_grid(batch_sizes, lrs, histories, *, title=None):
    """A heatmap of the final validation loss, batch sizes (rows) x learning
    rates (columns). histories: nested list, histories[i][j] for
    batch_sizes[i] and lrs[j]. Each cell shows its value, or "diverged".
    Returns the Figure."""
    if len(histories) != len(batch_sizes) or any(len(row) != len(lrs) for row in histories):
        raise ValueError(f"histories must be a {len(batch_sizes)} x {len(lrs)} nested list "
                         "(batch sizes x learning rates)")
    losses = np.array([[final_loss(h) for h in row] for row in histories])
    epochs = max(h.epochs for row in histories for h in row)

    fig, ax = plt.subplots(figsize=(9, 4.5), layout="constrained")
    cmap = plt.get_cmap("viridis_r").with_extremes(bad=COLORS["neutral"])
    finite = losses[np.isfinite(losses)]
    norm = LogNorm(vmin=finite.min(), vmax=finite.max()) if finite.size else None
    image = ax.imshow(np.ma.masked_invalid(losses), cmap=cmap, norm=norm, aspect="auto")
    for i in range(len(batch_sizes)):
        for j in range(len(lrs)):
            value = losses[i, j]
            if np.isnan(value):
                text, color = TEXT["grid_diverged"], "white"
            else:
                text = f"{value:.3f}"
                red, green, blue, _ = cmap(norm(value))
                color = "black" if 0.299 * red + 0.587 * green + 0.114 * blue > 0.5 else "white"
            ax.text(j, i, text, ha="center", va="center", color=color, fontsize=10)
    ax.set_xticks(range(len(lrs)), [f"{lr:g}" for lr in lrs])
    ax.set_yticks(range(len(batch_sizes)), [str(b) for b in batch_sizes])
    ax.set_xlabel(TEXT["lr"].replace(" (log scale)", ""), fontsize=12)
    ax.set_ylabel(TEXT["batch_size"], fontsize=12)
    ax.set_title(title or TEXT["grid_title"].format(epochs=epochs), fontsize=13)
    colorbar = fig.colorbar(image, ax=ax)
    colorbar.set_label(TEXT["grid_colorbar"], fontsize=11)
    plain_log_ticks(colorbar.ax.yaxis)
    return fig


class TrainValCurves:
    """Training and validation loss lines on ``ax`` that a slider panel
    keeps and updates (``update``) instead of drawing new ones.

    The axes are fixed (0..epochs, ylim) so that two settings compare at a
    glance; a diverged run's lines stop and a red cross marks the spot, and
    only then does the legend show the cross ("diverged: stopped here").
    """

    def __init__(self, ax, epochs, *, ylim=(1e-3, 30.0)):
        self.ax = ax
        self.epochs = epochs
        (self.train_line,) = ax.plot([], [], "-", color=COLORS["train"], linewidth=2,
                                     marker="o", markersize=3, label=TEXT["train"])
        (self.val_line,) = ax.plot([], [], "-", color=COLORS["validation"], linewidth=2,
                                   marker="s", markersize=3, label=TEXT["validation"])
        top = blended_transform_factory(ax.transData, ax.transAxes)
        (self.stop_marker,) = ax.plot([], [], "X", color=COLORS["bad"], markersize=14,
                                      transform=top, clip_on=False, label=TEXT["stopped"])
        self.stop_line = ax.axvline(0, color=COLORS["bad"], linestyle=":", linewidth=1.5,
                                    visible=False, label="_stop line")
        ax.set_yscale("log")
        ax.set_xlim(0, epochs + 0.5)
        ax.set_ylim(*ylim)
        # Plain tick labels at the powers of ten and no minor ticks: the
        # default log ticks would double the time to render each move.
        powers = [10.0**k for k in range(math.floor(math.log10(ylim[0])), math.ceil(math.log10(ylim[1])) + 1)
                  if ylim[0] <= 10.0**k <= ylim[1]]
        ax.yaxis.set_major_locator(FixedLocator(powers))
        ax.yaxis.set_major_formatter(lambda value, _: f"{value:g}")
        ax.yaxis.set_minor_locator(NullLocator())
        ax.set_xlabel(TEXT["epoch"], fontsize=12)
        ax.set_ylabel(TEXT["loss"], fontsize=12)
        ax.grid(True, which="major", alpha=0.3)
        # Two legends, one shown at a time: the "diverged: stopped here"
        # entry appears only when the run diverged.
        self.legend_diverged = ax.legend(fontsize=10, loc="upper right")
        ax.add_artist(self.legend_diverged)
        self.legend = ax.legend(handles=[self.train_line, self.val_line], fontsize=10, loc="upper right")
        self.title = ax.set_title(" ", fontsize=13)
        self.history = None
        # What changes on every move is animated: a panel's FastRenderer
        # draws the rest once and then redraws only these.
        for artist in (self.train_line, self.val_line, self.stop_marker, self.stop_line, self.title,
                       self.legend, self.legend_diverged):
            artist.set_animated(True)
        self.legend_diverged.set_visible(False)
        # Lay the figure out once, then keep that layout: re-solving the
        # constrained layout on every move would also double the time.
        fig = ax.get_figure()
        fig.draw_without_rendering()
        fig.set_layout_engine(None)

    def update(self, history, *, lr, momentum, batch_size):
        """Show ``history`` (one training run) and title it with its settings."""
        self.history = history
        epochs = np.arange(1, history.epochs + 1)
        self.train_line.set_data(epochs, history.train_loss)
        self.val_line.set_data(epochs, history.val_loss)
        if history.diverged:
            x = stop_epoch(history)
            self.stop_marker.set_data([x], [TOP_OF_AXES])
            self.stop_line.set_xdata([x, x])
            self.stop_line.set_visible(True)
            self.legend.set_visible(False)
            self.legend_diverged.set_visible(True)
            self.title.set_text(TEXT["panel_title_diverged"].format(lr=lr, momentum=momentum, batch_size=batch_size,
                                                                    epoch=diverged_in_epoch(history)))
            self.title.set_color(COLORS["bad"])
        else:
            self.stop_marker.set_data([], [])
            self.stop_line.set_visible(False)
            self.legend.set_visible(True)
            self.legend_diverged.set_visible(False)
            self.title.set_text(TEXT["panel_title"].format(lr=lr, momentum=momentum, batch_size=batch_size))
            self.title.set_color("black")
