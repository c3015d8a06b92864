"""`make present` serving a class of two: the pool of pre-heated kernels,
one student's slider move, and a closed tab's kernel shut down at once.

The student is bench/voila_client.py's VoilaPage (the requests a Voila page
makes, without the drawing), so this needs Voila but not Chromium; the load
test with real browsers is `make bench-class`.
"""

import asyncio
import concurrent.futures
import sys
import time

import pytest

from conftest import REPO, Server, free_port, require_module, server_env

sys.path[:0] = [str(REPO / "tools"), str(REPO / "bench")]

import present  # noqa: E402
from bench_class import kernels_of, wait_until_warm  # noqa: E402
from voila_client import VoilaPage  # noqa: E402


@pytest.mark.timeout(300)
def test_present_serves_a_warm_page_moves_a_slider_and_frees_a_closed_tab(tmp_path):
    require_module("voila", "it serves the notebook")
    notebook = present.find_notebook("03")
    port = free_port()
    command = present.voila_command(notebook, port=port, students=2)
    server = Server("present_03", command, f"http://127.0.0.1:{port}/voila/static/voila.js",
                    cwd=notebook.parent, env=present.server_env(server_env(tmp_path)))
    try:
        started = time.monotonic()
        server.wait_until_ready()
        wait_until_warm(server, 2, started, timeout=240)  # two kernels have run the notebook
        page = VoilaPage(f"http://127.0.0.1:{port}")

        async def student():
            """Open the page, move the steps slider by 10, close the tab."""
            opened = time.monotonic()
            await page.open()
            ready = time.monotonic() - opened
            sliders, image = page.panel()
            before = page.pictures[image]
            steps = page.states[sliders["steps"]]["state"]
            await page.move(sliders["steps"], steps["value"] + 10, image)
            kernel_was_running = page.kernel_id in kernels_of(server.process.pid)
            await page.close(tab_closed=True)  # the page's beforeunload: shut my kernel down
            return ready, before, page.pictures[image], kernel_was_running

        # In a thread of its own: the browser tests' sync Playwright keeps an
        # event loop running in this one, where asyncio.run() is refused.
        with concurrent.futures.ThreadPoolExecutor(1) as thread:
            ready, before, after, kernel_was_running = thread.submit(lambda: asyncio.run(student())).result()
        # The page came from the pool: already run, so no cell ran for it
        # (a cold page waits for the whole notebook, several seconds).
        assert ready < 2.0, f"the page took {ready:.1f} s: not from the pre-heated pool?\n{server.log_tail()}"
        assert before.startswith(b"\x89PNG") and after.startswith(b"\x89PNG")
        assert after != before, "moving the steps slider did not change the picture"
        assert kernel_was_running
        deadline = time.monotonic() + 20
        while page.kernel_id in kernels_of(server.process.pid) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert page.kernel_id not in kernels_of(server.process.pid), (
            f"the closed tab's kernel is still running 20 s later\n{server.log_tail()}")
        assert "403 POST /voila/api/shutdown" not in server.log_tail(100_000)
    finally:
        server.stop()

