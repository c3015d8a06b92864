"""Notebook 10: when training goes wrong.

    plot_initial_losses    batch losses of a few initialisations (the hockey stick)
    SignalView             the signal-through-the-layers panel's figure
    plot_unit_weights      the incoming weights of a few hidden units, as 8x8 images
    plot_dead_units        the fraction of dead ReLU units during training
    plot_update_ratios     the update-to-data ratio of each weight matrix over training
    plot_overfit_batch     the loss of one small batch trained on alone
    plot_digits_with_labels, plot_validation_mistakes   digits with their labels, or with the answers
    DiagnosisView          the "diagnose this run" panel's figure

Plots draw; they never train: they take SignalRuns, WatchedRuns and
FailingRuns made by nnlib.diagnostics and nnlib.failures.
"""

import math

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import colormaps

from .style import COLORS, new_figure

TEXT = {
    "step": "update (one batch each)",
    "batch_loss": "loss of each batch",
    "loss_log": "loss (cross-entropy, log scale)",
    "ln10": "ln 10 = 2.30: uniform guess",
    "init_title": "The loss at initialisation: too large an initialisation starts confident and wrong",
    "act_hist": "outputs of each hidden layer at initialisation",
    "grad_hist": "gradients flowing back into each hidden layer",
    "act_value": "output of the activation",
    "act_value_relu": "output of the ReLU (its zeros left out; beyond 3 counted at 3)",
    "grad_value": "dLoss / d(output), in units of 0.001 (beyond ±0.001: at the edge)",
    "share": "share of the values",
    "layer": "hidden layer (1 = next to the input)",
    "std_title": "size of the signal, layer by layer",
    "std": "standard deviation (log scale)",
    "act_std": "outputs",
    "grad_std": "gradients",
    "saturated": "saturated (beyond 0.97 of the range)",
    "dead": "dead (0 for every example of the batch)",
    "fraction": "fraction of the layer's units",
    "short_title": "loss during a short training",
    "signal_title": "{activation}, {depth} hidden layers of {width}, gain {gain:g} x the {init} standard deviation",
    "weights_title": "Incoming weights of hidden units after training (each 8x8 image: one unit's 64 weights)",
    "unit": "unit {k}",
    "weight": "weight",
    "dead_title": "Dead ReLU units: once dead on every training digit, a unit never comes back",
    "dead_fraction": "fraction of hidden units dead on all training digits",
    "ratio_title": "Update-to-data ratio, lr x |grad| / |W|, per weight matrix",
    "ratio": "update / weight (log scale)",
    "healthy_band": "around 1e-3: 0.0003 to 0.01 (cs231n, makemore)",
    "overfit_title": "Overfitting one batch of {n} digits: with a large enough step the loss goes to almost 0",
    "epoch": "epoch",
    "train_loss": "training loss",
    "val_loss": "validation loss",
    "healthy": "healthy run (for comparison)",
    "accuracy": "accuracy",
    "train_acc": "training accuracy",
    "val_acc": "validation accuracy",
    "loss_title": "loss",
    "acc_title": "accuracy",
    "ratios_title": "update ratio of each weight matrix",
    "diagnosis_title": "{name}: what went wrong?",
    "first_layer": "first layer",
    "last_layer": "last layer",
    "label": "label {label}",
    "mistake": "true {true}, said {pred}",
    "mistakes_title": "Validation digits the network gets wrong",
}

INIT_NAMES = {"relu": "He", "tanh": "LeCun", "sigmoid": "LeCun"}
LN10 = math.log(10)


def layer_colors(n):
    """n colours from light (first layer) to dark (last)."""
    cmap = colormaps["viridis_r"]
    return [cmap(0.15 + 0.8 * k / max(n - 1, 1)) for k in range(n)]


def plot_initial_losses(curves, *, steps=None):
    """curves: {label: batch losses (steps,)}: one line each, log y, with ln 10 marked."""
    fig, ax = plt.subplots(figsize=(10, 4.2), layout="constrained")
    for label, losses in curves.items():
        losses = np.asarray(losses)[:steps]
        ax.plot(np.arange(1, len(losses) + 1), losses, linewidth=1.8, label=label)
    ax.axhline(LN10, color=COLORS["neutral"], linestyle=":", linewidth=1.5, label=TEXT["ln10"])
    ax.set_yscale("log")
    ax.set_xlabel(TEXT["step"], fontsize=12)
    ax.set_ylabel(TEXT["loss_log"], fontsize=12)
    ax.set_title(TEXT["init_title"], fontsize=13)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=10)
    return fig


# Fixed axes, so that a slider move redraws only the data (see SignalView).
ACT_RANGES = {"tanh": (-1.0, 1.0), "sigmoid": (0.0, 1.0), "relu": (0.0, 3.0)}
GRAD_RANGE = (-1e-3, 1e-3)
SHARE_TOP = 0.4
STD_LIMITS = (1e-15, 1e8)  # the top three decades hold the legend, above every stop's values
SHORT_LOSS_LIMITS = (0.1, 3e5)


def _histogram_lines(lines, arrays, value_range, *, skip_zeros=False, bins=40):
    """Set each line to the histogram of one array: the share of its values
    per bin over ``value_range``, values beyond it counted in the edge bins."""
    edges = np.linspace(*value_range, bins + 1)
    centres = (edges[:-1] + edges[1:]) / 2
    for line, values in zip(lines, arrays):
        values = np.asarray(values, dtype=float).ravel()
        if skip_zeros:
            values = values[values != 0]
        counts, _ = np.histogram(np.clip(values, *value_range), bins=edges)
        line.set_data(centres, counts / max(len(values), 1))
        line.set_visible(True)
    for line in lines[len(arrays):]:
        line.set_visible(False)


class SignalView:
    """The kept figure of the signal panel: per-layer histograms of the
    outputs and of the gradients at initialisation (top), the standard
    deviation of both per layer, the saturated or dead fraction per layer
    and the loss during a short training (bottom).

    The axes' limits stay fixed (they change only with the activation), so
    a move redraws only the data: values beyond a histogram's axis are
    counted at its edge, and a share above 40 % leaves the top."""

    MAX_LAYERS = 10

    def __init__(self, *, animated=True):
        self.figure, _ = new_figure(width=12.0, height=7.6)
        self.figure.clear()
        grid = self.figure.add_gridspec(2, 6)
        self.act_ax = self.figure.add_subplot(grid[0, :3])
        self.grad_ax = self.figure.add_subplot(grid[0, 3:])
        self.std_ax = self.figure.add_subplot(grid[1, :2])
        self.fraction_ax = self.figure.add_subplot(grid[1, 2:4])
        self.loss_ax = self.figure.add_subplot(grid[1, 4:])
        colors = layer_colors(self.MAX_LAYERS)
        self.act_lines, self.grad_lines = [], []
        for ax, lines in ((self.act_ax, self.act_lines), (self.grad_ax, self.grad_lines)):
            for k in range(self.MAX_LAYERS):
                lines.extend(ax.plot([], [], color=colors[k], linewidth=1.6, label=f"{k + 1}"))
            ax.set_ylabel(TEXT["share"], fontsize=11)
            ax.set_ylim(0, SHARE_TOP)
            ax.yaxis.set_major_formatter(lambda value, _: f"{100 * value:.0f}%")
            ax.grid(True, alpha=0.3)
        self.act_ax.set_title(TEXT["act_hist"], fontsize=12)
        self.grad_ax.set_title(TEXT["grad_hist"], fontsize=12)
        self.grad_ax.set_xlim(*GRAD_RANGE)
        self.grad_ax.set_xlabel(TEXT["grad_value"], fontsize=11)
        self.grad_ax.xaxis.set_major_formatter(lambda value, _: f"{1000 * value:g}")
        self.act_ax.legend(title="layer", fontsize=8, ncols=2, loc="upper right")

        (self.act_std_line,) = self.std_ax.plot([], [], "o-", color=COLORS["train"], label=TEXT["act_std"])
        (self.grad_std_line,) = self.std_ax.plot([], [], "s-", color=COLORS["bad"], label=TEXT["grad_std"])
        self.std_ax.set_yscale("log")
        self.std_ax.set_ylim(*STD_LIMITS)
        self.std_ax.set_xlim(0.5, self.MAX_LAYERS + 0.5)
        self.std_ax.set_xticks(np.arange(1, self.MAX_LAYERS + 1))
        self.std_ax.set_xlabel(TEXT["layer"], fontsize=10)
        self.std_ax.set_ylabel(TEXT["std"], fontsize=10)
        self.std_ax.set_title(TEXT["std_title"], fontsize=12)
        self.std_ax.grid(True, which="major", alpha=0.3)
        self.std_ax.legend(fontsize=9, loc="upper left")

        self.bars = list(self.fraction_ax.bar(np.arange(1, self.MAX_LAYERS + 1), np.zeros(self.MAX_LAYERS),
                                              color=COLORS["bad"]))
        self.fraction_ax.set_ylim(0, 1)
        self.fraction_ax.set_xlim(0.4, self.MAX_LAYERS + 0.6)
        self.fraction_ax.set_xticks(np.arange(1, self.MAX_LAYERS + 1))
        self.fraction_ax.yaxis.set_major_formatter(lambda value, _: f"{100 * value:.0f}%")
        self.fraction_ax.set_xlabel(TEXT["layer"], fontsize=10)
        self.fraction_ax.set_ylabel(TEXT["fraction"], fontsize=10)
        self.fraction_ax.grid(True, axis="y", alpha=0.3)

        (self.loss_line,) = self.loss_ax.plot([], [], "o-", color=COLORS["train"], linewidth=1.2, markersize=2.5,
                                              label=TEXT["batch_loss"])
        self.loss_ax.axhline(LN10, color=COLORS["neutral"], linestyle=":", linewidth=1.5, label=TEXT["ln10"])
        self.loss_ax.set_yscale("log")
        self.loss_ax.set_ylim(*SHORT_LOSS_LIMITS)
        self.loss_ax.set_xlabel(TEXT["step"], fontsize=10)
        self.loss_ax.set_ylabel(TEXT["loss_log"], fontsize=10)
        self.loss_ax.set_title(TEXT["short_title"], fontsize=12)
        self.loss_ax.grid(True, which="major", alpha=0.3)
        self.loss_ax.legend(fontsize=8.5, loc="upper right")
        self.title = self.figure.suptitle(" ", fontsize=13)
        self.activation = None
        self._set_activation("tanh", steps=58)
        if animated:
            moving = [*self.act_lines, *self.grad_lines, self.act_std_line, self.grad_std_line, *self.bars,
                      self.loss_line, self.title]
            for artist in moving:
                artist.set_animated(True)
        # Solve the layout once: solving it again on every move would cost more than the drawing.
        self.figure.draw_without_rendering()
        self.figure.set_layout_engine(None)

    def _set_activation(self, activation, steps):
        """The parts that change with the activation only (a full redraw)."""
        self.activation = activation
        self.act_ax.set_xlim(*ACT_RANGES[activation])
        self.act_ax.set_xlabel(TEXT["act_value_relu" if activation == "relu" else "act_value"], fontsize=11)
        self.fraction_ax.set_title(TEXT["dead" if activation == "relu" else "saturated"], fontsize=11)
        self.loss_ax.set_xlim(0, steps)

    def show(self, run):
        """Draw a SignalRun (nnlib.diagnostics.signal_run)."""
        steps = max(run.training.steps_per_epoch * 2, 1)
        if run.activation != self.activation or self.loss_ax.get_xlim()[1] != steps:
            self._set_activation(run.activation, steps)
        relu = run.activation == "relu"
        _histogram_lines(self.act_lines, run.activations, ACT_RANGES[run.activation], skip_zeros=relu)
        _histogram_lines(self.grad_lines, run.grads, GRAD_RANGE)
        stats = run.hidden_stats
        layers = np.arange(1, len(stats) + 1)
        self.act_std_line.set_data(layers, [s.std for s in stats])
        self.grad_std_line.set_data(layers, [s.grad_std for s in stats])
        fractions = [s.dead if relu else s.saturated for s in stats]
        for k, bar in enumerate(self.bars):
            bar.set_height(fractions[k] if k < len(fractions) else 0.0)
            bar.set_visible(k < len(fractions))
        losses = np.asarray(run.training.batch_loss, dtype=float)
        self.loss_line.set_data(np.arange(1, len(losses) + 1), losses)
        self.title.set_text(TEXT["signal_title"].format(activation=run.activation, depth=run.depth, width=run.width,
                                                         gain=run.gain, init=INIT_NAMES[run.activation]))


def plot_unit_weights(weights, *, units=6):
    """weights: {label: W (64, hidden)}: one row per label, the first ``units``
    hidden units' incoming weights as 8x8 images (each row on its own colour scale)."""
    fig, axes = plt.subplots(len(weights), units, figsize=(1.6 * units + 0.9, 1.9 * len(weights)),
                             layout="constrained", squeeze=False)
    for row, (label, W) in zip(axes, weights.items()):
        W = np.asarray(W)
        m = max(np.abs(W[:, :units]).max(), 1e-12)
        for k, ax in enumerate(row):
            image = ax.imshow(W[:, k].reshape(8, 8), cmap="RdBu_r", vmin=-m, vmax=m)
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_title(TEXT["unit"].format(k=k + 1), fontsize=9)
        row[0].set_ylabel(label, fontsize=10)
        colorbar = fig.colorbar(image, ax=list(row), shrink=0.85, pad=0.02)
        colorbar.set_label(TEXT["weight"], fontsize=9)
        colorbar.ax.tick_params(labelsize=8)
    fig.suptitle(TEXT["weights_title"], fontsize=12)
    return fig


def plot_dead_units(curves):
    """curves: {label: (epochs 0..E, fraction dead on all training digits)}."""
    fig, ax = plt.subplots(figsize=(10, 4), layout="constrained")
    for label, (epochs, dead) in curves.items():
        ax.plot(epochs, dead, "o-", markersize=3.5, linewidth=1.8, label=label)
    ax.set_ylim(-0.02, 1.02)
    ax.yaxis.set_major_formatter(lambda value, _: f"{100 * value:.0f}%")
    ax.set_xlabel(TEXT["epoch"], fontsize=12)
    ax.set_ylabel(TEXT["dead_fraction"], fontsize=11)
    ax.set_title(TEXT["dead_title"], fontsize=13)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=10)
    return fig


RATIO_LIMITS = (1e-6, 3.0)
HEALTHY_RATIOS = (10**-3.5, 1e-2)  # the rule of thumb's "about 1e-3", a factor of a few either way


def _ratio_band(ax):
    ax.axhspan(*HEALTHY_RATIOS, color=COLORS["good"], alpha=0.15, linewidth=0, label=TEXT["healthy_band"])
    ax.axhline(1e-3, color=COLORS["good"], linewidth=1)
    ax.set_yscale("log")
    ax.set_ylim(*RATIO_LIMITS)
    ax.grid(True, which="major", alpha=0.3)


def smoothed_ratios(run, smooth=10):
    """{weight name: its update ratio, averaged over ``smooth`` steps}."""
    ratios = {}
    for name, ratio in run.update_ratio.items():
        ratio = np.asarray(ratio, dtype=float)
        if len(ratio) >= smooth:
            ratio = np.convolve(ratio, np.ones(smooth) / smooth, mode="valid")
        ratios[name] = ratio
    return ratios


def _ratio_lines(ax, run, *, smooth=10):
    """One line per weight matrix: its update ratio, averaged over ``smooth`` steps."""
    ratios = smoothed_ratios(run, smooth)
    names = list(ratios)
    for color, name in zip(layer_colors(len(names)), names):
        label = f"{name} ({TEXT['first_layer']})" if name == names[0] else (
            f"{name} ({TEXT['last_layer']})" if name == names[-1] else name)
        ax.plot(np.arange(1, len(ratios[name]) + 1), ratios[name], color=color, linewidth=1.5, label=label)
    _ratio_band(ax)


def plot_update_ratios(runs):
    """runs: {title: WatchedRun}: one panel each, the update ratio of every
    weight matrix over the updates (a running mean of 10 steps)."""
    fig, axes = plt.subplots(1, len(runs), figsize=(4.2 * len(runs), 4), layout="constrained", sharey=True,
                             squeeze=False)
    for ax, (title, run) in zip(axes[0], runs.items()):
        _ratio_lines(ax, run)
        ax.set_title(title, fontsize=12)
        ax.set_xlabel(TEXT["step"], fontsize=10)
    axes[0][0].set_ylabel(TEXT["ratio"], fontsize=11)
    axes[0][-1].legend(fontsize=8.5, loc="lower right")
    fig.suptitle(TEXT["ratio_title"], fontsize=13)
    return fig


def plot_overfit_batch(curves, n):
    """curves: {label: the loss of one batch of n examples before each update
    and after the last}: one line each (an array alone is drawn unlabelled)."""
    if not isinstance(curves, dict):
        curves = {None: curves}
    fig, ax = plt.subplots(figsize=(11, 3.6), layout="constrained")
    for label, losses in curves.items():
        ax.plot(np.arange(len(losses)), losses, linewidth=2, label=label)
    ax.axhline(LN10, color=COLORS["neutral"], linestyle=":", linewidth=1.5, label=TEXT["ln10"])
    ax.set_yscale("log")
    ax.set_xlabel(TEXT["step"], fontsize=11)
    ax.set_ylabel(TEXT["loss_log"], fontsize=11)
    ax.set_title(TEXT["overfit_title"].format(n=n), fontsize=13)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=9.5, loc="center left", bbox_to_anchor=(1.01, 0.5))
    return fig


class DiagnosisView:
    """The kept figure of the diagnosis panel: one failing run's losses,
    accuracies and update ratios, the healthy run's validation curves in
    grey behind them, and its key numbers under the title. Axes are fixed,
    so a move redraws only the data."""

    MAX_MATRICES = 10

    def __init__(self, healthy, *, animated=True):
        self.healthy = healthy
        run = healthy.run
        epochs = np.arange(1, len(run.train_loss) + 1)
        self.figure, axes = new_figure(3, width=13.0, height=4.8)
        self.loss_ax, self.acc_ax, self.ratio_ax = axes
        grey = dict(color="#b0b0b0", linewidth=1.4, linestyle="--", label=TEXT["healthy"])
        self.loss_ax.plot(epochs, run.val_loss, **grey)
        self.acc_ax.plot(epochs, run.val_accuracy, **grey)
        (self.batch_line,) = self.loss_ax.plot([], [], color=COLORS["train"], linewidth=0.6, alpha=0.45,
                                               label=TEXT["batch_loss"])
        (self.train_line,) = self.loss_ax.plot([], [], "o-", color=COLORS["train"], markersize=3.5,
                                               label=TEXT["train_loss"])
        (self.val_line,) = self.loss_ax.plot([], [], "s-", color=COLORS["validation"], markersize=3.5,
                                             label=TEXT["val_loss"])
        (self.train_acc_line,) = self.acc_ax.plot([], [], "o-", color=COLORS["train"], markersize=3.5,
                                                  label=TEXT["train_acc"])
        (self.val_acc_line,) = self.acc_ax.plot([], [], "s-", color=COLORS["validation"], markersize=3.5,
                                                label=TEXT["val_acc"])
        self.loss_ax.axhline(LN10, color=COLORS["neutral"], linestyle=":", linewidth=1.2, label=TEXT["ln10"])
        self.loss_ax.set_yscale("log")
        self.loss_ax.set_ylim(0.003, 100)
        last = len(epochs)
        for ax in (self.loss_ax, self.acc_ax):
            ax.set_xlim(0, last + 0.5)
            ax.set_xlabel(TEXT["epoch"], fontsize=10)
        self.loss_ax.set_ylabel(TEXT["loss_log"], fontsize=10)
        self.loss_ax.set_title(TEXT["loss_title"], fontsize=12)
        self.loss_ax.grid(True, which="major", alpha=0.3)
        self.loss_ax.legend(fontsize=7.5, loc="lower left")
        self.acc_ax.set_ylim(0, 1.02)
        self.acc_ax.yaxis.set_major_formatter(lambda value, _: f"{100 * value:.0f}%")
        self.acc_ax.set_ylabel(TEXT["accuracy"], fontsize=10)
        self.acc_ax.set_title(TEXT["acc_title"], fontsize=12)
        self.acc_ax.grid(True, alpha=0.3)
        self.acc_ax.legend(fontsize=7.5, loc="lower right")
        colors = layer_colors(self.MAX_MATRICES)
        self.ratio_lines = [self.ratio_ax.plot([], [], color=colors[k], linewidth=1.5)[0]
                            for k in range(self.MAX_MATRICES)]
        _ratio_band(self.ratio_ax)
        self.ratio_ax.set_xlim(0, len(run.batch_loss))
        self.ratio_ax.set_xlabel(TEXT["step"], fontsize=10)
        self.ratio_ax.set_ylabel(TEXT["ratio"], fontsize=10)
        self.ratio_ax.set_title(TEXT["ratios_title"], fontsize=12)
        first = plt.Line2D([], [], color=colors[0], linewidth=1.5, label=TEXT["first_layer"])
        last_layer = plt.Line2D([], [], color=colors[-1], linewidth=1.5, label=TEXT["last_layer"])
        band = plt.Rectangle((0, 0), 1, 1, color=COLORS["good"], alpha=0.15, label=TEXT["healthy_band"])
        self.ratio_ax.legend(handles=[first, last_layer, band], fontsize=7.5, loc="lower left")
        self.title = self.figure.suptitle(" \n ", fontsize=12.5)
        if animated:
            for artist in [self.batch_line, self.train_line, self.val_line, self.train_acc_line, self.val_acc_line,
                           *self.ratio_lines, self.title]:
                artist.set_animated(True)
        self.figure.draw_without_rendering()
        self.figure.set_layout_engine(None)

    def show(self, failing, name):
        """Draw a FailingRun under the name the reader sees ("run C")."""
        run = failing.run
        epochs = np.arange(1, len(run.train_loss) + 1)
        self.batch_line.set_data(np.arange(1, len(run.batch_loss) + 1) / run.steps_per_epoch, run.batch_loss)
        self.train_line.set_data(epochs, run.train_loss)
        self.val_line.set_data(epochs, run.val_loss)
        self.train_acc_line.set_data(epochs, run.train_accuracy)
        self.val_acc_line.set_data(epochs, run.val_accuracy)
        ratios = list(smoothed_ratios(run).values())
        colors = layer_colors(len(ratios))
        for k, line in enumerate(self.ratio_lines):
            line.set_visible(k < len(ratios))
            if k < len(ratios):
                line.set_data(np.arange(1, len(ratios[k]) + 1), ratios[k])
                line.set_color(colors[k])
        self.title.set_text(TEXT["diagnosis_title"].format(name=name) + "\n" + "   ·   ".join(run_facts(failing)))


def run_facts(failing):
    """The numbers a practitioner looks at first, as short strings: the
    dead and saturated fractions are those of the trained model on the
    run's whole training set (FailingRun.dead_at_end, .saturated_at_end)."""
    run = failing.run
    facts = [f"loss at init {failing.initial_loss:.1f}", f"inputs {failing.x_range[0]:g} to {failing.x_range[1]:g}",
             f"validation rows also in training: {failing.shared}"]
    if failing.dead_at_end:
        last = max(failing.dead_at_end)  # the last ReLU layer
        facts.append(f"dead ReLU units at the end (0 on all training digits): {100 * failing.dead_at_end[last]:.0f}%")
    if failing.saturated_at_end:
        worst = max(failing.saturated_at_end.values())
        facts.append(f"saturated tanh units at the end: up to {100 * worst:.0f}% of a layer")
    return facts


def plot_digits_with_labels(images, labels, title):
    """A row of 8x8 digits, each titled with the label it was given. images: (n, 64)."""
    n = len(images)
    fig, axes = plt.subplots(1, n, figsize=(1.3 * n, 1.9), layout="constrained", squeeze=False)
    for ax, image, label in zip(axes[0], images, labels):
        ax.imshow(np.asarray(image).reshape(8, 8), cmap="gray_r")
        ax.set_title(TEXT["label"].format(label=label), fontsize=10)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle(title, fontsize=12)
    return fig


def plot_validation_mistakes(images, true, predicted):
    """A row of 8x8 validation digits with their true label and the network's answer. images: (n, 64)."""
    n = len(images)
    fig, axes = plt.subplots(1, n, figsize=(1.35 * n, 1.9), layout="constrained", squeeze=False)
    for ax, image, t, p in zip(axes[0], images, true, predicted):
        ax.imshow(np.asarray(image).reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
        ax.set_title(TEXT["mistake"].format(true=t, pred=p), fontsize=9)
        ax.set_axis_off()
    fig.suptitle(TEXT["mistakes_title"], fontsize=12)
    return fig
