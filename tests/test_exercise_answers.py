"""nnlib.exercises, judged as a learner would answer (issue 19, section 7):
a function that changes its arguments in place is caught and the argument
named; the ids a reader types are understood; a Feedback is as true as its
verdict; exit() in a reader's function is reported; and correct answers
written in other ways than the reference solution pass."""

import sys

import numpy as np
import pytest

from nnlib.exercises import EXERCISES, check, show_solution
from nnlib.exercises import _core

FUNCTION_IDS = sorted(key for key in EXERCISES if EXERCISES[key].kind == "function")


# --- the guard: arguments changed in place ------------------------------------------------------------


def _data_arguments(key):
    """[(position, name)] of the arguments the check passes that hold data (arrays, lists, ...)."""
    exercise = EXERCISES[key]
    seen = []

    def spy(*args):
        seen.append(args)
        return exercise.solution(*args)

    check(key, spy)
    names = _core._argument_names(exercise.call_as, len(seen[0]))
    return [(i, names[i]) for i, a in enumerate(seen[0]) if _core._holds_data(a)]


def _spoil(value):
    """Change an argument in place, as a careless answer would."""
    if isinstance(value, np.ndarray):
        value += 1
    elif isinstance(value, list):
        value.append(value[-1] if value else 0.0)
    elif isinstance(value, dict):
        value["spoiled"] = True
    else:
        raise AssertionError(f"no way to spoil {value!r}")


GUARDED = [(key, position, name) for key in FUNCTION_IDS for position, name in _data_arguments(key)]


def test_every_function_exercise_with_data_arguments_is_guarded():
    # the exercises issue 19 names, and every other one that passes data
    guarded = {key for key, _, _ in GUARDED}
    assert {"01.3", "02.3", "03.1", "05.1", "06.2", "07.1", "08.1", "08.2"} <= guarded


@pytest.mark.parametrize("key, position, name", GUARDED)
def test_a_right_answer_that_changes_an_argument_fails_and_names_it(key, position, name):
    solution = EXERCISES[key].solution

    def careless(*args):
        result = solution(*args)
        _spoil(args[position])
        return result

    feedback = check(key, careless)
    assert not feedback.passed
    assert f"`{name}`" in feedback.message and "in place" in feedback.message, feedback.message
    assert "leave its arguments as it found them" in feedback.message


def test_sorting_the_labels_in_place_is_named_with_what_it_costs():
    def my_stratified_split(y, test_fraction, rng):
        y.sort()  # in place: the caller's labels are now sorted
        return EXERCISES["06.2"].solution(y, test_fraction, rng)

    feedback = check("06.2", my_stratified_split)
    assert not feedback.passed
    assert "sorted `y` in place: the caller's labels no longer match its images" in feedback.message
    assert "`np.sort(y)`" in feedback.message


def test_shuffling_in_place_and_appending_are_named():
    def my_split(y, test_fraction, rng):
        rng.shuffle(y)
        return EXERCISES["06.2"].solution(y, test_fraction, rng)

    assert "shuffled `y` in place" in check("06.2", my_split).message

    def my_early_stopping(val_losses, patience):
        val_losses.append(float("inf"))  # a sentinel at the end
        return EXERCISES["08.1"].solution(val_losses[:-1], patience)

    feedback = check("08.1", my_early_stopping)
    assert "appended to `val_losses`" in feedback.message and "`val_losses + [item]`" in feedback.message


def test_a_validation_pass_that_centres_the_data_in_place_is_told_so_not_given_numbers_from_changed_data():
    def my_validation_pass(model, loss, x_val, y_val):
        x_val -= x_val.mean(axis=0)  # in place: the caller's validation images change
        scores = model.forward(x_val)
        return loss.forward(scores, y_val), float(np.mean(scores.argmax(axis=1) == y_val))

    feedback = check("08.2", my_validation_pass)
    assert not feedback.passed
    assert "of `x_val` in place" in feedback.message
    assert "Your validation loss is" not in feedback.message


def test_an_in_place_tanh_backward_is_named():
    def my_tanh_backward(x, y, grad_y):
        grad_y *= 1 - y**2
        return grad_y

    feedback = check("02.3", my_tanh_backward)
    assert not feedback.passed and "`grad_y` in place" in feedback.message
    assert "`grad_y *= 2`" in feedback.message


def test_a_momentum_step_that_updates_in_place_is_named():
    def my_momentum_step(p, v, g, lr, m):
        v *= m
        v += g
        p -= lr * v
        return p, v

    feedback = check("05.1", my_momentum_step)
    assert not feedback.passed and "`p` in place" in feedback.message


def test_working_on_copies_passes():
    def my_stratified_split(y, test_fraction, rng):
        labels = y.copy()
        order = np.argsort(labels, kind="stable")
        labels.sort()  # harmless: a copy
        assert np.array_equal(labels, y[order])
        return EXERCISES["06.2"].solution(y, test_fraction, rng)

    def my_momentum_step(p, v, g, lr, m):
        v = v.copy()
        v *= m
        v += g
        return p - lr * v, v

    assert check("06.2", my_stratified_split).passed
    assert check("05.1", my_momentum_step).passed


def test_same_compares_values_types_and_nans():
    same = _core._same
    assert same(np.array([1.0, np.nan]), np.array([1.0, np.nan]))
    assert not same(np.array([1.0, 2.0]), np.array([1.0, 2.5]))
    assert not same(np.array([1, 2]), np.array([1.0, 2.0]))
    assert same([1.0, [2, 3]], [1.0, [2, 3]]) and not same([1.0], [1.0, 2.0])
    assert same((np.zeros(2), 1), (np.zeros(2), 1)) and not same({"a": 1}, {"a": 2})


# --- ids, truthiness, exit() --------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["1.1", " 01.1", "01.1 ", "1,1", "01.01", 1.1])
def test_ids_as_a_reader_types_them_find_the_exercise(typed):
    feedback = check(typed, None)
    assert "01.1 not answered yet" in feedback.message


@pytest.mark.parametrize("typed, listed", [("04.9", "04.1, 04.2 and 04.3"), ("9.7", "09.1, 09.2 and 09.3"),
                                           ("12.1", "01, 02, 03"), ("four", "01, 02, 03"), ("", "01, 02, 03")])
def test_an_unknown_id_is_answered_in_a_sentence(typed, listed):
    feedback = check(typed, None)
    assert not feedback.passed and "Traceback" not in feedback.message
    assert listed in feedback.message, feedback.message


def test_the_answer_given_in_place_of_the_id_is_told_the_order():
    feedback = check(EXERCISES["04.1"].solution, "04.1")
    assert not feedback.passed and 'check("04.1", my_answer)' in feedback.message


def test_show_solution_finds_ids_as_typed(capsys):
    show_solution(" 4.1")
    assert "def my_batch_sizes" in capsys.readouterr().out


def test_feedback_is_as_true_as_its_verdict():
    assert check("04.3", 400) and not check("04.3", 390) and not check("04.3", None)
    with pytest.raises(AssertionError):
        assert check("04.3", 390)


@pytest.mark.parametrize("key", FUNCTION_IDS)
@pytest.mark.parametrize("how", ["sys.exit", "raise SystemExit", "exit()"])
def test_exit_in_a_readers_function_is_reported_not_passed_through(key, how):
    def my_answer(*args):
        if how == "sys.exit":
            sys.exit(1)
        if how == "raise SystemExit":
            raise SystemExit
        exit()  # the line the message must show

    feedback = check(key, my_answer)
    assert not feedback.passed
    assert "SystemExit" in feedback.message and "`return`" in feedback.message
    if how == "exit()":
        assert "exit()  # the line" in feedback.message or "`exit()`" in feedback.message


# --- strings where numbers belong -----------------------------------------------------------------------


def test_an_array_of_strings_is_not_a_gradient():
    for answer in [np.array(["2", "-4", "6"]), ["2.0", "-4.0", "6.0"], np.array([2, "-4", 6], dtype=object)]:
        feedback = check("02.2", answer)
        assert not feedback.passed and "text" in feedback.message and "remove the quotes" in feedback.message
    assert check("02.2", np.array([2.0, -4.0, 6.0])).passed and check("02.2", [2, -4, 6]).passed
