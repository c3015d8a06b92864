"""The static book (make book) in a real browser, with nothing running
behind it: the pages of notebooks 03 and 04, built quickly (at most 3 stops
per control) into a temporary folder, served from a loopback server, every
request outside that folder blocked. Each static slider is moved to two
stops; the picture and the status line must change and be the precomputed
ones. Every image on every page loads, and the maths is rendered (no raw
``$...$`` left).
"""

import base64
import functools
import http.server
import json
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest


pytestmark = pytest.mark.timeout(900)

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
PAGES = ("03_gradient_descent_on_a_loss_surface.html", "04_sgd_minibatches_and_epochs.html")


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    """Build the quick book of 03 and 04; returns (folder, summary)."""
    out = tmp_path_factory.mktemp("book") / "book"
    result = subprocess.run([sys.executable, "-m", "book.build", "--quick", "--only", "03", "04", "--out", str(out)],
                            cwd=REPO, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return out, json.loads((out / "book.json").read_text())


@pytest.fixture(scope="module")
def served(book):
    """A loopback HTTP server for the book's folder; yields its base URL."""
    folder = book[0]

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture
def book_page(browser, served):
    """A page that may load only what lies under the book's URL (MathJax's
    deliberate blank font, about:blank, aside); yields (page, outside requests)."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, service_workers="block")
    outside = []

    def only_the_book(route):
        url = route.request.url
        if url.startswith(served) or url.startswith(("data:", "about:")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    context.route("**/*", only_the_book)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page, outside, errors
    context.close()


def open_page(page, url):
    page.goto(url)
    page.wait_for_load_state("load")
    # MathJax typesets after load; its queue is empty when this resolves.
    page.wait_for_function("() => !window.MathJax || (MathJax.Hub && MathJax.Hub.queue.pending === 0 "
                           "&& MathJax.Hub.queue.running === 0)", timeout=60_000)


def assert_images_load(page):
    page.wait_for_function("() => [...document.images].every((img) => img.complete)", timeout=30_000)
    broken = page.evaluate("() => [...document.images].filter((img) => img.naturalWidth === 0)"
                           ".map((img) => img.src.slice(0, 80))")
    assert not broken, f"images that did not load: {broken}"
    return page.evaluate("() => document.images.length")


def assert_maths_rendered(page):
    """No $...$ left in the text of the markdown cells, and MathJax drew something."""
    texts = page.locator(".jp-MarkdownOutput").all_inner_texts()
    raw = [match for text in texts for match in re.findall(r"\$[^$\n]{1,60}\$", text)]
    assert not raw, f"maths left as raw text: {raw[:5]}"
    return page.locator(".MathJax, .MathJax_Display").count()


@pytest.mark.parametrize("name", PAGES)
def test_static_sliders_swap_in_the_precomputed_picture_and_line(book_page, served, book, name):
    page, outside, errors = book_page
    open_page(page, served + name)
    assert page.locator(".nnlib-panel").count() == 1
    panel = page.locator(".nnlib-panel").first
    data = json.loads(panel.locator(".nnlib-panel-data").text_content())
    image, status = panel.locator(".nnlib-panel-image"), panel.locator(".nnlib-panel-status code")
    inputs = panel.locator("input[data-control]")
    assert inputs.count() == len(book[1]["panels"][name][0]) >= 2  # one range input per control
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    panel.screenshot(path=str(ARTIFACTS / f"book_{name[:2]}_start.png"))
    for k in range(inputs.count()):
        control = inputs.nth(k)
        number = int(control.get_attribute("data-control"))
        start = int(control.input_value())
        last = len(data["labels"][number]) - 1
        for stop in [s for s in (0, last, 1) if s != start][:2]:  # two stops, none the current one
            before_src, before_text = image.get_attribute("src"), status.inner_text()
            control.fill(str(stop))
            key = panel.get_attribute("data-key").split(",")
            assert int(key[number]) == stop
            src, text = data["frames"][",".join(key)]
            assert image.get_attribute("src") == src != before_src
            assert status.inner_text() == text != before_text
            assert control.locator("xpath=following-sibling::output").inner_text() == data["labels"][number][stop]
            page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=image.element_handle())
            # The file shown is the picture precomputed for that stop.
            shown = page.evaluate("async (src) => { const b = new Uint8Array(await (await fetch(src)).arrayBuffer());"
                                  " let s = ''; for (const x of b) s += String.fromCharCode(x); return btoa(s); }", src)
            assert base64.b64decode(shown) == (book[0] / src).read_bytes()
            panel.screenshot(path=str(ARTIFACTS / f"book_{name[:2]}_control{number}_stop{stop}.png"))
    assert assert_images_load(page) >= 2
    assert assert_maths_rendered(page) > 0
    assert not outside, f"requests outside the book: {outside}"
    assert not errors, errors


def test_every_page_loads_its_images_and_maths_and_links(book_page, served, book):
    page, outside, errors = book_page
    open_page(page, served + "index.html")
    links = page.locator(".jp-MarkdownOutput table a").evaluate_all("(links) => links.map((a) => a.getAttribute('href'))")
    assert links == list(PAGES)  # the table of the notebooks, pointing at the pages
    assert_images_load(page)
    for k, name in enumerate(PAGES):
        open_page(page, served + name)
        assert assert_images_load(page) >= 2  # figures and the panel
        assert assert_maths_rendered(page) > 0
        nav = page.locator(".nnlib-book-nav-bottom")
        assert nav.locator("a.nnlib-book-index").get_attribute("href") == "index.html"
        if k > 0:
            assert nav.locator("a.nnlib-book-prev").get_attribute("href") == PAGES[k - 1]
        if k + 1 < len(PAGES):
            assert nav.locator("a.nnlib-book-next").get_attribute("href") == PAGES[k + 1]
        page.screenshot(path=str(ARTIFACTS / f"book_page_{name[:2]}.png"))
    assert not outside, f"requests outside the book: {outside}"
    assert not errors, errors
    # No page refers to a CDN or any other host.
    for html in book[0].glob("*.html"):
        hosts = set(re.findall(r"""(?:src|href)=["'](https?://[^/"']+)""", html.read_text()))
        assert not hosts, f"{html.name} refers to {hosts}"
