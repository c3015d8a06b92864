"""Notebook 10 in headless Chromium through Voila: the gain slider of the
signal-through-the-layers panel. Moving it to 3 saturates the tanh layers,
to 0.1 makes the signal vanish; each move must change the histograms (the
picture) and the status line. Fixtures and helpers live in conftest.py
(see test_voila_sliders.py for the same moves on notebooks 03 and 04)."""

import re

import pytest

pytestmark = pytest.mark.timeout(600)

# Voila sends the page while it runs the notebook, which trains about twenty
# small networks (about 15 s on an idle 2-core machine, minutes on a busy one).
RUN_TIMEOUT_MS = 300_000


def test_gain_slider_notebook_10(voila_server, page, open_panel, find_notebook):
    page.goto(voila_server(find_notebook("10_*.ipynb")), wait_until="commit", timeout=RUN_TIMEOUT_MS)
    signal = open_panel(page, r"^tanh depth=10 gain=1: ", "notebook 10 signal", timeout_ms=RUN_TIMEOUT_MS)
    first_text = signal.text()
    assert re.match(r"tanh depth=10 gain=1: outputs x0\.\d+ per layer; gradients x0\.\d+ per layer on the way "
                    r"back \(layer 10 to layer 1\); saturated up to \d+%; "
                    r"loss \d\.\d+ at init, \d\.\d\d after 58 updates$",
                    first_text), first_text
    assert signal.wait_until_settled() == first_text, "opening the page changed the panel"

    # Up to the largest gain: tanh saturates (the notebook trained this setting: only a redraw at the end).
    move = signal.choose("gain", "3", r"^tanh depth=10 gain=3: .*saturated up to \d+%; loss .* after 58 updates$",
                         "voila_10_gain_3")
    move.assert_changed(["gain=3:", "saturated up to"])
    saturated = int(re.search(r"saturated up to (\d+)%", move.text_after).group(1))
    assert saturated >= 30, move.text_after

    # Down to the smallest: the signal vanishes layer after layer.
    move = signal.choose("gain", "0.1", r"^tanh depth=10 gain=0\.1: outputs x0\.1 per layer.*outputs vanished",
                         "voila_10_gain_0.1")
    move.assert_changed(["gain=0.1:", "outputs vanished", "gradients vanished"])
    assert signal.wait_until_settled() == move.text_after, "the panel changed after the move"
