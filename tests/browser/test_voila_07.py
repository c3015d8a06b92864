"""Notebook 07 in Voila and headless Chromium: the degree slider.

A reader types a degree into the slider's readout and presses Enter; the
status line must name the right region (a constant underfits, degree 25
overfits and its curve is clipped, degree 5 is in the sweet spot) and the
picture must change with it: the wild degree-25 curve covers far more of
the left plot in the fit's red than the gentle degree-5 one. The "new
sample" button must draw a new sample. Fixtures live in conftest.py.
"""

import io
import re

import numpy as np
import pytest

pytestmark = pytest.mark.timeout(400)

PAGE_LOAD_TIMEOUT_MS = 150_000  # as conftest's NOTEBOOK_RUN_TIMEOUT_MS: kernel start + every cell
FIT_RED = np.array([0xD6, 0x27, 0x28])  # COLORS["path"], the fitted curve


def red_share_left_half(png_bytes):
    """Fraction of the left half of the picture (the fit plot) drawn in the fit's red."""
    from PIL import Image

    pixels = np.asarray(Image.open(io.BytesIO(png_bytes)).convert("RGB"), dtype=int)
    left = pixels[:, : pixels.shape[1] // 2]
    close = np.abs(left - FIT_RED).sum(axis=2) < 60
    return close.mean()


def test_degree_slider_notebook_07(voila_server, page, open_panel, find_notebook):
    # Voila runs every cell (trainings and the double-descent fits) before the page loads:
    # wait for the page to start arriving only, and let open_panel wait for the panel.
    page.goto(voila_server(find_notebook("07_*.ipynb")), wait_until="commit", timeout=PAGE_LOAD_TIMEOUT_MS)
    panel = open_panel(page, r"^degree=", "notebook 07 degree")
    first_text = panel.text()
    assert first_text.startswith("degree=4 points=30 noise=0.3 sample=0: "), first_text
    assert first_text.endswith("-> sweet spot: the lowest validation error"), first_text
    assert panel.wait_until_settled() == first_text, "opening the page changed the panel"

    move = panel.move("degree", 25, r"^degree=25 points=30 noise=0\.3 sample=0: .*-> overfitting: .*; curve clipped$",
                      "voila_07_degree_25")
    move.assert_changed(["validation error 2.61e+04", "lowest 0.117 at degree 4"])
    wild = red_share_left_half(move.pixels_after)

    move = panel.move("degree", 0, r"^degree=0 points=30 noise=0\.3 sample=0: .*-> underfitting: 11\.4 paired standard errors",
                      "voila_07_degree_0")
    move.assert_changed(["training error 0.415", "validation error 0.602"])
    assert "clipped" not in move.text_after

    move = panel.move("degree", 5, r"^degree=5 points=30 noise=0\.3 sample=0: .*-> sweet spot: 0\.0019 above",
                      "voila_07_degree_5")
    move.assert_changed(["validation error 0.118"])
    gentle = red_share_left_half(move.pixels_after)
    assert wild > 3 * gentle > 0, f"red share of the fit plot: degree 25 {wild:.4f}, degree 5 {gentle:.4f}"
    assert panel.wait_until_settled() == move.text_after, "the panel changed after the move"

    # "new sample" adds 1 to the sample number: new points, new curves, same degree
    before = panel.fingerprint()
    panel.root.get_by_role("button", name="new sample").click()
    from playwright.sync_api import expect

    expect(panel.status).to_have_text(re.compile(r"^degree=5 points=30 noise=0\.3 sample=1: "), timeout=30_000)
    panel.wait_until_settled()
    assert panel.fingerprint() != before, "the picture did not change with the new sample"
