"""Exercises with feedback for the notebooks 01 to 09 (numpy only).

In a notebook:

    from nnlib.exercises import check, show_solution
    def my_batch_sizes(n, batch_size):
        ...
    check("04.1", my_batch_sizes)     # says what is right, or names the mistake
    show_solution("04.1")             # prints a reference solution

``EXERCISES`` maps an id "NN.k" (notebook NN, exercise k) to an
``Exercise``: ``.prompt``, ``.check(answer) -> Feedback``, ``.solution`` (a
reference answer that passes its check) and ``.mistakes`` (typical wrong
answers, with words their feedback contains). A check hands a function
copies of its data and names any argument the function changes in place;
``assert check(...)`` fails a wrong answer. Each notebook's exercises
live in ``nbNN.py``; all solutions in one page: ``SOLUTIONS.md`` (made by
``python -m nnlib.exercises --solutions``).
"""

from ._core import EXERCISES, Exercise, Feedback, check, exercises_of, show_solution, solutions_markdown
from . import nb01, nb02, nb03, nb04, nb05, nb06, nb07, nb08, nb09, nb10, nb11, nb12  # noqa: F401  (they register the exercises)

__all__ = ["EXERCISES", "Exercise", "Feedback", "check", "exercises_of", "show_solution", "solutions_markdown"]
