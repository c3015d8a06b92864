"""Sliders moved in headless Chromium, on notebooks served by Voila.

Each move types a value into a slider's readout and presses Enter (batch
size, steps), or presses the arrow keys on the handle of a SelectionSlider
until its readout shows the option (the learning rate: its readout cannot
be typed into), as a reader would; the test then waits for the panel's line
of text to say what it should, checks that the picture in the page changed
(the PNG bytes and the pixels on screen), and that nothing changes it after
that (the browser sends nothing back by itself). Fixtures and helpers live
in conftest.py.
"""

import math
import re

import pytest

pytestmark = pytest.mark.timeout(300)


def assert_moved(move, expected_words):
    assert move.text_after != move.text_before, f"text did not change: {move.text_after!r}"
    for word in expected_words:
        assert word in move.text_after, f"{word!r} missing from {move.text_after!r}"
    assert move.image_changed, f"the picture did not change after {move.label}={move.value}"


def test_smoke_fixture_panel(voila_server, page, open_panel, smoke_notebook):
    """A tiny panel (tests/browser/fixtures/slider_smoke.ipynb) answers both of its sliders."""
    page.goto(voila_server(smoke_notebook))
    panel = open_panel(page, r"^frequency=", "smoke")
    assert panel.text() == "frequency=1.00 amplitude=1.00 points=20"

    move = panel.move("frequency", 3.0, r"^frequency=3\.00 amplitude=1\.00 points=20$", "voila_smoke_frequency")
    assert_moved(move, ["frequency=3.00"])

    move = panel.move("amplitude", 0.5, r"^frequency=3\.00 amplitude=0\.50 points=20$", "voila_smoke_amplitude")
    assert_moved(move, ["amplitude=0.50"])

    move = panel.choose("points", 80, r"^frequency=3\.00 amplitude=0\.50 points=80$", "voila_smoke_points")
    assert_moved(move, ["points=80"])


def test_learning_rate_slider_notebook_03(voila_server, page, open_panel, find_notebook):
    """Notebook 03: a learning rate above 2 / curvature diverges, a moderate one converges."""
    page.goto(voila_server(find_notebook("03_*.ipynb")))
    panel = open_panel(page, r"^lr=", "notebook 03 learning rate")
    first_text = panel.text()
    assert re.fullmatch(r"lr=0\.1 steps=30 final loss=\d+\.\d{4} \(too slow\)", first_text), first_text
    assert panel.wait_until_settled() == first_text, "opening the page changed the panel"

    # The lr slider stops at round values (0.1, 0.15, 0.2, 0.3, 0.5, 0.8, 1, 1.5, ...): the arrow keys
    # walk through them, and the panel prints exactly the value on the readout.
    move = panel.choose("learning rate", "1.5", r"^lr=1\.5 steps=30 diverged at step \d+", "voila_03_lr_diverging")
    assert_moved(move, ["lr=1.5 ", "diverged"])
    assert "final loss" not in move.text_after
    assert panel.wait_until_settled() == move.text_after, "the panel changed after the move"

    move = panel.choose("learning rate", "0.3", r"^lr=0\.3 steps=30 final loss=\d+\.\d{4} \(converged\)$",
                        "voila_03_lr_converging")
    assert_moved(move, ["lr=0.3 ", "(converged)"])
    assert "diverged" not in move.text_after
    assert panel.wait_until_settled() == move.text_after, "the panel changed after the move"


@pytest.mark.parametrize("batch_sizes", [(250, 1000)])
def test_batch_size_slider_notebook_04(voila_server, page, open_panel, find_notebook, batch_sizes):
    """Notebook 04: the number of updates per epoch follows the batch size (1000 points)."""
    page.goto(voila_server(find_notebook("04_*.ipynb")))
    panel = open_panel(page, r"^batch=", "notebook 04 batch size")
    first_text = panel.text()
    assert first_text.startswith("batch=64 lr=0.05 epochs=5: 16 updates per epoch,"), first_text
    assert panel.wait_until_settled() == first_text, "opening the page changed the panel"

    for batch_size in batch_sizes:
        updates = math.ceil(1000 / batch_size)  # the last, smaller batch still makes an update
        per_epoch = "1 update per epoch" if updates == 1 else f"{updates} updates per epoch"
        move = panel.move("batch size", batch_size, rf"^batch={batch_size} lr=0\.05 epochs=5: {per_epoch},",
                          f"voila_04_batch_{batch_size}")
        assert_moved(move, [f"batch={batch_size} ", per_epoch])

    # Two notches up from 0.05: 0.08, then 0.1. Full batch with a larger lr gets further in 5 updates.
    last = batch_sizes[-1]
    move = panel.choose("learning rate", "0.1", rf"^batch={last} lr=0\.1 epochs=5: .*final loss=\d+\.\d{{4}}",
                        "voila_04_lr")
    assert_moved(move, [f"batch={last} lr=0.1 epochs=5:"])
    assert panel.wait_until_settled() == move.text_after, "the panel changed after the move"
