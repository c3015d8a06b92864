"""A class of students on one machine: `make present` under load.

    .venv/bin/python bench/bench_class.py --students 30               # make bench-class STUDENTS=30
    .venv/bin/python bench/bench_class.py --students 30 --browsers 30 # every student in Chromium
    .venv/bin/python bench/bench_class.py --students 5 --minutes 0.5 --cull 60

Serves a notebook (default 03) the way `make present NB=03
PRESENT_STUDENTS=N` does (tools/present.py: a pool of N pre-heated kernels,
culling of abandoned ones), waits until the pool is warm, then simulates the
class:

- N students open the page within 10 s of each other, each with its own
  kernel. ``--browsers`` of them (spread over the arrivals) use a real
  headless Chromium (Debian's /usr/bin/chromium, Playwright), one browser
  context each; the others are ``voila_client.VoilaPage``: the same requests
  as the page's JavaScript (fetch the page, open the kernel's websocket, get
  the widgets' states, send one comm message per move), without drawing;
- each student moves a slider of the first panel (the "steps" slider if there
  is one) at random moments, about once every 3 s, for ``--minutes``, in
  one of two ways (``--pattern``): ``notch``, one step from where it is (an
  arrow key, a short drag), or ``jump``, to a random value of the slider's
  range, as clicking the track or typing a value does. ``both`` (the
  default) gives every other student each pattern, so both are measured
  under the same class;
- then every student leaves. The Chromium students and the even-numbered
  others close the tab (the page's beforeunload asks Voila to shut its
  kernel down); the odd-numbered others vanish (lid shut, Wi-Fi lost: only
  the culling frees their kernel). The script watches each student's kernel
  until it is gone.

Why not N browsers: the browsers run on the same 2 cores as the server and
its kernels. Thirty headless Chromiums drawing the page (its JavaScript alone
is several MB to parse) keep both cores busy, so they measure the browsers,
not the server; in a real class each student's device does that work. The few
real browsers measure the whole path a student sees, on a server loaded by
the full class; ``--browsers N`` runs the all-Chromium class anyway.

It prints one row per kind of student and pattern: page ready (Chromium:
navigation -> first panel's picture shown; protocol: request -> every
widget's state received), slider move (Chromium: key down or click -> new
picture decoded; protocol: comm message sent -> new picture received),
failures; then kernels, memory and how long the kernels of the students who
left took to go, and the targets for each pattern.
Nothing asserts; the exit code is non-zero only if the server cannot start.
"""

import argparse
import asyncio
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "tools"), str(REPO / "bench")]

import present  # noqa: E402  (tools/present.py: the same command line as `make present`)
from bench_drag import READ_JS, RESET_JS, WATCH_JS, browser_helpers, percentile  # noqa: E402
from voila_client import VoilaPage  # noqa: E402

TARGETS = {"ready_median": 5.0, "ready_max": 15.0, "move_median": 300.0, "move_p95": 1000.0, "gone": 300.0}
MOVE_TIMEOUT = 15  # seconds: a move with no new picture by then is a failure
KERNEL_FILE = re.compile(r"kernel-([0-9a-f-]{36})\.json")


def kernels_of(server_pid):
    """The kernel processes the server started: {kernel id: (pid, rss bytes)}."""
    try:
        children = psutil.Process(server_pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return {}
    kernels = {}
    for child in children:
        try:
            found = KERNEL_FILE.search(" ".join(child.cmdline()))
            if found:
                kernels[found.group(1)] = (child.pid, child.memory_info().rss)
        except psutil.NoSuchProcess:
            pass
    return kernels


def kernels_cpu_seconds(server_pid):
    total = 0.0
    for pid, _ in kernels_of(server_pid).values():
        try:
            times = psutil.Process(pid).cpu_times()
            total += times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return total


def wait_until_warm(server, students, started, timeout=1800):
    """Until the pool is filled (Voila says so once the kernels started) and
    its kernels have finished running the notebook (they use no more CPU)."""
    while "is filled" not in server.log_tail(200):
        if time.monotonic() - started > timeout:
            raise TimeoutError("the kernel pool did not fill in 30 minutes")
        time.sleep(1)
    before = kernels_cpu_seconds(server.process.pid)
    while time.monotonic() - started < timeout:
        time.sleep(3)
        now = kernels_cpu_seconds(server.process.pid)
        if len(kernels_of(server.process.pid)) >= students and now - before < 0.1 * students:
            return
        before = now
    raise TimeoutError("the pre-heated kernels did not finish running the notebook in 30 minutes")


class Record:
    """What one kind of student saw."""

    def __init__(self):
        self.ready, self.moves, self.failures = [], [], []


def next_value(state, value, direction):
    """One notch of a slider's ``state`` from ``value``, turning at the ends: (value, direction)."""
    if not state["min"] <= value + direction * state["step"] <= state["max"]:
        direction = -direction
    return value + direction * state["step"], direction


def jump_value(state, value, rng):
    """A random value of a slider's ``state`` (its min, max and step) other than ``value``."""
    choices = [v for v in range(state["min"], state["max"] + 1, state["step"]) if v != value]
    return rng.choice(choices)


def patterns_of(students, in_browser, pattern):
    """{student: "notch" or "jump"}: ``pattern`` for everyone, or with "both"
    each pattern for every other student of each kind (Chromium, protocol)."""
    if pattern != "both":
        return {k: pattern for k in range(students)}
    kinds = (sorted(in_browser), [k for k in range(students) if k not in in_browser])
    return {k: ("notch", "jump")[i % 2] for kind in kinds for i, k in enumerate(kind)}


async def protocol_student(k, url, start_delay, stop_at, pattern, record, leaving):
    """A student whose page is a VoilaPage (the page's requests, no drawing)."""
    await asyncio.sleep(start_delay)
    page = VoilaPage(url)
    opened = time.monotonic()
    try:
        await page.open()
        sliders, image = page.panel()
        record.ready.append(time.monotonic() - opened)
        leaving[k]["kernel"] = page.kernel_id
        slider = sliders.get("steps", next(iter(sliders.values())))
        state = page.states[slider]["state"]
        value, direction, rng = state["value"], 1, random.Random(k)
        while time.monotonic() + 4 < stop_at:
            await asyncio.sleep(rng.uniform(2.0, 4.0))  # about one move every 3 s
            if pattern == "jump":
                value = jump_value(state, value, rng)
            else:
                value, direction = next_value(state, value, direction)
            try:
                record.moves.append(1000 * await page.move(slider, value, image, timeout=MOVE_TIMEOUT))
            except TimeoutError:
                record.failures.append(f"student {k}: no new picture within {MOVE_TIMEOUT} s of a move")
    except Exception as error:
        record.failures.append(f"student {k}: {type(error).__name__}: {str(error).splitlines()[0][:120]}")
    finally:
        await page.close(tab_closed=leaving[k]["how"] == "closed")
        leaving[k]["at"] = time.monotonic()


async def browser_student(k, browser, url, start_delay, stop_at, pattern, helpers, record, leaving):
    """A student in a real headless Chromium tab."""
    await asyncio.sleep(start_delay)
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")

    async def only_loopback(route):
        await (route.continue_() if helpers.is_loopback(route.request.url) else route.abort())

    await context.route("**/*", only_loopback)
    page = await context.new_page()
    rng = random.Random(k)
    opened = time.monotonic()
    try:
        await page.goto(url, timeout=180_000)
        await page.locator(".nnlib-status").first.wait_for(state="visible", timeout=180_000)
        root = page.locator(".nnlib-status").first.locator("xpath=..")
        await page.wait_for_function("(p) => { const i = p.querySelector('img.widget-image');"
                                     " return i && i.complete && i.naturalWidth > 0; }",
                                     arg=await root.element_handle(), timeout=60_000)
        record.ready.append(time.monotonic() - opened)
        found = re.search(r'"kernelId": "([0-9a-f-]+)"', await page.content())
        leaving[k]["kernel"] = found.group(1) if found else None
        await root.evaluate(WATCH_JS)
        sliders = root.locator(".widget-slider")
        labels = [label.strip() for label in await sliders.locator(".widget-label").all_inner_texts()]
        slider = sliders.nth(labels.index("steps") if "steps" in labels else 0)
        handle, track = slider.locator(".noUi-handle").first, slider.locator(".noUi-base").first
        direction = "ArrowRight"
        while time.monotonic() + 4 < stop_at:
            await asyncio.sleep(rng.uniform(2.0, 4.0))  # about one move every 3 s
            await root.evaluate(RESET_JS)
            if pattern == "jump":  # a click on the track, away from the handle
                await track.scroll_into_view_if_needed()  # a click lands only on what is on the screen
                box, now = await track.bounding_box(), await handle.bounding_box()
                x = box["x"] + box["width"] * rng.uniform(0.02, 0.98)
                while abs(x - (now["x"] + now["width"] / 2)) < now["width"]:
                    x = box["x"] + box["width"] * rng.uniform(0.02, 0.98)
                await page.mouse.click(x, box["y"] + box["height"] / 2)
            else:
                await handle.focus()
                if await handle.get_attribute("aria-valuenow") == await handle.get_attribute("aria-valuemax"):
                    direction = "ArrowLeft"
                elif await handle.get_attribute("aria-valuenow") == await handle.get_attribute("aria-valuemin"):
                    direction = "ArrowRight"
                await page.keyboard.press(direction)
            try:
                await page.wait_for_function("(p) => p.__drag.load.length > 0", arg=await root.element_handle(),
                                             timeout=MOVE_TIMEOUT * 1000)
                w = await root.evaluate(READ_JS)
                record.moves.append(w["load"][0] - w["keys"][-1])
            except Exception:
                record.failures.append(f"student {k} (Chromium): no new picture within {MOVE_TIMEOUT} s of a move")
    except Exception as error:
        record.failures.append(f"student {k} (Chromium): {type(error).__name__}: "
                               f"{str(error).splitlines()[0][:120]}")
    finally:
        await page.close(run_before_unload=True)  # the page's beforeunload sends its beacon
        await asyncio.sleep(1)
        await context.close()
        leaving[k]["at"] = time.monotonic()


async def run_class(url, students, in_browser, minutes, pattern, helpers, server_pid, records, leaving):
    peak = {"kernels": 0, "memory": 0, "server": 0}

    async def sample():
        while True:
            sample_peak(server_pid, peak)
            await asyncio.sleep(2)

    sampler = asyncio.create_task(sample())
    stop_at = time.monotonic() + 10 + 60 * minutes
    arrivals = random.Random(0)
    delays = sorted(arrivals.uniform(0, 10) for _ in range(students))  # within 10 s of each other
    pattern_of = patterns_of(students, in_browser, pattern)
    tasks = [protocol_student(k, url, delays[k], stop_at, pattern_of[k], records["protocol", pattern_of[k]], leaving)
             for k in range(students) if k not in in_browser]
    if in_browser:
        from playwright.async_api import async_playwright

        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=helpers.CHROMIUM, headless=True,
                                                       args=helpers.CHROMIUM_ARGS)
            tasks += [browser_student(k, browser, url, delays[k], stop_at, pattern_of[k], helpers,
                                      records["Chromium", pattern_of[k]], leaving)
                      for k in sorted(in_browser)]
            await asyncio.gather(*tasks)
            await browser.close()
    else:
        await asyncio.gather(*tasks)
    sampler.cancel()
    return peak


def sample_peak(server_pid, peak):
    """Raise ``peak``'s kernel count and memory (kernels', server's) to what runs now."""
    kernels = kernels_of(server_pid)
    peak["kernels"] = max(peak["kernels"], len(kernels))
    peak["memory"] = max(peak["memory"], sum(rss for _, rss in kernels.values()))
    peak["server"] = max(peak["server"], psutil.Process(server_pid).memory_info().rss)


def watch_leavers(server_pid, leaving, peak, timeout):
    """Seconds from each student's leaving until its kernel was gone (None: still there)."""
    deadline = time.monotonic() + timeout
    while True:
        sample_peak(server_pid, peak)
        alive = kernels_of(server_pid)
        for student in leaving.values():
            if student.get("kernel") and "gone" not in student and student["kernel"] not in alive:
                student["gone"] = time.monotonic() - student["at"]
        waiting = [s for s in leaving.values() if s.get("kernel") and "gone" not in s]
        if not waiting or time.monotonic() > deadline:
            return
        time.sleep(2)


def summary(values, scale="{:.1f}"):
    if not values:
        return "none"
    return " / ".join(scale.format(v) for v in (statistics.median(values), percentile(values, 0.95), max(values)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--browsers", type=int, default=3, help="how many students use a real Chromium")
    parser.add_argument("--notebook", default="03")
    parser.add_argument("--minutes", type=float, default=1.0, help="how long the students move sliders")
    parser.add_argument("--cull", type=int, default=present.DEFAULT_CULL, help="as make present's PRESENT_CULL (s)")
    parser.add_argument("--fill-delay", type=float, default=present.DEFAULT_FILL_DELAY,
                        help="as tools/present.py --fill-delay (s)")
    parser.add_argument("--refill-nice", type=int, default=present.REFILL_NICE,
                        help="as tools/present.py --refill-nice (0: the refill at normal priority)")
    parser.add_argument("--pattern", choices=("notch", "jump", "both"), default="both",
                        help="how students move the slider: one notch, a jump to a random value, or half each")
    args = parser.parse_args()
    browsers = min(max(args.browsers, 0), args.students)
    helpers = browser_helpers()
    reason = helpers.browser_missing_reason()
    if reason and browsers:
        print(f"bench_class: no real browser ({reason}); every student is a protocol client")
        browsers = 0
    notebook = present.find_notebook(args.notebook)
    port = helpers.free_port()
    command = present.voila_command(notebook, port=port, students=args.students, cull=args.cull,
                                    fill_delay=args.fill_delay, refill_nice=args.refill_nice)
    tmp = Path(tempfile.mkdtemp(prefix="bench_class_"))
    server = helpers.Server(f"bench_class_{args.students}", command, f"http://127.0.0.1:{port}/voila/static/voila.js",
                            cwd=notebook.parent, env=present.server_env(helpers.server_env(tmp)))
    patterns = ("notch", "jump") if args.pattern == "both" else (args.pattern,)
    records = {(kind, pattern): Record() for kind in ("Chromium", "protocol") for pattern in patterns}
    in_browser = {round(i * args.students / browsers) for i in range(browsers)}  # spread over the arrivals
    leaving = {k: {"how": "closed" if k in in_browser or k % 2 == 0 else "vanished"} for k in range(args.students)}
    try:
        started = time.monotonic()
        server.wait_until_ready(timeout=120)
        wait_until_warm(server, args.students, started)
        warm = time.monotonic() - started
        idle_kernels = kernels_of(server.process.pid)
        print(f"bench_class: {notebook.name}, {args.students} students ({browsers} in Chromium on this machine, "
              f"{args.students - browsers} protocol clients), pool of {args.students} warm in {warm:.0f} s "
              f"({len(idle_kernels)} kernels, {sum(r for _, r in idle_kernels.values()) / 2**20:.0f} MiB); "
              f"fill delay {args.fill_delay:g} s, refill at nice {args.refill_nice}, cull {args.cull} s; "
              f"sliders moved ({args.pattern}) for {args.minutes:g} min; "
              f"{psutil.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GiB", flush=True)
        peak = asyncio.run(run_class(f"http://127.0.0.1:{port}", args.students, in_browser, args.minutes,
                                     args.pattern, helpers, server.process.pid, records, leaving))
        watch_leavers(server.process.pid, leaving, peak, timeout=args.cull + 2 * present.CULL_INTERVAL + 60)
        left = kernels_of(server.process.pid)
        shutdowns_refused = server.log_tail(100_000).count("403 POST /voila/api/shutdown")
    finally:
        server.stop()

    def verdict(ok):
        return "met" if ok else "MISSED"

    print(f"{'students':<26}{'ready s med/p95/max':>22}{'move ms med/p95/max':>22}{'moves':>7}{'failures':>10}")

    def row(label, record):
        print(f"{label:<26}{summary(record.ready):>22}{summary(record.moves, '{:.0f}'):>22}"
              f"{len(record.moves):>7}{len(record.failures):>10}")

    kinds = {"Chromium": in_browser, "protocol": set(range(args.students)) - in_browser}
    pattern_of = patterns_of(args.students, in_browser, args.pattern)
    for (kind, pattern), record in records.items():
        count = sum(1 for k in kinds[kind] if pattern_of[k] == pattern)
        if count:
            row(f"{count} {kind}, {pattern}", record)
        for failure in record.failures[:5]:
            print(f"  failure: {failure}")
    by_pattern = {pattern: Record() for pattern in patterns}
    for (kind, pattern), record in records.items():
        by_pattern[pattern].ready += record.ready
        by_pattern[pattern].moves += record.moves
        by_pattern[pattern].failures += record.failures
    for pattern, record in by_pattern.items():
        row(f"all, {pattern}", record)
    gone = {how: [s.get("gone") for s in leaving.values() if s["how"] == how and s.get("kernel")]
            for how in ("closed", "vanished")}
    for how, times in gone.items():
        still = sum(1 for t in times if t is None)
        done = [t for t in times if t is not None]
        print(f"kernels of the {len(times)} student{'s' if len(times) != 1 else ''} whose tab {how}: "
              + (f"gone after {min(done):.0f}-{max(done):.0f} s" if done else "none gone")
              + (f", {still} still alive" if still else ""))
    print(f"kernels: {peak['kernels']} at the peak ({peak['memory'] / 2**20:.0f} MiB, "
          f"{peak['memory'] / max(peak['kernels'], 1) / 2**20:.0f} MiB each; server {peak['server'] / 2**20:.0f} MiB), "
          f"{len(left)} at the end (the refilled pool); shutdown requests refused: {shutdowns_refused}")
    everyone = Record()
    for record in by_pattern.values():
        everyone.ready += record.ready
        everyone.failures += record.failures
    all_gone = [t for times in gone.values() for t in times]
    never = float("inf")  # no page ready or no move measured: the target is missed
    moves_met = []
    for pattern, record in by_pattern.items():
        median = statistics.median(record.moves) if record.moves else never
        p95 = percentile(record.moves, 0.95) if record.moves else never
        moves_met += [median <= TARGETS["move_median"], p95 <= TARGETS["move_p95"]]
        print(f"targets ({pattern} moves): median <= 300 ms {verdict(median <= TARGETS['move_median'])}, "
              f"p95 <= 1 s {verdict(p95 <= TARGETS['move_p95'])}")
    ready, failures = everyone.ready, everyone.failures
    print(f"targets (all students): no failure {verdict(not failures)}; ready median <= 5 s "
          f"{verdict((statistics.median(ready) if ready else never) <= TARGETS['ready_median'])}, max <= 15 s "
          f"{verdict(max(ready, default=never) <= TARGETS['ready_max'])}; kernels of the "
          f"students who left gone within 5 min "
          f"{verdict(all(t is not None and t <= TARGETS['gone'] for t in all_gone))}; memory bounded by pool + "
          f"open pages {verdict(peak['kernels'] <= 2 * args.students)} ({peak['kernels']} <= 2 x {args.students})")
    everything = all(moves_met) and not failures and ready and statistics.median(ready) <= TARGETS["ready_median"] \
        and max(ready) <= TARGETS["ready_max"] and all(t is not None and t <= TARGETS["gone"] for t in all_gone)
    print(f"every target: {verdict(everything)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
