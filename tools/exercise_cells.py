"""Write (or rewrite) the "Exercises" section of a notebook from nnlib.exercises.

    python tools/exercise_cells.py notebooks/04_sgd_minibatches_and_epochs.ipynb [more notebooks ...]
    python tools/exercise_cells.py --check notebooks/*.ipynb   # exit 1 if a section is missing or stale

The notebook's number (the "04" of "04_...") selects its exercises. Every cell
written carries the tag `exercise`; a re-run first removes those cells and puts
the new ones where the old section was (at the end of the notebook the first
time), so running it twice changes nothing. Cells without the tag are never
touched.

Each exercise gets a markdown cell (its prompt and a hint) and a code cell that
starts unanswered, e.g. `check("04.1", None)`, so the committed output is the
"not answered yet" message and nbval stays strict. The new cells have no
outputs: execute the notebook afterwards (jupyter nbconvert --execute, then
nbstripout --keep-output --keep-count), as for any change to a notebook.
"""

import argparse
import os
import re
import sys

import nbformat

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # this checkout's nnlib

from nnlib.exercises import exercises_of  # noqa: E402

TAG = "exercise"

INTRO = """## Exercises

Each exercise below has a cell to complete. Run it: `check` says whether your answer is right, and if it is not, \
what the mistake looks like. Stuck? `show_solution("{first}")` prints a solution (all of them, for teachers: \
`nnlib/exercises/SOLUTIONS.md`; the checks are in `nnlib/exercises/nb{notebook}.py`)."""

IMPORTS = "import numpy as np\n\nimport nnlib\nfrom nnlib.exercises import EXERCISES, check, show_solution"


def notebook_number(path):
    match = re.match(r"(\d\d)_", os.path.basename(path))
    if not match:
        raise ValueError(f"path {path!r} does not start with a two-digit notebook number such as 04_")
    return match.group(1)


def exercise_cells(notebook):
    """The cells of the Exercises section of notebook "NN", all tagged `exercise`."""
    exercises = exercises_of(notebook)
    if not exercises:
        raise ValueError(f"notebook {notebook} has no exercises in nnlib.exercises")
    cells = [nbformat.v4.new_markdown_cell(INTRO.format(first=exercises[0].id, notebook=notebook)),
             nbformat.v4.new_code_cell(IMPORTS)]
    for exercise in exercises:
        prompt = re.sub(r"^Write (\w+\([^)]*\))", r"Write `\1`", exercise.prompt)  # the function to write, as code
        cells.append(nbformat.v4.new_markdown_cell(f"### Exercise {exercise.id} · {exercise.title}\n\n{prompt}"))
        if exercise.kind == "function":
            check_line = (f'check("{exercise.id}", None)  # replace None with {exercise.answer_name} '
                          f"once it is written")
        else:
            check_line = f'check("{exercise.id}", {exercise.answer_name})'
        cells.append(nbformat.v4.new_code_cell(f"{exercise.start}\n\n{check_line}"))
    for cell in cells:
        cell.metadata["tags"] = [TAG]
    return cells


def _is_exercise(cell):
    return TAG in cell.get("metadata", {}).get("tags", [])


def _same_sources(a, b):
    return [(c.cell_type, c.source) for c in a] == [(c.cell_type, c.source) for c in b]


def update(path, *, check_only=False):
    """Rewrite the section of one notebook. Returns True if it was already up to date."""
    nb = nbformat.read(path, as_version=4)
    new = exercise_cells(notebook_number(path))
    old_positions = [i for i, cell in enumerate(nb.cells) if _is_exercise(cell)]
    old = [nb.cells[i] for i in old_positions]
    up_to_date = _same_sources(old, new) and old_positions == list(
        range(old_positions[0], old_positions[0] + len(old))) if old else False
    if up_to_date or check_only:
        return up_to_date
    at = old_positions[0] if old_positions else len(nb.cells)
    kept = [cell for cell in nb.cells if not _is_exercise(cell)]
    nb.cells = kept[:at] + new + kept[at:]
    nbformat.write(nb, path)
    return False


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+")
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a section is missing or stale")
    args = parser.parse_args(argv)
    stale = []
    for path in args.notebooks:
        was_current = update(path, check_only=args.check)
        if args.check:
            print(f"{path}: {'up to date' if was_current else 'missing or stale'}")
            if not was_current:
                stale.append(path)
        else:
            print(f"{path}: {'unchanged' if was_current else 'Exercises section written; execute the notebook again'}")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
