"""SliderPanel: controls + a drawing function + a kept figure; and the
learning-rate slider the panels share (round values, see round_log_values)."""

import html
import math
import threading

import ipywidgets as widgets
import traitlets

from ..plots.style import FastRenderer
from .static import static_bundle

# The round numbers of each decade the learning-rate sliders stop at.
ROUND_STEPS = (1, 1.5, 2, 3, 5, 8)


def round_log_values(low, high):
    """The round learning rates from ``low`` to ``high`` (both included when
    round), spaced roughly geometrically: 1, 1.5, 2, 3, 5 and 8 times each
    power of ten, e.g. round_log_values(0.001, 3) -> (0.001, 0.0015, 0.002,
    0.003, 0.005, 0.008, 0.01, ..., 0.8, 1.0, 1.5, 2.0, 3.0).

    Each value is the float of its short decimal ("0.0015"), so 0.3 typed in
    Python is exactly one of them. Each notch multiplies the rate by 1.25 to 1.67.
    """
    if not 0 < low < high:
        raise ValueError(f"need 0 < low < high; got low={low!r}, high={high!r}")
    first, last = math.floor(math.log10(low)), math.ceil(math.log10(high))
    values = (float(f"{step}e{power}") for power in range(first, last + 1) for step in ROUND_STEPS)
    return tuple(value for value in values if low * (1 - 1e-9) <= value <= high * (1 + 1e-9))


class LearningRateSlider(widgets.SelectionSlider):
    """A SelectionSlider whose value, set from Python, must be one of its
    options: any other raises a ValueError that names lr and lists them."""

    @traitlets.validate("value")
    def _validate_value(self, proposal):
        if proposal.value not in self._options_values:
            raise ValueError(f"lr must be one of the round learning rates from {self._options_labels[0]} "
                             f"to {self._options_labels[-1]}: {', '.join(self._options_labels)}; "
                             f"got {proposal.value!r}")
        return super()._validate_value(proposal)


def learning_rate_slider(lr, low, high):
    """A SelectionSlider named "learning rate" over round_log_values(low, high),
    set to ``lr``, which must be one of them (else ValueError).

    A SelectionSlider sends the browser only the index of the chosen option,
    so the browser cannot round a value and send it back (a FloatLogSlider
    snaps 0.05 to its own grid, 0.0501187, and the panel changes by itself).
    """
    return LearningRateSlider(options=[(f"{value:g}", value) for value in round_log_values(low, high)],
                              value=lr, description="learning rate", continuous_update=True,
                              style={"description_width": "initial"})


def check_stops(stops, controls):
    """``stops`` as {name: list of values}, after checking that every name is
    a control and every value one it can take (ValueError otherwise)."""
    checked = {}
    for name, values in stops.items():
        if name not in controls:
            raise ValueError(f"stops names {name!r}, which is not a control; controls: {sorted(controls)}")
        control, values = controls[name], list(values)
        if not values:
            raise ValueError(f"stops[{name!r}] is empty; give at least one value")
        for value in values:
            options = getattr(control, "_options_values", None)
            low, high = getattr(control, "min", None), getattr(control, "max", None)
            if options is not None and value not in options:
                raise ValueError(f"stops[{name!r}] has {value!r}, not one of the control's options {list(options)}")
            if options is None and low is not None and not low <= value <= high:
                raise ValueError(f"stops[{name!r}] has {value!r}, outside the control's range [{low}, {high}]")
        checked[name] = values
    return checked


def in_kernel():
    """True inside a running Jupyter kernel (JupyterLab, Voila, nbval)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def from_browser(control):
    """True while ``control`` applies a change sent by the browser:
    ipywidgets locks the properties it is setting from a browser message
    (Widget.set_state), and only then."""
    return bool(getattr(control, "_property_lock", None))


class SliderPanel:
    """Controls wired to ``draw``, a plain function that updates ``figure``.

    draw(**values) -> str: redraws the kept figure for the controls' current
    values and returns a one-line description of what it drew, such as
    "lr=0.3 steps=50 final loss=0.0123 (converged)".
    controls: {name: ipywidget with a .value}, passed to draw by name.

    stops: {name: [values]}, optional: the values of each control that a
    static page without a kernel (``make book``) precomputes, chosen to show
    every regime the notebook talks about. Each must be a legal value of
    its control.

    renderer: optional, what turns the figure into PNG bytes (by default a
    plots.style.FastRenderer of ``figure``).

    busy: optional busy(**values) -> str or None: the words to show at once
    while a slow draw runs (such as "training 30 epochs..."), or None when
    the draw will be quick (a cached result).

    After every change of a control, ``text`` holds the description and
    ``png`` the rendered figure; the notebook shows ``panel.widget``.

    Latest value wins: in a running kernel, a move made in the browser only
    records the new values, and a drawing thread draws the newest values it
    finds, skipping the ones a fast drag went past; so the picture follows
    the hand and stops when it stops, however long one draw takes. A value
    set from Python (``panel.controls["lr"].value = 0.3`` in a cell, a test)
    is drawn at once, before the assignment returns, so ``panel.text`` is
    then up to date. ``wait()`` waits for the drawing thread to finish.
    """

    def __init__(self, draw, controls, figure, *, stops=None, busy=None, background=None, renderer=None):
        self.draw = draw
        self.controls = dict(controls)
        self.stops = check_stops(stops or {}, self.controls)
        self.figure = figure
        # Redraws only the animated artists when it can; a view may bring its own (a LayeredRenderer).
        self.renderer = renderer if renderer is not None else FastRenderer(figure)
        self.image = widgets.Image(format="png", layout=widgets.Layout(width="100%", max_width="1000px"))
        self.status = widgets.HTML(layout=widgets.Layout(margin="0 0 0 8px"))
        self.status.add_class("nnlib-status")
        self.busy = busy
        self.background = in_kernel() if background is None else bool(background)
        self.text = ""
        self.png = b""
        self.updates = 0
        self._pending = None  # the newest values not drawn yet
        self._lock = threading.Lock()
        self._drawer = None  # the drawing thread, while it runs
        self._drawing = threading.Lock()  # held during a draw, by the thread or by a value set from Python
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        controls_box = widgets.HBox(list(self.controls.values()), layout=widgets.Layout(flex_flow="row wrap"))
        self.widget = PanelBox([controls_box, self.image, self.status], panel=self)
        self.refresh()

    def values(self):
        return {name: control.value for name, control in self.controls.items()}

    def refresh(self, values=None):
        """Redraw for ``values`` (by default the controls' current values)."""
        values = self.values() if values is None else values
        with self._drawing:  # one draw at a time: the figure is not thread-safe
            self.text = self.draw(**values)
            self.png = self.renderer.png()
            self.image.value = self.png
            self.status.value = f"<code>{html.escape(self.text)}</code>"
            self.updates += 1
            return self.text

    def _on_change(self, change):
        if not (self.background and from_browser(change["owner"])):
            self.refresh()
            return
        values = self.values()
        note = self.busy(**values) if self.busy is not None else None
        if note:
            self.status.value = f"<code>{html.escape(note)}</code>"
        with self._lock:
            self._pending = values
            if self._drawer is None:
                self._drawer = threading.Thread(target=self._draw_pending, daemon=True)
                self._drawer.start()

    def _draw_pending(self):
        """The drawing thread: draw the newest pending values until none are left."""
        while True:
            with self._lock:
                values, self._pending = self._pending, None
                if values is None:
                    self._drawer = None
                    return
            try:
                self.refresh(values)
            except Exception as error:  # shown under the picture; the thread must go on
                self.status.value = f"<code>{html.escape(f'could not draw {values}: {error!r}')}</code>"

    def wait(self, timeout=30.0):
        """Wait until every change so far is drawn (at once without a kernel)."""
        drawer = self._drawer
        if drawer is not None:
            drawer.join(timeout)
        return self.text

    def _repr_mimebundle_(self, **kwargs):
        # Writing `panel` or `panel.widget` in a cell shows the same thing.
        return self.widget._repr_mimebundle_(**kwargs)


class PanelBox(widgets.VBox):
    """The panel's VBox (controls, image, status). Its display bundle has the
    live widget view (JupyterLab, Voila draw the sliders from it) and, for
    readers without a kernel (GitHub, nbviewer, an HTML export), the current
    figure as image/png and the status line as text/plain instead of
    ``VBox(children=(HBox(...``; in a ``make book`` run also every stop
    (see static.py)."""

    def __init__(self, children, *, panel, **kwargs):
        super().__init__(children, **kwargs)
        self.panel = panel

    def _repr_mimebundle_(self, **kwargs):
        data = super()._repr_mimebundle_(**kwargs) or {}
        data.update(static_bundle(self.panel))
        return data
