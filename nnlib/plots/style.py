"""The shared look of every figure, and turning a figure into PNG bytes."""

import io

from matplotlib.figure import Figure

# One palette for the whole series, so that "train" and "validation" have
# the same colour in every notebook.
COLORS = {
    "train": "#1f77b4",
    "validation": "#ff7f0e",
    "test": "#2ca02c",
    "path": "#d62728",
    "good": "#2ca02c",
    "bad": "#d62728",
    "neutral": "#7f7f7f",
}

FIGURE_DPI = 100


def new_figure(ncols=1, nrows=1, *, width=10.0, height=4.0, **subplot_kw):
    """A Figure with a grid of axes, made without pyplot.

    Slider panels keep such a figure and redraw it: as it is not registered
    with pyplot, Jupyter does not display an extra copy at the end of the
    cell. Returns (fig, axes) like ``plt.subplots``.
    """
    fig = Figure(figsize=(width, height), dpi=FIGURE_DPI, layout="constrained")
    axes = fig.subplots(nrows, ncols, subplot_kw=subplot_kw or None)
    return fig, axes


def figure_png(fig):
    """The figure rendered to PNG bytes (what a slider panel shows)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=FIGURE_DPI)
    return buffer.getvalue()
