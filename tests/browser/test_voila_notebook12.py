"""Notebook 12 in headless Chromium through Voila: the learning-rate slider
of the edge-of-stability panel, moved to both of its ends. Fixtures and
helpers live in conftest.py (see test_voila_sliders.py for the same moves
on notebooks 03 and 04).

The status lines come from training runs at the edge of stability, whose
last digits differ between machines, so the patterns pin the words and the
thresholds, not the measured numbers.
"""

import pytest

pytestmark = pytest.mark.timeout(600)

# Voila sends the page while it runs the notebook (about 15 s on an idle
# 2-core machine, minutes on a busy one).
RUN_TIMEOUT_MS = 300_000


def test_edge_of_stability_lr_slider_notebook_12(voila_server, page, open_panel, find_notebook):
    page.goto(voila_server(find_notebook("12_*.ipynb")), wait_until="commit", timeout=RUN_TIMEOUT_MS)
    panel = open_panel(page, r"^lr=1 full batch: ", "notebook 12 edge of stability", timeout_ms=RUN_TIMEOUT_MS)
    first_text = panel.text()
    assert first_text.startswith("lr=1 full batch: sharpness reaches 2/lr = 2 at step "), first_text
    assert "(edge of stability)" in first_text, first_text
    assert panel.wait_until_settled() == first_text, "opening the page changed the panel"

    # The largest rate: the start is too sharp for it, and the run blows up within a few steps.
    move = panel.choose("learning rate", "3", r"^lr=3 full batch: diverged at step \d+:", "voila_12_lr_3")
    move.assert_changed(["lr=3 ", "diverged", "above 2/lr = 0.67"])
    assert panel.wait_until_settled() == move.text_after, "the panel changed after the move"

    # The smallest: progressive sharpening, but 2/lr = 4 is never reached in 600 steps.
    move = panel.choose("learning rate", "0.5", r"^lr=0\.5 full batch: sharpness goes from .* below 2/lr = 4 all along",
                        "voila_12_lr_0.5")
    move.assert_changed(["lr=0.5 ", "below 2/lr = 4 all along"])
    assert "diverged" not in move.text_after
    assert panel.wait_until_settled() == move.text_after, "the panel changed after the move"
