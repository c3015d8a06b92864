"""Notebook 06: training, validation and test sets.

    plot_expected_best    the best of K test scores against K (binomial warm-up)
    plot_split_classes    how many examples of each class each set got
    plot_rare_in_val      a rare class in a small validation set: plain vs stratified
    WinnersCurseView      the kept figure of the winner's-curse panel
    TestSizeView          the kept figure of the test-set-size panel

These functions only draw numbers computed elsewhere (nnlib.splits and the
notebook); they never train. The plot_* figures are pyplot figures (shown by
plt.show() in a notebook); the two views keep a figure made by new_figure,
which a slider panel renders itself.
"""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import FuncFormatter, MaxNLocator

from .curves import plain_log_ticks
from .style import COLORS, new_figure

TEXT = {
    "best_title": "The best of K test scores, each model truly {accuracy:.0%} accurate, {n_test} test examples",
    "k_axis": "K, the number of models compared on the same test set (log scale)",
    "best_axis": "accuracy (%)",
    "best_label": "expected score of the best of K (exact)",
    "true_label": "true accuracy of every model",
    "best_mark": "K={k}: {value:.1f} %",
    "classes_title": "Examples of each digit in each set: {title}",
    "digit": "digit",
    "examples": "examples",
    "sets": ("training", "validation", "test"),
    "rare_title": "Examples of the rare class in a {n_val}-example validation set, over {n_splits} splits",
    "rare_axis": "examples of the rare class in the validation set",
    "splits_axis": "splits",
    "plain": "random split",
    "stratified": "stratified split",
    "curse_title": "The winner's curse: the best of K models, judged on {n_test} reused test examples",
    "winner_test": "winner's score on the reused test set",
    "winner_fresh": "winner's score on {n_fresh} fresh examples",
    "binomial": "binomial expectation (independent models, {accuracy:.1f} % true)",
    "pool_mean": "average model on fresh data",
    "current_k": "K = {k}",
    "scatter_title": "The first {k} models: the winner is the rightmost, not the highest",
    "scatter_title_one": "One model: nothing to choose from",
    "scatter_x": "score on the reused test set (%)",
    "scatter_y": "score on fresh data (%)",
    "models": "models",
    "winner": "winner",
    "size_title": "Error bar of an accuracy near {accuracy:.0%} against the test-set size",
    "size_axis": "test-set size n (log scale)",
    "margin_axis": "± margin (accuracy points)",
    "margin95": "95 %: ±1.96·√(p(1−p)/n)",
    "margin68": "one standard deviation: ±√(p(1−p)/n)",
    "one_point": "±1 point",
    "current_n": "n = {n}",
    "draws_title": "{n_sets} test sets of {n} examples, model truly {accuracy:.0%} accurate",
    "draws_x": "measured accuracy (%) with its 95 % error bar",
    "draws_y": "test set",
    "truth": "true accuracy",
    "covers": "error bar covers the truth",
    "misses": "misses it",
}


def plot_expected_best(ks, expected, *, accuracy, n_test, marks=()):
    """The expected best test score (as a fraction) of K models against K.

    ks: (m,) numbers of models; expected: (m,) from ``expected_best_accuracy``;
    marks: the K values to label with their number."""
    fig, ax = plt.subplots(figsize=(9.0, 4.2), layout="constrained")
    ks, expected = np.asarray(ks), 100 * np.asarray(expected)
    ax.plot(ks, expected, color=COLORS["test"], lw=2, label=TEXT["best_label"])
    ax.axhline(100 * accuracy, color=COLORS["neutral"], ls="--", label=TEXT["true_label"])
    for k in marks:
        value = float(np.interp(k, ks, expected))
        ax.plot([k], [value], "o", color=COLORS["bad"])
        ax.annotate(TEXT["best_mark"].format(k=k, value=value), (k, value), textcoords="offset points",
                    xytext=(-10, 8), ha="right", fontsize=9)
    ax.set_ylim(100 * accuracy - 1, max(expected.max(), 100 * accuracy) + 1.5)
    ax.set_xscale("log")
    plain_log_ticks(ax.xaxis)
    ax.set_xlabel(TEXT["k_axis"])
    ax.set_ylabel(TEXT["best_axis"])
    ax.set_title(TEXT["best_title"].format(accuracy=accuracy, n_test=n_test))
    ax.legend(loc="lower right")
    ax.grid(alpha=0.3)
    return fig


def plot_split_classes(counts, *, titles):
    """Bars of examples per class in each set, one axes per way of splitting.

    counts: list of (3, n_classes) arrays (training, validation, test rows),
    titles: one title per array."""
    fig, axes = plt.subplots(1, len(counts), figsize=(5.0 * len(counts), 3.8), layout="constrained")
    axes = np.atleast_1d(axes)
    colors = (COLORS["train"], COLORS["validation"], COLORS["test"])
    for ax, count, title in zip(axes, counts, titles):
        count = np.asarray(count)
        classes = np.arange(count.shape[1])
        bottom = np.zeros(count.shape[1])
        for row, name, color in zip(count, TEXT["sets"], colors):
            ax.bar(classes, row, bottom=bottom, color=color, label=name)
            bottom += row
        ax.set_xticks(classes)
        ax.set_xlabel(TEXT["digit"])
        ax.set_ylabel(TEXT["examples"])
        ax.set_title(TEXT["classes_title"].format(title=title), fontsize=10)
        ax.set_ylim(0, 1.3 * bottom.max())  # room for the legend above the bars
        ax.legend(loc="upper center", ncol=3, fontsize=9)
    return fig


def plot_rare_in_val(plain_counts, stratified_counts, *, n_val):
    """Histogram of how many rare-class examples each split put in validation.

    plain_counts, stratified_counts: (n_splits,) integer counts."""
    plain_counts, stratified_counts = np.asarray(plain_counts), np.asarray(stratified_counts)
    fig, ax = plt.subplots(figsize=(9.0, 3.8), layout="constrained")
    top = int(max(plain_counts.max(), stratified_counts.max()))
    bins = np.arange(top + 2) - 0.5
    ax.hist(plain_counts, bins=bins, color=COLORS["neutral"], alpha=0.8, label=TEXT["plain"], rwidth=0.8)
    ax.hist(stratified_counts, bins=bins, color=COLORS["validation"], alpha=0.8, label=TEXT["stratified"],
            rwidth=0.4)
    ax.set_xticks(np.arange(top + 1))
    ax.set_xlabel(TEXT["rare_axis"])
    ax.set_ylabel(TEXT["splits_axis"])
    ax.set_title(TEXT["rare_title"].format(n_val=n_val, n_splits=len(plain_counts)))
    ax.legend()
    return fig


class WinnersCurseView:
    """Left: the winner's test and fresh score against K (log x), with the
    binomial expectation and a marker at the current K. Right: the first K
    models as points (test score, fresh score), the winner in red.

    ks: (m,) the K values of the curves; winner_test, winner_fresh, binomial:
    (m,) in %; test_pct, fresh_pct: (n_models,) every model's scores in %."""

    def __init__(self, ks, winner_test, winner_fresh, binomial, test_pct, fresh_pct, *,
                 n_test, n_fresh, accuracy):
        self.test_pct, self.fresh_pct = np.asarray(test_pct, float), np.asarray(fresh_pct, float)
        self.figure, (left, right) = new_figure(ncols=2, width=12.0, height=4.6)
        left.plot(ks, binomial, color=COLORS["neutral"], ls=":", lw=2,
                  label=TEXT["binomial"].format(accuracy=accuracy))
        left.plot(ks, winner_test, color=COLORS["test"], lw=2, label=TEXT["winner_test"])
        left.plot(ks, winner_fresh, color=COLORS["validation"], lw=2,
                  label=TEXT["winner_fresh"].format(n_fresh=n_fresh))
        left.axhline(self.fresh_pct.mean(), color=COLORS["validation"], ls="--", lw=1, label=TEXT["pool_mean"])
        self.k_line = left.axvline(ks[0], color=COLORS["bad"], lw=1)
        self.k_points, = left.plot([], [], "o", color=COLORS["bad"], zorder=5)
        left.set_xscale("log")
        plain_log_ticks(left.xaxis)
        left.set_xlabel(TEXT["k_axis"])
        left.set_ylabel(TEXT["best_axis"])
        left.set_title(TEXT["curse_title"].format(n_test=n_test), fontsize=10)
        left.legend(loc="lower right", fontsize=8)
        left.grid(alpha=0.3)
        low = min(self.test_pct.min(), self.fresh_pct.min()) - 1
        high = max(self.test_pct.max(), self.fresh_pct.max(), np.max(binomial)) + 1
        left.set_ylim(low, high)
        self.cloud = right.scatter([], [], s=12, color=COLORS["neutral"], alpha=0.5, label=TEXT["models"])
        self.star, = right.plot([], [], "*", ms=16, color=COLORS["bad"], label=TEXT["winner"])
        right.set_xlim(self.test_pct.min() - 1, self.test_pct.max() + 1)
        right.set_ylim(self.fresh_pct.min() - 0.5, self.fresh_pct.max() + 0.5)
        right.set_title(" ", fontsize=10)
        right.set_xlabel(TEXT["scatter_x"])
        right.set_ylabel(TEXT["scatter_y"])
        right.legend(loc="lower right", fontsize=8)
        right.grid(alpha=0.3)
        self.right = right
        # Only these change when K moves: animated, so a slider panel redraws them alone.
        for artist in (self.k_line, self.k_points, self.cloud, self.star, right.title):
            artist.set_animated(True)

    def update(self, k, winner_index, test_at_k, fresh_at_k):
        """Show K = k: the marker at (k, curve values) and the first k models,
        model ``winner_index`` as the winner."""
        self.k_line.set_xdata([k, k])
        self.k_points.set_data([k, k], [test_at_k, fresh_at_k])
        self.cloud.set_offsets(np.column_stack([self.test_pct[:k], self.fresh_pct[:k]]))
        self.star.set_data([self.test_pct[winner_index]], [self.fresh_pct[winner_index]])
        # set_text, not set_title: set_title also touches the other titles, which forces a full redraw
        self.right.title.set_text(TEXT["scatter_title_one"] if k == 1 else TEXT["scatter_title"].format(k=k))


class TestSizeView:
    """Left: the ± margin of a measured accuracy against n (log x), 95 % and
    one standard deviation, a line at ±1 point and a marker at the current
    n. Right: several simulated test sets of n examples, each measured
    accuracy with its 95 % error bar, red where it misses the truth.

    sizes: the test-set sizes of the slider; accuracies: its true accuracies
    (they fix the left axes' limits, so a move redraws only what changed)."""

    def __init__(self, sizes, accuracies, *, n_sets):
        self.sizes = np.asarray(sizes, float)
        self.n_sets = n_sets
        self.figure, (left, right) = new_figure(ncols=2, width=12.0, height=4.6)
        self.margin95, = left.plot([], [], color=COLORS["test"], lw=2, label=TEXT["margin95"])
        self.margin68, = left.plot([], [], color=COLORS["neutral"], lw=1.5, ls="--", label=TEXT["margin68"])
        left.axhline(1.0, color=COLORS["bad"], lw=1, ls=":", label=TEXT["one_point"])
        self.n_line = left.axvline(self.sizes[0], color=COLORS["bad"], lw=1)
        self.n_point, = left.plot([], [], "o", color=COLORS["bad"], zorder=5)
        left.set_xscale("log")
        left.set_yscale("log")
        plain_log_ticks(left.xaxis)
        plain_log_ticks(left.yaxis)
        left.set_xlim(self.sizes[0] / 1.3, self.sizes[-1] * 1.3)
        widest = max(a * (1 - a) for a in accuracies)
        narrowest = min(a * (1 - a) for a in accuracies)
        left.set_ylim(0.8 * 100 * np.sqrt(narrowest / self.sizes[-1]), 1.25 * 196 * np.sqrt(widest / self.sizes[0]))
        left.set_xlabel(TEXT["size_axis"])
        left.set_ylabel(TEXT["margin_axis"])
        left.set_title(" ", fontsize=10)
        left.legend(loc="upper right", fontsize=8)
        left.grid(alpha=0.3, which="both")
        self.left, self.right = left, right
        rows = np.arange(n_sets)
        self.truth = right.axvline(50, color="black", lw=1, label=TEXT["truth"])
        self.good = right.errorbar([], [], xerr=[], fmt="o", color=COLORS["good"], ms=4, label=TEXT["covers"])
        self.bad = right.errorbar([], [], xerr=[], fmt="o", color=COLORS["bad"], ms=4, label=TEXT["misses"])
        right.set_ylim(-1, n_sets)
        right.set_yticks(rows[::max(1, n_sets // 5)])
        # Ticks 1, 2 or 5 times a power of ten, labelled without trailing zeros ("99.5", "100"):
        # at every zoom level a label has at most four characters.
        right.xaxis.set_major_locator(MaxNLocator(steps=[1, 2, 5, 10]))
        right.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:.2f}".rstrip("0").rstrip(".")))
        right.set_xlabel(TEXT["draws_x"])
        right.set_ylabel(TEXT["draws_y"])
        right.set_title(" ", fontsize=10)
        right.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=3, fontsize=8)  # below: bars move
        right.grid(alpha=0.3)
        # What a move changes is animated, so a slider panel's FastRenderer draws the rest once
        # (the log-log left axes, the costly part) and redraws only these on each move. The
        # right axes are animated as a whole: their range follows the error bars (a new
        # accuracy, a new zoom level), and an animated axes can change its range without
        # making the figure stale. Their contents are drawn with them, so they are not
        # marked themselves.
        for artist in (self.margin95, self.margin68, self.n_line, self.n_point, left.title, right):
            artist.set_animated(True)
        # The layout is computed once, with a widest label ("99.5") at the right axes' right
        # edge, and then kept: the axes do not shift or clip a label when the range changes.
        right.set_xlim(98.5, 99.5)
        self.figure.draw_without_rendering()
        self.figure.set_layout_engine("none")
        self._xlim = None

    def update(self, n, accuracy, measured):
        """Draw for test-set size n and true accuracy (a fraction); measured:
        (n_sets,) accuracies of the simulated test sets, each drawn with its
        own 95 % error bar ±1.96·√(m(1−m)/n), m the measured accuracy (all a
        reader of one test set can compute). Returns which bars cover the truth."""
        p = accuracy
        spread = np.sqrt(p * (1 - p) / self.sizes) * 100
        self.margin95.set_data(self.sizes, 1.96 * spread)
        self.margin68.set_data(self.sizes, spread)
        margin = 1.96 * np.sqrt(p * (1 - p) / n) * 100
        self.n_line.set_xdata([n, n])
        self.n_point.set_data([n], [margin])
        self.left.title.set_text(TEXT["size_title"].format(accuracy=accuracy))
        measured = np.asarray(measured, float)
        margins = 1.96 * np.sqrt(measured * (1 - measured) / n) * 100
        measured = 100 * measured
        covers = np.abs(measured - 100 * p) <= margins
        rows = np.arange(len(measured))
        for bars, keep in ((self.good, covers), (self.bad, ~covers)):
            _set_errorbar(bars, measured[keep], rows[keep], margins[keep])
        self.truth.set_xdata([100 * p, 100 * p])
        half = _round_up_125(max(3.5 * margin, 0.5))  # a few zoom levels, not a new range every move
        xlim = (100 * p - half, min(100 * p + half, 100.0 + half / 10))
        if xlim != self._xlim:
            self.right.set_xlim(*xlim)
            self._xlim = xlim
        self.right.title.set_text(TEXT["draws_title"].format(n_sets=len(measured), n=n, accuracy=accuracy))
        return covers


def _round_up_125(value):
    """The smallest of 1, 2, 5, 10, 20, 50, ... times a power of ten that is >= value."""
    power = 10.0 ** np.floor(np.log10(value))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= value * (1 - 1e-12))


def _set_errorbar(container, x, y, xerr):
    """Move the points and horizontal bars of an errorbar container; xerr: one half-width per point."""
    line, _, (bars,) = container
    line.set_data(x, y)
    bars.set_segments([[(xi - ei, yi), (xi + ei, yi)] for xi, yi, ei in zip(x, y, xerr)])
