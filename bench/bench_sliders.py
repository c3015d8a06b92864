"""Slider latency: how long one move of a control takes to answer, for every
slider panel in ``nnlib.widgets``.

    .venv/bin/python bench/bench_sliders.py            # 8 values per control, 2 passes
    .venv/bin/python bench/bench_sliders.py --quick    # 4 values per control, 1 pass

Panels are found at run time: every function in ``nnlib.widgets`` (and its
submodules) whose name ends in ``_panel`` is called with no arguments. For
each control the script sets ``control.value`` from Python, as a test or a
reader dragging the slider would, walking it through a few values across
its range and back. Setting the value runs the panel's refresh
synchronously: the draw function (training, if the panel trains) and the
PNG render, so the time between setting the value and the assignment
returning is the time a reader waits. The table gives the median and the
95th percentile of those times per panel, against the targets (median at
most 120 ms, 95th percentile at most 250 ms). "draw ms" is the median time
spent in the panel's draw function alone (computing and updating artists);
the rest of a move is mostly rendering the PNG. "cpu ms" is the median CPU
time of this process per move: when other programs share the cores, it is
close to what the move would take on an idle machine.
"""

import argparse
import importlib
import inspect
import math
import os
import pkgutil
import statistics
import sys
import time

import numpy as np

import nnlib.widgets

MEDIAN_TARGET_MS = 120.0
P95_TARGET_MS = 250.0


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="4 values per control, 1 pass (what CI runs)")
    parser.add_argument("--values", type=int, default=None, help="values per control (default 8, quick 4)")
    parser.add_argument("--passes", type=int, default=None, help="walks through the values (default 2, quick 1)")
    parser.add_argument("--only", default=None, help="comma-separated panel function names to measure")
    return parser.parse_args(argv)


def find_panel_functions():
    """{name: function} for every ``*_panel`` function in nnlib.widgets and
    its submodules (a submodule that fails to import is reported, not fatal)."""
    found = {}
    modules = [nnlib.widgets]
    for info in pkgutil.iter_modules(nnlib.widgets.__path__, prefix="nnlib.widgets."):
        try:
            modules.append(importlib.import_module(info.name))
        except Exception as error:  # a helper may be half-way through writing it
            print(f"skipped module {info.name}: {type(error).__name__}: {error}")
    for module in modules:
        for name, function in vars(module).items():
            if name.endswith("_panel") and inspect.isfunction(function) and name not in found:
                found[name] = function
    return dict(sorted(found.items()))


def control_values(control, count):
    """A few values across the control's range, or None when we do not know
    how to move this kind of control (it is then left alone)."""
    value = control.value
    if isinstance(value, bool):
        return [not value, value] * max(1, count // 2)
    options = getattr(control, "options", None)
    if options is not None:  # Dropdown, RadioButtons, ToggleButtons, SelectionSlider
        if len(options) < 2:
            return None
        return [("index", i) for i in range(len(options))]
    if not isinstance(value, (int, float)) or not hasattr(control, "min") or not hasattr(control, "max"):
        return None
    low, high = control.min, control.max
    if hasattr(control, "base"):  # FloatLogSlider: min and max are exponents
        return [control.base ** e for e in np.linspace(low, high, count)]
    values = np.linspace(low, high, count)
    if isinstance(value, int):
        return sorted({int(round(v)) for v in values})
    return [float(v) for v in values]


def set_control(control, value):
    if isinstance(value, tuple) and value[0] == "index":
        control.index = value[1]
    else:
        control.value = value


def current(control, value):
    if isinstance(value, tuple) and value[0] == "index":
        return control.index == value[1]
    return control.value == value


def timed(function, times):
    """``function`` that also appends its running time (ms) to ``times``."""
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            times.append(1e3 * (time.perf_counter() - start))
    return wrapper


def measure_panel(panel, values_per_control, passes):
    """Times (ms) of every control move that made the panel refresh, the
    part of each spent in the panel's draw function (the rest is mostly the
    PNG render), and the names of the controls left alone."""
    times, cpu_times, draw_times, skipped = [], [], [], []
    panel.refresh()  # warm-up: caches, fonts and the like
    if callable(getattr(panel, "draw", None)):
        panel.draw = timed(panel.draw, draw_times)  # SliderPanel.refresh calls self.draw
    for name, control in panel.controls.items():
        values = control_values(control, values_per_control)
        if values is None:
            skipped.append(name)
            continue
        initial = ("index", control.index) if isinstance(values[0], tuple) else control.value
        for _ in range(passes):
            for value in list(values) + [initial]:
                if current(control, value):
                    continue  # no change, no event
                updates = getattr(panel, "updates", None)
                start, cpu_start = time.perf_counter(), time.process_time()
                set_control(control, value)
                elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
                if updates is None or panel.updates > updates:
                    times.append(1e3 * elapsed)
                    cpu_times.append(1e3 * cpu)
    return times, cpu_times, draw_times, skipped


def percentile(values, q):
    return float(np.percentile(values, q)) if values else math.nan


def main(args):
    values_per_control = args.values or (4 if args.quick else 8)
    passes = args.passes or (1 if args.quick else 2)
    functions = find_panel_functions()
    if args.only:
        wanted = set(args.only.split(","))
        functions = {name: f for name, f in functions.items() if name in wanted}
    print(f"slider panels found in nnlib.widgets: {', '.join(functions) or 'none'}")
    print(f"{values_per_control} values per control, {passes} pass(es); load average "
          f"{os.getloadavg()[0]:.2f} (other work on the machine makes times noisy)")
    header = (f"{'panel':<28}{'controls':>9}{'moves':>7}{'build ms':>10}{'draw ms':>9}{'median ms':>11}"
              f"{'p95 ms':>9}{'max ms':>9}{'cpu ms':>8}  target (median <= {MEDIAN_TARGET_MS:.0f}, p95 <= {P95_TARGET_MS:.0f})")
    print(header)
    print("-" * len(header))
    failed = False
    for name, function in functions.items():
        start = time.perf_counter()
        try:
            panel = function()
        except Exception as error:
            print(f"{name:<28} could not be built with no arguments: {type(error).__name__}: {error}")
            failed = True
            continue
        build_ms = 1e3 * (time.perf_counter() - start)
        if not hasattr(panel, "controls"):
            print(f"{name:<28} returned {type(panel).__name__}, not a panel with .controls")
            continue
        try:
            times, cpu_times, draw_times, skipped = measure_panel(panel, values_per_control, passes)
        except Exception as error:
            print(f"{name:<28} failed while moving a control: {type(error).__name__}: {error}")
            failed = True
            continue
        median = statistics.median(times) if times else math.nan
        p95 = percentile(times, 95)
        verdict = "met" if median <= MEDIAN_TARGET_MS and p95 <= P95_TARGET_MS else "MISSED"
        note = f"  (left alone: {', '.join(skipped)})" if skipped else ""
        draw = statistics.median(draw_times) if draw_times else math.nan
        cpu = statistics.median(cpu_times) if cpu_times else math.nan
        print(f"{name:<28}{len(panel.controls):>9}{len(times):>7}{build_ms:>10.0f}{draw:>9.1f}{median:>11.1f}"
              f"{p95:>9.1f}{max(times, default=math.nan):>9.1f}{cpu:>8.1f}  {verdict}{note}")
        if hasattr(panel, "figure"):
            panel.figure.clear()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(parse_args()))
