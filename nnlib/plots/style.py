"""The shared look of every figure, and turning a figure into PNG bytes."""

import contextlib
import io
import math
import struct
import zlib

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.layout_engine import PlaceHolderLayoutEngine
from matplotlib.transforms import Bbox

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

    What makes it faster than ``savefig``:

    - blitting: artists marked ``set_animated(True)`` (the moving parts: a
      path, a curve, a title) are left out of a background image that is
      drawn once and reused. A move that changes only animated artists costs
      drawing those alone. When anything else changed (an axis limit, a
      label), matplotlib marks the figure stale and the background is
      drawn again;
    - when only some axes changed (the loss curve's axis grew, the contour
      map beside it did not), only those are drawn again, over the kept
      background, if the figure's layout is fixed and the pixels they drew
      and draw now touch no other axes (see ``_draw_changed_axes``);
    - the PNG is written straight from the canvas's pixels (``encode_png``).

    Every picture is, pixel for pixel, what drawing the whole figure gives.
    A figure with no animated artist is simply drawn in full every time.
    """

    FOOTPRINT_PAD = 2  # pixels around what an axes draws, for anti-aliased edges

    def __init__(self, fig):
        self.figure = fig
        self.canvas = FigureCanvasAgg(fig)  # fig.canvas is now this Agg canvas
        self._background = None
        self._animated = []
        # Where each axes drew last, as (top, bottom, left, right) pixel
        # indices, once a move has changed some axes but not all; None before.
        self._footprints = None
        self._some_axes_changed = False  # seen once: worth measuring footprints
        self._axes_overlap = False  # found once: only whole drawings, from then on
        self._blank = None  # the figure's own background (its patch) alone, as pixels

    def png(self):
        fig = self.figure
        if not self._refresh_background():
            self.canvas.restore_region(self._background)
        for artist in self._animated:
            fig.draw_artist(artist)
        _unstale(fig)
        return self._encode()

    def _refresh_background(self):
        """Bring the kept background up to date; True when it was drawn
        again (the canvas then holds it), False when it was still good."""
        fig = self.figure
        if self._background is not None and not fig.stale:
            return False
        changed = [ax for ax in fig.axes if ax.stale]
        alone = (self._background is not None and 0 < len(changed) < len(fig.axes) and not self._axes_overlap
                 and _axes_stay_put(fig) and not fig.subfigs and not fig.patch.stale
                 and not any(artist.stale for artist in _figure_level_artists(fig)))
        self._some_axes_changed |= alone
        if not (alone and self._footprints is not None and self._draw_changed_axes(changed)):
            self._draw_background()
            measure = self._some_axes_changed and not self._axes_overlap and _axes_stay_put(fig)
            self._footprints = self._measure_footprints() if measure else None
        self._animated = fig.findobj(lambda artist: artist.get_animated())
        self._background = self.canvas.copy_from_bbox(fig.bbox)
        return True

    def _draw_background(self):
        """Draw everything but the animated artists."""
        with _animated_images_hidden(self.figure):
            self.canvas.draw()

    def _measure_footprints(self):
        """Where each axes of the figure just drawn drew: its box with ticks,
        labels, title and legend (matplotlib's tight box), a little wider.
        Also keeps the figure's own background for ``_draw_changed_axes``."""
        fig, renderer = self.figure, self.canvas.get_renderer()
        height = self.canvas.get_width_height()[1]
        footprints = {}
        for ax in fig.axes:
            stale = ax.stale
            boxes = [box for box in (ax.bbox, ax.get_tightbbox(renderer)) if box is not None]
            ax.stale = stale  # measuring places the ticks again, which marks the axes stale; nothing changed
            footprints[ax] = _pixel_box(Bbox.union(boxes), height, self.FOOTPRINT_PAD)
        fig.stale = False
        background = np.array(self.canvas.buffer_rgba())
        renderer.clear()
        fig.patch.draw(renderer)
        self._blank = np.array(self.canvas.buffer_rgba())
        np.asarray(self.canvas.buffer_rgba())[...] = background  # the canvas as it was
        return footprints

    def _draw_changed_axes(self, changed):
        """Draw the ``changed`` axes again over the kept background, each on
        the figure's bare background first, to see which pixels it covers.
        Where it drew before and where it draws now must touch no other axes'
        footprint and no figure-level artist: those pixels are then exactly
        what a whole drawing gives. False (the canvas then holds nothing of
        use) when they do: the whole figure must be drawn."""
        fig, canvas, renderer = self.figure, self.canvas, self.canvas.get_renderer()
        pixels = np.asarray(canvas.buffer_rgba())
        if pixels.shape != self._blank.shape or set(self._footprints) != set(fig.axes):
            return False  # the canvas was resized, or axes were added or removed
        canvas.restore_region(self._background)
        picture = pixels.copy()
        others = [box for ax, box in self._footprints.items() if ax not in changed]
        others += [_pixel_box(artist.get_window_extent(renderer), pixels.shape[0], self.FOOTPRINT_PAD)
                   for artist in _figure_level_artists(fig) if artist.get_visible() and not artist.get_animated()]
        with _animated_images_hidden(fig):
            for ax in sorted(changed, key=lambda ax: ax.get_zorder()):  # the order of a whole drawing
                pixels[...] = self._blank
                ax.draw(renderer)
                drawn = _drawn_box(pixels, self._blank, _pixel_box(ax.bbox, pixels.shape[0], 0), self.FOOTPRINT_PAD)
                region = _union(self._footprints[ax], drawn)
                if any(_overlap(region, box) for box in others):
                    self._axes_overlap = True
                    return False
                top, bottom, left, right = region
                picture[top:bottom, left:right] = pixels[top:bottom, left:right]
                self._footprints[ax] = drawn
                others.append(region)
        pixels[...] = picture
        fig.stale = False
        return True

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
        if self._refresh_background():
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


@contextlib.contextmanager
def _animated_images_hidden(fig):
    """Hide the figure's animated images while the background is drawn.
    Matplotlib before 3.11 draws them there all the same: drawn again over
    it, a half-transparent image would show through itself and through the
    previous picture's image (hiding an animated artist does not make the
    figure stale)."""
    images = [image for image in fig.findobj(AxesImage) if image.get_animated() and image.get_visible()]
    for image in images:
        image.set_visible(False)
    try:
        yield
    finally:
        for image in images:
            image.set_visible(True)


def _axes_stay_put(fig):
    """True when drawing does not move the axes: no layout engine, or one
    frozen with ``set_layout_engine("none")`` (a placeholder)."""
    engine = fig.get_layout_engine()
    return engine is None or isinstance(engine, PlaceHolderLayoutEngine)


def _figure_level_artists(fig):
    """What the figure draws besides its patch and its axes: texts (the
    suptitle), legends, lines, patches, images, artists."""
    return [*fig.texts, *fig.legends, *fig.lines, *fig.patches, *fig.images, *fig.artists]


def _pixel_box(box, height, pad):
    """A matplotlib Bbox in display pixels (origin at the bottom left) as
    (top, bottom, left, right) indices of the canvas's pixel array (rows
    from the top), ``pad`` pixels wider on each side."""
    x0, y0, x1, y1 = box.extents
    return (max(0, math.floor(height - y1) - pad), math.ceil(height - y0) + pad,
            max(0, math.floor(x0) - pad), math.ceil(x1) + pad)


def _drawn_box(pixels, blank, start, pad):
    """The (top, bottom, left, right) box around every pixel of ``pixels``
    that differs from ``blank``, and around ``start``, ``pad`` wider."""
    differs = pixels.view(np.uint32)[:, :, 0] != blank.view(np.uint32)[:, :, 0]  # one RGBA pixel: 4 bytes
    rows, columns = np.flatnonzero(differs.any(axis=1)), np.flatnonzero(differs.any(axis=0))
    if not len(rows):
        return start
    drawn = (max(0, rows[0] - pad), rows[-1] + 1 + pad, max(0, columns[0] - pad), columns[-1] + 1 + pad)
    return _union(drawn, start)


def _union(a, b):
    """The smallest (top, bottom, left, right) box holding boxes ``a`` and ``b``."""
    return (min(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), max(a[3], b[3]))


def _overlap(a, b):
    """Whether (top, bottom, left, right) boxes ``a`` and ``b`` share a pixel."""
    return a[0] < b[1] and b[0] < a[1] and a[2] < b[3] and b[2] < a[3]
