"""nnlib.exercises, judged as a learner would answer (issue 19, section 7):
a function that changes its arguments in place is caught and the argument
named; the ids a reader types are understood; a Feedback is as true as its
verdict; exit() in a reader's function is reported; and correct answers
written in other ways than the reference solution pass."""

import re
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


def test_02_3_uses_the_names_of_the_notebooks_derivation():
    # notebook 02 derives u -> a = tanh(u) -> L and keeps y for the labels
    exercise = EXERCISES["02.3"]
    for text in (exercise.prompt, exercise.start, exercise.hint, exercise.call_as, exercise.solution_source):
        assert not re.search(r"\b(x|y|grad_y)\b", text), text
    assert "my_tanh_backward(u, a, grad_a)" in exercise.prompt


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
    def my_tanh_backward(u, a, grad_a):
        grad_a *= 1 - a**2
        return grad_a

    feedback = check("02.3", my_tanh_backward)
    assert not feedback.passed and "`grad_a` in place" in feedback.message
    assert "`grad_a *= 2`" in feedback.message


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
                                           ("13.1", "01, 02, 03"), ("four", "01, 02, 03"), ("", "01, 02, 03")])
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


# --- randomness: the rng given is the one used, and batches are fresh samples ---------------------------


def _batches(order, batch_size):
    return [order[i:i + batch_size] for i in range(0, len(order), batch_size)]


def test_epochs_that_reuse_one_order_fail_in_words():
    def rotated(n, batch_size, epochs, rng):
        base = rng.permutation(n)
        return [_batches(np.roll(base, int(rng.integers(n))), batch_size) for _ in range(epochs)]

    def reversed_every_other(n, batch_size, epochs, rng):
        base = rng.permutation(n)
        return [_batches(base if e % 2 == 0 else base[::-1], batch_size) for e in range(epochs)]

    def own_fixed_seed(n, batch_size, epochs, rng):
        own = np.random.default_rng(123)
        return [_batches(own.permutation(n), batch_size) for _ in range(epochs)]

    def draws_but_ignores(n, batch_size, epochs, rng):
        rng.random()
        own = np.random.default_rng(123)
        return [_batches(own.permutation(n), batch_size) for _ in range(epochs)]

    assert "rotated" in check("04.2", rotated).message
    assert "read backwards" in check("04.2", reversed_every_other).message
    assert "did not draw a single number from the `rng`" in check("04.2", own_fixed_seed).message
    assert "different seeds gave the same order" in check("04.2", draws_but_ignores).message


def test_epochs_written_in_other_correct_ways_pass():
    import nnlib

    def with_array_split(n, batch_size, epochs, rng):
        return [np.array_split(rng.permutation(n), range(batch_size, n, batch_size)) for _ in range(epochs)]

    def shuffle_a_copy_and_sort_each_batch(n, batch_size, epochs, rng):
        out = []
        for _ in range(epochs):
            order = np.arange(n)
            rng.shuffle(order)
            out.append([np.sort(b) for b in _batches(order, batch_size)])
        return out

    def with_nnlib(n, batch_size, epochs, rng):
        return [list(nnlib.batch_indices(n, batch_size, rng=rng)) for _ in range(epochs)]

    def with_spawned_generators(n, batch_size, epochs, rng):
        return [_batches(child.permutation(n), batch_size) for child in rng.spawn(epochs)]

    def with_lists(n, batch_size, epochs, rng):
        return [[list(map(int, b)) for b in _batches(rng.permutation(n), batch_size)] for _ in range(epochs)]

    answers = [with_array_split, shuffle_a_copy_and_sort_each_batch, with_nnlib, with_lists]
    if hasattr(np.random.Generator, "spawn"):  # numpy >= 1.25
        answers.append(with_spawned_generators)
    for answer in answers:
        feedback = check("04.2", answer)
        assert feedback.passed, (answer.__name__, feedback.message)


def test_fresh_shuffles_keep_few_pairs_together_for_any_seed():
    # the threshold of the order check (25 %) is far above what fresh shuffles keep (about 5 %)
    from nnlib.exercises.nb04 import PAIRS_CASE, _pairs_kept

    n, batch_size, _ = PAIRS_CASE
    worst = max(_pairs_kept(_batches(rng.permutation(n), batch_size), _batches(rng.permutation(n), batch_size))
                for rng in map(np.random.default_rng, range(300)))
    assert worst < 0.12


def test_splits_that_ignore_the_rng_or_do_not_shuffle_fail():
    def fixed_seed(n, val_fraction, test_fraction, rng):
        order = np.random.default_rng(7).permutation(n)
        n_val, n_test = round(n * val_fraction), round(n * test_fraction)
        return order[n_val + n_test:], order[:n_val], order[n_val:n_val + n_test]

    assert "did not draw a single number" in check("06.1", fixed_seed).message

    def first_k_of_each_class(y, test_fraction, rng):
        test = np.concatenate([np.flatnonzero(y == c)[:round(np.sum(y == c) * test_fraction)] for c in np.unique(y)])
        train = np.setdiff1d(np.arange(len(y)), test)
        return rng.permutation(train), rng.permutation(test)  # shuffles only the order of the result

    assert "first examples of every class" in check("06.2", first_k_of_each_class).message

    def last_k_of_each_class(y, test_fraction, rng):
        test = np.concatenate([np.flatnonzero(y == c)[-round(np.sum(y == c) * test_fraction):]
                               for c in np.unique(y)])
        train = np.setdiff1d(np.arange(len(y)), test)
        return rng.permutation(train), rng.permutation(test)

    assert "different seeds gave the same split" in check("06.2", last_k_of_each_class).message


def test_splits_written_in_other_correct_ways_pass():
    def split_with_choice(n, val_fraction, test_fraction, rng):
        n_val, n_test = round(n * val_fraction), round(n * test_fraction)
        test = rng.choice(n, size=n_test, replace=False)
        rest = np.setdiff1d(np.arange(n), test)
        val = rng.choice(rest, size=n_val, replace=False)
        return np.setdiff1d(rest, val), val, test

    def split_train_first(n, val_fraction, test_fraction, rng):
        order = list(rng.permutation(n))
        n_train = n - round(n * val_fraction) - round(n * test_fraction)
        return np.array(order[:n_train]), np.array(order[n_train:n_train + round(n * val_fraction)]), \
            np.array(order[n_train + round(n * val_fraction):])

    for answer in (split_with_choice, split_train_first):
        assert check("06.1", answer).passed, answer.__name__

    def stratified_with_choice(y, test_fraction, rng):
        test = np.concatenate([rng.choice(np.flatnonzero(y == c), size=int(np.sum(y == c) * test_fraction),
                                          replace=False) for c in np.unique(y)])
        return np.setdiff1d(np.arange(len(y)), test), np.sort(test)

    def stratified_shuffled_once(y, test_fraction, rng):
        order = rng.permutation(len(y))  # shuffle all, then take each class in that order
        test = np.concatenate([order[y[order] == c][:round(np.sum(y == c) * test_fraction)] for c in np.unique(y)])
        return np.setdiff1d(np.arange(len(y)), test), test

    for answer in (stratified_with_choice, stratified_shuffled_once):
        feedback = check("06.2", answer)
        assert feedback.passed, (answer.__name__, feedback.message)


# --- 09.1: the whole range, drawn from rng ----------------------------------------------------------------


def _search_with(draw):
    def my_random_search(train_and_score, budget, rng):
        best_settings, best_score = None, -np.inf
        for _ in range(budget):
            lr, hidden = draw(rng)
            score = train_and_score(lr, hidden)
            if score > best_score:
                best_settings, best_score = {"lr": lr, "hidden": hidden}, score
        return best_settings, best_score

    return my_random_search


def test_random_searches_written_in_other_correct_ways_pass():
    from nnlib import search

    answers = {
        "endpoint=True": _search_with(lambda rng: (10 ** rng.uniform(-4, 0), rng.integers(8, 256, endpoint=True))),
        "exp of uniform log": _search_with(lambda rng: (float(np.exp(rng.uniform(np.log(1e-4), np.log(1.0)))),
                                                        int(rng.integers(8, 257)))),
        "choice of arange": _search_with(lambda rng: (10 ** rng.uniform(-4, 0), int(rng.choice(np.arange(8, 257))))),
        "hidden first": _search_with(lambda rng: tuple(reversed((int(rng.integers(8, 257)),
                                                                  10 ** rng.uniform(-4, 0))))),
    }

    def with_nnlib_search(train_and_score, budget, rng):  # as notebook 09 draws: both log-uniform
        space = {"lr": search.LogUniform(1e-4, 1.0), "hidden": search.LogUniform(8, 256, integer=True)}
        scored = [(s, train_and_score(s["lr"], s["hidden"])) for s in search.random_settings(space, budget, rng=rng)]
        return max(scored, key=lambda pair: pair[1])

    def vectorised(train_and_score, budget, rng):
        lrs, hiddens = 10 ** rng.uniform(-4, 0, size=budget), rng.integers(8, 257, size=budget)
        scores = [train_and_score(lr, h) for lr, h in zip(lrs, hiddens)]
        best = int(np.argmax(scores))
        return {"lr": lrs[best], "hidden": hiddens[best]}, scores[best]

    answers["nnlib.search"], answers["vectorised"] = with_nnlib_search, vectorised
    for name, answer in answers.items():
        feedback = check("09.1", answer)
        assert feedback.passed, (name, feedback.message)


def test_random_searches_over_part_of_the_range_fail():
    narrow = {
        "lr up to 0.1": (_search_with(lambda rng: (10 ** rng.uniform(-4, -1), int(rng.integers(8, 257)))),
                         "learning rates ran from"),
        "hidden up to 64": (_search_with(lambda rng: (10 ** rng.uniform(-4, 0), int(rng.integers(8, 65)))),
                            "hidden sizes ran from"),
        "integers(8, 256)": (_search_with(lambda rng: (10 ** rng.uniform(-4, 0), int(rng.integers(8, 256)))),
                             "rng.integers(a, b) never returns b"),
        "integers(9, 257)": (_search_with(lambda rng: (10 ** rng.uniform(-4, 0), int(rng.integers(9, 257)))),
                             "never took the value 8"),
    }
    for name, (answer, words) in narrow.items():
        feedback = check("09.1", answer)
        assert not feedback.passed and words in feedback.message, (name, feedback.message)


def test_a_search_that_prints_every_run_prints_only_the_short_search(capsys):
    def my_random_search(train_and_score, budget, rng):
        print("searching", budget)
        return EXERCISES["09.1"].solution(train_and_score, budget, rng)

    from nnlib.exercises.nb09 import LONG_BUDGET

    assert check("09.1", my_random_search).passed
    out = capsys.readouterr().out
    assert "searching 40" in out and f"searching {LONG_BUDGET}" not in out


def test_a_search_that_does_more_work_than_needed_still_passes():
    def my_random_search(train_and_score, budget, rng):
        tried = []
        for _ in range(budget):
            settings = {"lr": 10 ** rng.uniform(-4, 0), "hidden": int(rng.integers(8, 257))}
            tried.append((train_and_score(settings["lr"], settings["hidden"]), settings))
            tried.sort(key=lambda pair: -pair[0])  # the best first, after every run
        return tried[0][1], tried[0][0]

    feedback = check("09.1", my_random_search)
    assert feedback.passed, feedback.message


# --- the right words for the verdict ----------------------------------------------------------------------


def test_momentum_cases_tell_every_mistake_apart():
    from nnlib.exercises.nb05 import MOMENTUM_CASES, _wrong_velocities

    for p, v, g, lr, m in MOMENTUM_CASES:
        assert not np.isclose(lr, 1 - m) and not np.isclose(lr, m)
        velocities = [m * v + g] + [value for value, _ in _wrong_velocities(v, g, lr, m)]
        for i in range(len(velocities)):
            for j in range(i + 1, len(velocities)):
                assert not np.allclose(velocities[i], velocities[j], rtol=1e-6, atol=1e-9), (lr, m, i, j)


def test_an_ema_velocity_is_named_as_such_not_as_including_lr():
    def my_momentum_step(p, v, g, lr, m):
        v = m * v + (1 - m) * g
        return p - lr * v, v

    message = check("05.1", my_momentum_step).message
    assert "exponential moving average" in message and "includes lr" not in message


def test_the_tied_training_errors_of_07_2_are_named_as_a_tie():
    data = EXERCISES["07.2"].data
    lowest = min(data["train_error"])
    tied = [d for d, e in zip(data["degrees"], data["train_error"]) if e == lowest]
    assert tied == [14, 15]
    assert "shares the lowest *training* error (0.035) with degree 15" in check("07.2", 14).message
    assert "degrees 14 and 15 share the lowest *training* error" in check("07.2", 15).message
    assert "*position* of the lowest training error" in check("07.2", 13).message
    answer = data["degrees"][int(np.argmin(data["train_error"]))]
    assert answer == 14 and "position" not in check("07.2", answer).message


def test_the_praise_of_09_3_gives_a_value_the_check_accepts():
    import re

    feedback = check("09.3", 1 - 0.9**20)
    shown = re.findall(r"= (0\.\d+)", feedback.message)
    assert shown and all(check("09.3", float(value)).passed for value in shown), feedback.message


def test_a_two_class_accuracy_fails_the_three_class_validation_pass():
    def my_validation_pass(model, loss, x_val, y_val):
        scores = model.forward(x_val)
        return loss.forward(scores, y_val), float(np.mean((scores[:, 1] > scores[:, 0]) == y_val))

    feedback = check("08.2", my_validation_pass)
    assert not feedback.passed and "only works with two classes" in feedback.message


def test_tanh_backwards_written_in_other_correct_ways_pass():
    answers = [lambda u, a, grad_a: grad_a * (1 - np.tanh(u) ** 2),
               lambda u, a, grad_a: grad_a - grad_a * a * a,
               lambda u, a, grad_a: np.multiply(grad_a, 1 - np.square(a)),
               lambda u, a, grad_a: grad_a * (1 - a) * (1 + a)]

    def with_a_copy(u, a, grad_a):
        out = grad_a.copy()
        out *= 1 - a**2
        return out

    for answer in answers + [with_a_copy]:
        assert check("02.3", answer).passed


def test_check_without_an_answer_says_how_to_start():
    assert "04.1 not answered yet" in check("04.1").message


def test_other_correct_ways_of_writing_the_guarded_exercises_pass():
    import nnlib

    def ridge_by_augmented_least_squares(features, y, l2):
        n, d = features.shape
        stacked = np.vstack([features, np.sqrt(n * l2) * np.eye(d)])
        return np.linalg.lstsq(stacked, np.concatenate([y, np.zeros(d)]), rcond=None)[0]

    def ridge_by_inverse(features, y, l2):
        n, d = features.shape
        return np.linalg.inv(features.T @ features + n * l2 * np.eye(d)) @ features.T @ y

    for answer in (ridge_by_augmented_least_squares, ridge_by_inverse):
        assert check("07.1", answer).passed, answer.__name__

    def early_stopping_with_a_while(val_losses, patience):
        best_epoch, waited, epoch = 1, 0, 1
        while epoch < len(val_losses) and waited < patience:
            epoch += 1
            if val_losses[epoch - 1] < val_losses[best_epoch - 1]:
                best_epoch, waited = epoch, 0
            else:
                waited += 1
        return best_epoch, epoch

    def early_stopping_with_numpy(val_losses, patience):
        losses = np.array(val_losses)  # a new array: the caller's list is untouched
        for epoch in range(1, len(losses) + 1):
            best = int(np.argmin(losses[:epoch])) + 1
            if epoch - best >= patience:
                return best, epoch
        return int(np.argmin(losses)) + 1, len(losses)

    for answer in (early_stopping_with_a_while, early_stopping_with_numpy):
        feedback = check("08.1", answer)
        assert feedback.passed, (answer.__name__, feedback.message)

    def validation_with_probabilities(model, loss, x_val, y_val):
        scores = model.forward(x_val)
        shifted = np.exp(scores - scores.max(axis=1, keepdims=True))
        probabilities = shifted / shifted.sum(axis=1, keepdims=True)
        loss_value = float(-np.mean(np.log(probabilities[np.arange(len(y_val)), y_val])))
        return loss_value, np.mean(np.argmax(probabilities, axis=1) == y_val)

    def validation_with_evaluate(model, loss, x_val, y_val):
        result = nnlib.evaluate(model, loss, x_val, y_val)
        return result.loss, result.accuracy

    for answer in (validation_with_probabilities, validation_with_evaluate):
        feedback = check("08.2", answer)
        assert feedback.passed, (answer.__name__, feedback.message)

    def momentum_with_numpy_functions(p, v, g, lr, m):
        new_v = np.add(np.multiply(m, v), g)
        return np.subtract(p, lr * new_v), new_v

    assert check("05.1", momentum_with_numpy_functions).passed

    def step_with_a_matrix(w, b, x, y, lr):
        design = np.column_stack([x, np.ones_like(x)])
        gradient = 2 * design.T @ (design @ np.array([w, b]) - y) / len(x)
        return tuple(np.array([w, b]) - lr * gradient)

    assert check("03.1", step_with_a_matrix).passed


def test_what_was_done_to_an_argument_is_described():
    how = _core._how_changed
    rows = np.arange(12.0).reshape(4, 3)
    assert how("x", rows, rows[[2, 0, 3, 1]])[0] == "shuffled the rows of `x` in place"
    assert how("y", np.array([3, 1, 2]), np.array([1, 2, 3]))[0] == "sorted `y` in place"
    assert how("y", np.array([3, 1, 2]), np.array([2, 1, 3]))[0] == "reversed `y` in place"
    assert how("x", rows, rows * [1, 0, 1])[0] == "changed 4 of the 12 entries of `x` in place (entry [0, 1] was 1 " \
                                                  "and is now 0)"
    assert how("x", rows, rows + 1)[0].startswith("changed all 12 entries of `x` in place")
    assert how("v", [1.0, 0.5], [1.0, 0.5, 0.2])[0] == "appended to `v` in place"
    assert how("v", [1.0, 0.5], [0.5, 1.0])[0] == "sorted `v` in place"
    assert how("v", [1.0, 0.5, 0.7], [1.0])[0] == "removed items from `v`"
