"""The machinery of the exercises: Feedback, Exercise, the registry, and
the helpers that run a reader's function and turn what goes wrong into a
sentence.

A check never shows a bare traceback. An exception raised in the reader's
code (exit() included) is caught and reported with the line that failed; an
answer of the wrong type or shape gets a sentence saying what was expected.
A reader's function that does not return within TIME_LIMIT seconds (a loop
that never ends) is stopped and reported the same way, where the operating
system allows it (Linux and macOS, in the kernel's main thread).

Every call of a reader's function goes through ``call``, which hands it
copies of the data arguments and names any it changed in place, so that no
check judges an answer from data the answer has changed. Exercises whose
answers draw random numbers use ``check_rng_is_used``. ``check`` finds an
id as a reader types it ("4.1", " 04.1") and answers an unknown id with a
sentence; a Feedback is true exactly when the answer passed.
"""

import contextlib
import contextvars
import copy
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
    Its truth is ``passed``: ``assert check("04.1", f)`` fails a wrong answer.
    """

    def __init__(self, passed, message):
        self.passed = bool(passed)
        self.message = str(message)

    def __bool__(self):
        return self.passed

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
    inputs: for functions, {argument name: what the caller loses if the
    reader's function changes that argument in place}, a clause such as
    "the caller's labels no longer match its images" (see ``call``).
    """

    def __init__(self, id, title, prompt, *, start, answer_name, hint, solution_source, solution_name,
                 checker, kind, call_as=None, mistakes=(), praise="", data=None, inputs=None):
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
        self.inputs = dict(inputs or {})
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
        token = _CURRENT.set(self)
        try:
            if self.kind == "function":
                _check_callable(self, answer)
            else:
                _check_not_callable(self, answer)
            self._checker(answer)
        except Wrong as wrong:
            return Feedback(False, f"**{self.id} not yet.** {wrong}")
        except SystemExit as stop:  # exit() in code of the reader's that runs outside `call` (an object's method)
            return Feedback(False, f"**{self.id} not yet.** Your answer called {_exit_words(stop)}: "
                                   f"{_EXIT_ADVICE} {_expected_sentence(self)}")
        except Exception as error:  # the check itself tripped over an unusual answer
            return Feedback(False, f"**{self.id} not yet.** The check could not read your answer "
                                   f"({type(error).__name__}: {error}). {_expected_sentence(self)}")
        finally:
            _CURRENT.reset(token)
        return Feedback(True, f"**{self.id} correct!** {self.praise}".rstrip())

    def __repr__(self):
        return f"Exercise({self.id!r}: {self.prompt})"


# The exercise whose check is running: ``call`` reads its ``inputs`` to say what a changed argument costs.
_CURRENT = contextvars.ContextVar("current_exercise", default=None)


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
    """function(*args), run on copies of the arguments that hold data.

    Any exception is turned into a ReaderError that names the reader's line
    and the arguments it was called with. Afterwards every data argument
    (array, list, tuple, dict, set) is compared with the copy kept aside:
    if the reader's function changed one in place, Wrong names it and says
    what the caller loses. The check's own arrays are never touched, so it
    judges the answer from the data it meant to give. Functions, generators
    (``rng`` must advance) and objects such as a model are passed as they are.
    """
    try:
        signature = inspect.signature(function)
        signature.bind(*args)
    except TypeError:
        raise Wrong(f"The check calls your function as `{call_as or 'f(...)'}`, with {len(args)} "
                    f"argument{'s' if len(args) != 1 else ''}, but yours is defined as "
                    f"`{getattr(function, '__name__', 'f')}{signature}`.") from None
    except ValueError:  # builtins without a signature: just try
        pass
    given = [copy.deepcopy(a) if _holds_data(a) else a for a in args]
    try:
        with _time_limit(TIME_LIMIT):
            returned = function(*given)
    except _TimeIsUp as stopped:
        where = where_it_was(stopped)
        raise ReaderError(f"When the check called your function with {_shown_arguments(call_as, args)}, it had "
                          f"not returned after {TIME_LIMIT} s, so the check stopped it{' ' + where if where else ''}. "
                          f"Is there a loop that never ends, such as a `while` whose condition never turns false?"
                          ) from None
    except SystemExit as stop:
        where = where_it_was(stop)
        raise ReaderError(f"When the check called your function with {_shown_arguments(call_as, args)}, it called "
                          f"{_exit_words(stop)}{' ' + where if where else ''}: {_EXIT_ADVICE}") from None
    except Exception as error:
        raise ReaderError(f"When the check called your function with {_shown_arguments(call_as, args)}, "
                          f"{where_it_failed(error)}.") from None
    names = _argument_names(call_as, len(args))
    for position, (name, original, passed) in enumerate(zip(names, args, given)):
        if passed is not original and not _same(original, passed):
            raise Wrong(_changed_sentence(name or f"argument {position + 1}", original, passed))
    return returned


_EXIT_ADVICE = ("a function hands its answer back with `return`; `exit()` and `sys.exit()` are for ending a whole "
                "program, and they left the check with no answer to judge.")


def _exit_words(stop):
    code = "" if stop.code is None else f" with {stop.code!r}"
    return f"`exit()` or `sys.exit()`{code} (it raised SystemExit)"


# --- arguments changed in place --------------------------------------------------------------------


def _holds_data(value):
    """True for the arguments the check copies and compares: arrays and containers."""
    return isinstance(value, (np.ndarray, list, tuple, dict, set))


def _same(a, b):
    """True when b still equals a: same type, shape, dtype and values (NaN equal to NaN)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, np.ndarray):
        if a.shape != b.shape or a.dtype != b.dtype:
            return False
        try:
            return bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
        except TypeError:
            return bool(np.array_equal(a, b))
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    try:
        return bool(a == b)
    except Exception:
        return False


def _how_changed(name, before, after):
    """(what the reader's function did to an argument, how to avoid it): ("sorted `y` in place", "...")."""
    copy_first = (f"`{name} = {name}.copy()`" if isinstance(before, np.ndarray) else
                  f"`{name} = list({name})`" if isinstance(before, list) else f"a copy of `{name}`")
    if isinstance(before, np.ndarray) and isinstance(after, np.ndarray) and before.shape == after.shape:
        if before.dtype != after.dtype:
            return (f"changed the type of the numbers in `{name}` in place (from {before.dtype} to {after.dtype})",
                    f"work on a copy ({copy_first} first)")
        try:
            if before.ndim == 1 and np.array_equal(after, np.sort(before)):
                return (f"sorted `{name}` in place",
                        f"`np.sort({name})` returns a sorted copy, where `{name}.sort()` sorts the caller's array")
            if before.ndim >= 1 and np.array_equal(after, before[::-1]):
                return (f"reversed `{name}` in place", f"work on a copy ({copy_first} first)")
            if before.ndim >= 1 and before.size and np.array_equal(_sorted_rows(after), _sorted_rows(before)):
                rows = "the rows of " if before.ndim > 1 else ""
                return (f"shuffled {rows}`{name}` in place",
                        f"`rng.permutation({name})` returns a shuffled copy, where `rng.shuffle({name})` shuffles "
                        "the caller's array")
        except TypeError:
            pass
        changed = np.argwhere(~((before == after) | ((before != before) & (after != after))))
        where = tuple(int(i) for i in changed[0]) if changed.size else ()
        entry = f"[{', '.join(map(str, where))}]" if where else ""
        example = (f" (entry {entry} was {fmt(before[where])} and is now {fmt(after[where])})"
                   if where and before.dtype.kind in "iuf" else "")
        count = ("" if before.size == 1 else f"all {before.size} entries of " if len(changed) == before.size
                 else f"{len(changed)} of the {before.size} entries of ")
        return (f"changed {count}`{name}` in place{example}",
                f"arithmetic such as `{name} = {name} * 2` makes a new array, where `{name} *= 2` or "
                f"`{name}[...] = ...` writes into the caller's; or work on a copy ({copy_first} first)")
    if isinstance(before, np.ndarray):
        return (f"changed the shape of `{name}` in place (from {before.shape} to {np.shape(after)})",
                f"work on a copy ({copy_first} first)")
    if isinstance(before, list) and isinstance(after, list):
        if len(after) > len(before) and _same(before, after[:len(before)]):
            return (f"appended to `{name}` in place",
                    f"`{name} + [item]` makes a new list, where `{name}.append(item)` grows the caller's")
        if len(after) < len(before):
            return (f"removed items from `{name}`", f"work on a copy ({copy_first} first) or slice it: "
                                                    f"`{name}[1:]` is a new list")
        try:
            if after == sorted(before):
                return (f"sorted `{name}` in place",
                        f"`sorted({name})` returns a sorted copy, where `{name}.sort()` sorts the caller's list")
            if after == before[::-1]:
                return (f"reversed `{name}` in place",
                        f"`{name}[::-1]` is a reversed copy, where `{name}.reverse()` reverses the caller's list")
        except TypeError:
            pass
    return f"changed `{name}` in place", f"work on a copy ({copy_first} first)"


def _sorted_rows(array):
    """The rows of an array (its entries, if 1-D) in sorted order: equal for two arrays whose rows are the
    same up to their order."""
    rows = array.reshape(len(array), -1)
    return rows[np.lexsort(rows.T[::-1])]


def _changed_sentence(name, before, after):
    exercise = _CURRENT.get()
    loss = (exercise.inputs.get(name) if exercise is not None else None) or (
        f"the caller's `{name}` is no longer what it passed, and whatever it does next with it uses changed data")
    what, advice = _how_changed(name, before, after)
    return (f"Your function {what}: {loss}. A function should leave its arguments as it found them and return "
            f"what it computes: {advice}.")


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
    text = None if isinstance(value, (str, bytes)) else _first_text(value)
    if text is not None:
        raise Wrong(f"{what[0].upper() + what[1:]} holds text such as {text!r}, not numbers"
                    f"{': remove the quotes' if _looks_numeric(text) else ''}.")
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise Wrong(f"{what[0].upper() + what[1:]} should be numbers of shape {shape}; it is {_describe(value)}.") from None
    if array.shape != tuple(shape):
        raise Wrong(f"{what[0].upper() + what[1:]} has shape {array.shape}; expected {tuple(shape)}.")
    if not np.isfinite(array).all():
        raise Wrong(f"{what[0].upper() + what[1:]} contains NaN or infinite values.")
    return array


def _looks_numeric(text):
    try:
        float(text)
        return True
    except (TypeError, ValueError):
        return False


def _first_text(value):
    """The first str or bytes item of an array, list or tuple (nested), or None."""
    if isinstance(value, (str, bytes)):
        return str(value)
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "US":
            return str(value.ravel()[0]) if value.size else None
        if value.dtype.kind != "O":
            return None
        value = value.ravel().tolist()
    if isinstance(value, (list, tuple)):
        for item in value:
            found = _first_text(item)
            if found is not None:
                return found
    return None


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


def _rng_state(rng):
    """What drawing from a generator changes: its bit generator's state, and the children spawned from it
    (``rng.spawn(k)`` draws nothing, yet makes the children depend on the generator)."""
    seed_seq = getattr(rng.bit_generator, "seed_seq", None)
    return copy.deepcopy(rng.bit_generator.state), getattr(seed_seq, "n_children_spawned", None)


def check_rng_is_used(run, same, *, what, seeds=(0, 1), inspect=None):
    """Wrong unless the reader's function draws its randomness from the rng it is given.

    run(rng): calls the reader's function with that generator and returns
    its result (read into a form ``same`` compares); same(a, b): True when
    two results count as the same (for a split, the same sets of examples).
    inspect(result): the exercise's own checks of the first result, run
    before the ones below, which follow in this order: the generator given
    is advanced (a function that draws from np.random or from a generator
    of its own leaves it untouched); the same seed gives the same result
    (the run can be repeated); two seeds give different results (a fixed
    seed inside the function, or a result that ignores the random numbers
    it drew). Returns the result for seeds[0].
    what: the result in words, "split", "order of the examples".
    """
    rng = np.random.default_rng(seeds[0])
    state = _rng_state(rng)
    first = run(rng)
    if inspect is not None:
        inspect(first)
    if _rng_state(rng) == state:
        raise Wrong(f"Your function did not draw a single number from the `rng` it was given: the {what} must "
                    "come from that generator (`rng.permutation(...)`, `rng.integers(...)`), not from `np.random` "
                    "or from a generator made inside your function, so that the caller's seed decides the "
                    "result and a run can be repeated.")
    if not same(first, run(np.random.default_rng(seeds[0]))):
        raise Wrong(f"Two calls with the same seed gave a different {what}: draw every random number from the "
                    "`rng` argument, not from `np.random`, so that a run can be repeated.")
    if same(first, run(np.random.default_rng(seeds[1]))):
        raise Wrong(f"Two generators with different seeds gave the same {what}: your result does not depend on the "
                    "`rng` it is given (a fixed seed inside the function, or random numbers drawn and then not "
                    "used). Let every random choice come from `rng`.")
    return first


def register(exercise):
    if exercise.id in EXERCISES:
        raise ValueError(f"exercise id {exercise.id!r} is registered twice")
    EXERCISES[exercise.id] = exercise
    return exercise


def find(exercise_id):
    """(the exercise, None) for an id such as "04.1", or (None, a sentence saying why not).

    Forgiving as a reader types: spaces around it, a missing leading zero
    ("4.1"), a comma for the dot, a number (4.1) all find "04.1". For an id
    that is not an exercise the sentence lists the ids of that notebook.
    """
    if isinstance(exercise_id, bool) or not isinstance(exercise_id, (str, numbers.Real)):
        return None, ("`check` takes the exercise's id first, as text, then your answer: "
                      f"`check(\"04.1\", my_answer)`; the id you gave is {_describe(exercise_id)}.")
    text = str(exercise_id).strip().strip("'\"").strip()
    match = re.fullmatch(r"(\d{1,2})\s*[.,]\s*0*(\d{1,2})", text)
    if match:
        key = f"{int(match[1]):02d}.{int(match[2])}"
        if key in EXERCISES:
            return EXERCISES[key], None
    notebook = f"{int(match[1]):02d}" if match else (f"{int(text):02d}" if text.isdigit() else None)
    known = [e.id for e in exercises_of(notebook)] if notebook and notebook.isdigit() else []
    if known:
        return None, (f"There is no exercise {text!r}: the exercises of notebook {notebook} are "
                      f"{_and_list(known)}.")
    notebooks = sorted({e.notebook for e in EXERCISES.values()})
    return None, (f"There is no exercise {text!r}. Exercise ids are the notebook's number and the exercise's, "
                  f"such as \"04.1\"; the notebooks with exercises are {_and_list(notebooks)}.")


def _and_list(items):
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def check(exercise_id, answer=None):
    """Check ``answer`` to exercise ``exercise_id`` ("04.1"); returns Feedback.

    None (or no answer) means "not answered yet": the feedback says how to start. An id
    that is not an exercise gets a Feedback that lists the notebook's ids.
    """
    exercise, why_not = find(exercise_id)
    if exercise is None:
        return Feedback(False, f"**Not an exercise id.** {why_not}")
    return exercise.check(answer)


def show_solution(exercise_id):
    """Print the reference solution of an exercise (or why there is none for that id)."""
    exercise, why_not = find(exercise_id)
    if exercise is None:
        print(why_not)
        return
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
        doc = " ".join((inspect.getdoc(wrong) or wrong.__name__).split())  # one line of the list
        return f"{doc} → “…{words}…”"
    if isinstance(wrong, (numbers.Real, np.ndarray, list)) and not isinstance(wrong, bool):
        try:
            return f"`{fmt(wrong)}` → “…{words}…”"
        except (TypeError, ValueError):
            pass
    return f"`{wrong!r}` → “…{words}…”"
