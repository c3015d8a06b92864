"""The tangent panel of notebook 02: move the point x0 along a curve and the
tangent follows; the secant through x0 and x0 + h shows the finite
difference whose slope approaches the derivative as h shrinks.
"""

import ipywidgets as widgets
import numpy as np

from ..plots.style import COLORS, new_figure
from .panel import SliderPanel

TEXT = {
    "title": "At x0 = {x0:.2f} the tangent has slope {slope:.3f}; the secant (h = {h:.2f}) has slope {secant:.3f}",
    "x": "x",
    "fx": "f(x)",
    "curve": "f(x) = {formula}",
    "tangent": "tangent: slope f'(x0)",
    "secant": "secant through x0 and x0 + h: slope (f(x0+h) - f(x0)) / h",
    "status": "x0={x0:.2f} slope={slope:.4f} secant(h={h:.2f})={secant:.4f} difference={difference:.4f}",
    "off_picture": " (the secant's second point, x0 + h = {x:.2f}, is off the picture)",
}


def cubic(x):
    """The default curve: f(x) = x**3 / 3 - x, flat at x = -1 and x = 1."""
    return x**3 / 3 - x


def cubic_slope(x):
    """Its derivative, f'(x) = x**2 - 1."""
    return x**2 - 1


class TangentDrawing:
    """The kept figure: the curve (drawn once), the point, the tangent and
    the secant (their data updated on every move).

    f, df: vectorised functions of x and the exact derivative of f.
    """

    def __init__(self, f, df, *, x_range, formula):
        self.f = f
        self.df = df
        self.x_range = tuple(x_range)
        self.xs = np.linspace(*self.x_range, 400)
        self.fig, self.ax = new_figure(width=8.0, height=4.5)
        ys = f(self.xs)
        pad = 0.25 * (ys.max() - ys.min())
        ax = self.ax
        ax.plot(self.xs, ys, color="black", linewidth=2, label=TEXT["curve"].format(formula=formula))
        (self.secant,) = ax.plot([], [], color=COLORS["validation"], linewidth=1.8, label=TEXT["secant"],
                                 gid="secant")
        (self.tangent,) = ax.plot([], [], color=COLORS["train"], linewidth=2.5, linestyle="--",
                                  label=TEXT["tangent"], gid="tangent")
        (self.point,) = ax.plot([], [], "o", color="black", markersize=9, gid="point")
        (self.secant_point,) = ax.plot([], [], "o", color=COLORS["validation"], markersize=7, gid="secant_point")
        ax.set(xlabel=TEXT["x"], ylabel=TEXT["fx"], xlim=self.x_range, ylim=(ys.min() - pad, ys.max() + pad))
        ax.grid(True, alpha=0.3)
        ax.legend(loc="upper left", fontsize=9)
        # What moves is animated: the panel's renderer draws the curve, axes
        # and legend once and redraws only these on each move.
        ax.set_title(" ", fontsize=11)
        for artist in (self.secant, self.tangent, self.point, self.secant_point, ax.title):
            artist.set_animated(True)

    def draw(self, x0, h):
        """Move the point to x0 and the secant's second point to x0 + h.
        Returns one line: x0, the slope, the secant's slope and their gap,
        and whether the second point lies outside the picture (x0 + h past
        the right edge), where the reader cannot see it."""
        y0 = float(self.f(x0))
        slope = float(self.df(x0))
        y_h = float(self.f(x0 + h))
        secant = (y_h - y0) / h
        self.point.set_data([x0], [y0])
        ends = np.array(self.x_range)  # a straight line needs only its two ends
        self.tangent.set_data(ends, y0 + slope * (ends - x0))
        self.secant.set_data(ends, y0 + secant * (ends - x0))
        self.secant_point.set_data([x0 + h], [y_h])
        # title.set_text, not ax.set_title: it changes the (animated) title
        # alone, so the panel can redraw only what moved.
        self.ax.title.set_text(TEXT["title"].format(x0=x0, slope=slope, h=h, secant=secant))
        status = TEXT["status"].format(x0=x0, slope=slope, h=h, secant=secant, difference=secant - slope)
        (x_low, x_high), (y_low, y_high) = self.x_range, self.ax.get_ylim()
        tolerance = 1e-9 * (x_high - x_low)  # a point on the edge (x0 + h = 2.5) is still seen
        if not (x_low - tolerance <= x0 + h <= x_high + tolerance and y_low <= y_h <= y_high):
            status += TEXT["off_picture"].format(x=x0 + h)
        return status


def tangent_panel(f=cubic, df=cubic_slope, *, x0=1.5, h=0.5, x_range=(-2.5, 2.5), formula="x³/3 - x"):
    """A SliderPanel with controls "x0" (where the tangent touches) and "h"
    (the step of the secant). f, df: vectorised function and its exact
    derivative. ``panel.drawing`` holds the figure and its lines."""
    if not callable(f) or not callable(df):
        raise TypeError(f"f and df must be functions of x; got {type(f).__name__} and {type(df).__name__}")
    low, high = x_range
    if not low < x0 < high:
        raise ValueError(f"x0 must lie inside x_range {x_range}; got {x0}")
    drawing = TangentDrawing(f, df, x_range=x_range, formula=formula)
    style = {"description_width": "initial"}
    controls = {
        "x0": widgets.FloatSlider(value=x0, min=low, max=high, step=0.05, description="x0",
                                  continuous_update=True, readout_format=".2f", style=style),
        "h": widgets.FloatSlider(value=h, min=0.01, max=1.5, step=0.01, description="h (secant step)",
                                 continuous_update=True, readout_format=".2f", style=style),
    }
    panel = SliderPanel(drawing.draw, controls, drawing.fig, stops={"x0": [v for v in (-2.0, -1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0) if low < v < high] or [x0], "h": [0.01, 0.1, 0.5, 1.0]})
    # The first render placed the axes; keeping that layout makes every
    # later move about twice as fast (no re-measuring of all the text).
    drawing.fig.set_layout_engine(None)
    panel.drawing = drawing
    return panel
