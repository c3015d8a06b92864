"""Series execution time: how long each notebook takes to run top to bottom,
and the whole series.

    .venv/bin/python bench/bench_series.py            # every notebook, 3 times (median)
    .venv/bin/python bench/bench_series.py --quick    # every notebook once

Each ``notebooks/*.ipynb`` is executed with nbclient in a fresh kernel, in
reading order and one at a time (kernels started together can race on 2
cores), from the notebooks folder as working directory. The executed copy
stays in memory (``--keep DIR`` writes it there instead), so the committed
notebooks and their outputs are never touched. A notebook's time includes
starting and stopping its kernel, as a reader who runs it would wait; the
slowest cell is named so that a slow notebook says where to look. Targets:
each notebook under 20 s, the whole series at most 90 s.
"""

import argparse
import os
import re
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_TARGET_S = 20.0
SERIES_TARGET_S = 90.0


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="run the series once (what CI runs)")
    parser.add_argument("--reps", type=int, default=None, help="runs of the whole series (default 3, quick 1)")
    parser.add_argument("--timeout", type=int, default=300, help="seconds allowed per cell (default 300)")
    parser.add_argument("--keep", type=Path, default=None, help="write the executed copies to this folder")
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="notebooks to run (default: every notebooks/*.ipynb)")
    return parser.parse_args(argv)


def cell_seconds(cell):
    """A code cell's run time from the timestamps nbclient records."""
    timing = cell.get("metadata", {}).get("execution", {})
    start, end = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
    if not start or not end:
        return 0.0
    parse = datetime.fromisoformat
    return (parse(end.replace("Z", "+00:00")) - parse(start.replace("Z", "+00:00"))).total_seconds()


def run_notebook(path, timeout, keep):
    """Execute a copy of the notebook; return (seconds, slowest cell index,
    its seconds, error or None)."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    error = None
    try:
        client.execute()
    except CellExecutionError as failure:
        last_line = str(failure).strip().splitlines()[-1]
        error = re.sub(r"\x1b\[[0-9;]*m", "", last_line)[:200]  # without terminal colours
    except Exception as failure:  # kernel died, timeout, ...
        error = f"{type(failure).__name__}: {failure}"[:200]
    seconds = time.perf_counter() - start
    code_cells = [(i, cell_seconds(cell)) for i, cell in enumerate(notebook.cells) if cell.cell_type == "code"]
    slowest = max(code_cells, key=lambda item: item[1], default=(None, 0.0))
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, keep / path.name)
    return seconds, slowest[0], slowest[1], error


def main(args):
    reps = args.reps or (1 if args.quick else 3)
    notebooks = args.notebooks or sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
    notebooks = [Path(path).resolve() for path in notebooks]
    print(f"{len(notebooks)} notebook(s), {reps} run(s) of the series; load average "
          f"{os.getloadavg()[0]:.2f} (other work on the machine makes times noisy)")
    if not notebooks:
        print("no notebooks to run")
        return 0
    times = {path: [] for path in notebooks}
    slowest = {}
    errors = {}
    totals = []
    for _ in range(reps):
        total = 0.0
        for path in notebooks:
            seconds, cell, cell_s, error = run_notebook(path, args.timeout, args.keep)
            times[path].append(seconds)
            total += seconds
            if error:
                errors[path] = error
            if cell is not None and cell_s >= slowest.get(path, (None, -1.0))[1]:
                slowest[path] = (cell, cell_s)
        totals.append(total)

    width = max(len(path.name) for path in notebooks)
    header = f"{'notebook':<{width}}{'median s':>10}{'min s':>8}{'max s':>8}   slowest cell        target (< {NOTEBOOK_TARGET_S:.0f} s)"
    print(header)
    print("-" * len(header))
    for path in notebooks:
        median = statistics.median(times[path])
        cell, cell_s = slowest.get(path, (None, 0.0))
        where = f"cell {cell} ({cell_s:.1f} s)" if cell is not None else "-"
        verdict = "FAILED: " + errors[path] if path in errors else ("met" if median < NOTEBOOK_TARGET_S else "MISSED")
        print(f"{path.name:<{width}}{median:>10.1f}{min(times[path]):>8.1f}{max(times[path]):>8.1f}   "
              f"{where:<20}{verdict}")
    total = statistics.median(totals)
    print("-" * len(header))
    print(f"{'whole series':<{width}}{total:>10.1f}{min(totals):>8.1f}{max(totals):>8.1f}   {'':<20}"
          f"{'met' if total <= SERIES_TARGET_S else 'MISSED'} (target <= {SERIES_TARGET_S:.0f} s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(parse_args()))
