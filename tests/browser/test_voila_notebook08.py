"""Notebook 08 in headless Chromium through Voila: the label-noise slider
of the phases of learning, and the epoch slider of the early-stopping
replay. Fixtures and helpers live in conftest.py (see test_voila_sliders.py
for the same moves on notebooks 03 and 04).

The status lines hold numbers of a 150-epoch training run, so the patterns
below pin the words and the shape of the numbers, not their digits.
"""

import re

import pytest

pytestmark = pytest.mark.timeout(600)


PERCENT = r"\d+%"
# Voila sends the page while it runs the notebook, which trains about twenty
# small networks (about 25 s on an idle 2-core machine, minutes on a busy one).
RUN_TIMEOUT_MS = 300_000


def test_label_noise_and_replay_sliders_notebook_08(voila_server, page, open_panel, find_notebook):
    page.goto(voila_server(find_notebook("08_*.ipynb")), wait_until="commit", timeout=RUN_TIMEOUT_MS)

    noise = open_panel(page, r"^wrong labels=30%: ", "notebook 08 label noise", timeout_ms=RUN_TIMEOUT_MS)
    first_text = noise.text()
    assert re.fullmatch(rf"wrong labels=30%: val acc {PERCENT} at epoch 0, highest {PERCENT} \(smoothed, epoch \d+\), "
                        rf"{PERCENT} at epoch 150; train acc {PERCENT}; learning turns into memorisation from "
                        rf"epoch \d+ to \d+; wrong labels memorised {PERCENT} at epoch 150", first_text), first_text
    assert noise.wait_until_settled() == first_text, "opening the page changed the panel"

    # Clean labels: nothing to memorise, and the status line says so.
    move = noise.choose("wrong labels", "0%", r"^wrong labels=0%: .*\(no wrong labels to memorise\)$",
                        "voila_08_noise_0")
    move.assert_changed(["wrong labels=0%", "no wrong labels to memorise"])
    assert "memorised" not in move.text_after
    # Back to 40 %: the run was trained in the notebook, the panel only redraws.
    move = noise.choose("wrong labels", "40%", r"^wrong labels=40%: .*wrong labels memorised", "voila_08_noise_40")
    move.assert_changed(["wrong labels=40%", "memorised"])
    assert noise.wait_until_settled() == move.text_after, "the panel changed after the move"

    replay = open_panel(page, r"^epoch 40: ", "notebook 08 early-stopping replay", timeout_ms=RUN_TIMEOUT_MS)
    assert re.search(r"\| val_loss, patience 20: (stops after epoch \d+|never stops \(all 150 epochs\)), "
                     r"restores epoch \d+: val acc \d+\.\d%, second val \d+/499 = \d+\.\d%", replay.text()), replay.text()
    assert "test" not in replay.text()  # the test set is looked at once, at the end of the notebook
    # Epoch 1 always improves on nothing: the counter starts at 0.
    move = replay.move("epoch", 1, r"^epoch 1: no improvement for 0 of 20 \| val_loss, patience 20:",
                       "voila_08_replay_epoch_1")
    move.assert_changed(["epoch 1: no improvement for 0 of 20"])
    # Patience 1 stops at the first epoch that does not improve.
    move = replay.move("patience", 1, r"^epoch 1: no improvement for 0 of 1 \| val_loss, patience 1: "
                                      r"stops after epoch \d+, restores epoch \d+:", "voila_08_replay_patience_1")
    move.assert_changed(["patience 1: stops after epoch"])
    assert replay.wait_until_settled() == move.text_after, "the panel changed after the move"
