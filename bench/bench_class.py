"""A class of students on one machine: `make present` under load.

    .venv/bin/python bench/bench_class.py --students 30            # make bench-class STUDENTS=30
    .venv/bin/python bench/bench_class.py --students 5 --minutes 0.5 --cull 60

Serves a notebook (default 03) the way `make present NB=03
PRESENT_STUDENTS=N` does (tools/present.py: a pool of N pre-heated kernels,
culling of abandoned ones), waits until the pool is warm, then simulates the
class with one headless Chromium (Debian's /usr/bin/chromium, Playwright):

- N students open the page within 10 s of each other, each in its own
  browser context (its own tab and kernel);
- each then moves a slider of the first panel (one arrow-key notch) at random
  moments, about once every 3 s, for ``--minutes``;
- then every tab closes, and the script watches the kernels until those of the
  closed tabs are gone (the pool's pre-heated kernels stay).

It prints one table: page ready (navigation -> first panel's picture shown),
slider move (key down -> new picture decoded, on the page's clock), failures,
kernels and memory. The browser runs on the same machine as the server and
its kernels, so the students' rendering competes with the kernels for the same
cores: a real class's devices would take that load off the machine.
Nothing asserts; the exit code is non-zero only if the server cannot start.
"""

import argparse
import asyncio
import random
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

TARGETS = {"ready_median": 5.0, "ready_max": 15.0, "move_median": 300.0, "move_p95": 1000.0, "cull": 300.0}


def kernels_of(server_pid):
    """The kernel processes the server started: [(pid, rss bytes)]."""
    try:
        children = psutil.Process(server_pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    kernels = []
    for child in children:
        try:
            if "ipykernel" in " ".join(child.cmdline()):
                kernels.append((child.pid, child.memory_info().rss))
        except psutil.NoSuchProcess:
            pass
    return kernels


def kernels_cpu_seconds(server_pid):
    total = 0.0
    for pid, _ in kernels_of(server_pid):
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


async def student(k, browser, url, start_delay, stop_at, helpers, record):
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
        record["ready"].append(time.monotonic() - opened)
        await root.evaluate(WATCH_JS)
        sliders = root.locator(".widget-slider")
        labels = [label.strip() for label in await sliders.locator(".widget-label").all_inner_texts()]
        handle = sliders.nth(labels.index("steps") if "steps" in labels else 0).locator(".noUi-handle").first
        direction = "ArrowRight"
        while time.monotonic() + 4 < stop_at:
            await asyncio.sleep(rng.uniform(2.0, 4.0))  # about one move every 3 s
            await root.evaluate(RESET_JS)
            await handle.focus()
            if await handle.get_attribute("aria-valuenow") == await handle.get_attribute("aria-valuemax"):
                direction = "ArrowLeft"
            elif await handle.get_attribute("aria-valuenow") == await handle.get_attribute("aria-valuemin"):
                direction = "ArrowRight"
            await page.keyboard.press(direction)
            try:
                await page.wait_for_function("(p) => p.__drag.load.length > 0", arg=await root.element_handle(),
                                             timeout=15_000)
                w = await root.evaluate(READ_JS)
                record["moves"].append(w["load"][0] - w["keys"][-1])
            except Exception:
                record["failures"].append(f"student {k}: no new picture within 15 s of a move")
    except Exception as error:
        record["failures"].append(f"student {k}: {type(error).__name__}: {str(error).splitlines()[0][:120]}")
    finally:
        await context.close()


async def run_class(url, students, minutes, helpers, server_pid, record):
    from playwright.async_api import async_playwright

    peak = {"kernels": 0, "memory": 0}

    async def sample():
        while True:
            kernels = kernels_of(server_pid)
            peak["kernels"] = max(peak["kernels"], len(kernels))
            peak["memory"] = max(peak["memory"], sum(rss for _, rss in kernels))
            await asyncio.sleep(2)

    sampler = asyncio.create_task(sample())
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=helpers.CHROMIUM, headless=True,
                                                   args=helpers.CHROMIUM_ARGS)
        stop_at = time.monotonic() + 10 + 60 * minutes
        delays = sorted(random.Random(0).uniform(0, 10) for _ in range(students))  # within 10 s
        await asyncio.gather(*(student(k, browser, url, delays[k], stop_at, helpers, record)
                               for k in range(students)))
        await browser.close()
    sampler.cancel()
    return peak


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--notebook", default="03")
    parser.add_argument("--minutes", type=float, default=1.0, help="how long the students move sliders")
    parser.add_argument("--cull", type=int, default=180, help="as make present's PRESENT_CULL (seconds)")
    parser.add_argument("--fill-delay", type=float, default=1.0)
    args = parser.parse_args()
    helpers = browser_helpers()
    reason = helpers.browser_missing_reason()
    if reason:
        print(f"bench_class: skipped: {reason}")
        return 0
    notebook = present.find_notebook(args.notebook)
    port = helpers.free_port()
    command = present.voila_command(notebook, port=port, students=args.students, cull=args.cull,
                                    fill_delay=args.fill_delay)
    tmp = Path(tempfile.mkdtemp(prefix="bench_class_"))
    server = helpers.Server(f"bench_class_{args.students}", command, f"http://127.0.0.1:{port}/voila/static/voila.js",
                            cwd=notebook.parent, env={**helpers.server_env(tmp), **present.ONE_THREAD})
    record = {"ready": [], "moves": [], "failures": []}
    try:
        started = time.monotonic()
        server.wait_until_ready(timeout=120)
        wait_until_warm(server, args.students, started)
        warm = time.monotonic() - started
        idle_kernels = kernels_of(server.process.pid)
        print(f"bench_class: {notebook.name}, {args.students} students, pool of {args.students} warm in {warm:.0f} s "
              f"({len(idle_kernels)} kernels, {sum(r for _, r in idle_kernels) / 2**20:.0f} MiB); "
              f"students move sliders for {args.minutes:g} min; browser on the same machine "
              f"({psutil.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GiB)", flush=True)
        peak = asyncio.run(run_class(f"http://127.0.0.1:{port}/", args.students, args.minutes, helpers,
                                     server.process.pid, record))
        closed_at = time.monotonic()
        after_close = len(kernels_of(server.process.pid))
        gone_after = None
        while time.monotonic() - closed_at < args.cull + 150:
            if len(kernels_of(server.process.pid)) <= args.students:  # only the refilled pool is left
                gone_after = time.monotonic() - closed_at
                break
            time.sleep(5)
        left = kernels_of(server.process.pid)
    finally:
        server.stop()
    ready, moves = record["ready"], record["moves"]

    def verdict(ok):
        return "met" if ok else "MISSED"

    print(f"{'students':<10}{'ready med/max s':>17}{'move med/p95/max ms':>22}{'failures':>10}"
          f"{'kernels peak/closed/left':>26}{'peak MiB':>10}{'culled after s':>16}")
    ready_text = f"{statistics.median(ready):.1f} / {max(ready):.1f}" if ready else "none"
    move_text = (f"{statistics.median(moves):.0f} / {percentile(moves, 0.95):.0f} / {max(moves):.0f}"
                 if moves else "none")
    kernels_text = f"{peak['kernels']} / {after_close} / {len(left)}"
    culled_text = "not yet" if gone_after is None else f"{gone_after:.0f}"
    print(f"{args.students:<10}{ready_text:>17}{move_text:>22}{len(record['failures']):>10}"
          f"{kernels_text:>26}{peak['memory'] / 2**20:>10.0f}{culled_text:>16}")
    for failure in record["failures"][:10]:
        print(f"  failure: {failure}")
    if ready and moves:
        print(f"targets: no failure {verdict(not record['failures'])}; ready median <= 5 s "
              f"{verdict(statistics.median(ready) <= TARGETS['ready_median'])}, max <= 15 s "
              f"{verdict(max(ready) <= TARGETS['ready_max'])}; move median <= 300 ms "
              f"{verdict(statistics.median(moves) <= TARGETS['move_median'])}, p95 <= 1 s "
              f"{verdict(percentile(moves, 0.95) <= TARGETS['move_p95'])}; closed tabs' kernels gone within 5 min "
              f"{verdict(gone_after is not None and gone_after <= TARGETS['cull'])}; memory: "
              f"{peak['memory'] / max(peak['kernels'], 1) / 2**20:.0f} MiB per kernel, bounded by "
              f"pool + open pages ({peak['kernels']} <= 2 x {args.students}: {verdict(peak['kernels'] <= 2 * args.students)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
