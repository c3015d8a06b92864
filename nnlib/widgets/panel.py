"""SliderPanel: controls + a drawing function + a kept figure."""

import html

import ipywidgets as widgets

from ..plots.style import figure_png


class SliderPanel:
    """Controls wired to ``draw``, a plain function that updates ``figure``.

    draw(**values) -> str: redraws the kept figure for the controls' current
    values and returns a one-line description of what it drew, such as
    "lr=0.3 steps=50 final loss=0.0123 (converged)".
    controls: {name: ipywidget with a .value}, passed to draw by name.

    After every change of a control, ``text`` holds the description and
    ``png`` the rendered figure; the notebook shows ``panel.widget``.
    """

    def __init__(self, draw, controls, figure):
        self.draw = draw
        self.controls = dict(controls)
        self.figure = figure
        self.image = widgets.Image(format="png", layout=widgets.Layout(width="100%", max_width="1000px"))
        self.status = widgets.HTML(layout=widgets.Layout(margin="0 0 0 8px"))
        self.status.add_class("nnlib-status")
        self.text = ""
        self.png = b""
        self.updates = 0
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        controls_box = widgets.HBox(list(self.controls.values()), layout=widgets.Layout(flex_flow="row wrap"))
        self.widget = widgets.VBox([controls_box, self.image, self.status])
        self.refresh()

    def values(self):
        return {name: control.value for name, control in self.controls.items()}

    def refresh(self):
        """Redraw for the current control values."""
        self.text = self.draw(**self.values())
        self.png = figure_png(self.figure)
        self.image.value = self.png
        self.status.value = f"<code>{html.escape(self.text)}</code>"
        self.updates += 1
        return self.text

    def _on_change(self, change):
        self.refresh()

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)
