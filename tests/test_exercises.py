"""nnlib.exercises: every exercise's solution passes its check, "not answered"
says how to start, every anticipated mistake is named, and an answer that
raises is reported as a sentence with the reader's line, never a traceback.
Also tools/exercise_cells.py (on copies) and the notebooks' Exercises sections."""

import glob
import json
import os
import re
import signal
import subprocess
import sys

import numpy as np
import pytest

import nnlib
from nnlib.exercises import EXERCISES, Exercise, Feedback, check, exercises_of, show_solution, solutions_markdown
from nnlib.exercises import _core

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
IDS = sorted(EXERCISES)
FUNCTION_IDS = [key for key in IDS if EXERCISES[key].kind == "function"]
VALUE_IDS = [key for key in IDS if EXERCISES[key].kind == "value"]
MISTAKES = [(key, i) for key in IDS for i in range(len(EXERCISES[key].mistakes))]


# --- the registry ------------------------------------------------------------------------------------


def test_three_exercises_per_notebook_and_one_function_each():
    numbered = sorted(int(os.path.basename(path)[:2]) for path in NOTEBOOKS)  # every notebook of the series
    assert numbered, "no notebooks found"
    for notebook in numbered:
        exercises = exercises_of(notebook)
        assert len(exercises) >= 3, f"notebook {notebook:02d} has {len(exercises)} exercises"
        assert any(e.kind == "function" for e in exercises), f"notebook {notebook:02d}: no write-a-function exercise"


@pytest.mark.parametrize("key", IDS)
def test_contract_fields(key):
    exercise = EXERCISES[key]
    assert isinstance(exercise, Exercise)
    assert re.fullmatch(r"(0[1-9]|1[0-9])\.[1-9]", key) and exercise.id == key
    assert exercise.prompt and "\n" not in exercise.prompt
    assert exercise.mistakes, "every exercise anticipates at least one mistake"
    assert all(isinstance(words, str) and words for _, words in exercise.mistakes)


# --- what every check must do ------------------------------------------------------------------------


@pytest.mark.parametrize("key", IDS)
def test_solution_passes(key):
    feedback = check(key, EXERCISES[key].solution)
    assert isinstance(feedback, Feedback)
    assert feedback.passed, feedback.message
    assert "correct" in feedback.message


@pytest.mark.parametrize("key", IDS)
def test_none_is_not_answered_and_says_how_to_start(key):
    exercise = EXERCISES[key]
    feedback = check(key, None)
    assert not feedback.passed
    assert "not answered yet" in feedback.message
    assert exercise.answer_name in feedback.message  # what to write, or where to put the answer
    assert f'show_solution("{key}")' in feedback.message


@pytest.mark.parametrize("key, index", MISTAKES)
def test_each_anticipated_mistake_fails_with_its_words(key, index):
    wrong, words = EXERCISES[key].mistakes[index]
    feedback = check(key, wrong)
    assert not feedback.passed
    assert words in feedback.message, feedback.message


@pytest.mark.parametrize("key", FUNCTION_IDS)
def test_an_answer_that_raises_is_a_sentence_naming_the_line(key):
    def my_answer(*args):
        scale = 1.0
        return scale / 0  # the line the message must show

    feedback = check(key, my_answer)
    assert not feedback.passed
    assert "Traceback" not in feedback.message
    assert "ZeroDivisionError" in feedback.message
    assert "return scale / 0" in feedback.message
    assert "my_answer" in feedback.message


@pytest.mark.parametrize("key", FUNCTION_IDS)
def test_an_answer_that_never_returns_is_stopped_and_its_loop_named(key, monkeypatch):
    monkeypatch.setattr(_core, "TIME_LIMIT", 0.2)

    def my_answer(*args):
        n = 0
        while n >= 0:  # the line the message must show
            # Not `try:` first: Python 3.10 runs no signal handler just before
            # a `try:`, so there a loop whose body starts with one never stops.
            n += 1
            try:
                n += 1
            except Exception:  # must not swallow the time limit
                pass

    feedback = check(key, my_answer)
    assert not feedback.passed
    assert "Traceback" not in feedback.message
    assert "it had not returned after 0.2 s, so the check stopped it at line" in feedback.message
    assert "of `my_answer`" in feedback.message
    assert "loop that never ends" in feedback.message
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)  # no alarm left behind
    assert signal.getsignal(signal.SIGALRM) is signal.SIG_DFL


def test_a_check_in_another_thread_runs_without_a_time_limit():
    # Signals are for the main thread only: elsewhere the check runs as before.
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(1) as thread:
        feedback = thread.submit(check, FUNCTION_IDS[0], EXERCISES[FUNCTION_IDS[0]].solution).result()
    assert feedback.passed


@pytest.mark.parametrize("key", FUNCTION_IDS)
def test_a_function_with_the_wrong_arguments_is_told_how_it_is_called(key):
    def my_answer(only_one):
        return None

    feedback = check(key, my_answer)
    assert not feedback.passed
    assert EXERCISES[key].call_as in feedback.message
    assert "my_answer(only_one)" in feedback.message


@pytest.mark.parametrize("key", FUNCTION_IDS)
def test_a_function_that_returns_nothing_fails_in_words(key):
    def my_answer(*args):
        pass

    feedback = check(key, my_answer)
    assert not feedback.passed
    assert "Traceback" not in feedback.message and len(feedback.message) > 40


@pytest.mark.parametrize("key", FUNCTION_IDS)
def test_a_value_where_a_function_is_expected(key):
    feedback = check(key, [1, 2, 3])
    assert not feedback.passed
    assert "without parentheses" in feedback.message and "a list of 3 items" in feedback.message


@pytest.mark.parametrize("key", VALUE_IDS)
def test_answers_of_the_wrong_type_get_a_sentence(key):
    for answer in ["abc", {"a": 1}, len, float("nan")]:
        feedback = check(key, answer)
        assert not feedback.passed
        assert "Traceback" not in feedback.message and len(feedback.message) > 30


def test_a_number_given_as_text_is_told_to_drop_the_quotes():
    assert "remove the quotes" in check("04.3", "400").message


def test_an_array_where_a_number_is_expected():
    assert "one number" in check("04.3", np.array([400, 400])).message
    assert check("04.3", np.array([400])).passed  # a one-element array is fine


def test_a_numpy_scalar_answer_passes():
    assert check("04.3", np.int64(400)).passed
    assert check("06.3", np.float32(0.0294)).passed


# --- feedback on mistakes the list does not name -----------------------------------------------------


def test_unanticipated_wrong_answers_still_say_what_was_expected():
    feedback = check("04.1", lambda n, batch_size: [batch_size] * 3)
    assert not feedback.passed and "expected" in feedback.message and "add up to" in feedback.message
    feedback = check("02.1", lambda f, x, h: (f(x + h) - f(x - h)) / (3 * h))
    assert not feedback.passed and "(f(x + h) - f(x - h)) / (2 * h)" in feedback.message


def test_tanh_backward_slightly_off_fails_the_gradient_check():
    feedback = check("02.3", lambda u, a, grad_a: grad_a * (1 - a**2) * 1.01)
    assert not feedback.passed
    assert "gradient check" in feedback.message


def test_tanh_backward_written_with_cosh_passes():
    assert check("02.3", lambda u, a, grad_a: grad_a / np.cosh(u) ** 2).passed


def test_training_loop_that_zeroes_through_the_model_passes():
    def my_train(model, loss, optimizer, x, y, updates):
        losses = []
        for _ in range(updates):
            model.zero_grad()
            losses.append(loss.forward(model.forward(x), y))
            model.backward(loss.backward())
            optimizer.step()
        return losses

    assert check("01.3", my_train).passed


def test_training_loop_with_too_few_updates():
    def my_train(model, loss, optimizer, x, y, updates):
        losses = []
        for _ in range(updates - 1):
            optimizer.zero_grad()
            losses.append(loss.forward(model.forward(x), y))
            model.backward(loss.backward())
            optimizer.step()
        return losses

    feedback = check("01.3", my_train)
    assert not feedback.passed and "was called 29 times" in feedback.message


def test_validation_pass_with_nnlib_evaluate_passes():
    assert check("08.2", lambda model, loss, x, y: nnlib.evaluate(model, loss, x, y)).passed


def test_validation_pass_that_trains_is_caught():
    def my_validation_pass(model, loss, x_val, y_val):
        optimizer = nnlib.SGD(model.parameters(), lr=0.1)
        value = loss.forward(model.forward(x_val), y_val)
        model.backward(loss.backward())
        optimizer.step()
        return value, 0.5

    feedback = check("08.2", my_validation_pass)
    assert not feedback.passed and "changed the model's parameters" in feedback.message


def test_ridge_matches_least_squares_when_it_exists():
    capacity = pytest.importorskip("nnlib.capacity")
    rng = np.random.default_rng(0)
    features, y = rng.normal(size=(30, 5)), rng.normal(size=30)
    for l2 in (0.0, 0.01, 1.0):
        np.testing.assert_allclose(EXERCISES["07.1"].solution(features, y, l2),
                                   capacity.least_squares(features, y, l2=l2), rtol=1e-6, atol=1e-9)


def test_momentum_solution_matches_sgd():
    p0, g = np.array([1.0, -2.0, 0.5]), np.array([0.3, -1.0, 2.0])
    parameter = nnlib.Parameter("p", p0.copy())
    optimizer = nnlib.SGD([parameter], lr=0.1, momentum=0.9)
    p, v = p0.copy(), np.zeros(3)
    for _ in range(3):
        parameter.grad[...] = g
        optimizer.step()
        p, v = EXERCISES["05.1"].solution(p, v, g, 0.1, 0.9)
    np.testing.assert_allclose(parameter.value, p)


def test_the_numbers_in_the_value_exercises():
    # 03.3: 2 / the steep curvature of this data, as notebook 03 computes it
    from nnlib.surfaces import LineData

    x, y = nnlib.make_line(1000, w=2.0, b=1.0, noise=0.5, x_range=(0.0, 1.0), rng=0)
    assert EXERCISES["03.3"].solution == pytest.approx(2 / LineData.from_arrays(x, y).curvatures()[1])
    # 04.3: counted with nnlib's own batches
    assert EXERCISES["04.3"].solution == 10 * len(nnlib.batch_indices(1257, 32, rng=0))
    # 05.3: momentum on a parabola of curvature 4 converges just below 0.95 and diverges just above
    def distance(lr, steps=3000):
        w, v = 1.0, 0.0
        for _ in range(steps):
            v = 0.9 * v + 4.0 * w
            w -= lr * v
        return abs(w)

    assert distance(0.94) < 1e-10 and distance(0.96) > 1e10
    # 07.2: the degree of the lowest validation error
    data = EXERCISES["07.2"].data
    assert EXERCISES["07.2"].solution == data["degrees"][int(np.argmin(data["val_error"]))] == 3


# --- showing solutions, and the page for teachers ----------------------------------------------------


def test_show_solution_prints_the_reference_code(capsys):
    show_solution("04.1")
    out = capsys.readouterr().out
    assert "def my_batch_sizes(n, batch_size):" in out and "divmod" in out


def test_an_unknown_id_is_a_sentence_listing_the_notebooks_ids(capsys):
    feedback = check("04.9", None)
    assert not feedback.passed and not feedback
    assert "'04.9'" in feedback.message and "04.1, 04.2 and 04.3" in feedback.message
    show_solution("4.9")
    out = capsys.readouterr().out
    assert "'4.9'" in out and "04.1, 04.2 and 04.3" in out and "def " not in out


def test_feedback_shows_as_its_message():
    feedback = check("04.3", 390)
    assert repr(feedback) == feedback.message.replace("**04.3 not yet.**", "04.3 not yet.")
    assert feedback._repr_html_().count("<b>04.3 not yet.</b>") == 1
    formula = check("02.1", lambda f, x, h: 0.0)  # a message with x**3 in it keeps its stars
    assert "x**3/3 - x" in repr(formula) and "x**3/3 - x" in formula._repr_html_()
    assert "<code>" in check("04.1", None)._repr_html_()


def test_a_value_rounded_too_much_is_told_so():
    assert "rounded too much" in check("09.3", 0.88).message
    assert check("09.3", 0.878).passed


def test_solutions_page_is_up_to_date():
    with open(os.path.join(ROOT, "nnlib", "exercises", "SOLUTIONS.md"), encoding="utf-8") as file:
        committed = file.read()
    assert committed.strip() == solutions_markdown().strip(), (
        "regenerate it: python -m nnlib.exercises --solutions > nnlib/exercises/SOLUTIONS.md")
    for key in IDS:
        assert EXERCISES[key].solution_source in committed


def test_importing_the_exercises_loads_neither_matplotlib_nor_ipywidgets():
    code = ("import sys, json, nnlib.exercises\n"
            "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('matplotlib', 'ipywidgets', 'IPython'))))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert json.loads(result.stdout) == []


# --- tools/exercise_cells.py -------------------------------------------------------------------------


def _tool(*args):
    return subprocess.run([sys.executable, os.path.join(ROOT, "tools", "exercise_cells.py"), *args],
                          capture_output=True, text=True, timeout=120)


def _tiny_notebook(path):
    nbformat = pytest.importorskip("nbformat")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 04 · a copy"),
                                         nbformat.v4.new_code_cell("x = 1"),
                                         nbformat.v4.new_markdown_cell("## Summary")])
    nbformat.write(nb, str(path))


def _cells(path):
    with open(path, encoding="utf-8") as file:
        return json.load(file)["cells"]


def test_tool_writes_tagged_unanswered_cells_and_is_idempotent(tmp_path):
    path = tmp_path / "04_copy.ipynb"
    _tiny_notebook(path)
    assert _tool("--check", str(path)).returncode == 1
    assert _tool(str(path)).returncode == 0
    first = path.read_text(encoding="utf-8")
    cells = _cells(path)
    assert ["".join(c["source"]) for c in cells[:3]] == ["# 04 · a copy", "x = 1", "## Summary"]  # untouched, in order
    added = cells[3:]
    assert all("exercise" in c["metadata"]["tags"] for c in added)
    code = "\n".join("".join(c["source"]) for c in added if c["cell_type"] == "code")
    for exercise in exercises_of("04"):
        assert f'check("{exercise.id}", ' in code
    assert _tool(str(path)).returncode == 0
    assert path.read_text(encoding="utf-8") == first
    assert _tool("--check", str(path)).returncode == 0


def test_tool_replaces_its_section_where_it_stands(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    path = tmp_path / "04_copy.ipynb"
    _tiny_notebook(path)
    _tool(str(path))
    nb = nbformat.read(str(path), as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell("## After the exercises"))  # the lead moves things around
    nb.cells[4].source += "\n# an edit a re-run must undo"
    nbformat.write(nb, str(path))
    assert _tool("--check", str(path)).returncode == 1
    _tool(str(path))
    sources = ["".join(c["source"]) for c in _cells(path)]
    assert sources[-1] == "## After the exercises"
    assert not any("an edit a re-run must undo" in s for s in sources)
    assert sum(s.startswith("## Exercises") for s in sources) == 1


def test_generated_code_cells_run_and_show_not_answered(tmp_path):
    """What nbval will see: each code cell, run in order, ends in a Feedback that is not answered yet."""
    path = tmp_path / "09_copy.ipynb"
    _tiny_notebook(path)
    _tool(str(path))
    namespace = {}
    shown = []
    for cell in _cells(path):
        if cell["cell_type"] != "code" or "exercise" not in cell["metadata"].get("tags", []):
            continue
        source = "".join(cell["source"])
        *body, last = source.rstrip().split("\n")
        if not last.startswith("check("):
            exec(source, namespace)
            continue
        exec("\n".join(body), namespace)
        shown.append(eval(last.split("  #")[0], namespace))
    assert len(shown) == len(exercises_of("09"))
    assert all(not f.passed and "not answered yet" in f.message for f in shown)


# --- the notebooks reference their exercises ---------------------------------------------------------

NOTEBOOKS = sorted(glob.glob(os.path.join(ROOT, "notebooks", "[0-9][0-9]_*.ipynb")))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[os.path.basename(p)[:2] for p in NOTEBOOKS])
def test_notebook_checks_each_of_its_exercises_unanswered(path):
    cells = _cells(path)
    section = [c for c in cells if "exercise" in c.get("metadata", {}).get("tags", [])]
    if not section:
        pytest.skip("no Exercises section yet: run tools/exercise_cells.py on it, then execute it")
    notebook = os.path.basename(path)[:2]
    code = "\n".join("".join(c["source"]) for c in section if c["cell_type"] == "code")
    outputs = json.dumps([c.get("outputs", []) for c in section])
    for exercise in exercises_of(notebook):
        assert f'check("{exercise.id}", ' in code, f"{exercise.id} is not checked in {os.path.basename(path)}"
        assert f"{exercise.id} not answered yet" in outputs, f"{exercise.id}: execute the notebook after the tool"
    assert _tool("--check", path).returncode == 0, "the section is stale: run tools/exercise_cells.py again"


def test_margin_matches_nnlib_splits_when_it_exists():
    splits = pytest.importorskip("nnlib.splits")
    assert EXERCISES["06.3"].solution == pytest.approx(splits.accuracy_margin(0.9, 400))


JUNK = [None, 0, "x", [], [[1]], {}, np.zeros((2, 2)), (1, 2, 3), [None, None], float("nan"), object()]


@pytest.mark.parametrize("key", FUNCTION_IDS)
def test_functions_returning_junk_get_sentences(key):
    for junk in JUNK:
        feedback = check(key, lambda *args, junk=junk: junk)
        assert not feedback.passed, junk
        assert "Traceback" not in feedback.message and len(feedback.message) > 40, (junk, feedback.message)
