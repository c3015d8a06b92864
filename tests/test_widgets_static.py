"""What a slider panel shows without a kernel: the image/png + text/plain
fallback in its display bundle, and the stops a static book precomputes
(nnlib/widgets/static.py)."""

import base64
import io
import itertools

import numpy as np
import pytest
from IPython.core.formatters import DisplayFormatter
from PIL import Image

from nnlib.widgets import batch_size_panel, learning_rate_curve_panel, learning_rate_panel, tangent_panel
from nnlib.widgets.static import (BOOK_ENV, PANEL_STOPS_MIME, render_stops, stop_values, stops_payload,
                                  value_label)

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def pixels(png):
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))


@pytest.fixture
def no_book(monkeypatch):
    monkeypatch.delenv(BOOK_ENV, raising=False)


@pytest.fixture(scope="module")
def lr_panel():
    return learning_rate_panel()


def test_bundle_has_widget_view_picture_and_status_line(lr_panel, no_book):
    for shown in (lr_panel.widget, lr_panel):  # a cell may end in `panel.widget` or `panel`
        data, _ = DisplayFormatter().format(shown)
        assert data[WIDGET_VIEW]["model_id"] == lr_panel.widget.model_id  # JupyterLab, Voila: the sliders
        assert base64.b64decode(data["image/png"]) == lr_panel.png  # GitHub, nbviewer: the picture
        assert data["image/png"].isascii()
        assert data["text/plain"] == lr_panel.text  # the status line, not "VBox(children=(HBox(..."
        assert PANEL_STOPS_MIME not in data  # only a book build pays for the stops


def test_bundle_follows_the_controls(no_book):
    panel = learning_rate_panel()
    panel.controls["lr"].value = 1.5
    data, _ = DisplayFormatter().format(panel.widget)
    assert data["text/plain"].startswith("lr=1.5 steps=30 diverged")
    assert base64.b64decode(data["image/png"]) == panel.png


def test_stop_values_are_the_declared_stops_in_slider_order():
    panel = learning_rate_panel(lr=0.2, steps=30)  # 0.2 is no stop
    values = stop_values(panel)
    assert values["lr"] == [0.001, 0.01, 0.1, 0.3, 0.5, 0.8, 1.0, 1.5, 3.0]
    assert values["steps"] == [1, 10, 30, 100, 200]
    # quick: first, nearest the current value (0.3 is one notch above 0.2, 0.1 two below), last
    assert stop_values(panel, quick=True) == {"lr": [0.001, 0.3, 3.0], "steps": [1, 30, 200]}
    panel.stops = {"lr": [0.5, 0.001]}  # a control without stops keeps its current value
    assert stop_values(panel) == {"lr": [0.001, 0.5], "steps": [30]}


def test_a_panel_opened_between_stops_starts_on_its_own_picture(monkeypatch):
    panel = learning_rate_panel(lr=0.2, steps=40)
    payload = stops_payload(panel)
    assert payload["start"] == {"png": base64.b64encode(panel.png).decode(), "text": panel.text}
    assert payload["start"]["text"].startswith("lr=0.2 steps=40 ")
    lr, steps = payload["controls"]
    assert (lr["current"], lr["labels"][lr["index"]]) == ("0.2", "0.3")  # the static slider starts at 0.3
    assert (steps["current"], steps["labels"][steps["index"]]) == ("40", "30")
    assert len(payload["frames"]) == 9 * 5  # only the declared stops are precomputed


def test_every_panel_has_stops_for_every_control_within_60_pictures():
    for panel in (tangent_panel(), learning_rate_panel(), batch_size_panel(), learning_rate_curve_panel()):
        values = stop_values(panel)
        assert set(panel.stops) == set(panel.controls)
        assert all(len(v) >= 3 for v in values.values()), values
        assert np.prod([len(v) for v in values.values()]) <= 63, values


def test_stop_frame_is_exactly_what_the_live_panel_draws(lr_panel):
    chosen = {"lr": [0.3, 1.5], "steps": [10, 100]}
    frames = render_stops(lr_panel, chosen)
    assert [values for values, _, _ in frames] == [dict(zip(chosen, c)) for c in itertools.product(*chosen.values())]
    live = learning_rate_panel()
    for values, png, text in frames:
        for name, value in values.items():
            live.controls[name].value = value
        assert text == live.text
        assert png.startswith(PNG_SIGNATURE)
        assert np.array_equal(pixels(png), pixels(live.png)), values
    assert len({png for _, png, _ in frames}) == 4  # four different pictures


def test_rendering_stops_leaves_the_live_panel_as_it_was():
    panel = learning_rate_panel(lr=0.1, steps=30)
    text, png = panel.text, panel.png
    render_stops(panel, {"lr": [0.8, 3.0], "steps": [200]})
    assert (panel.text, panel.png, panel.values()) == (text, png, {"lr": 0.1, "steps": 30})
    # The next live move draws from the controls, not from the last stop:
    # exactly what a panel that never rendered stops draws for that move.
    # (Compared with a panel opened at 0.1, 30 and moved, not one opened at
    # steps=31: the figure's layout is settled at the first draw, so a panel
    # opened at other values can sit a few pixels apart.)
    panel.controls["steps"].value = 31
    untouched = learning_rate_panel(lr=0.1, steps=30)
    untouched.controls["steps"].value = 31
    assert panel.text == untouched.text
    assert np.array_equal(pixels(panel.png), pixels(untouched.png))


def test_book_bundle_carries_every_stop(monkeypatch):
    monkeypatch.setenv(BOOK_ENV, "quick")
    panel = batch_size_panel()
    data, _ = DisplayFormatter().format(panel.widget)
    payload = data[PANEL_STOPS_MIME]
    assert [c["name"] for c in payload["controls"]] == ["batch_size", "lr", "epochs"]
    assert [c["labels"] for c in payload["controls"]] == [["1", "64", "1000"], ["0.01", "0.05", "1"],
                                                          ["1", "5", "20"]]
    assert [c["index"] for c in payload["controls"]] == [1, 1, 1]  # the panel opens on 64, 0.05, 5
    assert [f["index"] for f in payload["frames"]] == [list(i) for i in itertools.product(range(3), repeat=3)]
    by_index = {tuple(f["index"]): f for f in payload["frames"]}
    assert by_index[(1, 1, 1)]["text"].startswith("batch=64 lr=0.05 epochs=5: 16 updates per epoch")
    assert by_index[(0, 2, 1)]["text"].startswith("batch=1 lr=1 epochs=5: 1000 updates per epoch, diverged")
    assert by_index[(2, 0, 0)]["text"].startswith("batch=1000 lr=0.01 epochs=1: 1 update per epoch")
    current = base64.b64decode(by_index[(1, 1, 1)]["png"])
    assert np.array_equal(pixels(current), pixels(base64.b64decode(data["image/png"])))
    assert data["text/plain"] == panel.text
    assert payload["start"]["text"] == panel.text
    # The stop at the panel's own values is the same run (only the measured time differs).
    assert by_index[(1, 1, 1)]["text"].split(";")[0] == panel.text.split(";")[0]


def test_full_book_mode_keeps_every_stop(monkeypatch):
    monkeypatch.setenv(BOOK_ENV, "1")
    panel = learning_rate_panel()
    payload = stops_payload(panel)
    assert len(payload["frames"]) == 9 * 5
    lr = payload["controls"][0]
    assert lr["description"] == "learning rate"
    assert lr["labels"] == ["0.001", "0.01", "0.1", "0.3", "0.5", "0.8", "1", "1.5", "3"]
    texts = {tuple(f["index"]): f["text"] for f in payload["frames"]}
    assert texts[(0, 2)].endswith("(too slow)")
    assert texts[(3, 2)].endswith("(converged)")
    assert "diverged" in texts[(7, 2)]


def test_value_labels_are_the_readouts():
    panel = tangent_panel()
    assert value_label(panel.controls["h"], 0.5) == "0.50"
    assert value_label(panel.controls["x0"], -1.0) == "-1.00"
    curves = learning_rate_curve_panel()
    assert value_label(curves.controls["lr"], 0.0001) == "0.0001"
    assert value_label(curves.controls["batch_size"], 200) == "200"
