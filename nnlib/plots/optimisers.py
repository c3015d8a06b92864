"""Notebook 11: pictures of optimisers, schedules and the range test.

Every function takes numbers made by the core (``nnlib.tuning``,
``nnlib.lr_range_test``) and only draws:

    BiasCorrectionView   the kept figure of the bias-correction panel: Adam's first steps
    plot_step_sizes      Adam's per-number step sizes next to SGD's single one (histogram)
    plot_lr_tuning       validation accuracy against the learning rate, per optimiser, over seeds
    plot_comparison      each optimiser at its own best rate, on fresh seeds, seed by seed
    plot_weight_decay    Adam's L2 against AdamW's decoupled decay: weight size and accuracy
    ScheduleView         the kept figure of the schedule panel: lr per step, loss per epoch
    plot_range_tests     the range test's curves over seeds and ranges, with the tuned rate
"""

import matplotlib.pyplot as plt
import numpy as np

from .style import COLORS, new_figure

TEXT = {
    "step": "step t",
    "step_size": "size of the step (units of lr)",
    "bias_title": "Adam's steps for a steady gradient: {state}, β2 = {beta2:g}",
    "with": "with bias correction",
    "without": "without bias correction",
    "with_legend": "with bias correction: exactly lr, what a steady gradient should give",
    "sizes_title": "Step sizes after {epochs} epochs: one per number with Adam, one for all with SGD",
    "sizes_x": "step size lr / (√v̂ + ε) (log scale)",
    "numbers": "numbers in the network",
    "sgd_lr": "SGD: lr = {lr:g} for every number (tuned below)",
    "adam_lr": "Adam's lr = {lr:g}",
    "lr": "learning rate (log scale)",
    "val_accuracy": "validation accuracy (%)",
    "tuning_title": "Each optimiser's learning rate tuned on validation (seeds {seeds})",
    "seed_dot": "one seed",
    "mean": "mean over seeds",
    "chosen": "chosen: best mean",
    "chance_failed": "failed (at chance)",
    "comparison_title": "Each at its own best rate, on {n} fresh seeds (lines join runs of the same seed)",
    "optimiser": "optimiser (its tuned learning rate)",
    "decay_norm_title": "Size of the weights after {epochs} epochs",
    "decay_acc_title": "Validation accuracy against weight size",
    "weight_decay": "weight_decay (log scale; 0 at the left)",
    "weight_norm": "norm of the weights",
    "adam_l2": "Adam, L2 in the gradient",
    "adamw": "AdamW, decoupled",
    "schedule_lr_title": "The learning rate, step by step",
    "update": "update (step)",
    "lr_axis": "learning rate (log scale)",
    "loss_title": "The loss, epoch by epoch",
    "epoch": "epoch",
    "loss": "loss (log scale)",
    "train_loss": "training loss (mean of the epoch's batches)",
    "val_loss": "validation loss",
    "schedule_title": "Adam, peak lr {lr:g}, {warmup} warmup steps, {shape}: validation accuracy {acc:.1f}%",
    "range_title": "The range test: {n} seeds, ranges {ranges}",
    "smoothed_loss": "training loss (smoothed)",
    "steepest": "steepest fall",
    "suggested": "lowest loss / 10",
    "tuned": "tuned in section 2 ({lr:g})",
}


class BiasCorrectionView:
    """Adam's update in units of lr for a steady gradient, step by step, with
    and without bias correction (the one switched off in grey)."""

    def __init__(self, steps):
        self.figure, self.ax = new_figure(width=9.0, height=4.0)  # kept by the panel, not shown by pyplot
        ax = self.ax
        self.t = np.arange(1, steps + 1)
        # No separate line at 1: the corrected curve is exactly lr and would hide under it.
        (self.on_line,) = ax.plot([], [], color=COLORS["train"], linewidth=2.5, label=TEXT["with_legend"])
        (self.off_line,) = ax.plot([], [], color=COLORS["bad"], linewidth=2.5, label=TEXT["without"])
        ax.set_xscale("log")
        ax.set_xlim(1, steps)
        ax.set_ylim(0, 22)
        ax.set_xlabel(TEXT["step"] + " (log scale)", fontsize=12)
        ax.set_ylabel(TEXT["step_size"], fontsize=12)
        ax.grid(True, alpha=0.3)
        ax.legend(loc="upper right", fontsize=10)
        self.title = ax.set_title(" ", fontsize=12)
        for artist in (self.on_line, self.off_line, self.title):
            artist.set_animated(True)

    def update(self, with_correction, without_correction, *, bias_correction, beta2):
        """Both curves ((steps,) each); the one in use drawn bold."""
        self.on_line.set_data(self.t, with_correction)
        self.off_line.set_data(self.t, np.minimum(without_correction, 21.9))
        self.on_line.set_alpha(1.0 if bias_correction else 0.35)
        self.off_line.set_alpha(0.35 if bias_correction else 1.0)
        state = TEXT["with"] if bias_correction else TEXT["without"]
        self.title.set_text(TEXT["bias_title"].format(state=state, beta2=beta2))


def plot_step_sizes(sizes, adam_lr, sgd_lr, epochs):
    """Histogram of Adam's step sizes (one per number, (n,)) on a log axis,
    with SGD's single learning rate and Adam's lr as lines. Returns the Figure."""
    sizes = np.asarray(sizes, dtype=float)
    fig, ax = plt.subplots(figsize=(9, 4), layout="constrained")
    bins = np.logspace(np.log10(sizes.min()) - 0.1, np.log10(max(sizes.max(), sgd_lr)) + 0.1, 50)
    ax.hist(sizes, bins=bins, color=COLORS["train"], alpha=0.8)
    ax.axvline(sgd_lr, color=COLORS["bad"], linewidth=2.5, label=TEXT["sgd_lr"].format(lr=sgd_lr))
    ax.axvline(adam_lr, color="black", linestyle=":", linewidth=2, label=TEXT["adam_lr"].format(lr=adam_lr))
    ax.set_xscale("log")
    ax.set_xlabel(TEXT["sizes_x"], fontsize=12)
    ax.set_ylabel(TEXT["numbers"], fontsize=12)
    ax.set_title(TEXT["sizes_title"].format(epochs=epochs), fontsize=12)
    ax.legend(fontsize=10, loc="upper left")
    ax.grid(True, alpha=0.3)
    return fig


def plot_lr_tuning(names, learning_rates, accuracies, chosen, seeds):
    """One axes per optimiser: validation accuracy (%) against the learning
    rate, a dot per seed, the mean as a line, the chosen rate starred.

    learning_rates: {name: (L,)}; accuracies: {name: (L, seeds)} in [0, 1],
    NaN for a diverged run; chosen: {name: lr}. Returns the Figure."""
    fig, axes = plt.subplots(1, len(names), figsize=(13, 3.8), layout="constrained", sharey=True)
    for ax, name in zip(np.atleast_1d(axes), names):
        lrs, acc = np.asarray(learning_rates[name]), 100 * np.asarray(accuracies[name], dtype=float)
        for j in range(acc.shape[1]):
            ax.plot(lrs, acc[:, j], "o", color=COLORS["validation"], alpha=0.6, markersize=5,
                    label=TEXT["seed_dot"] if j == 0 else None)
        mean = np.nanmean(acc, axis=1)
        ax.plot(lrs, mean, "-", color="black", linewidth=1.5, label=TEXT["mean"])
        k = int(np.argmin(np.abs(lrs - chosen[name])))
        ax.plot([lrs[k]], [mean[k]], "*", color=COLORS["good"], markersize=18, markeredgecolor="black",
                label=TEXT["chosen"])
        ax.axhline(10, color=COLORS["neutral"], linestyle=":", linewidth=1)
        ax.set_xscale("log")
        ax.set_title(f"{name}: best {chosen[name]:g}", fontsize=12)
        ax.set_xlabel(TEXT["lr"], fontsize=11)
        ax.grid(True, alpha=0.3)
    axes[0].set_ylabel(TEXT["val_accuracy"], fontsize=11)
    axes[0].set_ylim(0, 100)
    axes[0].legend(fontsize=9, loc="lower left")
    fig.suptitle(TEXT["tuning_title"].format(seeds=", ".join(map(str, seeds))), fontsize=13)
    return fig


def plot_comparison(names, chosen, accuracies, n_val, zoom=(93.0, 98.0)):
    """Each optimiser at its chosen rate: a dot per fresh seed (validation
    accuracy, %), the mean ± one standard deviation, and grey lines joining
    the runs of the same seed (the same initial weights and batch order).

    accuracies: {name: (seeds,)} in [0, 1]. Returns the Figure."""
    fig, ax = plt.subplots(figsize=(9, 4.5), layout="constrained")
    scores = np.array([100 * np.asarray(accuracies[name], dtype=float) for name in names])
    positions = np.arange(len(names))
    for j in range(scores.shape[1]):
        ax.plot(positions, scores[:, j], "-", color=COLORS["neutral"], alpha=0.35, linewidth=1)
    ax.plot(np.repeat(positions, scores.shape[1]), scores.ravel(), "o", color=COLORS["validation"], alpha=0.7,
            markersize=7, label=TEXT["seed_dot"])
    ax.errorbar(positions + 0.15, scores.mean(axis=1), yerr=scores.std(axis=1, ddof=1), fmt="s", color="black",
                capsize=6, markersize=8, linewidth=2, label=TEXT["mean"] + " ± 1 standard deviation")
    ax.set_xticks(positions, [f"{name}\n(lr {chosen[name]:g})" for name in names])
    ax.set_xlim(-0.5, len(names) - 0.5)
    ax.set_ylim(*zoom)
    ax.set_xlabel(TEXT["optimiser"], fontsize=12)
    ax.set_ylabel(TEXT["val_accuracy"] + f" of {n_val} digits", fontsize=12)
    ax.set_title(TEXT["comparison_title"].format(n=scores.shape[1]), fontsize=12)
    ax.grid(True, axis="y", alpha=0.3)
    ax.legend(fontsize=10, loc="lower right")
    return fig


def plot_weight_decay(decays, results, epochs):
    """Left: the weights' norm against weight_decay for Adam (L2) and AdamW
    (decoupled); right: validation accuracy against that norm. decays:
    {name: (D,)}; results: {name: (D, seeds, 2)} (accuracy, norm). The
    decay 0 sits at the left edge of the log axis. Returns the Figure."""
    fig, (norm_ax, acc_ax) = plt.subplots(1, 2, figsize=(12, 4.2), layout="constrained")
    styles = {"Adam": (COLORS["train"], "o", TEXT["adam_l2"]), "AdamW": (COLORS["bad"], "s", TEXT["adamw"])}
    for name, (color, marker, label) in styles.items():
        d = np.asarray(decays[name], dtype=float)
        shown = np.where(d > 0, d, d[d > 0].min() / 10)  # 0 drawn a decade left of the smallest decay
        acc, norm = 100 * results[name][..., 0], results[name][..., 1]
        norm_ax.plot(shown, norm.mean(axis=1), marker=marker, color=color, linewidth=2, label=label)
        acc_ax.errorbar(norm.mean(axis=1), acc.mean(axis=1), xerr=norm.std(axis=1, ddof=1),
                        yerr=acc.std(axis=1, ddof=1), marker=marker, color=color, linewidth=2, capsize=4, label=label)
    norm_ax.set_xscale("log")
    norm_ax.set_xlabel(TEXT["weight_decay"], fontsize=11)
    norm_ax.set_ylabel(TEXT["weight_norm"], fontsize=11)
    norm_ax.set_title(TEXT["decay_norm_title"].format(epochs=epochs), fontsize=12)
    acc_ax.set_xlabel(TEXT["weight_norm"], fontsize=11)
    acc_ax.set_ylabel(TEXT["val_accuracy"], fontsize=11)
    acc_ax.set_title(TEXT["decay_acc_title"], fontsize=12)
    for ax in (norm_ax, acc_ax):
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=10)
    return fig


class ScheduleView:
    """The schedule panel's kept figure: the learning rate of every update
    (left, log scale) and the training and validation loss per epoch
    (right, log scale). Axes are fixed so that only the lines move."""

    def __init__(self, total_steps, epochs, lr_range=(1e-5, 1.0), loss_range=(1e-4, 5.0)):
        self.figure, (self.lr_ax, self.loss_ax) = new_figure(ncols=2, width=12.0, height=4.2)
        lr_ax, loss_ax = self.lr_ax, self.loss_ax
        (self.lr_line,) = lr_ax.plot([], [], color=COLORS["path"], linewidth=2)
        lr_ax.set_yscale("log")
        lr_ax.set_xlim(0, total_steps)
        lr_ax.set_ylim(*lr_range)
        lr_ax.set_xlabel(TEXT["update"], fontsize=11)
        lr_ax.set_ylabel(TEXT["lr_axis"], fontsize=11)
        lr_ax.set_title(TEXT["schedule_lr_title"], fontsize=12)
        lr_ax.grid(True, alpha=0.3)
        (self.train_line,) = loss_ax.plot([], [], "-o", color=COLORS["train"], markersize=3, linewidth=2,
                                          label=TEXT["train_loss"])
        (self.val_line,) = loss_ax.plot([], [], "-s", color=COLORS["validation"], markersize=3, linewidth=2,
                                        label=TEXT["val_loss"])
        loss_ax.set_yscale("log")
        loss_ax.set_xlim(0.5, epochs + 0.5)
        loss_ax.set_ylim(*loss_range)
        self.loss_range = loss_range
        loss_ax.set_xlabel(TEXT["epoch"], fontsize=11)
        loss_ax.set_ylabel(TEXT["loss"], fontsize=11)
        loss_ax.set_title(TEXT["loss_title"], fontsize=12)
        loss_ax.grid(True, alpha=0.3)
        # lower left: the training loss ends near 1e-3 at the right, and only there; nothing reaches 1e-4
        loss_ax.legend(fontsize=10, loc="lower left")
        self.suptitle = self.figure.suptitle(" ", fontsize=13)
        for artist in (self.lr_line, self.train_line, self.val_line, self.suptitle):
            artist.set_animated(True)

    def update(self, history, *, lr, warmup, shape):
        steps = np.arange(len(history.lr))
        self.lr_line.set_data(steps, history.lr)
        low, high = self.loss_range
        epochs = np.arange(1, history.epochs + 1)
        self.train_line.set_data(epochs, np.clip(history.train_loss, low, high))
        self.val_line.set_data(epochs, np.clip(history.val_loss, low, high))
        acc = 100 * history.val_accuracy[-1] if history.val_accuracy else float("nan")
        self.suptitle.set_text(TEXT["schedule_title"].format(lr=lr, warmup=warmup, shape=shape, acc=acc))


def plot_range_tests(results, tuned_lr):
    """Smoothed loss against learning rate for every range test run.

    results: list of (label, RangeTest); tuned_lr: the rate section 2
    chose, drawn as a vertical band. Each curve's steepest point (o) and
    lowest-loss/10 suggestion (v) are marked. Returns the Figure."""
    fig, ax = plt.subplots(figsize=(10, 4.6), layout="constrained")
    colors = plt.get_cmap("viridis")(np.linspace(0, 0.9, len(results)))
    for (label, result), color in zip(results, colors):
        ax.plot(result.lrs, result.smoothed, color=color, linewidth=1.6, label=label)
        for lr, marker in ((result.steepest_lr, "o"), (result.suggested_lr, "v")):
            k = int(np.argmin(np.abs(result.lrs - lr)))
            ax.plot([lr], [result.smoothed[k]], marker, color=color, markersize=8, markeredgecolor="black")
    ax.axvspan(tuned_lr / 1.5, tuned_lr * 1.5, color=COLORS["good"], alpha=0.2, label=TEXT["tuned"].format(lr=tuned_lr))
    ax.plot([], [], "o", color="white", markeredgecolor="black", label=TEXT["steepest"])
    ax.plot([], [], "v", color="white", markeredgecolor="black", label=TEXT["suggested"])
    ax.set_xscale("log")
    ax.set_ylim(0, 5)
    ax.set_xlabel(TEXT["lr"], fontsize=12)
    ax.set_ylabel(TEXT["smoothed_loss"], fontsize=12)
    seeds = dict.fromkeys(label.split(",")[0] for label, _ in results)
    ranges = dict.fromkeys(label.split(",")[1].strip() for label, _ in results)
    ax.set_title(TEXT["range_title"].format(n=len(seeds), ranges=" and ".join(ranges)), fontsize=12)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, ncol=2, loc="upper left")
    return fig
