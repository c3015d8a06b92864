"""What a slider panel shows where no kernel runs.

A panel's display bundle carries, besides the live widget view:

- ``image/png``: the figure as it is now, and ``text/plain``: its status
  line, so GitHub, nbviewer or an HTML export show the picture instead of
  ``VBox(children=(HBox(...``;
- in a ``make book`` run (environment variable ``NNLIB_BOOK`` set), every
  combination of the panel's stops (``panel.stops``, {control: [values]})
  rendered by the panel's own draw function, as PANEL_STOPS_MIME. The book
  build turns it into static controls that swap in the precomputed image
  and status line.

    static_bundle(panel)   {"image/png": ..., "text/plain": ...} (+ the stops in book mode)
    stop_values(panel)     {control: [values]} the book precomputes
    render_stops(panel)    one (values, png, text) frame per combination
"""

import base64
import itertools
import os

PANEL_STOPS_MIME = "application/vnd.nnlib.panel-stops+json"
BOOK_ENV = "NNLIB_BOOK"  # "1": every stop; "quick": at most 3 stops per control


def book_mode():
    """None outside a book build, else "full" or "quick" (from NNLIB_BOOK)."""
    setting = os.environ.get(BOOK_ENV, "").strip().lower()
    if setting in ("", "0", "no", "false"):
        return None
    return "quick" if setting == "quick" else "full"


def _position(control, value):
    """Where ``value`` sits on the control's scale, to sort stops along it."""
    options = getattr(control, "_options_values", None)
    return options.index(value) if options is not None else value


def value_label(control, value):
    """``value`` written as the control's readout writes it ("0.05", "1.50")."""
    options = getattr(control, "_options_values", None)
    if options is not None:
        return control._options_labels[options.index(value)]
    readout_format = getattr(control, "readout_format", None)
    if isinstance(value, float) and readout_format:
        return format(value, readout_format)
    return str(value)


def nearest(control, values, value):
    """The index in ``values`` (sorted along the slider) nearest to ``value``:
    by position among a selection slider's options, else by value."""
    target = _position(control, value)
    return min(range(len(values)), key=lambda i: abs(_position(control, values[i]) - target))


def stop_values(panel, *, quick=False):
    """{control name: [values]} for every control, in slider order: its
    declared stops (``panel.stops``), or its current value alone when it has
    none. quick: keep at most the first, the one nearest the current value
    and the last."""
    stops = getattr(panel, "stops", None) or {}
    chosen = {}
    for name, control in panel.controls.items():
        values = list(dict.fromkeys(stops.get(name, [control.value])))  # unique, in order
        values.sort(key=lambda value: _position(control, value))
        if quick and len(values) > 3:
            middle = values[nearest(control, values, control.value)]
            values = list(dict.fromkeys([values[0], middle, values[-1]]))
        chosen[name] = values
    return chosen


def render_stops(panel, values_by_name=None):
    """Render every combination of ``values_by_name`` (default stop_values)
    with the panel's own draw function and renderer, exactly as a live move
    does (``SliderPanel.refresh``: draw(**values), then the renderer's PNG).

    Returns a list of (values dict, png bytes, status text), in the order of
    itertools.product over the controls. The panel's controls, ``text`` and
    ``png`` are left as they were, and its figure is redrawn for them."""
    values_by_name = values_by_name or stop_values(panel)
    names = list(values_by_name)
    if hasattr(panel, "wait"):
        panel.wait()  # a drawing thread (in a kernel) must not draw on the figure at the same time
    frames = []
    try:
        for combination in itertools.product(*(values_by_name[name] for name in names)):
            values = dict(zip(names, combination))
            text = panel.draw(**values)
            frames.append((values, panel.renderer.png(), text))
    finally:
        panel.draw(**panel.values())  # the figure shows the controls' values again
    return frames


def _base64(png):
    return base64.b64encode(png).decode("ascii")


def stops_payload(panel, *, quick=False):
    """The PANEL_STOPS_MIME data: the controls with their stops, one frame per
    combination of stops (``index``: the stop of each control), and the
    picture the panel shows now (``start``, the notebook's own picture, whose
    values need not be stops):

        {"controls": [{"name": "lr", "description": "learning rate",
                       "labels": ["0.001", ...], "index": 2, "current": "0.1"}, ...],
         "frames": [{"index": [0, 0], "png": base64, "text": "lr=0.001 ..."}, ...],
         "start": {"png": base64, "text": "lr=0.1 steps=30 ..."}}

    ``index`` of a control is the stop nearest its current value (where the
    static slider starts), ``current`` its current value as the readout shows it."""
    if hasattr(panel, "wait"):
        panel.wait()
    start = {"png": _base64(panel.png), "text": panel.text}
    values_by_name = stop_values(panel, quick=quick)
    controls = []
    for name, values in values_by_name.items():
        control = panel.controls[name]
        controls.append({"name": name, "description": getattr(control, "description", "") or name,
                         "labels": [value_label(control, value) for value in values],
                         "index": nearest(control, values, control.value),
                         "current": value_label(control, control.value)})
    frames = []
    for values, png, text in render_stops(panel, values_by_name):
        index = [values_by_name[name].index(values[name]) for name in values_by_name]
        frames.append({"index": index, "png": _base64(png), "text": text})
    return {"controls": controls, "frames": frames, "start": start}


def static_bundle(panel):
    """The panel's fallback for readers without a kernel: its current figure
    as image/png and its status line as text/plain; in a book build also
    every stop (PANEL_STOPS_MIME)."""
    if hasattr(panel, "wait"):
        panel.wait()  # the picture of the newest values, if a drawing thread is still at it
    data = {"text/plain": panel.text, "image/png": _base64(panel.png)}
    mode = book_mode()
    if mode is not None:
        data[PANEL_STOPS_MIME] = stops_payload(panel, quick=mode == "quick")
    return data
