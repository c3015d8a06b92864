"""SliderPanel's drawing: at once without a kernel, latest value wins with one."""

import threading
import time

import ipywidgets as widgets

from nnlib.plots.style import new_figure
from nnlib.widgets.panel import SliderPanel, in_kernel


def slow_panel(background, busy=None):
    fig, ax = new_figure()
    line, = ax.plot([0, 1], [0, 0])
    drawn = []
    release = threading.Event()

    def draw(k):
        if drawn:  # every draw after the first waits until the test lets it go
            release.wait(5)
        drawn.append(k)
        line.set_ydata([0, k])
        return f"k={k}"

    panel = SliderPanel(draw, {"k": widgets.IntSlider(value=0, min=0, max=100)}, fig,
                        busy=busy, background=background)
    return panel, drawn, release


def test_without_a_kernel_every_change_is_drawn_before_the_assignment_returns():
    assert not in_kernel()
    panel, drawn, release = slow_panel(background=None)
    release.set()
    for k in (1, 2, 3):
        panel.controls["k"].value = k
        assert panel.text == f"k={k}"
    assert drawn == [0, 1, 2, 3]


def browser_sets(control, value):
    """What a move in the browser does in the kernel: ipywidgets' set_state."""
    control.set_state({"value": value})


def test_in_background_a_fast_drag_draws_only_the_newest_value():
    panel, drawn, release = slow_panel(background=True, busy=lambda k: f"working on k={k}...")
    first_png = panel.png
    browser_sets(panel.controls["k"], 1)  # the drawing thread starts on 1 and waits for release
    time.sleep(0.1)
    for k in range(2, 11):  # the hand goes on while 1 is being drawn
        browser_sets(panel.controls["k"], k)
    assert panel.status.value == "<code>working on k=10...</code>"  # said at once
    release.set()
    assert panel.wait() == "k=10"
    assert drawn == [0, 1, 10]  # 2..9 were passed over: the newest value won
    assert panel.png != first_png
    assert panel.status.value == "<code>k=10</code>"
    assert panel.updates == 3


def test_in_background_a_value_set_from_python_is_drawn_at_once():
    panel, drawn, release = slow_panel(background=True)
    release.set()
    panel.controls["k"].value = 7  # a cell or a test: no browser message
    assert panel.text == "k=7" and drawn == [0, 7]
