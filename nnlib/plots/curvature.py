"""Notebook 12: power iteration, sharpness against 2/lr, the loss
landscape, the gradient noise scale and steps against batch size."""

import matplotlib.pyplot as plt
import numpy as np

from ..curvature import measured_thresholds
from .style import COLORS, new_figure

TEXT = {
    "iteration": "power iteration",
    "estimate": "estimate of the largest eigenvalue",
    "exact": "exact (numpy, full Hessian)",
    "power_title": "Power iteration: the estimate settles",
    "step": "step (parameter update)",
    "sharpness": "sharpness (largest Hessian eigenvalue)",
    "threshold": "threshold {name}",
    "loss": "training loss (whole set)",
    "batch_loss": "batch loss",
    "sharpness_title": "Sharpness against the stability threshold",
    "loss_title": "Training loss",
    "alpha": "α: 0 = initial weights, 1 = trained weights",
    "line_title": "The loss along the straight line",
    "slice_title": "Random filter-normalised slice around the trained weights",
    "d1": "direction 1 (filter-normalised)",
    "d2": "direction 2 (filter-normalised)",
    "pca_title": "The training path on its own principal plane",
    "pc1": "principal direction 1 ({share:.1f}% of the path's spread)",
    "pc2": "principal direction 2 ({share:.1f}%)",
    "path": "training path (projected)",
    "start": "start",
    "end": "trained",
    "true_loss": "true loss along the path",
    "plane_loss": "loss of the plane at the projected points",
    "compare_title": "The path is not on the plane",
    "path_points": "step of the path",
    "noise_title": "Gradient noise scale during training",
    "noise": "noise scale tr(Σ)/|G|²",
    "batch_size": "batch size",
    "steps_to_target": "steps to reach the target loss",
    "steps_title": "Steps to a training loss of {target:g}",
    "measured": "measured, order of examples {seed} (best rate of each batch size)",
    "ideal": "perfect scaling: steps ∝ 1/batch",
    "fit": "fit to the median: S_min (1 + B_crit / B), B_crit = {b:.0f}",
    "critical": "B_crit",
    "lr_threshold": "threshold 2/lr now (warmup: lr grows)",
    "edge_title": "Sharpness against the threshold {name} = {value:.2g}",
}


def plot_power_iteration(history, exact=None, ax=None):
    """The Rayleigh quotient after each power iteration; ``exact``, if given,
    as a dashed line."""
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.6), layout="constrained")
    steps = np.arange(1, len(history) + 1)
    ax.plot(steps, history, "o-", color=COLORS["train"], label=TEXT["estimate"])
    if exact is not None:
        ax.axhline(exact, color=COLORS["neutral"], linestyle="--", label=TEXT["exact"])
    ax.set_xlabel(TEXT["iteration"])
    ax.set_ylabel(TEXT["estimate"])
    ax.set_title(TEXT["power_title"])
    ax.grid(True, alpha=0.3)
    ax.legend()
    return ax.figure


def _threshold_name(run):
    return "2/lr" if run.momentum == 0 else "(2+2β)/lr"


def plot_sharpness_runs(runs, labels, *, title=None, loss_log=True):
    """Sharpness (left) and training loss (right) against the step for a
    few SharpnessRuns, each with its threshold dashed in its colour."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.3), layout="constrained")
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for run, label, color in zip(runs, labels, colors):
        left.plot(run.measured_at, run.sharpness, "-", color=color, linewidth=2, label=label)
        thresholds = measured_thresholds(run)
        left.plot(run.measured_at, thresholds, "--", color=color, linewidth=1.3,
                  label=TEXT["threshold"].format(name=_threshold_name(run)) + f" ({label})")
        right.plot(np.arange(len(run.loss)), run.loss, "-", color=color, linewidth=1.2, label=label)
    left.set_xlabel(TEXT["step"])
    left.set_ylabel(TEXT["sharpness"])
    left.set_title(TEXT["sharpness_title"])
    top = max(max(r.sharpness.max(), measured_thresholds(r).min()) for r in runs)
    left.set_ylim(0, 1.15 * top)
    left.grid(True, alpha=0.3)
    left.legend(fontsize=8.5)
    right.set_xlabel(TEXT["step"])
    right.set_ylabel(TEXT["batch_loss"] if any(r.batch_size for r in runs) else TEXT["loss"])
    if loss_log:
        right.set_yscale("log")
    right.set_title(TEXT["loss_title"])
    right.grid(True, alpha=0.3)
    right.legend(fontsize=8.5)
    if title:
        fig.suptitle(title)
    return fig


class EdgeView:
    """The kept figure of the edge-of-stability panel: sharpness and its
    threshold (left, log scale), training loss (right, log scale), fixed
    axes, so that a move redraws only the curves."""

    def __init__(self, steps, *, animated=True):
        self.figure, (left, right) = new_figure(2, width=11.0, height=4.2)
        self.steps = steps
        (self.sharp_line,) = left.plot([], [], "o-", color=COLORS["train"], linewidth=2, markersize=3,
                                       label=TEXT["sharpness"])
        (self.threshold_line,) = left.plot([], [], "--", color=COLORS["bad"], linewidth=1.5,
                                           label=TEXT["threshold"].format(name="(2 + 2 momentum) / lr"))
        left.set_yscale("log")
        left.set_ylim(0.3, 12)
        left.set_xlim(0, steps)
        left.set_xlabel(TEXT["step"])
        left.set_ylabel(TEXT["sharpness"])
        left.yaxis.set_major_formatter(lambda value, _: f"{value:g}")
        left.grid(True, alpha=0.3, which="both")
        self.legend = left.legend(loc="upper left", fontsize=9)
        (self.loss_line,) = right.plot([], [], "-", color=COLORS["validation"], linewidth=1.3)
        right.set_yscale("log")
        right.set_ylim(3e-3, 30)
        right.set_xlim(0, steps)
        right.set_xlabel(TEXT["step"])
        right.set_ylabel(TEXT["loss"])
        right.set_title(TEXT["loss_title"])
        right.grid(True, alpha=0.3)
        self.title = left.set_title(TEXT["sharpness_title"])
        if animated:
            # Only these change from run to run; the legend stays, so a move redraws no axes.
            for artist in (self.sharp_line, self.threshold_line, self.loss_line, self.title):
                artist.set_animated(True)
            self.figure.draw_without_rendering()
            self.figure.set_layout_engine(None)

    def show(self, run):
        """Draw a SharpnessRun."""
        self.sharp_line.set_data(run.measured_at, run.sharpness)
        thresholds = measured_thresholds(run)
        if np.all(thresholds == thresholds[0]):  # no warmup: a line across the plot, even after a divergence
            self.threshold_line.set_data([0, self.steps], [thresholds[0]] * 2)
        else:
            self.threshold_line.set_data(run.measured_at, thresholds)
        self.title.set_text(TEXT["edge_title"].format(name=_threshold_name(run), value=run.threshold))
        losses = np.minimum(run.loss, 25.0)  # a diverging run leaves the axis at the top
        self.loss_line.set_data(np.arange(len(losses)), losses)


def plot_landscape(line, slice_grid, plane_grid, plane, true_path_loss, plane_path_loss, steps=None):
    """Four views of the loss landscape.

    line: (alphas, losses) from initial to trained weights; slice_grid:
    (alphas, betas, losses) on a filter-normalised random plane; plane_grid:
    (alphas, betas, losses) on the path's principal plane; plane: the
    PathPlane (coords of the path); true_path_loss, plane_path_loss: (T,)
    the loss at each point of the path and on the plane at its projection;
    steps: (T,) the step of each point (default 0, 1, ...).
    """
    fig, axes = plt.subplots(2, 2, figsize=(12, 9.5), layout="constrained")
    ax = axes[0, 0]
    ax.plot(*line, color=COLORS["train"], linewidth=2)
    ax.axvline(0, color=COLORS["neutral"], linestyle=":")
    ax.axvline(1, color=COLORS["neutral"], linestyle=":")
    ax.set_yscale("log")
    ax.set_xlabel(TEXT["alpha"])
    ax.set_ylabel(TEXT["loss"])
    ax.set_title(TEXT["line_title"])
    ax.grid(True, alpha=0.3)

    def contour(ax, grid, title, xlabel, ylabel):
        a, b, z = grid
        levels = np.geomspace(z.min(), min(z.max(), 100 * z.min()), 15)
        filled = ax.contourf(a, b, np.minimum(z, levels[-1]), levels=levels, cmap="viridis",
                             norm=plt.matplotlib.colors.LogNorm())
        ax.contour(a, b, z, levels=levels, colors="white", linewidths=0.4)
        fig.colorbar(filled, ax=ax, label=TEXT["loss"], format="%.3g")
        ax.set_title(title)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)

    contour(axes[0, 1], slice_grid, TEXT["slice_title"], TEXT["d1"], TEXT["d2"])
    axes[0, 1].plot([0], [0], "*", color="white", markersize=14, markeredgecolor="black", label=TEXT["end"])
    axes[0, 1].legend(loc="upper right")
    ax = axes[1, 0]
    contour(ax, plane_grid, TEXT["pca_title"], TEXT["pc1"].format(share=100 * plane.explained[0]),
            TEXT["pc2"].format(share=100 * plane.explained[1]))
    ax.plot(plane.coords[:, 0], plane.coords[:, 1], ".-", color=COLORS["path"], linewidth=1.2, markersize=4,
            label=TEXT["path"])
    ax.plot(*plane.coords[0], "o", color="white", markeredgecolor="black", label=TEXT["start"])
    ax.plot(*plane.coords[-1], "*", color="white", markersize=14, markeredgecolor="black", label=TEXT["end"])
    ax.legend(loc="lower left", fontsize=9)
    ax = axes[1, 1]
    points = np.arange(len(true_path_loss)) if steps is None else steps
    ax.plot(points, true_path_loss, "-", color=COLORS["train"], linewidth=2, label=TEXT["true_loss"])
    ax.plot(points, plane_path_loss, "--", color=COLORS["path"], linewidth=2, label=TEXT["plane_loss"])
    ax.set_yscale("log")
    ax.set_xlabel(TEXT["path_points"])
    ax.set_ylabel(TEXT["loss"])
    ax.set_title(TEXT["compare_title"])
    ax.grid(True, alpha=0.3)
    ax.legend()
    return fig


def plot_batch_size(noise_steps, noise, losses, batch_sizes, steps, target, fit):
    """Left: the noise scale (and loss) during training. Right: steps to
    the target loss against the batch size, log-log: one row of ``steps``
    (seeds, batch sizes) per order of the examples, perfect 1/B scaling
    from the smallest batch (median) and the fitted S_min (1 + B_crit / B),
    fit = (S_min, B_crit), to the median over the rows."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5), layout="constrained")
    left.plot(noise_steps, noise, "o-", color=COLORS["train"], label=TEXT["noise"])
    left.set_yscale("log")
    left.set_xlabel(TEXT["step"])
    left.set_ylabel(TEXT["noise"] + " (examples)", color=COLORS["train"])
    left.set_title(TEXT["noise_title"])
    left.grid(True, alpha=0.3)
    twin = left.twinx()
    twin.plot(noise_steps, losses, "-", color=COLORS["validation"], label=TEXT["loss"])
    twin.set_yscale("log")
    twin.set_ylabel(TEXT["loss"], color=COLORS["validation"])
    sizes = np.asarray(batch_sizes, dtype=float)
    steps = np.asarray(steps, dtype=float)
    for seed, (row, marker) in enumerate(zip(steps, "osD^v")):
        right.plot(sizes, row, marker, color=COLORS["train"], markersize=6, alpha=0.75, fillstyle="none",
                   label=TEXT["measured"].format(seed=seed))
    median = np.median(steps, axis=0)
    grid = np.geomspace(sizes.min(), sizes.max(), 100)
    right.plot(grid, median[0] * sizes[0] / grid, ":", color=COLORS["neutral"], label=TEXT["ideal"])
    s_min, b_crit = fit
    right.plot(grid, s_min * (1 + b_crit / grid), "-", color=COLORS["path"], label=TEXT["fit"].format(b=b_crit))
    right.axvline(b_crit, color=COLORS["path"], linestyle="--", linewidth=1)
    right.set_xscale("log")
    right.set_yscale("log")
    right.set_ylim(0.5 * steps.min(), 2 * steps.max())
    right.set_xlabel(TEXT["batch_size"])
    right.set_ylabel(TEXT["steps_to_target"])
    right.set_title(TEXT["steps_title"].format(target=target))
    right.grid(True, alpha=0.3, which="both")
    right.legend(fontsize=8)
    return fig
