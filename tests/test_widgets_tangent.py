"""The tangent panel of notebook 02, driven from Python as a reader's
slider would drive it."""

import numpy as np
import pytest

from nnlib.widgets import tangent_panel
from nnlib.widgets.tangent import cubic, cubic_slope


def line_slope(line):
    """Slope of a straight Line2D from its first and last points."""
    x = np.asarray(line.get_xdata(), dtype=float)
    y = np.asarray(line.get_ydata(), dtype=float)
    return (y[-1] - y[0]) / (x[-1] - x[0])


@pytest.fixture
def panel():
    return tangent_panel()


def test_panel_has_x0_and_h_controls_and_draws_once(panel):
    assert set(panel.controls) == {"x0", "h"}
    assert panel.text.startswith("x0=1.50 slope=1.2500")
    assert panel.png[:8] == b"\x89PNG\r\n\x1a\n"


def test_moving_x0_moves_the_tangent_and_its_slope_is_the_derivative(panel):
    drawing = panel.drawing
    old_tangent = np.array(drawing.tangent.get_ydata(), dtype=float)
    old_text, old_png = panel.text, panel.png

    panel.controls["x0"].value = -0.5

    new_tangent = np.array(drawing.tangent.get_ydata(), dtype=float)
    assert not np.allclose(new_tangent, old_tangent)
    assert line_slope(drawing.tangent) == pytest.approx(cubic_slope(-0.5), abs=1e-12)  # -0.75
    # the tangent touches the curve at the point
    assert drawing.point.get_xdata()[0] == pytest.approx(-0.5)
    assert drawing.point.get_ydata()[0] == pytest.approx(cubic(-0.5))
    assert panel.text.startswith("x0=-0.50 slope=-0.7500")
    assert panel.text != old_text
    assert panel.png != old_png


def test_the_tangent_is_flat_where_the_curve_is(panel):
    panel.controls["x0"].value = 1.0
    assert line_slope(panel.drawing.tangent) == pytest.approx(0.0, abs=1e-12)
    assert "slope=0.0000" in panel.text


def test_shrinking_h_brings_the_secant_slope_to_the_derivative(panel):
    panel.controls["x0"].value = 1.5
    gaps = []
    for h in (1.0, 0.5, 0.1, 0.01):
        panel.controls["h"].value = h
        secant = line_slope(panel.drawing.secant)
        assert secant == pytest.approx((cubic(1.5 + h) - cubic(1.5)) / h)
        assert f"secant(h={h:.2f})" in panel.text
        gaps.append(abs(secant - cubic_slope(1.5)))
    assert gaps == sorted(gaps, reverse=True)
    assert gaps[-1] < 0.02  # h = 0.01: gap = h * (x0 + h / 3) = 0.0150...
    # the secant's second point sits on the curve at x0 + h
    assert panel.drawing.secant_point.get_xdata()[0] == pytest.approx(1.51)
    assert panel.drawing.secant_point.get_ydata()[0] == pytest.approx(cubic(1.51))


def test_the_figure_is_labelled_and_kept(panel):
    ax = panel.drawing.ax
    figure = panel.figure
    panel.controls["x0"].value = 0.25
    assert panel.figure is figure  # one figure, redrawn
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()
    assert "0.25" in ax.get_title()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert len(labels) == 3 and any("tangent" in label for label in labels)


def test_a_custom_curve(panel):
    custom = tangent_panel(np.sin, np.cos, x0=0.5, x_range=(-3.0, 3.0), formula="sin(x)")
    custom.controls["x0"].value = 1.0
    assert line_slope(custom.drawing.tangent) == pytest.approx(np.cos(1.0))


def test_bad_arguments_say_what_is_wrong():
    with pytest.raises(ValueError, match="x0"):
        tangent_panel(x0=10.0)
    with pytest.raises(TypeError, match="f and df"):
        tangent_panel(f=3.0)


def test_the_sliders_follow_the_drag(panel):
    """continuous_update: the browser sends every position while the slider
    is dragged, so the tangent follows the hand (a draw takes ~15 ms)."""
    assert all(control.continuous_update for control in panel.controls.values())
    texts = set()
    for x0 in (-2.0, -1.95, -1.9):  # three positions of one drag, three pictures
        panel.controls["x0"].value = x0
        texts.add(panel.text)
    assert len(texts) == 3


def test_the_status_says_when_the_secant_point_is_off_the_picture(panel):
    """x0 + h past the right edge (x = 2.5): the orange point is not drawn
    where the reader can see it, and the status line says so."""
    panel.controls["h"].value = 0.5
    panel.controls["x0"].value = 1.5  # x0 + h = 2.0: inside
    assert "off the picture" not in panel.text
    panel.controls["x0"].value = 2.0  # x0 + h = 2.5: on the edge, still seen
    assert "off the picture" not in panel.text
    panel.controls["x0"].value = 2.5
    panel.controls["h"].value = 1.5  # x0 + h = 4.0, far right of the picture
    assert panel.text.endswith("(the secant's second point, x0 + h = 4.00, is off the picture)")
    assert panel.drawing.secant_point.get_xdata()[0] > panel.drawing.ax.get_xlim()[1]
    assert "secant(h=1.50)=9.7500" in panel.text  # the numbers are still the secant's
    panel.controls["x0"].value = -2.5  # x0 + h = -1.0: back inside
    assert "off the picture" not in panel.text
