"""Notebook 07: underfitting and overfitting.

    DegreeView            the degree panel: a polynomial fit | errors against degree
    plot_fits             the fits of a few degrees side by side
    plot_learning_curves  error against the number of training points
    WeightDecayView       the weight-decay panel: fit | weight sizes | errors against the penalty
    HiddenUnitsView       the hidden-units panel: decision boundary | accuracy against width
    plot_width_sweep      validation error against the number of hidden units
    DoubleDescentView     test error against the number of random features, with/without ridge

Every view takes numbers computed by ``nnlib.overfitting`` and only draws.
"""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.patches import Patch
from matplotlib.ticker import FixedLocator, NullLocator

from ..overfitting import NOISE_MAX_RATIO, NOISE_STANDARD_ERRORS, X_RANGE, true_curve
from .style import COLORS, LayeredRenderer, new_figure
from .surface import _animate, _freeze_layout, _retitle

TEXT = {
    "x": "x",
    "y": "y",
    "points": "training points ({n})",
    "truth": "true curve sin(2πx)",
    "fit": "fitted polynomial",
    "fits_title": "Polynomial of degree {degree}",
    "fit_title": "degree {degree}: {n} points, noise {noise:g}",
    "clipped": "the curve leaves y = ±{limit:g}: drawn clipped to this window",
    "degree": "degree of the polynomial (model flexibility →)",
    "error": "mean squared error (log scale)",
    "train_error": "training error",
    "val_error": "validation error ({n} new points)",
    "val_error_plain": "validation error",
    "points_plain": "training points",
    "noise_floor_plain": "noise floor σ² (dotted)",
    "noise_floor": "noise floor σ² = {floor:.3g}",
    "current": "current degree",
    "within_noise": "hatched: within {k} paired standard errors\nof the lowest, past a clearly worse degree",
    "errors_title": "Errors against degree (sample {seed})",
    "errors_clipped": "errors above {top:g} leave the plot",
    "underfitting": "underfitting",
    "sweet spot": "sweet spot",
    "overfitting": "overfitting",
    "lc_title": "Learning curves: noise σ = {noise:g} (median of {seeds} samples)",
    "lc_x": "number of training points (log scale)",
    "lc_clipped": "points outside this window (an error of 0, or above 100) leave the plot",
    "lc_train": "degree {degree}: training error",
    "lc_val": "degree {degree}: validation error",
    "weights_x": "weight index k (Legendre polynomial P_k)",
    "weights_y": "|w_k| (log scale)",
    "weights_title": "Sizes of the {count} weights: |w| = {norm:.3g}",
    "penalty": "penalty λ (log scale)",
    "wd_fit_title": "degree {degree}, λ = {l2:g}",
    "wd_errors_title": "Errors against the penalty",
    "current_l2": "current λ",
    "width_x": "hidden units per layer (log scale)",
    "accuracy": "accuracy",
    "train_accuracy": "training accuracy (20 % of labels flipped), mean of {seeds} seeds",
    "val_accuracy": "validation accuracy (right labels), mean of {seeds} seeds",
    "each_seed": "each seed",
    "boundary_title": "{hidden} hidden {units} per layer (first seed): train {train:.0%}, validation {val:.0%}",
    "unit": "unit",
    "units": "units",
    "boundary_x": "x₁",
    "boundary_y": "x₂",
    "class": "class {label}",
    "flipped": "flipped training label",
    "train_class": "training points, class {label}",
    "val_class": "validation points, class {label} (hollow)",
    "width_title": "Accuracy against the width of the network",
    "current_width": "current width",
    "width_error_title": "Training and validation error against the width of the network",
    "error_class": "error (% misclassified)",
    "val_error_class": "validation error, mean of {seeds} seeds",
    "train_error_class": "training error (on the flipped labels), mean of {seeds} seeds",
    "dd_title": "Test error against the number of random features ({n} training digits)",
    "dd_x": "number of random ReLU features (log scale)",
    "dd_y": "test error (misclassified digits)",
    "dd_min_norm": "minimum-norm least squares (λ = 0)",
    "dd_ridge": "ridge (λ = {l2:g})",
    "dd_threshold": "the features' rank reaches {n} (= training points) in this band",
    "dd_seeds": "thin lines: each random split",
}

# The verdict under each panel of notebook 07 (describe_region). The regions
# come from nnlib.overfitting.fit_regions; "standard error" is the paired one
# of a model's difference from the best (same validation points, or seeds), and
# "within the noise" is within NOISE_STANDARD_ERRORS of them ({k} below).
STATUS = {
    "lowest": "sweet spot: the lowest validation error",
    "sweet spot": "sweet spot: {diff} above the lowest, {z} paired standard errors ({se} each): within {k}, "
                  "so the noise cannot tell it from the lowest",
    "clearly": "{name}: {z} paired standard errors above the lowest; {other} does better",
    "far": "{name}: far above the lowest; {other} does better",
    "wild": "{name}: {ratio} times the lowest, clearly worse (only {z} paired standard errors above it, "
            "because a few points carry the whole difference); {other} does better",
    "close": "{name}: within {k} paired standard errors of the lowest ({z}), but beyond a clearly worse "
             "neighbour; {other} does as well",
}
# What does better than an underfitting / overfitting model, for each dial.
OTHER = {
    "degree": {"underfitting": "a higher degree", "overfitting": "a lower degree"},
    "penalty": {"underfitting": "a weaker penalty", "overfitting": "a stronger penalty"},
    "width": {"underfitting": "a wider network", "overfitting": "a narrower network"},
}
NUMBER_WORDS = {1.0: "one", 2.0: "two", 3.0: "three"}


def noise_words(multiple=NOISE_STANDARD_ERRORS):
    """How many standard errors "within the noise" allows, in words: "two"."""
    return NUMBER_WORDS.get(float(multiple), f"{multiple:g}")


def describe_region(name, error, best_error, se, *, dial="degree", percent=False):
    """The verdict for one model: its region ``name`` (from fit_regions) and
    how far its validation ``error`` is from the lowest, ``best_error``, in
    units of ``se``, the paired standard error of that difference (within
    the noise: at most NOISE_STANDARD_ERRORS of them, and at most
    NOISE_MAX_RATIO times the lowest, as in within_noise). dial: "degree",
    "penalty" or "width" (what to turn instead); percent: errors are
    fractions to print as percentages."""
    diff = error - best_error
    k = noise_words()

    def show(value):
        return f"{value:.1%}" if percent else f"{value:.2g}"

    if name == "sweet spot":
        if diff <= 0:
            return STATUS["lowest"]
        z = f"{diff / se:.1f}" if se > 0 else "0"
        return STATUS["sweet spot"].format(diff=show(diff), z=z, se=show(se), k=k)
    other = OTHER[dial][name]
    if se <= 0:
        return STATUS["far"].format(name=name, other=other)
    z = diff / se
    if z > NOISE_STANDARD_ERRORS:
        key = "clearly"
    else:
        key = "close" if error <= NOISE_MAX_RATIO * best_error else "wild"
    return STATUS[key].format(name=name, z=f"{z:.1f}", other=other, k=k, ratio=f"{error / best_error:.3g}")


# Ranges that keep the pictures readable whatever the fit does.
CURVE_LIMIT = 2.0  # the fitted curve is drawn in y in [-2, 2]
ERROR_LIMITS = (1e-3, 1e2)
LEARNING_LIMITS = (0.01, 100.0)
# The sweet-spot label sits lower, so that it never covers its neighbours' labels.
LABEL_HEIGHTS = {"underfitting": 0.98, "sweet spot": 0.91, "overfitting": 0.98}
HATCH = "///"  # degrees within the noise of the lowest (within_noise), but outside the sweet spot
HATCH_COLOR = "#444444"
NAME_WIDTH = 0.42  # about how many degrees one character of a region name takes on the degree panel
REGION_COLORS = {"underfitting": "#9ecae1", "sweet spot": "#a1d99b", "overfitting": "#fdae6b"}
CLASS_COLORS = ("#1f77b4", "#ff7f0e")
CLASS_MAP = LinearSegmentedColormap.from_list("classes", [CLASS_COLORS[0], "white", CLASS_COLORS[1]])


def _log_axis(axis, low, high):
    """Plain labels at the powers of ten between low and high, no minor ticks
    (the default log ticks double the time to render a slider move)."""
    powers = [10.0**k for k in range(int(np.floor(np.log10(low))), int(np.ceil(np.log10(high))) + 1)]
    axis.set_major_locator(FixedLocator(powers))
    axis.set_major_formatter(lambda value, _: f"{value:g}")
    axis.set_minor_locator(NullLocator())


def region_spans(names):
    """Runs of equal region names: [(name, first index, last index), ...]."""
    spans = []
    for i, name in enumerate(names):
        if spans and spans[-1][0] == name:
            spans[-1] = (name, spans[-1][1], i)
        else:
            spans.append((name, i, i))
    return spans


def _shade_regions(ax, positions, names):
    """Coloured bands behind a curve, one per run of equal region names, each
    labelled once at the middle of its widest band. positions: (m,) x values."""
    artists = []
    positions = np.asarray(positions, dtype=float)
    edges = np.concatenate([[positions[0] - 0.5 * (positions[1] - positions[0])],
                            0.5 * (positions[1:] + positions[:-1]),
                            [positions[-1] + 0.5 * (positions[-1] - positions[-2])]])
    widest = {}
    for name, first, last in region_spans(names):
        artists.append(ax.axvspan(edges[first], edges[last + 1], color=REGION_COLORS[name], alpha=0.35,
                                  linewidth=0, zorder=0))
        if last - first >= widest.get(name, (-1, 0, 0))[0]:
            widest[name] = (last - first, edges[first], edges[last + 1])
    for name, (_, low, high) in widest.items():
        artists.append(ax.text(0.5 * (low + high), LABEL_HEIGHTS[name], TEXT[name], ha="center", va="top", fontsize=10,
                               fontweight="bold", color="#333333", zorder=5,
                               transform=ax.get_xaxis_transform()))
    return artists


def _quiet(legend):
    """Stop an animated legend from marking the figure stale when it is drawn.

    The legend must be animated to be drawn over the animated region bands;
    drawing a legend touches its texts and handles, which would mark the
    figure stale, and a stale figure is drawn in full on every move. The
    legend itself is redrawn on every move anyway."""
    for artist in legend.findobj():
        if artist is not legend:
            artist.stale_callback = None


def fit_axis(ax, grid, points, points_label, *, note_size):
    """The left plot of the degree and weight-decay panels: the true curve,
    the training points, an empty fitted curve and an empty clip note, in
    the fixed window y in [-CURVE_LIMIT, CURVE_LIMIT]. points: (x, y), or
    ([], []) to fill in later. Returns (points, fit_line, clip_note)."""
    ax.plot(grid, true_curve(grid), "--", color=COLORS["good"], linewidth=2, label=TEXT["truth"])
    scatter = ax.scatter(*points, s=22, color="black", zorder=3, label=points_label)
    (fit_line,) = ax.plot([], [], color=COLORS["path"], linewidth=2.2, label=TEXT["fit"])
    clip_note = ax.text(0.5, 0.02, "", transform=ax.transAxes, ha="center", va="bottom", fontsize=note_size,
                        color=COLORS["bad"], bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": COLORS["bad"]})
    ax.set(xlim=X_RANGE, ylim=(-CURVE_LIMIT, CURVE_LIMIT), xlabel=TEXT["x"], ylabel=TEXT["y"])
    ax.set_title(" ", fontsize=12)
    return scatter, fit_line, clip_note


class DegreeView:
    """The kept figure of the degree panel.

    Left: the training points, the true curve and the fitted polynomial of
    the current degree, in a fixed window y in [-2, 2] (a wild fit is
    clipped, and a note says so). Right: training and validation error
    against degree (log scale), each degree's band coloured by its region,
    the current degree marked.

    Everything that moves is an animated artist (axes, ticks and the true
    curve are drawn once as a background), so no move, not even a new
    sample, redraws the whole figure: the legends keep fixed labels, and
    the region bands are one rectangle per degree whose colour changes.
    ``renderer()`` goes one step further: what changes with the sample is
    kept as a second layer, so a move of the degree draws only the fitted
    curve, the clip note, the title and the marker.
    """

    def __init__(self, max_degree, *, n_val=200):
        self.figure, (self.ax_fit, self.ax_err) = new_figure(2, width=12.0, height=5.0)
        self.grid = np.linspace(*X_RANGE, 400)
        ax = self.ax_fit
        self.points, self.fit_line, self.clip_note = fit_axis(ax, self.grid, ([], []), TEXT["points_plain"],
                                                              note_size=9)
        # Both legends are opaque: the panel's renderer draws them once and
        # pastes them over every later picture.
        self.fit_legend = fit_legend = ax.legend(loc="upper right", fontsize=9, framealpha=1.0)
        ax = self.ax_err
        self.degrees = np.arange(max_degree + 1)
        # One band per degree, created first so that it is drawn under the curves.
        self.bands = [ax.axvspan(d - 0.5, d + 0.5, color=REGION_COLORS["sweet spot"], alpha=0.35, linewidth=0)
                      for d in self.degrees]
        self.region_labels = {name: ax.text(0, LABEL_HEIGHTS[name], TEXT[name], ha="center", va="top", fontsize=10,
                                            fontweight="bold", color="#333333",
                                            transform=ax.get_xaxis_transform())
                              for name in REGION_COLORS}
        (self.train_line,) = ax.plot([], [], "-o", color=COLORS["train"], markersize=3.5,
                                     label=TEXT["train_error"])
        (self.val_line,) = ax.plot([], [], "-s", color=COLORS["validation"], markersize=3.5,
                                   label=TEXT["val_error"].format(n=n_val))
        self.floor_line = ax.axhline(1.0, color=COLORS["neutral"], linestyle=":", linewidth=1.5,
                                     label=TEXT["noise_floor_plain"])
        self.marker = ax.axvline(0, color="black", linewidth=1.5, label=TEXT["current"])
        self.error_note = ax.text(0.98, 0.84, "", transform=ax.transAxes, ha="right", va="top", fontsize=9,
                                  color=COLORS["neutral"])
        ax.set_yscale("log")
        ax.set(xlim=(-0.5, max_degree + 0.5), ylim=ERROR_LIMITS, xlabel=TEXT["degree"], ylabel=TEXT["error"])
        _log_axis(ax.yaxis, *ERROR_LIMITS)
        ax.set_title(" ", fontsize=12)
        # Below the axes, not inside: at low noise the validation curve's minimum
        # sits in the lower left corner, where a legend inside would cover it.
        # The hatch's legend entry is a stand-in: the hatched bands change with the sample.
        handles, _ = ax.get_legend_handles_labels()
        hatched = Patch(facecolor=REGION_COLORS["overfitting"], alpha=0.35, hatch=HATCH, edgecolor=HATCH_COLOR,
                        linewidth=0, label=TEXT["within_noise"].format(k=noise_words()))
        self.err_legend = err_legend = ax.legend(handles=[*handles, hatched], loc="upper center",
                                                 bbox_to_anchor=(0.5, -0.13), ncol=2, fontsize=9, framealpha=1.0)
        _animate(self.points, self.fit_line, self.clip_note, self.ax_fit.title, fit_legend,
                 *self.bands, *self.region_labels.values(), self.train_line, self.val_line, self.floor_line,
                 self.marker, self.error_note, self.ax_err.title, err_legend)
        for legend in (fit_legend, err_legend):
            _quiet(legend)
        _freeze_layout(self.figure)
        self._data_key = None
        self.samples_drawn = 0  # changes whenever show_data draws a new sample

    def renderer(self):
        """A LayeredRenderer for this figure: the sample's artists are a cached
        layer, drawn again only after show_data drew a new sample; the two
        legends, which never change, are drawn once and pasted on top, and
        the region names are pasted over the marker line (it must not cut them)."""
        return LayeredRenderer(self.figure, moving=[self.fit_line, self.clip_note, self.ax_fit.title, self.marker,
                                                    self.error_note],
                               layer_key=lambda: self.samples_drawn, fixed=[self.fit_legend, self.err_legend],
                               on_top=list(self.region_labels.values()))

    def show_data(self, train, val, train_errors, val_errors, names, *, noise, seed, within=None):
        """Draw what changes with the sample: the points, both error curves, the regions.
        within: (degrees,) bool, True where the validation error is within the
        noise of the lowest (within_noise: two paired standard errors); such
        degrees outside the sweet spot are hatched."""
        key = (id(train[0]), id(val[0]))
        if key == self._data_key:
            return
        self._data_key = key
        self.samples_drawn += 1
        self.points.set_offsets(np.column_stack(train))
        self.train_line.set_data(self.degrees, train_errors)
        self.val_line.set_data(self.degrees, val_errors)
        floor = noise**2
        self.floor_line.set_ydata([floor, floor])
        self.floor_line.set_visible(floor >= ERROR_LIMITS[0])
        within = np.zeros(len(names), dtype=bool) if within is None else np.asarray(within, dtype=bool)
        for band, name, close in zip(self.bands, names, within):
            band.set_facecolor(REGION_COLORS[name])
            band.set_hatch(HATCH if close and name != "sweet spot" else None)
            band.set_edgecolor(HATCH_COLOR)
        # Each region's name sits over the middle of its widest run of degrees.
        widest = {}
        for name, first, last in region_spans(names):
            if last - first >= widest.get(name, (-1, 0.0))[0]:
                widest[name] = (last - first, 0.5 * (first + last))
        for name, label in self.region_labels.items():
            label.set_visible(name in widest)
            if name in widest:
                label.set_x(widest[name][1])
                label.set_horizontalalignment("center")
        # A run narrower than its name would push the name out of the axes:
        # the first and last regions then start (end) at the axes' edge.
        for name, edge, align in (("underfitting", -0.4, "left"), ("overfitting", self.degrees[-1] + 0.4, "right")):
            half = 0.5 * len(TEXT[name]) * NAME_WIDTH
            if name in widest and not (-0.5 + half <= widest[name][1] <= self.degrees[-1] + 0.5 - half):
                self.region_labels[name].set_x(edge)
                self.region_labels[name].set_horizontalalignment(align)
        top = ERROR_LIMITS[1]
        self.error_note.set_text(TEXT["errors_clipped"].format(top=top) if np.max(val_errors) > top else "")
        _retitle(self.ax_err, TEXT["errors_title"].format(seed=seed))

    def show_fit(self, weights_curve, degree, *, n, noise):
        """Draw the fitted curve (values on self.grid) and mark ``degree``."""
        clipped = np.abs(weights_curve).max() > CURVE_LIMIT
        self.fit_line.set_data(self.grid, np.clip(weights_curve, -1.05 * CURVE_LIMIT, 1.05 * CURVE_LIMIT))
        self.clip_note.set_text(TEXT["clipped"].format(limit=CURVE_LIMIT) if clipped else "")
        self.clip_note.set_visible(clipped)
        self.marker.set_xdata([degree, degree])
        _retitle(self.ax_fit, TEXT["fit_title"].format(degree=degree, n=n, noise=noise))
        return clipped


def plot_learning_curves(sizes, curves, *, noise, seeds):
    """Training and validation error against the number of training points.
    curves: {degree: (train_errors (m,), val_errors (m,))}; the noise floor
    noise² as a dotted line."""
    fig, ax = plt.subplots(figsize=(9.0, 4.8), layout="constrained")
    styles = ["#9467bd", "#d62728", "#8c564b"]
    for color, (degree, (train_errors, val_errors)) in zip(styles, curves.items()):
        ax.plot(sizes, train_errors, "--o", color=color, markersize=4, label=TEXT["lc_train"].format(degree=degree))
        ax.plot(sizes, val_errors, "-s", color=color, markersize=4, linewidth=2.2,
                label=TEXT["lc_val"].format(degree=degree))
    ax.axhline(noise**2, color=COLORS["neutral"], linestyle=":", linewidth=2,
               label=TEXT["noise_floor"].format(floor=noise**2))
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set(title=TEXT["lc_title"].format(noise=noise, seeds=seeds), xlabel=TEXT["lc_x"], ylabel=TEXT["error"],
           ylim=LEARNING_LIMITS)
    _log_axis(ax.yaxis, *LEARNING_LIMITS)
    values = np.concatenate([np.ravel(c) for c in curves.values()])
    if values.min() < LEARNING_LIMITS[0] or values.max() > LEARNING_LIMITS[1]:
        ax.text(0.98, 0.04, TEXT["lc_clipped"], transform=ax.transAxes, ha="right", va="bottom", fontsize=9,
                color=COLORS["neutral"])
    ax.set_xticks(sizes, [str(s) for s in sizes])
    ax.xaxis.set_minor_locator(NullLocator())
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=9, ncol=2)
    return fig


class WeightDecayView:
    """The kept figure of the weight-decay panel: the fit with the penalty
    (left), the size of every weight (middle, log scale) and training and
    validation error against the penalty with the regions (right)."""

    def __init__(self, train, l2_values, train_errors, val_errors, names, *, degree, noise):
        self.figure, (self.ax_fit, self.ax_w, self.ax_err) = new_figure(3, width=14.0, height=4.4)
        self.grid = np.linspace(*X_RANGE, 400)
        self.degree = degree
        ax = self.ax_fit
        _, self.fit_line, self.clip_note = fit_axis(ax, self.grid, train, TEXT["points"].format(n=len(train[0])),
                                                    note_size=8)
        self.fit_legend = ax.legend(loc="upper right", fontsize=8)
        ax = self.ax_w
        self.bars = ax.bar(np.arange(degree + 1), np.ones(degree + 1), color=COLORS["train"], bottom=1e-4)
        ax.set_yscale("log")
        ax.set(xlim=(-0.8, degree + 0.8), ylim=(1e-4, 1e4), xlabel=TEXT["weights_x"], ylabel=TEXT["weights_y"])
        _log_axis(ax.yaxis, 1e-4, 1e4)
        ax.set_title(" ", fontsize=12)
        ax = self.ax_err
        self.l2_values = np.asarray(l2_values, dtype=float)
        ax.plot(self.l2_values, train_errors, "-o", color=COLORS["train"], markersize=3, label=TEXT["train_error"])
        ax.plot(self.l2_values, val_errors, "-s", color=COLORS["validation"], markersize=3,
                label=TEXT["val_error_plain"])
        ax.axhline(noise**2, color=COLORS["neutral"], linestyle=":", linewidth=1.5,
                   label=TEXT["noise_floor"].format(floor=noise**2))
        ax.set_xscale("log")
        ax.set_yscale("log")
        logs = np.log10(self.l2_values)
        self.region_labels = self._shade_log(ax, logs, names)
        self.marker = ax.axvline(self.l2_values[0], color="black", linewidth=1.5, label=TEXT["current_l2"])
        ax.set(xlabel=TEXT["penalty"], ylabel=TEXT["error"], title=TEXT["wd_errors_title"], ylim=(1e-3, 1e1))
        _log_axis(ax.yaxis, 1e-3, 1e1)
        ax.xaxis.set_minor_locator(NullLocator())
        self.err_legend = ax.legend(loc="center left", fontsize=8)
        self.moving = [self.fit_line, self.clip_note, self.marker, self.ax_fit.title, self.ax_w.title, *self.bars]
        # The region names are animated only so that they can be kept over the marker line.
        _animate(*self.moving, *self.region_labels)
        _freeze_layout(self.figure)

    def renderer(self):
        """A LayeredRenderer that keeps both legends over the moving curve and
        marker (a wild fit would otherwise be drawn across the legend), and the
        region names over the marker line."""
        return LayeredRenderer(self.figure, moving=self.moving, layer_key=lambda: 0,
                               on_top=[self.fit_legend, self.err_legend, *self.region_labels])

    @staticmethod
    def _shade_log(ax, logs, names):
        """Region bands on a log x axis: band edges halfway between log values.
        Returns the region names' Text artists."""
        edges = np.concatenate([[logs[0] - 0.5 * (logs[1] - logs[0])], 0.5 * (logs[1:] + logs[:-1]),
                                [logs[-1] + 0.5 * (logs[-1] - logs[-2])]])
        widest = {}
        for name, first, last in region_spans(names):
            ax.axvspan(10 ** edges[first], 10 ** edges[last + 1], color=REGION_COLORS[name], alpha=0.35,
                       linewidth=0, zorder=0)
            if last - first >= widest.get(name, (-1, 0, 0))[0]:
                widest[name] = (last - first, edges[first], edges[last + 1])
        labels = [ax.text(10 ** (0.5 * (low + high)), LABEL_HEIGHTS[name], TEXT[name], ha="center", va="top",
                          fontsize=9, fontweight="bold", color="#333333", transform=ax.get_xaxis_transform())
                  for name, (_, low, high) in widest.items()]
        ax.set_xlim(10 ** edges[0], 10 ** edges[-1])
        return labels

    def show(self, curve, weights, l2):
        clipped = np.abs(curve).max() > CURVE_LIMIT
        self.fit_line.set_data(self.grid, np.clip(curve, -1.05 * CURVE_LIMIT, 1.05 * CURVE_LIMIT))
        self.clip_note.set_text(TEXT["clipped"].format(limit=CURVE_LIMIT) if clipped else "")
        self.clip_note.set_visible(clipped)
        for bar, size in zip(self.bars, np.abs(weights)):
            bar.set_height(max(size, 1e-4 * 1.0001) - 1e-4)
        _retitle(self.ax_w, TEXT["weights_title"].format(count=len(weights), norm=float(np.linalg.norm(weights))))
        self.marker.set_xdata([l2, l2])
        _retitle(self.ax_fit, TEXT["wd_fit_title"].format(degree=self.degree, l2=l2))
        return clipped


class HiddenUnitsView:
    """The kept figure of the hidden-units panel: the decision boundary of
    the current width over the training points (left) and the training and
    validation accuracy of every width, the current one marked (right)."""

    def __init__(self, train, flipped, widths, train_accuracies, val_accuracies, grid, *, val=None):
        """train_accuracies, val_accuracies: (seeds, widths); the means are
        drawn thick, each seed as a thin line. val: (x_val, y_val), drawn as
        hollow markers when given."""
        self.figure, (self.ax_map, self.ax_acc) = new_figure(2, width=12.0, height=4.8)
        g1, g2 = grid
        ax = self.ax_map
        self.image = ax.imshow(np.zeros_like(g1), origin="lower", extent=(g1.min(), g1.max(), g2.min(), g2.max()),
                               cmap=CLASS_MAP, vmin=0, vmax=1, alpha=0.35, aspect="auto", interpolation="nearest")
        x, y = train
        points = []
        for label in (0, 1):
            mask = y == label
            points.append(ax.scatter(x[mask, 0], x[mask, 1], s=16, color=CLASS_COLORS[label], edgecolor="white",
                                     linewidth=0.4, label=TEXT["train_class" if val is not None else "class"].format(
                                         label=label)))
        if val is not None:
            for label in (0, 1):
                mask = val[1] == label
                points.append(ax.scatter(val[0][mask, 0], val[0][mask, 1], s=16, facecolor="none",
                                         edgecolor=CLASS_COLORS[label], linewidth=0.9,
                                         label=TEXT["val_class"].format(label=label)))
        self.flipped = ax.scatter(x[flipped, 0], x[flipped, 1], s=60, facecolor="none", edgecolor="black", linewidth=0.8,
                                  label=TEXT["flipped"])
        ax.set(xlabel=TEXT["boundary_x"], ylabel=TEXT["boundary_y"])
        ax.set_title(" ", fontsize=12)
        self.map_legend = map_legend = ax.legend(loc="lower left", fontsize=7 if val is not None else 8,
                                                 framealpha=1.0)
        ax = self.ax_acc
        train_accuracies, val_accuracies = np.atleast_2d(train_accuracies), np.atleast_2d(val_accuracies)
        seeds = len(val_accuracies)
        for runs, color in ((train_accuracies, COLORS["train"]), (val_accuracies, COLORS["validation"])):
            if seeds > 1:
                ax.plot(widths, runs.T, "-", color=color, linewidth=0.7, alpha=0.35)
        ax.plot(widths, train_accuracies.mean(axis=0), "-o", color=COLORS["train"],
                label=TEXT["train_accuracy"].format(seeds=seeds))
        ax.plot(widths, val_accuracies.mean(axis=0), "-s", color=COLORS["validation"],
                label=TEXT["val_accuracy"].format(seeds=seeds))
        if seeds > 1:
            ax.plot([], [], "-", color=COLORS["neutral"], linewidth=0.7, alpha=0.6, label=TEXT["each_seed"])
        self.marker = ax.axvline(widths[0], color="black", linewidth=1.5, label=TEXT["current_width"])
        ax.set_xscale("log")
        ax.set_xticks(widths, [str(w) for w in widths])
        ax.xaxis.set_minor_locator(NullLocator())
        ax.set(xlabel=TEXT["width_x"], ylabel=TEXT["accuracy"], ylim=(0.4, 1.02), title=TEXT["width_title"])
        ax.yaxis.set_major_formatter(lambda value, _: f"{value:.0%}")
        ax.grid(True, alpha=0.3)
        self.acc_legend = ax.legend(loc="lower right", fontsize=8)
        # The points and their legend are animated too, only so that they are
        # drawn over the (animated) probability map, not hidden under its tint.
        self.moving = [self.image, *points, self.flipped, self.marker, self.ax_map.title]
        _animate(*self.moving, map_legend)
        _quiet(map_legend)
        _freeze_layout(self.figure)

    def renderer(self):
        """A LayeredRenderer: the (opaque) map legend is drawn once and pasted,
        and the accuracy legend stays over the marker."""
        return LayeredRenderer(self.figure, moving=self.moving, layer_key=lambda: 0, on_top=[self.acc_legend],
                               fixed=[self.map_legend])

    def show(self, probability, hidden, train_accuracy, val_accuracy):
        self.image.set_data(probability)
        self.marker.set_xdata([hidden, hidden])
        units = TEXT["unit"] if hidden == 1 else TEXT["units"]
        _retitle(self.ax_map, TEXT["boundary_title"].format(hidden=hidden, units=units, train=train_accuracy,
                                                            val=val_accuracy))


def plot_width_sweep(widths, train_errors, val_errors, names):
    """Training and validation error (fraction misclassified) against the
    number of hidden units, with the regions ``names`` (from fit_regions).
    train_errors, val_errors: (seeds, widths): the mean over the seeds is
    drawn thick, each seed thin."""
    train_errors, val_errors = np.atleast_2d(train_errors), np.atleast_2d(val_errors)
    seeds = len(val_errors)
    fig, ax = plt.subplots(figsize=(8.5, 4.2), layout="constrained")
    for runs, color in ((train_errors, COLORS["train"]), (val_errors, COLORS["validation"])):
        if seeds > 1:
            ax.plot(widths, runs.T, "-", color=color, linewidth=0.7, alpha=0.35)
    ax.plot(widths, train_errors.mean(axis=0), "-o", color=COLORS["train"],
            label=TEXT["train_error_class"].format(seeds=seeds))
    ax.plot(widths, val_errors.mean(axis=0), "-s", color=COLORS["validation"], linewidth=2.2,
            label=TEXT["val_error_class"].format(seeds=seeds))
    if seeds > 1:
        ax.plot([], [], "-", color=COLORS["neutral"], linewidth=0.7, alpha=0.6, label=TEXT["each_seed"])
    ax.set_xscale("log")
    WeightDecayView._shade_log(ax, np.log10(np.asarray(widths, dtype=float)), names)
    ax.set_xticks(widths, [str(w) for w in widths])
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set(xlabel=TEXT["width_x"], ylabel=TEXT["error_class"], title=TEXT["width_error_title"], ylim=(0, 0.55))
    ax.yaxis.set_major_formatter(lambda value, _: f"{value:.0%}")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="center right", fontsize=9)
    return fig


class DoubleDescentView:
    """Test error against the number of random features (log x), the
    minimum-norm fit and/or the ridge fit, each the mean over seeds with
    the single seeds as thin lines; a grey band where the rank of the
    training features first reaches the number of training points."""

    def __init__(self, result, *, ridge_l2):
        self.figure, ax = new_figure(width=9.5, height=4.8)
        self.ax = ax
        counts = result.feature_counts
        self.lines = {}
        for l2, color, label in ((0.0, COLORS["path"], TEXT["dd_min_norm"]),
                                 (ridge_l2, COLORS["train"], TEXT["dd_ridge"].format(l2=ridge_l2))):
            errors = result.errors[result.l2_values.index(l2)]
            thin = ax.plot(counts, errors.T, "-", color=color, linewidth=0.7, alpha=0.35)
            (mean,) = ax.plot(counts, errors.mean(axis=0), "-o", color=color, linewidth=2.4, markersize=4,
                              label=label)
            self.lines[l2] = [mean, *thin]
        # Where the rank of the training feature matrix first reaches n_train
        # on every split: between the last count below it and the first at it.
        rank = result.rank.min(axis=0)
        full = np.flatnonzero(rank >= result.n_train)
        low = counts[full[0] - 1] if len(full) and full[0] > 0 else result.n_train
        high = counts[full[0]] if len(full) else result.n_train
        self.threshold = ax.axvspan(low, high, color=COLORS["neutral"], alpha=0.18, linewidth=0,
                                    label=TEXT["dd_threshold"].format(n=result.n_train))
        ax.set_xscale("log")
        ticks = [10, 20, 50, 100, 200, 500, 1000, 2000]
        ax.set_xticks(ticks, [str(t) for t in ticks])
        ax.xaxis.set_minor_locator(NullLocator())
        ax.set(xlabel=TEXT["dd_x"], ylabel=TEXT["dd_y"], ylim=(0, 0.8),
               title=TEXT["dd_title"].format(n=result.n_train))
        ax.yaxis.set_major_formatter(lambda value, _: f"{value:.0%}")
        ax.grid(True, alpha=0.3)
        (self.seeds_handle,) = ax.plot([], [], "-", color=COLORS["neutral"], linewidth=0.7, alpha=0.6,
                                       label=TEXT["dd_seeds"])
        self._legend(list(self.lines))
        for lines in self.lines.values():
            _animate(*lines)
        _freeze_layout(self.figure)

    def _legend(self, shown):
        """A legend of the curves drawn (l2 values in ``shown``), the threshold and the thin lines."""
        handles = [self.lines[l2][0] for l2 in shown] + [self.threshold, self.seeds_handle]
        self.ax.legend(handles=handles, loc="upper right", fontsize=9)

    def show(self, which):
        """which: "minimum norm", "ridge" or "both"."""
        shown = []
        for l2, lines in self.lines.items():
            visible = which == "both" or (which == "ridge") == (l2 != 0.0)
            for line in lines:
                line.set_visible(visible)
            if visible:
                shown.append(l2)
        self._legend(shown)


def plot_fits(train, grid, curves, degrees):
    """The training points, the true curve and the fit of each degree, one
    axes per degree, side by side. curves: {degree: values on grid (400,)}."""
    fig, axes = plt.subplots(1, len(degrees), figsize=(4.2 * len(degrees), 3.8), layout="constrained")
    for ax, degree in zip(np.atleast_1d(axes), degrees):
        ax.plot(grid, true_curve(grid), "--", color=COLORS["good"], linewidth=2, label=TEXT["truth"])
        ax.scatter(*train, s=18, color="black", zorder=3, label=TEXT["points"].format(n=len(train[0])))
        curve = curves[degree]
        ax.plot(grid, np.clip(curve, -1.05 * CURVE_LIMIT, 1.05 * CURVE_LIMIT), color=COLORS["path"], linewidth=2.2,
                label=TEXT["fit"])
        if np.abs(curve).max() > CURVE_LIMIT:
            ax.text(0.5, 0.02, TEXT["clipped"].format(limit=CURVE_LIMIT), transform=ax.transAxes, ha="center",
                    va="bottom", fontsize=8, color=COLORS["bad"],
                    bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": COLORS["bad"]})
        ax.set(xlim=X_RANGE, ylim=(-CURVE_LIMIT, CURVE_LIMIT), xlabel=TEXT["x"], ylabel=TEXT["y"],
               title=TEXT["fits_title"].format(degree=degree))
    np.atleast_1d(axes)[0].legend(loc="upper right", fontsize=8)
    return fig
