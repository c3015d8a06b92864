"""nnlib.search: grid and random settings, running a search, choosing the
best trial, seed repeats, and cutting a History after its first epochs."""

import math
import subprocess
import sys

import numpy as np
import pytest

import nnlib
from nnlib import search
from nnlib.search import LogUniform, Trial


def fake_history(val_accuracy, *, diverged=False):
    """A History whose only content is a list of validation accuracies."""
    history = nnlib.History(val_accuracy=list(val_accuracy), train_loss=[1.0] * len(val_accuracy))
    history.diverged = diverged
    return history


@pytest.fixture(scope="module")
def digits():
    x, y = nnlib.load_digits()
    train, val, _ = nnlib.train_val_test_split(x, y, val_fraction=0.2, test_fraction=0.2, rng=0)
    return train, val


def train_digits(train, val, *, lr=0.3, hidden=16, epochs=3, seed=0, batch_size=64):
    model = nnlib.mlp([64, hidden, 10], rng=seed)
    return nnlib.fit(model, nnlib.SoftmaxCrossEntropy(), nnlib.SGD(model.parameters(), lr=lr), *train,
                     epochs=epochs, batch_size=batch_size, validation=val, rng=seed)


# --- grid_settings -----------------------------------------------------------------------


def test_grid_settings_lists_every_combination_last_name_fastest():
    settings = search.grid_settings({"lr": [0.1, 1.0], "hidden": [16, 64, 128]})
    assert settings == [
        {"lr": 0.1, "hidden": 16}, {"lr": 0.1, "hidden": 64}, {"lr": 0.1, "hidden": 128},
        {"lr": 1.0, "hidden": 16}, {"lr": 1.0, "hidden": 64}, {"lr": 1.0, "hidden": 128},
    ]


@pytest.mark.parametrize("grid, words", [
    ({}, "non-empty dict"),
    ([0.1, 1.0], "non-empty dict"),
    ({"lr": []}, "lr must list at least one value"),
    ({"lr": 0.1}, "lr must be a list of values; got 0.1"),
    ({"lr": "0.1"}, "lr must be a list of values"),
    ({1: [0.1]}, "names must be strings"),
])
def test_grid_settings_rejects_bad_grids(grid, words):
    with pytest.raises(ValueError, match=words):
        search.grid_settings(grid)


# --- LogUniform and random_settings -----------------------------------------------------------


def test_log_uniform_draws_stay_in_range_and_spread_evenly_over_decades():
    draws = LogUniform(0.001, 1.0).sample(np.random.default_rng(0), 30_000)
    assert draws.min() >= 0.001 and draws.max() <= 1.0
    # a third of the draws in each decade (0.001-0.01, 0.01-0.1, 0.1-1)
    per_decade = np.histogram(np.log10(draws), bins=[-3, -2, -1, 0])[0] / len(draws)
    np.testing.assert_allclose(per_decade, [1 / 3] * 3, atol=0.01)


def test_integer_log_uniform_gives_integers_in_range():
    draws = LogUniform(16, 128, integer=True).sample(np.random.default_rng(1), 2000)
    assert draws.dtype == np.int64
    assert draws.min() >= 16 and draws.max() <= 128
    assert len(np.unique(draws)) > 80  # almost every size from 16 to 128 gets drawn


@pytest.mark.parametrize("low, high, words", [
    (0.0, 1.0, "need 0 < low < high; got low=0.0"),
    (1.0, 0.1, "need 0 < low < high; got low=1.0, high=0.1"),
    (-1.0, 1.0, "need 0 < low < high"),
    (float("nan"), 1.0, "low must be a finite number"),
    ("0.1", 1.0, "low must be a finite number; got '0.1'"),
])
def test_log_uniform_rejects_bad_ranges(low, high, words):
    with pytest.raises(ValueError, match=words):
        LogUniform(low, high)


def test_random_settings_are_seeded_and_draw_every_value_anew():
    space = {"lr": LogUniform(0.003, 3.0), "hidden": LogUniform(16, 128, integer=True), "batch_size": [8, 32]}
    first = search.random_settings(space, 16, rng=0)
    assert first == search.random_settings(space, 16, rng=0)
    assert first != search.random_settings(space, 16, rng=1)
    assert len(first) == 16 and all(set(s) == {"lr", "hidden", "batch_size"} for s in first)
    lrs = [s["lr"] for s in first]
    assert len(set(lrs)) == 16  # 16 trainings, 16 learning rates (a 4 x 4 grid tries 4)
    assert all(0.003 <= lr <= 3.0 for lr in lrs)
    assert all(isinstance(s["hidden"], int) and 16 <= s["hidden"] <= 128 for s in first)
    assert {s["batch_size"] for s in first} == {8, 32}


def test_random_settings_accepts_a_generator():
    space = {"lr": LogUniform(0.01, 1.0)}
    assert search.random_settings(space, 3, rng=np.random.default_rng(5)) == search.random_settings(space, 3, rng=5)


@pytest.mark.parametrize("space, n, error, words", [
    ({"lr": LogUniform(0.01, 1.0)}, 0, ValueError, "n must be at least 1; got 0"),
    ({"lr": LogUniform(0.01, 1.0)}, 2.5, TypeError, "n must be a positive integer"),
    ({}, 3, ValueError, "non-empty dict"),
    ({"hidden": []}, 3, ValueError, "hidden must list at least one value"),
])
def test_random_settings_rejects_bad_input(space, n, error, words):
    with pytest.raises(error, match=words):
        search.random_settings(space, n, rng=0)


# --- run_search, best_trial ---------------------------------------------------------------


def test_run_search_trains_each_setting_once_in_order_and_reports_progress():
    calls, lines = [], []

    def train(lr, hidden):
        calls.append((lr, hidden))
        return fake_history([0.5, lr * hidden / 100])

    settings = search.grid_settings({"lr": [0.1, 0.2], "hidden": [10, 50]})
    trials = search.run_search(train, settings, progress=lambda i, n, t: lines.append(
        f"{i}/{n} {search.format_setting(t.setting)} {t.score:.2f}"))
    assert calls == [(0.1, 10), (0.1, 50), (0.2, 10), (0.2, 50)]
    assert [t.score for t in trials] == pytest.approx([0.01, 0.05, 0.02, 0.1])
    assert lines == ["1/4 lr=0.1 hidden=10 0.01", "2/4 lr=0.1 hidden=50 0.05",
                     "3/4 lr=0.2 hidden=10 0.02", "4/4 lr=0.2 hidden=50 0.10"]
    assert search.best_trial(trials).setting == {"lr": 0.2, "hidden": 50}


def test_a_diverged_run_scores_nan_and_never_wins():
    trials = search.run_search(lambda lr: fake_history([0.99], diverged=lr > 1), [{"lr": 3.0}, {"lr": 0.1}])
    assert math.isnan(trials[0].score)
    assert search.best_trial(trials).setting == {"lr": 0.1}


def test_best_trial_takes_the_first_of_a_tie():
    trials = [Trial({"k": k}, score, None) for k, score in enumerate([0.5, 0.9, 0.9, 0.2])]
    assert search.best_trial(trials).setting == {"k": 1}


def test_best_trial_refuses_when_every_run_failed():
    trials = [Trial({"lr": 10.0}, math.nan, None), Trial({"lr": 30.0}, math.nan, None)]
    with pytest.raises(ValueError, match="all 2 trials failed"):
        search.best_trial(trials)
    with pytest.raises(ValueError, match="trials must list at least one value"):
        search.best_trial([])


def test_run_search_rejects_a_train_that_is_not_a_function():
    with pytest.raises(ValueError, match="train must be a function"):
        search.run_search("fit", [{"lr": 0.1}])
    with pytest.raises(ValueError, match="settings must list at least one value"):
        search.run_search(lambda lr: fake_history([0.5]), [])


def test_a_custom_score_is_used():
    trials = search.run_search(lambda lr: fake_history([0.9, 0.1]), [{"lr": 0.1}], score=lambda h: max(h.val_accuracy))
    assert trials[0].score == 0.9


def test_format_setting_rounds_floats_to_three_digits():
    assert search.format_setting({"lr": 0.8407791185412392, "hidden": 127}) == "lr=0.841 hidden=127"
    assert search.format_setting({"lr": 3.0, "batch_size": 32}) == "lr=3 batch_size=32"


def test_final_val_accuracy_is_nan_without_validation_or_after_divergence():
    assert search.final_val_accuracy(fake_history([0.2, 0.7])) == 0.7
    assert math.isnan(search.final_val_accuracy(fake_history([])))
    assert math.isnan(search.final_val_accuracy(fake_history([0.2], diverged=True)))


# --- on real training ---------------------------------------------------------------------


def test_a_real_grid_search_on_digits_finds_the_good_learning_rate(digits):
    train, val = digits
    trials = search.run_search(lambda lr: train_digits(train, val, lr=lr), search.grid_settings({"lr": [0.001, 0.3]}))
    assert trials[1].score > trials[0].score + 0.3  # lr=0.001 barely moves in 3 epochs
    assert search.best_trial(trials).setting == {"lr": 0.3}
    assert trials[1].score == trials[1].history.val_accuracy[-1]


def test_seed_repeats_passes_each_seed_and_scores_differ_by_seed(digits):
    train, val = digits
    seen = []

    def train_fn(lr, hidden, seed):
        seen.append(seed)
        return train_digits(train, val, lr=lr, hidden=hidden, seed=seed)

    scores = search.seed_repeats(train_fn, {"lr": 0.3, "hidden": 16}, [1, 2, 3])
    assert seen == [1, 2, 3]
    assert scores.shape == (3,)
    assert len(set(scores.tolist())) > 1  # the seed alone moves the score
    assert scores[0] == train_digits(train, val, lr=0.3, hidden=16, seed=1).val_accuracy[-1]


# --- first_epochs -------------------------------------------------------------------------


def test_first_epochs_equals_training_for_fewer_epochs(digits):
    train, val = digits
    long_run = train_digits(train, val, epochs=6)
    short_run = train_digits(train, val, epochs=4)
    cut = search.first_epochs(long_run, 4)
    assert cut.epochs == 4 and not cut.diverged
    for name in ("train_loss", "val_loss", "train_accuracy", "val_accuracy", "batch_loss"):
        assert getattr(cut, name) == getattr(short_run, name), name
    assert cut.updates == short_run.updates
    assert cut.message == short_run.message
    assert long_run.epochs == 6  # the long run is not modified


def test_first_epochs_of_a_diverged_run(digits):
    train, val = digits
    diverged = train_digits(train, val, lr=1e4, epochs=5)
    assert diverged.diverged and diverged.epochs == 0
    assert search.first_epochs(diverged, 3) is diverged  # it diverged within those 3 epochs


def test_first_epochs_rejects_more_epochs_than_the_run_has(digits):
    train, val = digits
    run = train_digits(train, val, epochs=2)
    with pytest.raises(ValueError, match="at most the 2 epochs the run completed; got 3"):
        search.first_epochs(run, 3)
    with pytest.raises(ValueError, match="epochs must be at least 1; got 0"):
        search.first_epochs(run, 0)


def test_nnlib_search_is_core_numpy_only():
    code = ("import sys, nnlib.search\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('matplotlib', 'ipywidgets', 'IPython')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert result.stdout.strip() == "[]"
