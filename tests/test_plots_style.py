"""FastRenderer: the PNG a slider panel shows must be exactly what a full
drawing of the figure would give, however it was made."""

import io

import numpy as np
from PIL import Image

from nnlib.plots.style import FastRenderer, encode_png, new_figure


def pixels(png):
    return np.asarray(Image.open(io.BytesIO(png)))


def full_drawing(renderer):
    renderer._background = None  # forget the background: draw everything
    return pixels(renderer.png())


def make_figure():
    fig, (ax, other) = new_figure(2)
    x = np.linspace(0, 1, 50)
    ax.plot(x, x**2, label="static")
    ax.set(xlabel="x", ylabel="y")
    (moving,) = ax.plot(x, x, color="red", animated=True)
    ax.set_title("t0").set_animated(True)
    other.plot(x, np.sin(x))
    other.legend(["sin"])
    return fig, ax, moving, x


def test_blitting_gives_the_same_pixels_as_a_full_drawing():
    fig, ax, moving, x = make_figure()
    renderer = FastRenderer(fig)
    first = pixels(renderer.png())
    moving.set_ydata(x**3)
    ax.title.set_text("t1")
    assert not fig.stale  # only animated artists changed: the background is reused
    blitted = pixels(renderer.png())
    assert not np.array_equal(first, blitted)
    np.testing.assert_array_equal(blitted, full_drawing(renderer))


def test_a_change_to_a_static_artist_draws_everything_again():
    fig, ax, moving, x = make_figure()
    renderer = FastRenderer(fig)
    before = pixels(renderer.png())
    ax.set_xlim(0, 2)  # not animated: the figure becomes stale
    assert fig.stale
    after = pixels(renderer.png())
    assert not np.array_equal(before, after)
    np.testing.assert_array_equal(after, full_drawing(renderer))


def test_a_figure_without_animated_artists_is_drawn_in_full():
    fig, ax = new_figure()
    (line,) = ax.plot([0, 1], [0, 1])
    renderer = FastRenderer(fig)
    before = pixels(renderer.png())
    line.set_ydata([1, 0])
    after = pixels(renderer.png())
    assert not np.array_equal(before, after)
    np.testing.assert_array_equal(after, full_drawing(renderer))


def test_an_animated_legend_does_not_make_every_move_draw_everything():
    """Drawing an animated legend resizes its frame, which tells the axes
    it changed: the renderer must not take that for a change of the
    background (every move of 03's and 04's panels drew the whole figure)."""
    fig, ax, moving, x = make_figure()
    moving.set_label("moving")
    ax.legend(loc="lower right").set_animated(True)
    renderer = FastRenderer(fig)
    first = pixels(renderer.png())
    assert not fig.stale and not ax.stale
    background = renderer._background
    moving.set_ydata(x**4)
    moved = pixels(renderer.png())
    assert renderer._background is background  # reused: only the animated artists were drawn
    assert not np.array_equal(first, moved)
    np.testing.assert_array_equal(moved, full_drawing(renderer))


def test_encode_png_gives_back_the_exact_pixels():
    rng = np.random.default_rng(0)
    opaque = rng.integers(0, 256, (7, 5, 4), dtype=np.uint8)
    opaque[:, :, 3] = 255
    seen_through = opaque.copy()
    seen_through[2, 3, 3] = 17
    for rgba, mode in ((opaque, "RGB"), (seen_through, "RGBA")):
        image = Image.open(io.BytesIO(encode_png(rgba)))
        assert image.mode == mode and image.size == (5, 7)
        np.testing.assert_array_equal(np.asarray(image), rgba[:, :, :len(mode)])


def test_slider_panel_keeps_its_stops_and_refuses_impossible_ones():
    import ipywidgets as widgets
    import pytest

    from nnlib.plots.style import new_figure
    from nnlib.widgets.panel import SliderPanel, learning_rate_slider

    fig, ax = new_figure()
    line, = ax.plot([0, 1], [0, 1])

    def draw(lr, steps):
        line.set_ydata([0, lr * steps])
        return f"lr={lr:g} steps={steps}"

    def controls():
        return {"lr": learning_rate_slider(0.1, 0.01, 1), "steps": widgets.IntSlider(value=3, min=1, max=10)}

    panel = SliderPanel(draw, controls(), fig, stops={"lr": [0.01, 0.1, 1.0], "steps": [1, 10]})
    assert panel.stops == {"lr": [0.01, 0.1, 1.0], "steps": [1, 10]}
    assert SliderPanel(draw, controls(), fig).stops == {}
    for stops, words in (({"momentum": [0]}, "not a control"), ({"lr": [0.07]}, "options"),
                         ({"steps": [0]}, "outside"), ({"steps": []}, "empty")):
        with pytest.raises(ValueError, match=words):
            SliderPanel(draw, controls(), fig, stops=stops)


def test_layered_renderer_keeps_legends_on_top_and_redraws_its_layer_when_the_key_changes():
    from nnlib.plots.style import LayeredRenderer

    fig, ax = new_figure()
    x = np.linspace(0, 1, 50)
    (slow,) = ax.plot(x, x, color="blue", animated=True)
    (fast,) = ax.plot(x, 1 - x, color="red", animated=True, label="fast")
    # A box over the middle that must stay over the moving line, as a legend does.
    legend = ax.text(0.5, 0.5, "on top", ha="center", va="center", fontsize=20, animated=True,
                     bbox={"facecolor": "white", "alpha": 0.8})
    ax.set(xlim=(0, 1), ylim=(0, 1))
    fig.draw_without_rendering()
    fig.set_layout_engine("none")  # as the panels' views do: a fixed layout
    version = [0]
    renderer = LayeredRenderer(fig, moving=[fast], layer_key=lambda: version[0], on_top=[legend])
    first = pixels(renderer.png())
    box = legend.get_window_extent(fig.canvas.get_renderer())
    fast.set_ydata(0.5 + 0 * x)  # a horizontal line through the legend
    moved = pixels(renderer.png())
    assert not np.array_equal(first, moved)
    height = moved.shape[0]
    rows, cols = slice(int(height - box.y1) + 2, int(height - box.y0) - 2), slice(int(box.x0) + 2, int(box.x1) - 2)
    np.testing.assert_array_equal(moved[rows, cols], first[rows, cols])  # the legend stays over the line
    slow.set_ydata(x**2)
    assert pixels(renderer.png()).tolist() == moved.tolist()  # the key did not change: the cached layer
    version[0] += 1
    redrawn = pixels(renderer.png())
    assert not np.array_equal(redrawn, moved)
    renderer._background = None  # forget everything: draw from scratch
    np.testing.assert_array_equal(redrawn, pixels(renderer.png()))


def side_by_side():
    """Two axes side by side, laid out once and then kept (as the panels' views do)."""
    fig, (left, right) = new_figure(2)
    x = np.linspace(0, 1, 50)
    left.contourf(*np.meshgrid(x, x), np.add.outer(x, x**2), levels=20)
    left.set(title="map", xlabel="w", ylabel="b")
    (curve,) = right.plot(x, np.exp(-3 * x))
    right.set(xlabel="step", ylabel="loss", yscale="log")
    right.set_title("loss").set_animated(True)
    fig.draw_without_rendering()
    fig.set_layout_engine("none")
    return fig, left, right, curve


def test_when_one_axes_changed_only_it_is_drawn_again_and_the_picture_is_exact():
    fig, left, right, curve = side_by_side()
    renderer = FastRenderer(fig)
    alone = []
    draw_changed_axes = renderer._draw_changed_axes
    renderer._draw_changed_axes = lambda changed: alone.append(draw_changed_axes(changed)) or alone[-1]
    renderer.png()
    for top in (5, 40, 200, 12):  # the step axis grows and shrinks: its tick labels change width
        right.set_xlim(0, top)
        curve.set_xdata(np.linspace(0, top, 50))
        assert right.stale and not left.stale
        shown = pixels(renderer.png())
        assert not fig.stale
        np.testing.assert_array_equal(shown, full_drawing(renderer))
    # The first move drew everything (and measured where each axes draws);
    # every later one drew the right axes alone.
    assert alone == [True, True, True]


def test_axes_that_overlap_are_always_drawn_together():
    fig, left, right, curve = side_by_side()
    inset = fig.add_axes([0.35, 0.35, 0.3, 0.3])  # over both
    inset.plot([0, 1], [1, 0])
    renderer = FastRenderer(fig)
    renderer.png()
    for low in (-1, -2):
        inset.set_ylim(low, 2)
        shown = pixels(renderer.png())
        np.testing.assert_array_equal(shown, full_drawing(renderer))
    assert renderer._axes_overlap  # found once: whole drawings from then on


def test_the_learning_rate_panel_draws_what_a_whole_drawing_gives():
    """Its steps slider changes the loss axes alone: drawn alone, the
    picture is the one a whole drawing of the same figure gives."""
    from nnlib.widgets import learning_rate_panel

    panel = learning_rate_panel()
    for name, value in (("steps", 120), ("lr", 1.5), ("steps", 7), ("lr", 0.01), ("steps", 200), ("steps", 1)):
        panel.controls[name].value = value
        np.testing.assert_array_equal(pixels(panel.png), full_drawing(panel.renderer))
