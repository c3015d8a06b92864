"""Slider panels for the notebooks (ipywidgets).

A panel wires a few controls to a plain Python function that draws on one
figure it keeps; the picture is shown as PNG in an ``ipywidgets.Image`` and
a one-line description of what was drawn sits under it. Tests set
``panel.controls[name].value`` and read ``panel.text`` and ``panel.png``.

    panel.py          SliderPanel, the common machinery
"""

from .panel import SliderPanel  # noqa: F401
