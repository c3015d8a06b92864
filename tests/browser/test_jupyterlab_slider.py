"""One slider moved in JupyterLab itself, in headless Chromium.

A copy of notebook 03 is opened in a throw-away JupyterLab. The test waits
until the kernel has answered (a kernel_info_reply on its websocket: before
that, "Run All" runs nothing), runs every cell from the Run menu, waits for
one execute_reply per code cell, checks that the panel shows what the
notebook last set from Python (lr=0.1: the browser sends nothing back), then
moves the learning-rate slider with the arrow keys (a SelectionSlider over
round rates) and checks that the picture and the line of text changed.
"""

import json
import re
import time

import pytest

pytestmark = pytest.mark.timeout(300)

KERNEL_TIMEOUT = 120  # seconds: kernel start, then running every cell


class KernelMessages:
    """Counts message types seen on the page's kernel websockets."""

    def __init__(self, page):
        self.seen = {"kernel_info_reply": 0, "execute_reply": 0}
        page.on("websocket", self._on_websocket)

    def _on_websocket(self, websocket):
        if "/api/kernels/" in websocket.url:
            websocket.on("framereceived", self._on_frame)

    def _on_frame(self, payload):
        for msg_type in self.seen:
            marker = msg_type.encode() if isinstance(payload, bytes) else msg_type
            self.seen[msg_type] += payload.count(marker) and 1

    def wait_for(self, page, msg_type, count, timeout=KERNEL_TIMEOUT):
        deadline = time.monotonic() + timeout
        while self.seen[msg_type] < count:
            assert time.monotonic() < deadline, f"only {self.seen[msg_type]} of {count} {msg_type} in {timeout} s"
            page.wait_for_timeout(100)


def run_all_cells(page):
    """Run > Run All Cells, through the menu as a reader would."""
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()


def test_lab_learning_rate_slider_notebook_03(lab_server, page, open_panel, find_notebook):
    path = find_notebook("03_*.ipynb")
    cells = json.loads(path.read_text())["cells"]
    code_cells = sum(cell["cell_type"] == "code" and "".join(cell["source"]).strip() != "" for cell in cells)
    kernel = KernelMessages(page)
    page.goto(lab_server(path))
    page.locator(".jp-Notebook .jp-Cell").first.wait_for(state="visible", timeout=KERNEL_TIMEOUT * 1000)
    kernel.wait_for(page, "kernel_info_reply", 1)

    run_all_cells(page)
    kernel.wait_for(page, "execute_reply", code_cells)
    panel = open_panel(page, r"^lr=", "lab notebook 03")
    # The cell after the panel sets lr to 0.001, 0.3, 1 and 1.5 from Python, then back to 0.1.
    settled_text = panel.wait_until_settled()
    assert re.fullmatch(r"lr=0\.1 steps=30 final loss=\d+\.\d{4} \(too slow\)", settled_text), settled_text

    move = panel.choose("learning rate", "0.3", r"^lr=0\.3 steps=30 final loss=\d+\.\d{4} \(converged\)$",
                        "lab_03_lr_converging")
    assert move.text_after != move.text_before
    assert move.image_changed, "the picture did not change"

    move = panel.choose("learning rate", "1.5", r"^lr=1\.5 steps=30 diverged at step \d+", "lab_03_lr_diverging")
    assert move.text_after != move.text_before
    assert "diverged" in move.text_after and "final loss" not in move.text_after
    assert move.image_changed, "the picture did not change"
    assert panel.wait_until_settled() == move.text_after, "the panel changed after the move"
    assert kernel.seen["execute_reply"] == code_cells, "moving a slider must not run a cell"
