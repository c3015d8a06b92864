"""Sliders as a reader's hand moves them, in a real browser.

    .venv/bin/python bench/bench_drag.py                 # every slider of every notebook
    .venv/bin/python bench/bench_drag.py --quick         # notebook 03 only, fewer presses
    .venv/bin/python bench/bench_drag.py notebooks/05_learning_rate.ipynb

Each notebook is served by Voila and opened in headless Chromium (Debian's
/usr/bin/chromium, driven by Playwright; every request off the machine is
blocked). For every slider of every panel (found by their status lines), the
script presses the arrow keys on the slider's handle, as a reader does with
the keyboard or a drag does notch by notch, and reads the page's own clock:

(a) one notch: key down -> the new picture decoded (median, 95th percentile);
(b) a fast drag: 10 notches in one second, then the hand stops: last key ->
    the last picture decoded ("settle"; "at end" when the slider reached its
    end before the last keys, which then changed nothing), how many pictures
    were drawn during the drag, and how many came after the picture of the
    final value (which must be none: latest value wins, nothing queued is
    drawn late).

Targets (issue: performance as a reader feels it): (a) median <= 100 ms,
p95 <= 200 ms; (b) settle <= 300 ms and no picture after the final one.
The browser runs on the same machine as the kernel: both share its cores.
Nothing here asserts; the script prints a table and exits non-zero only if a
page or a panel cannot be used.
"""

import argparse
import importlib.util
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CONFTEST = REPO / "tests" / "browser" / "conftest.py"

ONE_NOTCH_MEDIAN_MS, ONE_NOTCH_P95_MS = 100.0, 200.0
SETTLE_MS = 300.0


def browser_helpers():
    """The server and page helpers of the browser tests (tests/browser/conftest.py)."""
    spec = importlib.util.spec_from_file_location("browser_conftest", CONFTEST)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# In the page: key presses, picture loads and status texts, on the page's clock.
WATCH_JS = """
(panel) => {
    const img = panel.querySelector('img.widget-image');
    const status = panel.querySelector('.nnlib-status');
    const w = {keys: [], load: [], texts: [], lastChange: performance.now()};
    panel.__drag = w;
    for (const kind of ['keydown', 'pointerdown'])  // a key, or a click on the track
        panel.ownerDocument.addEventListener(kind, () => w.keys.push(performance.now()), true);
    img.addEventListener('load', () => { w.load.push(performance.now()); w.lastChange = performance.now(); });
    new MutationObserver(() => { w.texts.push([performance.now(), status.innerText.trim()]);
                                 w.lastChange = performance.now(); })
        .observe(status, {subtree: true, childList: true, characterData: true});
}
"""
RESET_JS = "(panel) => { const w = panel.__drag; w.keys = []; w.load = []; w.texts = []; }"
READ_JS = "(panel) => panel.__drag"
SETTLED_JS = "([panel, quiet]) => performance.now() - panel.__drag.lastChange > quiet"


def has_panel(path):
    """Whether a notebook builds a slider panel (a call to some *_panel)."""
    return re.search(r"\w+_panel\(", path.read_text(encoding="utf-8")) is not None


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def wait_settled(page, root, quiet_ms=1200, timeout_ms=30_000):
    page.wait_for_function(SETTLED_JS, arg=[root.element_handle(), quiet_ms], timeout=timeout_ms)


def key_for(handle, direction):
    """ArrowRight, or ArrowLeft at the slider's end."""
    now, top = handle.get_attribute("aria-valuenow"), handle.get_attribute("aria-valuemax")
    bottom = handle.get_attribute("aria-valuemin")
    if direction == "ArrowRight" and now == top:
        return "ArrowLeft"
    if direction == "ArrowLeft" and now == bottom:
        return "ArrowRight"
    return direction


def one_notch(page, root, handle, direction):
    """Press one arrow key; ms from key down to the first picture decoded after it."""
    root.evaluate(RESET_JS)
    handle.focus()
    page.keyboard.press(key_for(handle, direction))
    page.wait_for_function("(panel) => panel.__drag.load.length > 0", arg=root.element_handle(), timeout=30_000)
    w = root.evaluate(READ_JS)
    wait_settled(page, root)
    return w["load"][0] - w["keys"][-1]


def fast_drag(page, root, handle, notches=10, seconds=1.0):
    """Press ``notches`` arrow keys in ``seconds``; returns (settle ms, pictures
    drawn from the first key on, pictures after the final value's picture)."""
    handle.focus()
    direction = "ArrowRight" if handle.get_attribute("aria-valuenow") != handle.get_attribute("aria-valuemax") \
        else "ArrowLeft"
    root.evaluate(RESET_JS)
    for _ in range(notches):
        page.keyboard.press(direction)
        page.wait_for_timeout(1000 * seconds / notches)
    wait_settled(page, root, quiet_ms=1500)
    w = root.evaluate(READ_JS)
    last_key = w["keys"][-1]
    if not w["load"]:
        return None, 0, 0
    final_text = w["texts"][-1][1] if w["texts"] else None
    # The final picture is set just before the final status text (same draw);
    # a picture loaded well after that text appeared was drawn late.
    final_text_at = min((t for t, text in w["texts"] if text == final_text), default=w["load"][-1])
    late = sum(1 for t in w["load"] if t > final_text_at + 150)
    return w["load"][-1] - last_key, len(w["load"]), late


def panels_of(page, helpers, timeout_ms):
    """The panels of the page, once their number has stopped growing."""
    page.locator(".nnlib-status").first.wait_for(state="visible", timeout=timeout_ms)
    count, stable_since = -1, time.monotonic()
    while time.monotonic() - stable_since < 4:
        now = page.locator(".nnlib-status").count()
        if now != count:
            count, stable_since = now, time.monotonic()
        time.sleep(0.3)
    return [page.locator(".nnlib-status").nth(i).locator("xpath=..") for i in range(count)]


def measure_notebook(path, helpers, browser, notches_each, rows):
    tmp = Path(tempfile.mkdtemp(prefix="bench_drag_"))
    port = helpers.free_port()
    args = [sys.executable, "-m", "voila", str(path), "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1",
            f"--VoilaConfiguration.extension_denylist={helpers.VOILA_DENYLIST}"]
    server = helpers.Server(f"bench_drag_{path.stem}", args, f"http://127.0.0.1:{port}/voila/static/voila.js",
                            cwd=path.parent, env=helpers.server_env(tmp))
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, service_workers="block")
    context.route("**/*", lambda route: route.continue_() if helpers.is_loopback(route.request.url)
                  else route.abort())
    try:
        server.wait_until_ready()
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{port}/")
        for k, root in enumerate(panels_of(page, helpers, helpers.NOTEBOOK_RUN_TIMEOUT_MS)):
            root.scroll_into_view_if_needed()
            root.evaluate(WATCH_JS)
            sliders = root.locator(".widget-slider")
            for s in range(sliders.count()):
                slider = sliders.nth(s)
                label = slider.locator(".widget-label").inner_text().strip() or f"slider {s}"
                handle = slider.locator(".noUi-handle").first
                singles = [one_notch(page, root, handle, "ArrowRight" if i % 2 == 0 else "ArrowLeft")
                           for i in range(notches_each)]
                settle, drawn, late = fast_drag(page, root, handle)
                rows.append((path.stem[:2], k + 1, label, singles, settle, drawn, late))
                print_row(rows[-1], flush=True)
    finally:
        context.close()
        server.stop()


def print_row(row, flush=False):
    nb, panel, label, singles, settle, drawn, late = row
    median, p95 = statistics.median(singles), percentile(singles, 0.95)
    ok_a = "met" if median <= ONE_NOTCH_MEDIAN_MS and p95 <= ONE_NOTCH_P95_MS else "MISSED"
    ok_b = "met" if settle is not None and settle <= SETTLE_MS and late == 0 else "MISSED"
    # Negative: the final picture came before the last key, which found the
    # slider at its end and changed nothing.
    settle_text = "none" if settle is None else (f"{settle:.0f}" if settle >= 0 else "at end")
    print(f"{nb:<4}{panel:<6}{label[:22]:<23}{median:>8.0f}{p95:>8.0f} {ok_a:<7}{settle_text:>9}{drawn:>8}{late:>6}"
          f" {ok_b}", flush=flush)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", help="notebooks to measure (default: all)")
    parser.add_argument("--quick", action="store_true", help="notebook 03 only, 4 single notches per slider")
    parser.add_argument("--notches", type=int, default=None, help="single notches per slider (default 8)")
    args = parser.parse_args()
    helpers = browser_helpers()
    reason = helpers.browser_missing_reason()
    if reason:
        print(f"bench_drag: skipped: {reason}")
        return 0
    paths = [Path(p).resolve() for p in args.notebooks] or sorted((REPO / "notebooks").glob("*.ipynb"))
    paths = [path for path in paths if has_panel(path)]
    if args.quick and not args.notebooks:
        paths = sorted((REPO / "notebooks").glob("03_*.ipynb"))
    notches = args.notches or (4 if args.quick else 8)
    blas = {name: os.environ.get(name, "unset") for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    print(f"bench_drag: Voila + headless Chromium on this machine ({os.cpu_count()} cores, load "
          f"{os.getloadavg()[0]:.1f}); {blas}")
    print(f"targets: one notch median <= {ONE_NOTCH_MEDIAN_MS:.0f} ms, p95 <= {ONE_NOTCH_P95_MS:.0f} ms; "
          f"10 notches in 1 s: settle <= {SETTLE_MS:.0f} ms after the last key, no late picture")
    print(f"{'nb':<4}{'panel':<6}{'slider':<23}{'med ms':>8}{'p95 ms':>8} {'(a)':<7}{'settle':>9}{'drawn':>8}"
          f"{'late':>6} (b)")
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=helpers.CHROMIUM, headless=True,
                                             args=helpers.CHROMIUM_ARGS)
        for path in paths:
            measure_notebook(path, helpers, browser, notches, rows)
        browser.close()
    singles = [t for row in rows for t in row[3]]
    if singles:
        print(f"all sliders: one notch median {statistics.median(singles):.0f} ms, "
              f"p95 {percentile(singles, 0.95):.0f} ms over {len(singles)} moves; "
              f"worst settle {max((r[4] or 1e9) for r in rows):.0f} ms; late pictures {sum(r[6] for r in rows)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
