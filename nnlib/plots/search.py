"""Notebook 09: pictures of a hyperparameter search.

Every function takes Trials made by ``nnlib.search`` (one per training run)
or plain numbers, and only draws:

    plot_grid_heatmap       grid search: validation accuracy per cell, best cell marked
    plot_grid_vs_random     where each search tried, and what it saw along the learning rate
    plot_seed_spread        several seeds per setting: mean, spread and every run
    ExplorerCurves          the kept figure of the explorer panel (loss and accuracy)
"""

import math

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle
from matplotlib.ticker import FuncFormatter, NullLocator

from .curves import TrainValCurves
from .style import COLORS

TEXT = {
    "heatmap_title": "Grid search: validation accuracy after {epochs} epochs (best cell in red)",
    "lr": "learning rate (log scale)",
    "lr_plain": "learning rate",
    "hidden": "hidden units",
    "hidden_log": "hidden units (log scale)",
    "diverged": "diverged",
    "val_accuracy_pct": "validation accuracy (%)",
    "best_cell": "best cell",
    "where_title": "Where each search tried ({n} trainings each)",
    "projection_title": "What each search saw of the learning rate",
    "grid": "grid search",
    "random": "random search",
    "best_of": "best of the {name}: {value:.1f}%",
    "tried_rates": "learning rates tried",
    "seeds_title": "The same settings trained with {n} new seeds",
    "seed_runs": "one run per seed",
    "seed_mean": "mean ± standard deviation",
    "search_run": "the run the search saw (seed 0)",
    "setting": "setting",
    "chance": "chance (10 %)",
    "accuracy": "accuracy (%)",
    "epoch": "epoch (one pass over the training set)",
    "train_accuracy": "training accuracy",
    "val_accuracy": "validation accuracy",
    "best_epoch": "best validation accuracy",
    "explorer_title": "lr={lr:g}, batch size={batch_size}, {hidden} hidden units, {epochs} epochs",
    "explorer_title_one_epoch": "lr={lr:g}, batch size={batch_size}, {hidden} hidden units, 1 epoch",
    "explorer_title_diverged": "lr={lr:g}: diverged in epoch {epoch}, the step is too large",
    "loss_title": "loss",
    "accuracy_title": "accuracy",
}

CHANCE = 10.0  # per cent: one class in ten, a coin toss with ten sides


def _percent(score):
    return 100.0 * score


def _log_lr_axis(axis):
    axis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))


def plot_grid_heatmap(lrs, hiddens, trials, *, epochs):
    """Validation accuracy of a grid search as a heat map: learning rates
    (columns) x hidden units (rows), each cell labelled with its accuracy,
    the best cell outlined. trials: the len(lrs) * len(hiddens) Trials of
    ``grid_settings({"lr": lrs, "hidden": hiddens})``, in that order.
    Returns the Figure."""
    if len(trials) != len(lrs) * len(hiddens):
        raise ValueError(f"trials must hold one trial per cell, {len(lrs)} x {len(hiddens)} = "
                         f"{len(lrs) * len(hiddens)}; got {len(trials)}")
    # grid_settings varies the last name (hidden) fastest: trial k is (lr k // H, hidden k % H).
    scores = np.array([_percent(trial.score) for trial in trials]).reshape(len(lrs), len(hiddens)).T
    best = int(np.nanargmax(scores.T.ravel()))  # the first best in search order, as best_trial
    best_row, best_col = best % len(hiddens), best // len(hiddens)

    fig, ax = plt.subplots(figsize=(7.5, 4.6), layout="constrained")
    cmap = plt.get_cmap("viridis").with_extremes(bad=COLORS["neutral"])
    image = ax.imshow(np.ma.masked_invalid(scores), cmap=cmap, vmin=0, vmax=100, origin="lower", aspect="auto")
    for i in range(len(hiddens)):
        for j in range(len(lrs)):
            value = scores[i, j]
            text = TEXT["diverged"] if np.isnan(value) else f"{value:.1f}"
            color = "black" if not np.isnan(value) and value > 60 else "white"
            ax.text(j, i, text, ha="center", va="center", color=color, fontsize=11,
                    fontweight="bold" if (i, j) == (best_row, best_col) else "normal")
    ax.add_patch(Rectangle((best_col - 0.5, best_row - 0.5), 1, 1, fill=False, edgecolor=COLORS["bad"],
                           linewidth=3, label=TEXT["best_cell"], gid="best cell"))
    ax.set_xticks(range(len(lrs)), [f"{lr:g}" for lr in lrs])
    ax.set_yticks(range(len(hiddens)), [str(h) for h in hiddens])
    ax.set_xlabel(TEXT["lr_plain"], fontsize=12)
    ax.set_ylabel(TEXT["hidden"], fontsize=12)
    ax.set_title(TEXT["heatmap_title"].format(epochs=epochs), fontsize=13)
    colorbar = fig.colorbar(image, ax=ax)
    colorbar.set_label(TEXT["val_accuracy_pct"], fontsize=11)
    return fig


def plot_grid_vs_random(grid_trials, random_trials):
    """Two panels. Left: the (learning rate, hidden units) points each search
    tried, coloured by validation accuracy. Right: validation accuracy
    against the learning rate alone, for both searches, with a tick along the
    bottom for every distinct learning rate tried. Trials must have "lr" and
    "hidden" in their settings. Returns the Figure."""
    fig = plt.figure(figsize=(13, 5.2), layout="constrained")
    layout = fig.add_gridspec(2, 2, height_ratios=(7, 1))
    left = fig.add_subplot(layout[:, 0])
    right = fig.add_subplot(layout[0, 1])
    rug = fig.add_subplot(layout[1, 1], sharex=right)  # one tick per learning rate tried, under the curve
    cmap = plt.get_cmap("viridis")
    searches = [(grid_trials, TEXT["grid"], "s", COLORS["train"], 130),
                (random_trials, TEXT["random"], "o", COLORS["validation"], 70)]
    for row, (trials, name, marker, color, size) in enumerate(searches):
        lr = np.array([trial.setting["lr"] for trial in trials], dtype=float)
        hidden = np.array([trial.setting["hidden"] for trial in trials], dtype=float)
        score = np.array([_percent(trial.score) for trial in trials])
        points = left.scatter(lr, hidden, c=np.nan_to_num(score, nan=0.0), cmap=cmap, vmin=0, vmax=100,
                              marker=marker, s=size, edgecolors=color, linewidths=2, label=name, zorder=3)
        order = np.argsort(lr)
        right.plot(lr[order], score[order], marker=marker, color=color, linestyle="none", markersize=8,
                   label=f"{name} ({len(np.unique(lr))} {TEXT['tried_rates']})", alpha=0.85)
        best = np.nanmax(score)
        right.axhline(best, color=color, linestyle="--", linewidth=1.2,
                      label=TEXT["best_of"].format(name=name, value=best))
        rug.plot(lr, np.full(len(lr), 1 - row), marker="|", color=color, linestyle="none", markersize=14)
    colorbar = fig.colorbar(points, ax=left)
    colorbar.set_label(TEXT["val_accuracy_pct"], fontsize=11)
    for ax in (left, right):
        ax.set_xscale("log")
        _log_lr_axis(ax.xaxis)
        ax.grid(True, which="major", alpha=0.3)
    left.set_xlabel(TEXT["lr"], fontsize=12)
    rug.set_xlabel(TEXT["lr"], fontsize=12)
    right.tick_params(labelbottom=False)
    rug.set_ylim(-0.7, 1.7)
    rug.set_yticks([1, 0], [TEXT["grid"], TEXT["random"]], fontsize=9)
    rug.grid(True, axis="x", which="major", alpha=0.3)
    left.set_yscale("log", base=2)
    left.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    left.yaxis.set_minor_locator(NullLocator())
    left.set_ylabel(TEXT["hidden_log"], fontsize=12)
    left.set_title(TEXT["where_title"].format(n=len(grid_trials)), fontsize=13)
    # Under the plot, not on it: every corner of the grid holds a tried setting.
    left.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), ncols=2, fontsize=10)
    right.axhline(CHANCE, color=COLORS["neutral"], linestyle=":", linewidth=1.5, label=TEXT["chance"])
    right.set_ylim(0, 105)
    right.set_yticks(range(0, 101, 20))
    right.set_ylabel(TEXT["val_accuracy_pct"], fontsize=12)
    right.set_title(TEXT["projection_title"], fontsize=13)
    right.legend(loc="center right", fontsize=9, framealpha=0.9)
    return fig


def plot_seed_spread(labels, scores, search_scores):
    """Validation accuracy of a few settings, each trained with several seeds.

    labels: one string per setting; scores: (settings, seeds) accuracies in
    [0, 1]; search_scores: (settings,) the accuracy each setting had in the
    search (seed 0). Draws every run as a dot, the mean with a bar of one
    standard deviation either side, and the search's run as a hollow
    diamond. Returns the Figure."""
    scores = _percent(np.asarray(scores, dtype=float))
    search_scores = _percent(np.asarray(search_scores, dtype=float))
    if scores.ndim != 2 or scores.shape[0] != len(labels) or len(search_scores) != len(labels):
        raise ValueError(f"scores must be (settings, seeds) with one row per label and search_scores one "
                         f"value per label; got {len(labels)} labels, scores {scores.shape}, "
                         f"search_scores {search_scores.shape}")
    fig, ax = plt.subplots(figsize=(9, 4.5), layout="constrained")
    positions = np.arange(len(labels))
    n_seeds = scores.shape[1]
    jitter = np.linspace(-0.12, 0.12, n_seeds)
    for i in positions:
        ax.plot(i + jitter, scores[i], "o", color=COLORS["validation"], alpha=0.6, markersize=7,
                label=TEXT["seed_runs"] if i == 0 else None)
    ax.errorbar(positions + 0.3, scores.mean(axis=1), yerr=scores.std(axis=1, ddof=1), fmt="s",
                color="black", capsize=6, markersize=8, linewidth=2, label=TEXT["seed_mean"])
    ax.plot(positions - 0.3, search_scores, "D", markerfacecolor="none", markeredgecolor=COLORS["train"],
            markersize=10, markeredgewidth=2, linestyle="none", label=TEXT["search_run"])
    ax.set_xticks(positions, labels)
    ax.set_xlim(-0.7, len(labels) - 0.3)
    ax.set_xlabel(TEXT["setting"], fontsize=12)
    ax.set_ylabel(TEXT["val_accuracy_pct"], fontsize=12)
    ax.set_title(TEXT["seeds_title"].format(n=n_seeds), fontsize=13)
    ax.grid(True, axis="y", alpha=0.3)
    ax.legend(fontsize=10, loc="lower right")
    return fig


class ExplorerCurves:
    """The kept figure of the hyperparameter explorer (two axes side by
    side): loss per epoch on the left (a TrainValCurves from curves.py), accuracy per epoch on the right
    with the chance line and the epoch of best validation accuracy.
    ``update`` shows one run and titles the figure with its setting."""

    def __init__(self, loss_ax, acc_ax, max_epochs):
        fig = acc_ax.get_figure()
        self.acc_ax = acc_ax
        (self.train_acc,) = acc_ax.plot([], [], "-", color=COLORS["train"], linewidth=2, marker="o",
                                        markersize=3, label=TEXT["train_accuracy"])
        (self.val_acc,) = acc_ax.plot([], [], "-", color=COLORS["validation"], linewidth=2, marker="s",
                                      markersize=3, label=TEXT["val_accuracy"])
        (self.best_marker,) = acc_ax.plot([], [], "*", color=COLORS["good"], markersize=16,
                                          markeredgecolor="black", label=TEXT["best_epoch"])
        acc_ax.axhline(CHANCE, color=COLORS["neutral"], linestyle=":", linewidth=1.5, label=TEXT["chance"])
        acc_ax.set_xlim(0, max_epochs + 0.5)
        acc_ax.set_ylim(0, 102)
        acc_ax.set_xlabel(TEXT["epoch"], fontsize=12)
        acc_ax.set_ylabel(TEXT["accuracy"], fontsize=12)
        acc_ax.set_title(TEXT["accuracy_title"], fontsize=12)
        acc_ax.grid(True, alpha=0.3)
        acc_ax.legend(fontsize=9, loc="center right")
        self.suptitle = fig.suptitle(" ", fontsize=13)
        for artist in (self.train_acc, self.val_acc, self.best_marker, self.suptitle):
            artist.set_animated(True)
        # TrainValCurves lays the figure out once and fixes that layout.
        self.loss = TrainValCurves(loss_ax, max_epochs)
        self.loss.title.set_text(TEXT["loss_title"])
        self.loss.title.set_fontsize(12)
        # No rate on the explorer's slider diverges: keep only the two curves in the legend.
        loss_ax.legend(handles=[self.loss.train_line, self.loss.val_line], fontsize=10, loc="upper right")

    def update(self, history, *, lr, batch_size, hidden, epochs):
        """Show ``history`` (one run, cut to the epochs shown) and its setting."""
        self.loss.update(history, lr=lr, momentum=0.0, batch_size=batch_size)
        self.loss.title.set_text(TEXT["loss_title"])
        self.loss.title.set_color("black")
        x = np.arange(1, history.epochs + 1)
        self.train_acc.set_data(x, _percent(np.asarray(history.train_accuracy, dtype=float)))
        val = _percent(np.asarray(history.val_accuracy, dtype=float))
        self.val_acc.set_data(x, val)
        # Few epochs: bigger dots, so a one-epoch run is not two specks. The star needs at
        # least two epochs to choose from (with one it would only hide the validation dot).
        for line in (self.train_acc, self.val_acc, self.loss.train_line, self.loss.val_line):
            line.set_markersize(7 if len(val) <= 3 else 3)
        if len(val) >= 2:
            best = int(np.argmax(val))
            self.best_marker.set_data([best + 1], [val[best]])
        else:
            self.best_marker.set_data([], [])
        if history.diverged:
            self.suptitle.set_text(TEXT["explorer_title_diverged"].format(lr=lr, epoch=history.epochs + 1))
            self.suptitle.set_color(COLORS["bad"])
        else:
            title = TEXT["explorer_title_one_epoch" if epochs == 1 else "explorer_title"]
            self.suptitle.set_text(title.format(lr=lr, batch_size=batch_size, hidden=hidden, epochs=epochs))
            self.suptitle.set_color("black")

