"""Browser tests: a real headless Chromium moves the sliders of a notebook.

The unit tests set ``panel.controls[...].value`` from Python. These tests
check what a reader sees: a notebook is served by Voila (or JupyterLab) on
a free loopback port, Chromium opens it through Playwright, types a value
into a slider's readout and presses Enter (or, for a SelectionSlider such
as the learning rate, presses the arrow keys on its handle) and waits for
the picture and the line of text under it (the ``nnlib-status`` HTML
widget) to change.

Without Chromium (/usr/bin/chromium) or the playwright package the tests
are skipped with the reason; with ``NNLIB_REQUIRE_BROWSER=1`` (CI) that is
a failure instead. Screenshots go to tests/browser/artifacts/ (git-ignored),
together with each server's log and a timings.json of the slider moves.
"""

import dataclasses
import importlib.util
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "notebooks"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
# An allowlist would stop the widgets from rendering; a denylist does not.
VOILA_DENYLIST = '["jupyterlab-jupytext","@jupyter-notebook/lab-extension","@voila-dashboards/jupyterlab-preview"]'

SERVER_START_TIMEOUT = 90  # seconds for a server to answer on its port
NOTEBOOK_RUN_TIMEOUT_MS = 150_000  # kernel start + running every cell
SLIDER_MOVE_TIMEOUT_MS = 30_000  # from Enter to the expected line of text
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}

# Every slider move made in this session, written to artifacts/timings.json.
MOVES = []


def pytest_configure(config):
    # pytest-timeout provides this marker; registering it keeps pytest quiet
    # on a machine without the plugin (the timeouts below still apply).
    config.addinivalue_line("markers", "timeout(seconds): fail a test that runs longer")


# ---------------------------------------------------------------- skipping


def browser_missing_reason():
    """Why the browser tests cannot run here, or None when they can."""
    if importlib.util.find_spec("playwright") is None:
        return "the playwright Python package is not installed (pip install -r requirements-dev.txt)"
    if not os.access(CHROMIUM, os.X_OK):
        return f"Chromium is not installed at {CHROMIUM} (Debian: apt-get install chromium)"
    return None


def skip_or_fail(reason):
    """Skip on a reader's machine; fail when NNLIB_REQUIRE_BROWSER=1 (CI)."""
    if os.environ.get("NNLIB_REQUIRE_BROWSER") == "1":
        pytest.fail(f"NNLIB_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def require_module(name, why):
    if importlib.util.find_spec(name) is None:
        skip_or_fail(f"the {name} package is not installed ({why})")


def notebook(pattern):
    """The one notebook in notebooks/ matching ``pattern`` such as "03_*.ipynb"."""
    matches = sorted(NOTEBOOKS.glob(pattern))
    if not matches:
        skip_or_fail(f"no notebook notebooks/{pattern} yet")
    return matches[0]


# ---------------------------------------------------------------- servers


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def url_answers(url):
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


class Server:
    """A Jupyter-family server in its own process, stopped by its PID."""

    def __init__(self, name, args, ready_url, cwd, env):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.name = name
        self.ready_url = ready_url
        self.log_path = ARTIFACTS / f"{name}.log"
        self._log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            args, cwd=cwd, env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def wait_until_ready(self, timeout=SERVER_START_TIMEOUT):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}:\n{self.log_tail()}")
            if url_answers(self.ready_url):
                return
            time.sleep(0.2)
        raise TimeoutError(f"{self.name} did not answer {self.ready_url} in {timeout} s:\n{self.log_tail()}")

    def log_tail(self, lines=30):
        self._log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self):
        """SIGTERM (the server shuts its kernels down), then SIGKILL if it hangs."""
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        self._log.close()


def server_env(tmp):
    env = dict(os.environ)
    env.pop("MPLBACKEND", None)  # the kernel inherits it, and plots vanish
    env["JUPYTER_RUNTIME_DIR"] = str(tmp / "runtime")
    env["PYTHONUNBUFFERED"] = "1"
    return env


@pytest.fixture
def voila_server(tmp_path):
    """start(notebook_path) -> base URL of Voila serving that notebook."""
    require_module("voila", "it serves a notebook as an app")
    servers = []

    def start(notebook_path):
        port = free_port()
        args = [
            sys.executable, "-m", "voila", str(notebook_path),
            "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1",
            f"--VoilaConfiguration.extension_denylist={VOILA_DENYLIST}",
            "--Voila.show_tracebacks=True",
        ]
        server = Server(f"voila_{Path(notebook_path).stem}", args,
                        f"http://127.0.0.1:{port}/voila/static/voila.js",
                        cwd=Path(notebook_path).parent, env=server_env(tmp_path))
        servers.append(server)
        server.wait_until_ready()
        return f"http://127.0.0.1:{port}/"

    yield start
    for server in servers:
        server.stop()


# Settings for a throw-away JupyterLab: no news, no update check, no virtual scrolling.
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
    # Keep every cell in the page, so that an output far down can be found.
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}


@pytest.fixture
def lab_server(tmp_path):
    """start(notebook_path) -> URL of JupyterLab with a copy of that notebook open."""
    require_module("jupyterlab", "the notebook editor itself")
    servers = []

    def start(notebook_path):
        work = tmp_path / "work"
        settings = tmp_path / "lab-settings"
        workspaces = tmp_path / "lab-workspaces"
        for folder in (work, settings, workspaces):
            folder.mkdir(parents=True, exist_ok=True)
        for relative, values in LAB_SETTINGS.items():
            (settings / relative).parent.mkdir(parents=True, exist_ok=True)
            (settings / relative).write_text(json.dumps(values))
        copy = work / Path(notebook_path).name  # JupyterLab autosaves: never open the original
        shutil.copyfile(notebook_path, copy)
        port = free_port()
        args = [
            sys.executable, "-m", "jupyterlab",
            "--no-browser", "--allow-root", f"--port={port}", "--ServerApp.ip=127.0.0.1",
            "--ServerApp.token=", "--ServerApp.password=",
            f"--ServerApp.root_dir={work}",
            f"--LabApp.user_settings_dir={settings}",
            f"--LabApp.workspaces_dir={workspaces}",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        ]
        server = Server(f"lab_{copy.stem}", args, f"http://127.0.0.1:{port}/api/status",
                        cwd=work, env=server_env(tmp_path))
        servers.append(server)
        server.wait_until_ready()
        return f"http://127.0.0.1:{port}/lab/tree/{urllib.parse.quote(copy.name)}"

    yield start
    for server in servers:
        server.stop()


# ---------------------------------------------------------------- browser


@pytest.fixture(scope="session")
def browser():
    reason = browser_missing_reason()
    if reason:
        skip_or_fail(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def is_loopback(url):
    parsed = urllib.parse.urlparse(url)
    if parsed.scheme in ("data", "blob", "about"):
        return True
    return parsed.hostname in LOOPBACK_HOSTS


@pytest.fixture
def page(browser, request):
    """A fresh page that may only talk to 127.0.0.1 (the template asks a CDN for fonts)."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, service_workers="block")
    context.set_default_timeout(SLIDER_MOVE_TIMEOUT_MS)
    blocked = []
    console = []

    def only_loopback(route):
        if is_loopback(route.request.url):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context.route("**/*", only_loopback)
    new_page = context.new_page()
    new_page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    new_page.on("pageerror", lambda error: console.append(f"pageerror: {error}"))
    new_page.blocked_requests = blocked
    yield new_page
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = ARTIFACTS / f"{request.node.name}.console.txt"
    log.write_text("\n".join(console + [f"blocked: {url}" for url in blocked]) + "\n")
    context.close()


# ---------------------------------------------------------------- panels

# Records, inside the page, when a key goes down and when the panel's image
# receives a new picture (src set, then decoded: the "load" event).
WATCH_PANEL_JS = """
(panel) => {
    const img = panel.querySelector('img.widget-image');
    const status = panel.querySelector('.nnlib-status');
    const watch = {keys: [], src: [], load: [], lastChange: performance.now()};
    panel.__nnlibWatch = watch;
    document.addEventListener('keydown', () => watch.keys.push(performance.now()), true);
    new MutationObserver(() => { watch.src.push(performance.now()); watch.lastChange = performance.now(); })
        .observe(img, {attributes: true, attributeFilter: ['src']});
    new MutationObserver(() => { watch.lastChange = performance.now(); })
        .observe(status, {subtree: true, childList: true, characterData: true});
    img.addEventListener('load', () => watch.load.push(performance.now()));
}
"""

# A short fingerprint of the PNG bytes the image shows (size + FNV-1a hash).
IMAGE_FINGERPRINT_JS = """
async (img) => {
    if (!img.src || !img.complete || img.naturalWidth === 0) return null;
    try {
        const bytes = new Uint8Array(await (await fetch(img.src)).arrayBuffer());
        let hash = 0x811c9dc5;
        for (let i = 0; i < bytes.length; i++) {
            hash ^= bytes[i];
            hash = Math.imul(hash, 0x01000193) >>> 0;
        }
        return bytes.length + ':' + hash.toString(16);
    } catch (e) {
        return null;  // the old blob URL was revoked while we read it
    }
}
"""


@dataclasses.dataclass
class Move:
    """What one slider move did, as seen in the page."""

    label: str
    value: str
    text_before: str
    text_after: str
    image_before: str
    image_after: str
    pixels_before: bytes  # screenshot of the image element alone
    pixels_after: bytes
    key_to_image_ms: float  # last key (Enter) pressed -> last new picture decoded, page clock
    key_to_text_ms: float  # last key pressed -> expected text seen by the test (upper bound)
    how: str  # "readout+Enter" or "arrow keys"

    @property
    def image_changed(self):
        return self.image_before != self.image_after and self.pixels_before != self.pixels_after

    def assert_changed(self, words):
        """The status line changed and holds each of ``words``, and so did the picture."""
        assert self.text_after != self.text_before, f"text did not change: {self.text_after!r}"
        for word in words:
            assert word in self.text_after, f"{word!r} missing from {self.text_after!r}"
        assert self.image_changed, f"the picture did not change after {self.label}={self.value}"


class PanelView:
    """One SliderPanel as rendered in the page: sliders, image, status line."""

    def __init__(self, page, root, name):
        self.page = page
        self.root = root
        self.name = name
        self.image = root.locator("img.widget-image").first
        self.status = root.locator(".nnlib-status").first
        root.evaluate(WATCH_PANEL_JS)

    @classmethod
    def find(cls, page, status_pattern, name, timeout_ms=NOTEBOOK_RUN_TIMEOUT_MS):
        """The first panel whose status line matches ``status_pattern`` (a regex)."""
        page.locator(".nnlib-status", has_text=re.compile(status_pattern)).first.wait_for(
            state="visible", timeout=timeout_ms
        )
        # Pin the panel by position, so that it is still found when its text changes.
        texts = page.locator(".nnlib-status").all_inner_texts()
        index = next(i for i, text in enumerate(texts) if re.search(status_pattern, text.strip()))
        view = cls(page, page.locator(".nnlib-status").nth(index).locator("xpath=.."), name)
        view.wait_for_image()
        return view

    def text(self):
        return self.status.inner_text().strip()

    def wait_for_image(self, timeout_ms=SLIDER_MOVE_TIMEOUT_MS):
        self.image.wait_for(state="visible", timeout=timeout_ms)
        self.page.wait_for_function(
            "(img) => img.complete && img.naturalWidth > 0", arg=self.image.element_handle(), timeout=timeout_ms
        )

    def wait_until_settled(self, quiet_ms=2000, timeout_ms=SLIDER_MOVE_TIMEOUT_MS):
        """Wait until neither the picture nor the text has changed for ``quiet_ms``;
        returns the text then."""
        self.page.wait_for_function(
            "([panel, quiet]) => performance.now() - panel.__nnlibWatch.lastChange > quiet",
            arg=[self.root.element_handle(), quiet_ms],
            timeout=timeout_ms,
        )
        return self.text()

    def fingerprint(self):
        for _ in range(20):
            value = self.image.evaluate(IMAGE_FINGERPRINT_JS)
            if value is not None:
                return value
            self.page.wait_for_timeout(100)
        raise AssertionError(f"{self.name}: could not read the panel's image")

    def slider(self, label):
        """The slider whose description is exactly ``label`` (or a regex)."""
        pattern = label if isinstance(label, re.Pattern) else re.compile(rf"^\s*{re.escape(label)}\s*$")
        sliders = self.root.locator(".widget-slider").filter(
            has=self.page.locator(".widget-label", has_text=pattern)
        )
        if sliders.count() != 1:
            labels = self.root.locator(".widget-slider .widget-label").all_inner_texts()
            raise AssertionError(f"{self.name}: no single slider labelled {label!r}; labels: {labels}")
        return sliders

    def screenshot(self, path):
        return self.root.screenshot(path=str(path), animations="disabled")

    def move(self, label, value, expect_text, step_name):
        """Type ``value`` into the slider's readout and press Enter (IntSlider,
        FloatSlider), then wait for the status line to match ``expect_text`` (a regex)."""
        readout = self.slider(label).locator(".widget-readout")
        before = self._before(step_name)
        readout.click()
        self.page.keyboard.press("Control+A")
        self.page.keyboard.type(str(value))
        self._reset_watch()
        self.page.keyboard.press("Enter")
        return self._after(before, label, value, expect_text, step_name, "readout+Enter")

    def choose(self, label, option, expect_text, step_name, max_presses=40):
        """Move a SelectionSlider (its readout is not editable) with the arrow keys
        on its handle until the readout shows ``option``, then wait as ``move`` does."""
        slider = self.slider(label)
        handle = slider.locator(".noUi-handle").first
        readout = slider.locator(".widget-readout")
        before = self._before(step_name)
        handle.focus()
        self._reset_watch()
        key = "ArrowRight"
        for _ in range(max_presses):
            if readout.inner_text().strip() == str(option):
                break
            if key == "ArrowRight" and handle.get_attribute("aria-valuenow") == handle.get_attribute("aria-valuemax"):
                key = "ArrowLeft"
            self.page.keyboard.press(key)
        else:
            raise AssertionError(f"{self.name}: slider {label!r} never showed {option!r}")
        return self._after(before, label, option, expect_text, step_name, "arrow keys")

    def _reset_watch(self):
        self.root.evaluate("(panel) => { panel.__nnlibWatch.keys = []; panel.__nnlibWatch.load = []; }")

    def _before(self, step_name):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        text = self.text()
        fingerprint = self.fingerprint()
        pixels = self.image.screenshot(animations="disabled")
        self.screenshot(ARTIFACTS / f"{step_name}_before.png")
        return text, fingerprint, pixels

    def _after(self, before, label, value, expect_text, step_name, how):
        from playwright.sync_api import expect

        started = time.monotonic()
        expect(self.status).to_have_text(re.compile(expect_text), timeout=SLIDER_MOVE_TIMEOUT_MS)
        last_key_to_text_ms = (time.monotonic() - started) * 1000
        # The image message comes before the text message; wait until it is decoded.
        self.page.wait_for_function(
            """(panel) => { const w = panel.__nnlibWatch; const img = panel.querySelector('img.widget-image');
                            const last = w.keys[w.keys.length - 1];
                            return w.keys.length > 0 && w.load.some((t) => t >= last) && img.complete; }""",
            arg=self.root.element_handle(),
            timeout=SLIDER_MOVE_TIMEOUT_MS,
        )
        watch = self.root.evaluate("(panel) => panel.__nnlibWatch")
        key_to_image_ms = max(watch["load"]) - watch["keys"][-1]
        pixels_after = self.image.screenshot(animations="disabled")
        self.screenshot(ARTIFACTS / f"{step_name}_after.png")
        move = Move(
            label=str(label), value=str(value),
            text_before=before[0], text_after=self.text(),
            image_before=before[1], image_after=self.fingerprint(),
            pixels_before=before[2], pixels_after=pixels_after,
            key_to_image_ms=key_to_image_ms, key_to_text_ms=last_key_to_text_ms, how=how,
        )
        MOVES.append({"step": step_name, "label": move.label, "value": move.value, "how": how,
                      "text": move.text_after, "key_to_image_ms": round(key_to_image_ms, 1),
                      "key_to_text_ms": round(last_key_to_text_ms, 1)})
        return move


@pytest.fixture
def find_notebook():
    """find_notebook("03_*.ipynb") -> path in notebooks/ (skip, or fail in CI, when absent)."""
    return notebook


@pytest.fixture
def smoke_notebook():
    """A tiny notebook with one two-slider panel, to test the machinery itself."""
    return FIXTURES / "slider_smoke.ipynb"


@pytest.fixture
def open_panel():
    """open_panel(page, status_pattern, name) -> PanelView of the first matching panel."""
    return PanelView.find


def pytest_terminal_summary(terminalreporter):
    if not MOVES:
        return
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "timings.json").write_text(json.dumps(MOVES, indent=1) + "\n")
    for how in sorted({move["how"] for move in MOVES}):
        image_ms = [move["key_to_image_ms"] for move in MOVES if move["how"] == how]
        terminalreporter.write_line(
            f"browser slider moves by {how}: {len(image_ms)}, last key -> new image decoded: "
            f"median {statistics.median(image_ms):.0f} ms (min {min(image_ms):.0f}, max {max(image_ms):.0f})"
        )
    terminalreporter.write_line(f"details in {ARTIFACTS / 'timings.json'}")
