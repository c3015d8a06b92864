"""python -m nnlib.exercises --solutions   (all solutions as markdown)
python -m nnlib.exercises --list        (every exercise id and prompt)"""

import argparse

from . import EXERCISES, solutions_markdown

parser = argparse.ArgumentParser(prog="python -m nnlib.exercises", description=__doc__.splitlines()[0])
group = parser.add_mutually_exclusive_group(required=True)
group.add_argument("--solutions", action="store_true", help="print every exercise with its solution (markdown)")
group.add_argument("--list", action="store_true", help="print every exercise id and prompt")
args = parser.parse_args()
if args.solutions:
    print(solutions_markdown())
else:
    for key in sorted(EXERCISES):
        print(f"{key}  {EXERCISES[key].prompt}")
