"""Notebook 11 in headless Chromium through Voila: the schedule panel.
Its peak learning rate and warmup are SelectionSliders (moved with the
arrow keys on their handle); each new setting trains Adam on the digits
(a fraction of a second idle, a few seconds on a busy machine), so the
patterns pin the words of the status line, not its digits.
"""

import re

import pytest

pytestmark = pytest.mark.timeout(600)

RUN_TIMEOUT_MS = 300_000
ACC = r"val acc \d+\.\d% \(\d+/359\)"


def test_schedule_panel_notebook_11(voila_server, page, open_panel, find_notebook):
    page.goto(voila_server(find_notebook("11_*.ipynb")), wait_until="commit", timeout=RUN_TIMEOUT_MS)
    panel = open_panel(page, r"^Adam peak lr=0\.01 warmup=0 cosine: ", "notebook 11 schedule",
                       timeout_ms=RUN_TIMEOUT_MS)
    first = panel.text()
    assert re.fullmatch(rf"Adam peak lr=0\.01 warmup=0 cosine: {ACC}, final lr \S+; learned well", first), first
    assert panel.wait_until_settled() == first, "opening the page changed the panel"

    # A peak of 0.2 without warmup: the first updates damage the network.
    move = panel.choose("peak learning rate", "0.2", r"^Adam peak lr=0\.2 warmup=0 cosine: .*trained badly",
                        "voila_11_peak_0.2", max_presses=60)
    move.assert_changed(["lr=0.2", "trained badly", "try a warmup"])
    # The same peak after 100 warmup updates trains well.
    move = panel.choose("warmup steps", "100", r"^Adam peak lr=0\.2 warmup=100 cosine: .*learned well",
                        "voila_11_warmup_100")
    move.assert_changed(["warmup=100", "learned well"])
    assert panel.wait_until_settled() == move.text_after, "the panel changed after the move"
