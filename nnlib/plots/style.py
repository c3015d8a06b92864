"""The shared look of every figure, and turning a figure into PNG bytes."""

import io
import struct
import zlib

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.image import AxesImage

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


class FastRenderer:
    """Renders a kept figure to PNG bytes fast enough for a slider.

    Two things make it faster than ``savefig``:

    - blitting: artists marked ``set_animated(True)`` (the moving parts: a
      path, a curve, a title) are left out of a background image that is
      drawn once and reused. A move that changes only animated artists costs
      drawing those alone. When anything else changed (an axis limit, a
      label), matplotlib marks the figure stale and the background is
      drawn again;
    - the PNG is written straight from the canvas's pixels (``encode_png``).

    A figure with no animated artist is simply drawn in full every time.
    """

    def __init__(self, fig):
        self.figure = fig
        self.canvas = FigureCanvasAgg(fig)  # fig.canvas is now this Agg canvas
        self._background = None
        self._animated = []

    def png(self):
        fig, canvas = self.figure, self.canvas
        if self._background is None or fig.stale:
            self._draw_background()
            self._animated = fig.findobj(lambda artist: artist.get_animated())
            self._background = canvas.copy_from_bbox(fig.bbox) if self._animated else None
        else:
            canvas.restore_region(self._background)
        for artist in self._animated:
            fig.draw_artist(artist)
        _unstale(fig)
        return self._encode()

    def _draw_background(self):
        """Draw everything but the animated artists. Matplotlib before 3.11
        draws an animated image here all the same: drawn again over it, a
        half-transparent image would show through itself and through the
        previous picture's image. Such images are hidden for this draw
        (hiding an animated artist does not make the figure stale)."""
        images = [image for image in self.figure.findobj(AxesImage) if image.get_animated() and image.get_visible()]
        for image in images:
            image.set_visible(False)
        try:
            self.canvas.draw()
        finally:
            for image in images:
                image.set_visible(True)

    def _encode(self):
        """The canvas as PNG bytes."""
        return encode_png(np.asarray(self.canvas.buffer_rgba()))


class LayeredRenderer(FastRenderer):
    """A FastRenderer with one more cached layer, for panels whose animated
    artists change at two speeds (the degree panel: a new sample redraws
    the points, both error curves and the regions; a new degree only the
    fitted curve, its title and the marker).

    moving: the animated artists that change on every move, drawn in this
    order over a cached image of all the other animated artists (the
    "layer"). layer_key(): a hashable that changes whenever one of those
    other artists changes; the layer is then drawn again. on_top: animated
    artists (legends) that must stay over the moving ones: their pixels are
    copied from the layer and pasted back after the moving artists are
    drawn, which costs a copy instead of drawing their texts again. A
    moving artist is therefore hidden wherever it passes under one of them.
    fixed: like on_top, but for animated legends that never change and hide
    everything under them (fixed labels, an opaque frame): drawn in full
    once; afterwards only their frame is drawn (one path) and the inside,
    texts and handles, is pasted, even when the layer is drawn again.
    """

    def __init__(self, fig, *, moving, layer_key, on_top=(), fixed=()):
        super().__init__(fig)
        self.moving = list(moving)
        self.layer_key = layer_key
        self.on_top = list(on_top)
        self.fixed = list(fixed)
        self._layer = None
        self._layer_of = object()  # the layer_key the cached layer was drawn for
        self._patches = []
        self._fixed_patches = None  # the fixed artists' pixels, once drawn

    def png(self):
        fig, canvas = self.figure, self.canvas
        if self._background is None or fig.stale:
            self._draw_background()
            self._animated = fig.findobj(lambda artist: artist.get_animated())
            self._background = canvas.copy_from_bbox(fig.bbox)
            self._layer_of = object()  # the layer must be drawn again too
            self._fixed_patches = None  # and the fixed artists
        key = self.layer_key()
        if key != self._layer_of:
            canvas.restore_region(self._background)
            skipped = {id(artist) for artist in self.moving + self.fixed}
            for artist in self._animated:
                if id(artist) not in skipped:
                    fig.draw_artist(artist)
            self._layer, self._layer_of = canvas.copy_from_bbox(fig.bbox), key
            self._patches = self._copy(self.on_top, pad=1)
            if self._fixed_patches is None:
                for legend in self.fixed:
                    fig.draw_artist(legend)
                # The inside of each frame: its edge is drawn again on every move.
                self._fixed_patches = self._copy(self.fixed, pad=-2)
                canvas.restore_region(self._layer)
        else:
            canvas.restore_region(self._layer)
        for artist in self.moving:
            fig.draw_artist(artist)
        for patch in self._patches:
            canvas.restore_region(patch)
        for legend in self.fixed:
            if legend.get_visible():
                fig.draw_artist(legend.legendPatch)
        for patch in self._fixed_patches:
            canvas.restore_region(patch)
        _unstale(fig)
        return self._encode()

    def _copy(self, artists, *, pad):
        """The pixels under each visible artist's box, ``pad`` pixels wider."""
        renderer = self.canvas.get_renderer()
        return [self.canvas.copy_from_bbox(artist.get_window_extent(renderer).padded(pad))
                for artist in artists if artist.get_visible()]


def _unstale(fig):
    """Clear the stale marks that drawing the animated artists left.

    Drawing is meant to change nothing, but an animated legend sets its
    frame's size as it draws, and the frame tells its axes (not the legend)
    that it changed: the figure would look stale after every picture, and
    every move would draw the whole background again. Everything that is
    not animated was just drawn, so nothing is stale."""
    for ax in fig.axes:
        ax.stale = False
    fig.stale = False


def encode_png(pixels):
    """PNG bytes of ``pixels``: (height, width, 4) uint8 RGBA, as Agg draws
    them; stored as RGB when every pixel is opaque (a quarter less to
    compress).

    Written directly (a PNG is a signature and three chunks: the header;
    the pixel rows, each led by a filter byte, compressed with zlib; the
    end) because a general encoder (Pillow's) spends most of its time trying
    row filters. Without filters and with zlib's fastest level, a panel's
    picture is written in about half the time, and it is smaller: our
    figures are flat colours and thin lines.
    """
    height, width, _ = pixels.shape
    opaque = bool((pixels[:, :, 3] == 255).all())
    channels = 3 if opaque else 4
    rows = np.zeros((height, 1 + width * channels), np.uint8)  # column 0: filter 0, "none"
    rows[:, 1:] = pixels[:, :, :channels].reshape(height, -1)
    color_type = 2 if opaque else 6  # 2: RGB, 6: RGBA; 8 bits per channel
    header = struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)
    return b"".join([b"\x89PNG\r\n\x1a\n", _png_chunk(b"IHDR", header),
                     _png_chunk(b"IDAT", zlib.compress(rows.tobytes(), 1)), _png_chunk(b"IEND", b"")])


def _png_chunk(kind, data):
    """One PNG chunk: the data's length, the chunk's type, the data, and the CRC-32 of type and data."""
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
