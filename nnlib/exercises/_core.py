"""The machinery of the exercises: Feedback, Exercise, the registry, and
the helpers that run a reader's function and turn what goes wrong into a
sentence.

A check never shows a bare traceback. An exception raised in the reader's
code is caught and reported with the line that failed; an answer of the
wrong type or shape gets a sentence saying what was expected. A reader's
function that does not return within TIME_LIMIT seconds (a loop that never
ends) is stopped and reported the same way, where the operating system
allows it (Linux and macOS, in the kernel's main thread).
"""

import contextlib
import html
import inspect
import math
import numbers
import os
import re
import signal
import threading
import traceback

import numpy as np

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
_NNLIB_DIR = os.path.dirname(_PACKAGE_DIR)
_NUMPY_DIR = os.path.dirname(os.path.abspath(np.__file__))

EXERCISES = {}


class Feedback:
    """The answer of a check: ``passed`` (bool) and ``message`` (str).

    In a notebook it shows as its message (markdown, with a plain-text
    fallback), so a check cell reads like a sentence, not like an object.
    """

    def __init__(self, passed, message):
        self.passed = bool(passed)
        self.message = str(message)

    def __repr__(self):
        # plain text: the message without the bold markers of its first words
        return re.sub(r"^\*\*(.*?)\*\*", r"\1", self.message)

    def _repr_html_(self):
        # HTML rather than markdown: formulas such as (w*x - y)**2 must not turn into italics
        text = html.escape(self.message, quote=False)
        text = re.sub(r"^\*\*(.*?)\*\*", r"<b>\1</b>", text)
        text = re.sub(r"`([^`]+)`", r"<code>\1</code>", text)
        colour = "#1a7f37" if self.passed else "#9a6700"
        return f'<div style="border-left: 4px solid {colour}; padding-left: 0.6em">{text}</div>'


class Wrong(Exception):
    """Raised inside a check to stop it with a message for the reader."""


class ReaderError(Wrong):
    """The reader's code raised an exception; the message says where."""


# Seconds a reader's function may take in one call of a check. Every
# solution returns within 0.01 s, so a call still running after this is
# caught in a loop that never ends.
TIME_LIMIT = 10


class _TimeIsUp(BaseException):
    """Raised in the reader's code when TIME_LIMIT has passed. A
    BaseException, so that an ``except Exception`` in that code does not
    swallow it."""


@contextlib.contextmanager
def _time_limit(seconds):
    """Raise _TimeIsUp in the code that runs inside after ``seconds``.
    Signals exist only on Unix and only in the main thread; elsewhere there
    is no limit (a kernel can always be interrupted by hand)."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def time_is_up(signum, frame):
        raise _TimeIsUp

    previous = signal.signal(signal.SIGALRM, time_is_up)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class Exercise:
    """One exercise of a notebook.

    id: "NN.k"; title: a few words; prompt: one line, what to do.
    start: the code a notebook cell starts from (a stub to complete).
    answer_name: the name the stub defines (passed to ``check``).
    hint: how to start, shown by ``check(None)``.
    solution_source: reference code; exec'd, it defines ``solution_name``,
    which becomes ``.solution``.
    checker: a function of the answer that returns None when it is right
    and raises ``Wrong("...")`` with the reason when it is not.
    kind: "function" (the answer is a function the check calls) or "value".
    call_as: for functions, how the check calls them, e.g. "f(n, batch_size)".
    mistakes: [(wrong_answer, words)], typical wrong answers; the check of
    each fails and its message contains its words.
    praise: a sentence added to "Correct!", what the right answer shows.
    data: values the exercise gives the reader (or None).
    """

    def __init__(self, id, title, prompt, *, start, answer_name, hint, solution_source, solution_name,
                 checker, kind, call_as=None, mistakes=(), praise="", data=None):
        if kind not in ("function", "value"):
            raise ValueError(f"kind must be 'function' or 'value'; got {kind!r}")
        self.id = id
        self.title = title
        self.prompt = prompt
        self.start = start
        self.answer_name = answer_name
        self.hint = hint
        self.solution_source = solution_source.strip("\n")
        self.solution_name = solution_name
        self.kind = kind
        self.call_as = call_as
        self.mistakes = list(mistakes)
        self.praise = praise
        self.data = data
        self._checker = checker
        self._solution = None

    @property
    def solution(self):
        """The reference answer: what ``solution_source`` defines (run on first use)."""
        if self._solution is None:
            self._solution = _run_solution(self.solution_source, self.solution_name, self.id)
        return self._solution

    @property
    def notebook(self):
        """The notebook number, "04" for "04.2"."""
        return self.id.split(".")[0]

    def how_to_start(self):
        """What check(None) says: what to write, where, and a hint."""
        hint = self.hint[0].upper() + self.hint[1:]
        if self.kind == "function":
            return (f"Write the function `{self.answer_name}` in the cell, then replace None with "
                    f"`{self.answer_name}` (the function itself, no parentheses) and run the cell again. "
                    f"Hint: {hint}.")
        return (f"Replace None in `{self.answer_name} = None` with your answer and run the cell again. "
                f"Hint: {hint}.")

    def check(self, answer):
        """Feedback on ``answer``: passed or not, and a message that says why."""
        if answer is None:
            return Feedback(False, f"**{self.id} not answered yet.** {self.how_to_start()} "
                                   f"Stuck? `show_solution(\"{self.id}\")` prints a solution.")
        try:
            if self.kind == "function":
                _check_callable(self, answer)
            else:
                _check_not_callable(self, answer)
            self._checker(answer)
        except Wrong as wrong:
            return Feedback(False, f"**{self.id} not yet.** {wrong}")
        except Exception as error:  # the check itself tripped over an unusual answer
            return Feedback(False, f"**{self.id} not yet.** The check could not read your answer "
                                   f"({type(error).__name__}: {error}). {_expected_sentence(self)}")
        return Feedback(True, f"**{self.id} correct!** {self.praise}".rstrip())

    def __repr__(self):
        return f"Exercise({self.id!r}: {self.prompt})"


def _run_solution(source, name, exercise_id):
    namespace = {"np": np}
    exec(compile(source, f"<solution {exercise_id}>", "exec"), namespace)
    return namespace[name]


def _expected_sentence(exercise):
    if exercise.kind == "function":
        return f"It expects a function that it calls as `{exercise.call_as}`."
    return "It expects a value: " + exercise.hint + "."


def _describe(value):
    """A short description of a value for a sentence: 'a list of 3 items'."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    if isinstance(value, (list, tuple)):
        return f"a {type(value).__name__} of {len(value)} item{'s' if len(value) != 1 else ''}"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, bool):
        return f"{value}"
    if isinstance(value, numbers.Number):
        return f"the number {value!r}"
    return f"a {type(value).__name__}"


def _check_callable(exercise, answer):
    if not callable(answer):
        raise Wrong(f"This exercise wants your function itself, `{exercise.answer_name}`, without parentheses "
                    f"(the check calls it as `{exercise.call_as}`); you gave {_describe(answer)}.")


def _check_not_callable(exercise, answer):
    if callable(answer):
        raise Wrong(f"This exercise wants a value ({exercise.hint}), and you gave a function: "
                    "call it and pass its result.")


# --- running the reader's code ---------------------------------------------------------------------


def _is_library_file(filename):
    path = os.path.abspath(filename)
    return path.startswith(_NNLIB_DIR + os.sep) or path.startswith(_NUMPY_DIR + os.sep) or "site-packages" in path \
        or path.startswith(os.path.dirname(os.__file__) + os.sep)


def where_it_failed(error):
    """A sentence naming the reader's line an exception came from.

    The traceback is walked from the outside in; the reader's frame is the
    last one not in nnlib, numpy or the standard library (a notebook cell
    is a file such as /tmp/ipykernel_42/123.py, with the cell's lines).
    """
    frames, frame = _readers_frame(error)
    what = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    if frame is None:
        return f"it raised {what}"
    sentence = f"it raised {what}, {_at(frame)}"
    if frame is not frames[-1]:
        inner = frames[-1]
        module = "numpy" if os.path.abspath(inner.filename).startswith(_NUMPY_DIR) else (
            "nnlib" if os.path.abspath(inner.filename).startswith(_NNLIB_DIR) else "a library")
        sentence += f" (the error came from inside {module}, called from that line)"
    return sentence


def where_it_was(error):
    """The reader's line ``error`` was raised in, as "at line 3 of `f`: `while n > 0:`" ("" if none)."""
    _frames, frame = _readers_frame(error)
    return "" if frame is None else _at(frame)


def _readers_frame(error):
    """(the traceback's frames outside nnlib.exercises, the reader's last frame or None)."""
    frames = [f for f in traceback.extract_tb(error.__traceback__)
              if not os.path.abspath(f.filename).startswith(_PACKAGE_DIR + os.sep)]
    readers = [f for f in frames if not _is_library_file(f.filename)]
    return frames, (readers[-1] if readers else None)


def _at(frame):
    line = (frame.line or "").strip()
    where = f"line {frame.lineno} of `{frame.name}`" if frame.name != "<module>" else f"line {frame.lineno}"
    return f"at {where}" + (f": `{line}`" if line else "")


def call(function, *args, call_as=None):
    """function(*args), with any exception turned into a ReaderError that
    names the reader's line and the arguments it was called with."""
    try:
        signature = inspect.signature(function)
        signature.bind(*args)
    except TypeError:
        raise Wrong(f"The check calls your function as `{call_as or 'f(...)'}`, with {len(args)} "
                    f"argument{'s' if len(args) != 1 else ''}, but yours is defined as "
                    f"`{getattr(function, '__name__', 'f')}{signature}`.") from None
    except ValueError:  # builtins without a signature: just try
        pass
    try:
        with _time_limit(TIME_LIMIT):
            return function(*args)
    except _TimeIsUp as stopped:
        where = where_it_was(stopped)
        raise ReaderError(f"When the check called your function with {_shown_arguments(call_as, args)}, it had "
                          f"not returned after {TIME_LIMIT} s, so the check stopped it{' ' + where if where else ''}. "
                          f"Is there a loop that never ends, such as a `while` whose condition never turns false?"
                          ) from None
    except Exception as error:
        raise ReaderError(f"When the check called your function with {_shown_arguments(call_as, args)}, "
                          f"{where_it_failed(error)}.") from None


def _shown_arguments(call_as, args):
    """The arguments of a call, as "n = 1000, batch_size = 64" (named when ``call_as`` names them)."""
    names = _argument_names(call_as, len(args))
    return ", ".join(f"{name} = {_short(a)}" if name else _short(a) for name, a in zip(names, args))


def _argument_names(call_as, count):
    """["n", "batch_size"] from "my_batch_sizes(n, batch_size)"; blanks when unknown."""
    if call_as and "(" in call_as:
        names = [name.strip() for name in call_as[call_as.index("(") + 1:call_as.rindex(")")].split(",")]
        if len(names) == count:
            return names
    return [""] * count


def _short(value):
    if callable(value) and hasattr(value, "__name__"):
        return value.__name__
    if isinstance(value, np.ndarray):
        if value.size <= 6:
            return np.array2string(value, separator=", ", precision=4)
        return f"an array of shape {value.shape}"
    if isinstance(value, np.random.Generator):
        return "rng"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


# --- comparing answers ---------------------------------------------------------------------------


def as_number(value, what="your answer"):
    """float(value), or Wrong with a sentence if it is not one number."""
    if isinstance(value, np.ndarray) and value.size == 1:
        value = value.item()
    if isinstance(value, str):
        try:
            float(value)
            raise Wrong(f"{what[0].upper() + what[1:]} is the text {value!r}, not a number: remove the quotes.")
        except ValueError:
            pass
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise Wrong(f"{what[0].upper() + what[1:]} should be one number; it is {_describe(value)}.")
    value = float(value)
    if not math.isfinite(value):
        raise Wrong(f"{what[0].upper() + what[1:]} is {value}, not a finite number.")
    return value


def as_array(value, shape, what="your answer"):
    """value as a float array of the given shape, or Wrong with a sentence."""
    if value is None:
        raise Wrong(f"{what[0].upper() + what[1:]} is None: did you forget `return`?")
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise Wrong(f"{what[0].upper() + what[1:]} should be numbers of shape {shape}; it is {_describe(value)}.") from None
    if array.shape != tuple(shape):
        raise Wrong(f"{what[0].upper() + what[1:]} has shape {array.shape}; expected {tuple(shape)}.")
    if not np.isfinite(array).all():
        raise Wrong(f"{what[0].upper() + what[1:]} contains NaN or infinite values.")
    return array


def close(a, b, rtol=1e-6, atol=1e-9):
    """True when a and b (numbers or arrays of one shape) agree."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol))


def fmt(value):
    """A number or array for a sentence, with 4 significant digits."""
    if isinstance(value, np.ndarray) or isinstance(value, (list, tuple)):
        return np.array2string(np.asarray(value, dtype=np.float64), precision=4, separator=", ", suppress_small=True)
    if float(value).is_integer() and abs(value) < 1e12:
        return f"{int(value)}"
    return f"{value:.4g}"


def number_checker(expected, wrong=(), *, rtol=1e-3, atol=1e-9, integer=False, generic=""):
    """A checker for a number answer.

    expected: the right value. wrong: [(value, message)] for the usual
    wrong values, each recognised within the same tolerance.
    generic: the sentence for any other wrong value.
    """

    def checker(answer):
        value = as_number(answer)
        if integer and value != round(value):
            raise Wrong(f"{fmt(value)} is not a whole number. {generic}")
        if close(value, expected, rtol=rtol, atol=atol):
            return
        for wrong_value, message in wrong:
            if close(value, wrong_value, rtol=rtol, atol=atol):
                raise Wrong(f"{fmt(value)} is not it: {message}")
        if not integer and close(value, expected, rtol=0.02, atol=atol):
            raise Wrong(f"{fmt(value)} is close, but rounded too much: give at least 3 significant digits "
                        "(or let Python compute it and pass the result).")
        raise Wrong(f"{fmt(value)} is not it. {generic}")

    return checker


def register(exercise):
    if exercise.id in EXERCISES:
        raise ValueError(f"exercise id {exercise.id!r} is registered twice")
    EXERCISES[exercise.id] = exercise
    return exercise


def _get(exercise_id):
    if exercise_id not in EXERCISES:
        known = ", ".join(sorted(EXERCISES))
        raise ValueError(f"exercise_id {exercise_id!r} is not an exercise; expected one of: {known}")
    return EXERCISES[exercise_id]


def check(exercise_id, answer):
    """Check ``answer`` to exercise ``exercise_id`` ("04.1"); returns Feedback.

    None means "not answered yet": the feedback says how to start.
    """
    return _get(exercise_id).check(answer)


def show_solution(exercise_id):
    """Print the reference solution of an exercise."""
    exercise = _get(exercise_id)
    print(f"# Exercise {exercise.id}: {exercise.title}\n# {exercise.prompt}\n")
    print(exercise.solution_source)


def exercises_of(notebook):
    """The exercises of one notebook ("04" or 4), in order."""
    notebook = f"{int(notebook):02d}"
    return [e for key, e in sorted(EXERCISES.items()) if e.notebook == notebook]


def solutions_markdown():
    """Every exercise with its solution and the mistakes its check names,
    as one markdown page for teachers (nnlib/exercises/SOLUTIONS.md)."""
    lines = ["# Solutions to the exercises", "",
             "For teachers. Generated by `python -m nnlib.exercises --solutions > nnlib/exercises/SOLUTIONS.md`;",
             "the exercises themselves are in `nnlib/exercises/nbNN.py`. In a notebook a reader checks an answer",
             "with `check(\"04.1\", my_answer)` and reveals a solution with `show_solution(\"04.1\")`.", ""]
    notebook = None
    for exercise in (EXERCISES[key] for key in sorted(EXERCISES)):
        if exercise.notebook != notebook:
            notebook = exercise.notebook
            lines += [f"## Notebook {notebook}", ""]
        kind = "write a function" if exercise.kind == "function" else "compute a value"
        lines += [f"### {exercise.id} · {exercise.title} ({kind})", "", exercise.prompt, "",
                  "```python", exercise.solution_source, "```", ""]
        if exercise.mistakes:
            lines.append("The check recognises these mistakes:")
            lines += [f"- {_mistake_line(wrong, words)}" for wrong, words in exercise.mistakes]
            lines.append("")
    return "\n".join(lines)


def _mistake_line(wrong, words):
    if callable(wrong):
        doc = inspect.getdoc(wrong) or wrong.__name__
        return f"{doc} → “…{words}…”"
    if isinstance(wrong, (numbers.Real, np.ndarray, list)) and not isinstance(wrong, bool):
        try:
            return f"`{fmt(wrong)}` → “…{words}…”"
        except (TypeError, ValueError):
            pass
    return f"`{wrong!r}` → “…{words}…”"
