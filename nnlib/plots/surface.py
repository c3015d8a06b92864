"""The loss surface of y = w*x + b and the paths of descent across it
(notebooks 03 and 04).

Static figures (pyplot, shown with ``plt.show()`` in a notebook):

    surface_figure       3-D surface, contours and loss per step of one path
    regimes_figure       one column per learning rate: path and loss, verdict in the title
    descent_figure       one row per (data, path): contours and loss per step
    batch_paths_figure   SGD paths for several batch sizes, and their loss per epoch

Kept figures for the slider panels (made once, redrawn on every move):

    LearningRateView     contours with the descent path, loss per step
    BatchSizeView        contours with the SGD path and the GD path, loss per update and per epoch

The core (``nnlib.surfaces``) computes the paths; these functions only draw.
"""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullFormatter

from ..surfaces import LineData, line_loss_grid
from .style import COLORS, LayeredRenderer, new_figure

TEXT = {
    "w": "slope w",
    "b": "intercept b",
    "loss": "loss (mean squared error, log scale)",
    "loss_3d": "loss",
    "step": "step (updates made)",
    "epoch": "epochs (passes over the data)",
    "surface_title": "The loss over (w, b): a valley",
    "contour_title": "Seen from above: lines of equal loss",
    "loss_title": "Loss after each step",
    "path": "gradient descent (lr = {lr:g})",
    "start": "start",
    "best": "lowest loss",
    "best_loss": "lowest possible loss",
    "regime_title": "lr = {lr:g}: {verdict}",
    "diverged_note": "diverged at step {step}:\nthe path left the picture",
    "diverged_inside_note": "diverged at step {step}:\nthe loss grew a thousandfold",
    "diverging_note": "diverging: the loss\nrises from step {step} on",
    "lr_map_title": "lr = {lr:g}, {steps}: {verdict}",
    "step_count": "{count} step",
    "steps_count": "{count} steps",
    "lr_loss_title": "Loss after each step (final {loss:.4f})",
    "lr_loss_title_diverged": "Loss after each step (diverged at step {step})",
    "sgd_path": "SGD, batch {batch}",
    "panel_path": "gradient descent path",
    "panel_sgd_path": "SGD path",
    "gd_path": "full-batch GD, same lr and number of updates",
    "batch_map_title": "batch {batch}: {per_epoch} per epoch, {total} in all",
    "update": "{count} update",
    "updates": "{count} updates",
    "per_update": "after each update",
    "per_epoch": "at the end of each epoch",
    "batch_loss_title": "Loss per update and per epoch",
    "batch_loss_all_title": "Loss at the end of each epoch",
    "batch_label": "batch {batch}",
    "diverged_batch_note": "diverged in epoch {epoch}:\nthe path left the picture",
    "diverged_batch_inside_note": "diverged in epoch {epoch}:\nthe loss grew a thousandfold",
    "diverging_batch_note": "diverging: the last epoch's\nloss is above the start",
    "zoom_title": "first {steps} steps, enlarged",
}

GRID_POINTS = 100


def count_updates(count):
    """'1 update', '16 updates': the wording of the figures and the panels."""
    return TEXT["update" if count == 1 else "updates"].format(count=count)


def view_box(data, start, margin=1.4):
    """A square (w, b) window centred on the lowest loss that holds the start:
    ((w_low, w_high), (b_low, b_high))."""
    best_w, best_b = data.best()
    half = margin * max(abs(start[0] - best_w), abs(start[1] - best_b))
    return (best_w - half, best_w + half), (best_b - half, best_b + half)


def count_steps(count):
    """'1 step', '30 steps'."""
    return TEXT["step_count" if count == 1 else "steps_count"].format(count=count)


def diverged_at_step(path):
    """The step that blew up a diverged path (the core stopped it there and
    recorded the steps before it)."""
    return len(path.loss)


def rising_from_step(path):
    """The first step of a "diverging" path whose loss is higher than the
    one before it, after the loss's lowest point: from there on it grows."""
    return int(np.argmin(path.loss)) + 1


def left_the_box(path, box):
    """True when the recorded path, or the step that blew it up, leaves the
    ((w_low, w_high), (b_low, b_high)) window. A diverged path was stopped
    because its next step went a thousandfold up the loss: that step is
    taken to leave."""
    (w_low, w_high), (b_low, b_high) = box
    inside = (path.w >= w_low) & (path.w <= w_high) & (path.b >= b_low) & (path.b <= b_high)
    return bool(path.diverged or not inside.all())


def failure_note(path, box):
    """The words of the red box on a contour plot: where a diverged path
    blew up (and whether it left the picture), or from which step a
    diverging path's loss grows; "" for any other verdict."""
    if path.verdict == "diverged":
        key = "diverged_note" if left_the_box(path, box) else "diverged_inside_note"
        return TEXT[key].format(step=diverged_at_step(path))
    if path.verdict == "diverging":
        return TEXT["diverging_note"].format(step=rising_from_step(path))
    return ""


def draw_loss_map(ax, x, y, box, *, levels=14):
    """Filled contours of the loss over the box, the lowest point as a star,
    axis labels and equal scales (so the valley has its true shape)."""
    data = LineData.from_arrays(x, y)
    (w_low, w_high), (b_low, b_high) = box
    W, B, L = line_loss_grid(x, y, np.linspace(w_low, w_high, GRID_POINTS), np.linspace(b_low, b_high, GRID_POINTS))
    best_loss = data.loss(*data.best())
    gap = L - best_loss
    # Levels spaced evenly in log(loss - lowest loss): the valley floor gets
    # as many lines as the steep walls.
    bounds = best_loss + np.geomspace(gap.max() * 1e-4, gap.max(), levels)
    ax.contourf(W, B, L, levels=np.concatenate([[best_loss], bounds]), cmap="Blues_r", alpha=0.8)
    ax.contour(W, B, L, levels=bounds, colors="white", linewidths=0.6, alpha=0.8)
    ax.plot(*data.best(), marker="*", markersize=14, color="gold", markeredgecolor="black",
            linestyle="none", label=TEXT["best"], zorder=2.5)
    ax.set_xlim(w_low, w_high)
    ax.set_ylim(b_low, b_high)
    ax.set_aspect("equal")
    ax.xaxis.set_major_locator(MaxNLocator(5))
    ax.yaxis.set_major_locator(MaxNLocator(5))
    ax.set_xlabel(TEXT["w"])
    ax.set_ylabel(TEXT["b"])
    return data


def _path_lines(ax, path, *, color=COLORS["path"], label=None, markers=True, steps=None):
    """The path as a line (with a dot per step) and its start as a white
    circle; ``steps`` limits it to the first steps."""
    end = None if steps is None else steps + 1
    line, = ax.plot(path.w[:end], path.b[:end], color=color, linewidth=1.2, marker="o" if markers else None,
                    markersize=2.5, label=label, zorder=3)
    start, = ax.plot(path.w[:1], path.b[:1], marker="o", markersize=8, color="white",
                     markeredgecolor="black", linestyle="none", label=TEXT["start"], zorder=5)
    return line, start


def batch_failure_note(path, box):
    """The red box of the batch-size panel: in which epoch a diverged SGD
    path blew up, or that a diverging one ends above its start; "" else.
    A full-batch path gets the words of ``failure_note``."""
    if path.updates_per_epoch == 1:
        return failure_note(path, box)
    if path.verdict == "diverged":
        key = "diverged_batch_note" if left_the_box(path, box) else "diverged_batch_inside_note"
        return TEXT[key].format(epoch=(len(path.loss) - 1) // path.updates_per_epoch + 1)
    if path.verdict == "diverging":
        return TEXT["diverging_batch_note"]
    return ""


def _diverged_note(ax, path):
    note = failure_note(path, (ax.get_xlim(), ax.get_ylim()))
    if note:
        ax.text(0.03, 0.04, note,
                transform=ax.transAxes, color=COLORS["bad"], fontsize=10, fontweight="bold",
                bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": COLORS["bad"]})


def _log_loss_axis(ax, *, minor_labels=True):
    """A log-scale y axis labelled with plain numbers (0.5, 1, 10) rather
    than powers of ten, with minor ticks at 2 and 5 times each power
    (labelled too, unless ``minor_labels`` is False: the panels leave them
    out, as every label costs time on each slider move)."""
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    ax.yaxis.set_minor_locator(LogLocator(subs=(2.0, 5.0)))
    if not minor_labels:
        ax.yaxis.set_minor_formatter(NullFormatter())
        return

    def minor_label(value, _):
        low, high = ax.get_ylim()
        return f"{value:g}" if high / low < 200 else ""  # label 2 and 5 only over few decades

    ax.yaxis.set_minor_formatter(FuncFormatter(minor_label))


def _draw_loss_per_step(ax, path, *, label=None, color=COLORS["path"]):
    steps = np.arange(len(path.loss))
    ax.plot(steps, path.loss, color=color, marker="o", markersize=3, label=label)
    ax.axhline(path.best_loss, color=COLORS["neutral"], linestyle="--", label=TEXT["best_loss"])
    _log_loss_axis(ax)
    ax.set_xlabel(TEXT["step"])
    ax.set_ylabel(TEXT["loss"])
    ax.set_xlim(0, max(path.epochs, 1))


def surface_figure(x, y, path):
    """Three views of one gradient descent path: the loss as a 3-D surface
    with the path on it, the same from above (contours), and the loss after
    each step. x, y: (n,) or (n, 1); path: a DescentPath."""
    data = LineData.from_arrays(x, y)
    box = view_box(data, (path.w[0], path.b[0]))
    fig = plt.figure(figsize=(15, 4.8), layout="constrained")
    ax3d = fig.add_subplot(1, 3, 1, projection="3d", computed_zorder=False)
    ax_map = fig.add_subplot(1, 3, 2)
    ax_loss = fig.add_subplot(1, 3, 3)

    W, B, L = line_loss_grid(x, y, np.linspace(*box[0], 60), np.linspace(*box[1], 60))
    ax3d.plot_surface(W, B, L, cmap="Blues_r", alpha=0.75, linewidth=0, zorder=1)
    ax3d.plot(path.w, path.b, path.loss, color=COLORS["path"], marker="o", markersize=3, zorder=3,
              label=TEXT["path"].format(lr=path.lr))
    ax3d.plot(*data.best(), data.loss(*data.best()), marker="*", markersize=14, color="gold",
              markeredgecolor="black", zorder=4, linestyle="none", label=TEXT["best"])
    ax3d.set_xlabel(TEXT["w"])
    ax3d.set_ylabel(TEXT["b"])
    ax3d.set_zlabel(TEXT["loss_3d"])
    ax3d.set_title(TEXT["surface_title"])
    ax3d.view_init(elev=35, azim=-60)
    ax3d.legend(loc="upper left", fontsize=9)

    draw_loss_map(ax_map, x, y, box)
    _path_lines(ax_map, path, label=TEXT["path"].format(lr=path.lr))
    ax_map.set_title(TEXT["contour_title"])
    ax_map.legend(loc="lower right", fontsize=9)

    _draw_loss_per_step(ax_loss, path, label=TEXT["path"].format(lr=path.lr))
    ax_loss.set_title(TEXT["loss_title"])
    ax_loss.legend(fontsize=9)
    return fig


def regimes_figure(x, y, paths):
    """One column per path (e.g. four learning rates): the path on the
    contours above, the loss per step below, each titled with its verdict.
    Paths should share the same start."""
    data = LineData.from_arrays(x, y)
    box = view_box(data, (paths[0].w[0], paths[0].b[0]))
    fig, axes = plt.subplots(2, len(paths), figsize=(3.9 * len(paths), 7.6), layout="constrained",
                             height_ratios=[1.25, 1])
    for column, path in zip(axes.T, paths):
        ax_map, ax_loss = column
        draw_loss_map(ax_map, x, y, box)
        _path_lines(ax_map, path, label=TEXT["path"].format(lr=path.lr))
        _diverged_note(ax_map, path)
        ax_map.set_title(TEXT["regime_title"].format(lr=path.lr, verdict=path.verdict), fontsize=13,
                         color=COLORS["bad"] if path.verdict in ("diverged", "diverging") else "black")
        _draw_loss_per_step(ax_loss, path)
        ax_loss.set_title(TEXT["loss_title"])
    axes[0, 0].legend(loc="lower right", fontsize=8)
    axes[1, 0].legend(fontsize=8)
    return fig


def zigzags(path, steps):
    """True when, within its first ``steps`` steps, the path turns back
    (a step goes against the one before it): it jumps from wall to wall."""
    dw, db = np.diff(path.w[: steps + 1]), np.diff(path.b[: steps + 1])
    return bool(np.any(dw[1:] * dw[:-1] + db[1:] * db[:-1] < 0))


def _zoom_inset(ax, x, y, path, steps):
    """An inset in the upper right of ``ax`` that enlarges the first
    ``steps`` steps of the path, numbered, with lines showing where they
    sit in the main plot."""
    w, b = path.w[: steps + 1], path.b[: steps + 1]
    centre_w, centre_b = (w.min() + w.max()) / 2, (b.min() + b.max()) / 2
    half = 0.6 * max(np.ptp(w), np.ptp(b))  # square, so that the aspect stays equal
    inset = ax.inset_axes([0.51, 0.52, 0.48, 0.46])
    draw_loss_map(inset, x, y, ((centre_w - half, centre_w + half), (centre_b - half, centre_b + half)))
    _path_lines(inset, path, steps=steps)
    for step in range(1, steps + 1):
        # Odd steps land on one wall, even steps on the other: number them
        # below and above the path so that the numbers do not overlap.
        offset = (-3, -11) if step % 2 else (-3, 5)
        inset.annotate(str(step), (w[step], b[step]), xytext=offset, textcoords="offset points",
                       fontsize=8, fontweight="bold", color="black")
    inset.set_xlabel("")
    inset.set_ylabel("")
    inset.set_xticks([])
    inset.set_yticks([])
    inset.text(0.5, 0.03, TEXT["zoom_title"].format(steps=steps), transform=inset.transAxes,
               ha="center", va="bottom", fontsize=8, bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": "none"})
    ax.indicate_inset_zoom(inset, edgecolor="black")
    return inset


def descent_figure(rows, *, zoom_steps=6):
    """One row per (x, y, path, title): the path on that data's contours and
    its loss per step. Used to compare a round bowl with a narrow valley.

    A path that zig-zags in its first ``zoom_steps`` steps gets an inset
    that enlarges them (zoom_steps=0: no inset)."""
    fig, axes = plt.subplots(len(rows), 2, figsize=(11, 4.3 * len(rows)), layout="constrained",
                             squeeze=False)
    for (ax_map, ax_loss), (x, y, path, title) in zip(axes, rows):
        data = LineData.from_arrays(x, y)
        draw_loss_map(ax_map, x, y, view_box(data, (path.w[0], path.b[0]), margin=1.2))
        _path_lines(ax_map, path, label=TEXT["path"].format(lr=path.lr))
        _diverged_note(ax_map, path)
        ax_map.set_title(title)
        ax_map.legend(loc="lower left", fontsize=9)
        if zoom_steps and zigzags(path, zoom_steps):
            _zoom_inset(ax_map, x, y, path, zoom_steps)
        _draw_loss_per_step(ax_loss, path, label=TEXT["path"].format(lr=path.lr))
        ax_loss.set_title(f"{TEXT['loss_title']}: {path.verdict}")
        ax_loss.legend(fontsize=9)
    return fig


def _epochs_axis(path):
    """Where each recorded point sits in epochs: update k is at k / updates_per_epoch."""
    return np.arange(len(path.loss)) / path.updates_per_epoch


def batch_paths_figure(x, y, paths):
    """SGD paths for several batch sizes (same data, lr, epochs and start):
    one contour plot per path, then all their losses at the end of each
    epoch on one log-scale plot."""
    data = LineData.from_arrays(x, y)
    box = view_box(data, (paths[0].w[0], paths[0].b[0]))
    fig, axes = plt.subplots(1, len(paths) + 1, figsize=(3.9 * (len(paths) + 1), 4.4), layout="constrained")
    colors = plt.get_cmap("viridis")(np.linspace(0, 0.85, len(paths)))
    for ax, path, color in zip(axes, paths, colors):
        draw_loss_map(ax, x, y, box)
        _path_lines(ax, path, color=COLORS["path"], label=TEXT["sgd_path"].format(batch=path.batch_size),
                    markers=False)
        _diverged_note(ax, path)
        ax.set_title(TEXT["batch_map_title"].format(batch=path.batch_size,
                                                    per_epoch=count_updates(path.updates_per_epoch),
                                                    total=path.updates), fontsize=11)
        epochs = _epochs_axis(path)
        ends = slice(None, None, path.updates_per_epoch)
        axes[-1].plot(epochs[ends], path.loss[ends], marker="o", color=color,
                      label=TEXT["batch_label"].format(batch=path.batch_size))
    axes[0].legend(loc="lower right", fontsize=8)
    ax_loss = axes[-1]
    ax_loss.axhline(paths[0].best_loss, color=COLORS["neutral"], linestyle="--", label=TEXT["best_loss"])
    _log_loss_axis(ax_loss)
    ax_loss.set_xlabel(TEXT["epoch"])
    ax_loss.set_ylabel(TEXT["loss"])
    ax_loss.set_title(TEXT["batch_loss_all_title"])
    ax_loss.legend(fontsize=9)
    return fig


def _freeze_layout(figure):
    """Lay the figure out once, then keep that layout: the constrained
    layout engine would otherwise measure every label again on each slider
    move. Only titles and line data change afterwards, not the margins.
    Titles keep their places too: matplotlib otherwise measures every tick
    label on each drawing to check that no title sits on them, which is a
    quarter of the time a drawing of these figures takes (their tick labels
    are below or beside the axes, never above).
    Does nothing once the layout is frozen."""
    if isinstance(figure.get_layout_engine(), ConstrainedLayoutEngine):
        figure.draw_without_rendering()
        figure.set_layout_engine("none")
        for ax in figure.axes:
            ax._autotitlepos = False  # what set_title(..., y=...) sets; the titles stay where this layout put them


def _panel_note(ax):
    """The hidden red "diverged ..." box of a panel's contour plot, in its
    upper left corner: the legend takes the lower right one."""
    return ax.text(0.03, 0.97, "", transform=ax.transAxes, ha="left", va="top", color=COLORS["bad"],
                   fontsize=10, fontweight="bold", visible=False, zorder=6,
                   bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": COLORS["bad"]})


def _log_axis_floor(path):
    """Where a log loss axis for ``path`` starts: below the lowest possible
    loss, or, when that is 0 (a noise-free line, which a log axis cannot
    show), below the smallest positive loss on the path."""
    positive = path.loss[path.loss > 0]
    lowest = path.best_loss if path.best_loss > 0 else (positive.min() if positive.size else 1e-12)
    return 0.8 * lowest


def _loss_limits_below_legend(ax, low, high, data_share=0.75):
    """Log-scale y limits from ``low`` such that ``high`` sits at ``data_share``
    of the height: the legend in the upper corner then covers no point."""
    _set_ylim(ax, low, low * (high / low) ** (1 / data_share))


def whole_number_ticks():
    """A tick locator for counts (steps, epochs): matplotlib's usual ticks,
    whole numbers only."""
    return MaxNLocator("auto", steps=[1, 2, 2.5, 5, 10], integer=True)


def _animate(*artists):
    """Mark the artists a panel changes on every move as animated: the
    panel's renderer (plots.style.FastRenderer) draws the rest once, as a
    background, and redraws only these."""
    for artist in artists:
        artist.set_animated(True)
    # The renderer draws animated artists on top of the background, in the
    # order of figure.findobj: an axes' legend comes after its lines.


def _retitle(ax, text, color="black"):
    """Rewrite the title of ``ax``. Unlike ``ax.set_title``, this touches the
    title alone, so an animated title does not make the figure stale."""
    ax.title.set_text(text)
    ax.title.set_color(color)


def _set_xlim(ax, low, high):
    # Setting limits, even to the same values, makes the figure stale, and a
    # stale figure is drawn in full again: only set them when they change.
    if not np.allclose(ax.get_xlim(), (low, high)):
        ax.set_xlim(low, high)


def _set_ylim(ax, low, high):
    if not np.allclose(ax.get_ylim(), (low, high)):
        ax.set_ylim(low, high)


class LearningRateView:
    """The kept figure of the learning-rate panel: the descent path on the
    contours (left) and the loss after each step (right). Made once;
    ``show(path)`` moves the lines and rewrites the titles."""

    def __init__(self, x, y, start):
        self.data = LineData.from_arrays(x, y)
        self.figure, (self.ax_map, self.ax_loss) = new_figure(2, width=10, height=4.3)
        self.box = view_box(self.data, start)
        draw_loss_map(self.ax_map, x, y, self.box)
        self.path_line, = self.ax_map.plot([], [], color=COLORS["path"], marker="o", markersize=3,
                                           linewidth=1.5, label=TEXT["panel_path"], gid="path", zorder=3)
        self.ax_map.plot([start[0]], [start[1]], marker="o", markersize=8, color="white",
                         markeredgecolor="black", linestyle="none", label=TEXT["start"], zorder=5)
        self.note = _panel_note(self.ax_map)
        self.legend = self.ax_map.legend(loc="lower right", fontsize=8, framealpha=1)  # opaque: see renderer()
        self.loss_line, = self.ax_loss.plot([], [], color=COLORS["path"], marker="o", markersize=3, gid="loss")
        self.ax_loss.axhline(self.data.loss(*self.data.best()), color=COLORS["neutral"], linestyle="--",
                             label=TEXT["best_loss"])
        _log_loss_axis(self.ax_loss, minor_labels=False)
        self.ax_loss.set_xlabel(TEXT["step"])
        self.ax_loss.xaxis.set_major_locator(whole_number_ticks())  # no step 0.4 when steps = 1
        self.ax_loss.set_ylabel(TEXT["loss"])
        self.ax_loss.legend(loc="upper right", fontsize=9)
        self.moving = [self.path_line, self.note, self.ax_map.title, self.loss_line, self.ax_loss.title]
        _animate(*self.moving, self.legend)

    def renderer(self):
        """The panel's renderer: a path that leaves the map passes under its
        legend, which is opaque, drawn with the background and pasted back
        over the moving artists instead of being drawn again on every move."""
        return LayeredRenderer(self.figure, moving=self.moving, layer_key=lambda: 0, on_top=[self.legend])

    def show(self, path, steps):
        """Draw ``path`` (a DescentPath) asked to take ``steps`` steps."""
        diverged = path.verdict == "diverged"
        note = failure_note(path, self.box)
        self.path_line.set_data(path.w, path.b)
        _retitle(self.ax_map, TEXT["lr_map_title"].format(lr=path.lr, steps=count_steps(steps),
                                                          verdict=path.verdict),
                 color=COLORS["bad"] if note else "black")
        self.note.set_visible(bool(note))
        self.note.set_text(note)
        self.loss_line.set_data(np.arange(len(path.loss)), path.loss)
        _set_xlim(self.ax_loss, 0, max(steps, 1))
        _loss_limits_below_legend(self.ax_loss, _log_axis_floor(path), max(path.loss.max(), path.loss[0]) * 1.2)
        _retitle(self.ax_loss, TEXT["lr_loss_title_diverged"].format(step=diverged_at_step(path)) if diverged
                 else TEXT["lr_loss_title"].format(loss=path.final_loss))
        _freeze_layout(self.figure)


class BatchSizeView:
    """The kept figure of the batch-size panel: the SGD path and the smooth
    full-batch path on the contours (left), and the SGD loss after each
    update and at the end of each epoch, against epochs (right)."""

    def __init__(self, x, y, start):
        self.data = LineData.from_arrays(x, y)
        self.figure, (self.ax_map, self.ax_loss) = new_figure(2, width=10, height=4.3)
        self.box = view_box(self.data, start)
        draw_loss_map(self.ax_map, x, y, self.box)
        self.reference_line, = self.ax_map.plot([], [], color="black", linestyle="--", linewidth=1.2,
                                                label=TEXT["gd_path"], gid="reference", zorder=3)
        self.path_line, = self.ax_map.plot([], [], color=COLORS["path"], linewidth=1.2,
                                           label=TEXT["panel_sgd_path"], gid="path", zorder=3)
        self.ax_map.plot([start[0]], [start[1]], marker="o", markersize=8, color="white",
                         markeredgecolor="black", linestyle="none", label=TEXT["start"], zorder=5)
        self.note = _panel_note(self.ax_map)
        self.legend = self.ax_map.legend(loc="lower right", fontsize=8, framealpha=1)  # opaque: see renderer()
        self.update_line, = self.ax_loss.plot([], [], color=COLORS["path"], linewidth=0.8, alpha=0.7,
                                              label=TEXT["per_update"], gid="loss_per_update")
        self.epoch_line, = self.ax_loss.plot([], [], color="black", marker="o", linestyle="none",
                                             label=TEXT["per_epoch"], gid="loss_per_epoch", zorder=3)
        self.ax_loss.axhline(self.data.loss(*self.data.best()), color=COLORS["neutral"], linestyle="--",
                             label=TEXT["best_loss"])
        _log_loss_axis(self.ax_loss, minor_labels=False)
        self.ax_loss.set_xlabel(TEXT["epoch"])
        self.ax_loss.xaxis.set_major_locator(whole_number_ticks())  # 20 epochs: "20", not a clipped "20.0"
        self.ax_loss.set_ylabel(TEXT["loss"])
        self.ax_loss.set_title(TEXT["batch_loss_title"])
        self.ax_loss.legend(loc="upper right", fontsize=9)
        self.moving = [self.reference_line, self.path_line, self.note, self.ax_map.title, self.update_line,
                       self.epoch_line]
        _animate(*self.moving, self.legend)

    def renderer(self):
        """The panel's renderer: as LearningRateView.renderer, the opaque
        legend stays over the paths without being drawn on every move."""
        return LayeredRenderer(self.figure, moving=self.moving, layer_key=lambda: 0, on_top=[self.legend])

    def show(self, path, reference):
        """Draw the SGD ``path`` and the full-batch ``reference`` path
        (DescentPaths); the loss axes count in epochs."""
        note = batch_failure_note(path, self.box)
        self.path_line.set_data(path.w, path.b)
        self.reference_line.set_data(reference.w, reference.b)
        _retitle(self.ax_map, TEXT["batch_map_title"].format(batch=path.batch_size,
                                                             per_epoch=count_updates(path.updates_per_epoch),
                                                             total=path.updates),
                 color=COLORS["bad"] if note else "black")
        self.note.set_visible(bool(note))
        self.note.set_text(note)
        epochs = _epochs_axis(path)
        ends = slice(None, None, path.updates_per_epoch)
        self.update_line.set_data(epochs, path.loss)
        self.epoch_line.set_data(epochs[ends], path.loss[ends])
        _set_xlim(self.ax_loss, 0, path.epochs)
        _loss_limits_below_legend(self.ax_loss, _log_axis_floor(path), max(path.loss.max(), path.loss[0]) * 1.2)
        _freeze_layout(self.figure)
