"""The two panels of notebook 06, driven from Python: set a control, check
what is drawn and what the status line says against a direct computation."""

import re

import ipywidgets as widgets
import numpy as np
import pytest

import nnlib
from nnlib.widgets import error_bar_panel, winners_curse_panel
from nnlib.widgets.test_size import ACCURACIES, SIZES, simulated_accuracies
from nnlib.widgets.winners_curse import K_VALUES


@pytest.fixture(scope="module")
def scores():
    """1000 made-up models: test counts of 100 and fresh counts of 2000, the
    test score loosely tied to the fresh one."""
    rng = np.random.default_rng(0)
    truth = rng.uniform(0.90, 0.94, size=1000)
    return rng.binomial(100, truth), rng.binomial(2000, truth)


@pytest.fixture
def curse(scores):
    return winners_curse_panel(*scores, n_test=100, n_fresh=2000, k=1)


def numbers(text):
    return [float(v) for v in re.findall(r"(\d+\.\d) %", text)]


# --- winner's curse -------------------------------------------------------------------


def test_curse_panel_controls_and_stops(curse):
    control = curse.controls["k"]
    assert isinstance(control, widgets.SelectionSlider)
    assert control.options == K_VALUES and control.value == 1
    assert curse.stops == {"k": list(K_VALUES)}


def test_curse_status_matches_best_of_k_and_the_binomial(curse, scores):
    test_correct, fresh_correct = scores
    for k in (1, 20, 1000):
        curse.controls["k"].value = k
        winner_test, winner_fresh = nnlib.best_of_k(test_correct, fresh_correct, np.array(K_VALUES),
                                                    repeats=200, rng=0)
        i = K_VALUES.index(k)
        binomial = 100 * nnlib.expected_best_accuracy(k, 100, fresh_correct.mean() / 2000)
        test_pct, fresh_pct, binomial_shown = numbers(curse.text)
        assert curse.text.startswith(f"K={k}: ")
        assert test_pct == pytest.approx(round(winner_test[i], 1), abs=0.051)
        assert fresh_pct == pytest.approx(round(100 * winner_fresh[i] / 2000, 1), abs=0.051)
        assert binomial_shown == pytest.approx(binomial, abs=0.051)
    assert "flatters the winner by" in curse.text
    curse.controls["k"].value = 1
    assert "one model, no choice" in curse.text


def test_curse_gap_is_the_difference_of_the_printed_scores(curse):
    """The reader checks the status line by subtracting the two scores it
    prints; the gap must be that difference (96.8 and 94.0 once gave 2.9)."""
    for k in K_VALUES[1:]:
        curse.controls["k"].value = k
        test_pct, fresh_pct = (float(v) for v in re.findall(r"(\d+\.\d) %", curse.text)[:2])
        gap = float(re.search(r"flatters the winner by (-?\d+\.\d) points", curse.text).group(1))
        assert gap == pytest.approx(test_pct - fresh_pct, abs=1e-9), curse.text


def test_curse_draws_the_first_k_models_and_their_winner(curse, scores):
    test_correct, fresh_correct = scores
    view = curse.view
    png_before = curse.png
    curse.controls["k"].value = 50
    assert len(view.cloud.get_offsets()) == 50
    np.testing.assert_allclose(view.cloud.get_offsets()[:, 0], test_correct[:50])
    winner = int(np.argmax(test_correct[:50]))
    x, y = view.star.get_data()
    assert x[0] == test_correct[winner] and y[0] == pytest.approx(100 * fresh_correct[winner] / 2000)
    assert x[0] == test_correct[:50].max()  # the rightmost point
    assert list(view.k_line.get_xdata()) == [50, 50]
    assert "first 50 models" in view.right.get_title()
    assert curse.png != png_before
    curse.controls["k"].value = 1000
    assert len(view.cloud.get_offsets()) == 1000
    curse.controls["k"].value = 1
    assert len(view.cloud.get_offsets()) == 1 and view.right.get_title() == "One model: nothing to choose from"


def test_curse_winner_test_score_rises_with_k_more_than_its_fresh_score(curse):
    gaps = []
    for k in (1, 10, 100, 1000):
        curse.controls["k"].value = k
        test_pct, fresh_pct, _ = numbers(curse.text)
        gaps.append(test_pct - fresh_pct)
    assert abs(gaps[0]) < 1.0
    assert gaps == sorted(gaps) and gaps[-1] > 3


def test_curse_slider_offers_only_k_up_to_the_number_of_models():
    panel = winners_curse_panel(np.full(30, 90), np.full(30, 900), n_test=100, n_fresh=1000)
    assert panel.controls["k"].options == (1, 2, 3, 5, 10, 20, 30)


@pytest.mark.parametrize("kwargs, words", [
    ({"k": 7}, "k must be one of"),
    ({"k": 1, "n_test": 50}, "test_correct must lie in"),
])
def test_curse_bad_input(scores, kwargs, words):
    kwargs = {"n_test": 100, **kwargs}
    with pytest.raises(ValueError, match=words):
        winners_curse_panel(*scores, n_fresh=2000, **kwargs)


def test_curse_panel_with_no_scores_shows_simulated_independent_models():
    panel = winners_curse_panel()
    panel.controls["k"].value = 100
    test_pct, fresh_pct, binomial = numbers(panel.text)
    assert test_pct == pytest.approx(binomial, abs=0.6)  # independent models follow the binomial
    assert fresh_pct == pytest.approx(93.5, abs=0.3)


def test_curse_needs_matching_scores():
    with pytest.raises(ValueError, match="same length"):
        winners_curse_panel(np.ones(5, int), np.ones(4, int), n_test=10, n_fresh=10)


# --- test-set size --------------------------------------------------------------------


@pytest.fixture
def sizes():
    return error_bar_panel(n=100, accuracy=0.9)


def test_error_bar_panel_controls_and_stops(sizes):
    assert sizes.controls["n"].options == SIZES
    assert [value for _, value in sizes.controls["accuracy"].options] == list(ACCURACIES)
    assert set(sizes.stops) == {"n", "accuracy"}
    assert 2500 in sizes.stops["n"] and 10000 in sizes.stops["n"]


def test_size_status_gives_the_margin_and_the_examples_needed(sizes):
    sizes.controls["accuracy"].value = 0.5
    sizes.controls["n"].value = 2500
    assert "±2.0 points (95 %)" in sizes.text  # 1.96 * sqrt(0.25 / 2500) = 1.96 %
    assert "±1 point needs n ≥ 9604" in sizes.text
    sizes.controls["n"].value = 10000
    assert "±1.0 points (95 %)" in sizes.text
    sizes.controls["accuracy"].value = 0.9
    assert "±1 point needs n ≥ 3458" in sizes.text


def test_size_status_gives_the_formulas_true_coverage(sizes):
    """At n = 100 and 90 % the normal formula's 95 % interval covers the truth
    93.2 % of the time (1.35 misses in 20, not 1); at 99 % and n = 50 only 39.5 %."""
    import nnlib

    sizes.controls["accuracy"].value = 0.9
    sizes.controls["n"].value = 100
    assert "really covers it 93.2 % of the time here: 1.35 misses in 20" in sizes.text
    assert nnlib.interval_coverage(0.9, 100) == pytest.approx(0.9324, abs=1e-4)
    sizes.controls["accuracy"].value = 0.99
    sizes.controls["n"].value = 50
    assert "really covers it 39.5 % of the time here: 12.1 misses in 20" in sizes.text


def test_size_draws_the_margin_curve_and_the_simulated_sets(sizes):
    view = sizes.view
    sizes.controls["accuracy"].value = 0.8
    sizes.controls["n"].value = 1000
    x, y = view.margin95.get_data()
    np.testing.assert_allclose(x, SIZES)
    np.testing.assert_allclose(y, 196 * np.sqrt(0.8 * 0.2 / np.asarray(SIZES)))
    assert view.n_point.get_data()[1][0] == pytest.approx(196 * np.sqrt(0.16 / 1000))
    measured = simulated_accuracies(1000, 0.8, 20, 0)
    margins = 196 * np.sqrt(measured * (1 - measured) / 1000)
    covers = np.abs(100 * measured - 80) <= margins
    good_x = view.good[0].get_data()[0]
    bad_x = view.bad[0].get_data()[0]
    np.testing.assert_allclose(np.sort(good_x), np.sort(100 * measured[covers]))
    np.testing.assert_allclose(np.sort(bad_x), np.sort(100 * measured[~covers]))
    assert f"error bars of {covers.sum()} of 20 simulated" in sizes.text
    assert list(view.truth.get_xdata()) == [80, 80]


def test_size_moves_change_the_picture_and_come_back_the_same(sizes):
    first_png, first_text = sizes.png, sizes.text
    sizes.controls["n"].value = 50000
    assert sizes.png != first_png and sizes.text != first_text
    sizes.controls["n"].value = 100
    assert sizes.text == first_text  # the simulated sets depend only on (n, accuracy, seed)
    assert sizes.png == first_png


def test_size_moves_redraw_only_the_moving_parts(sizes):
    """The figure's background (the log-log left axes) is drawn once: a move of
    either slider, even one that changes the right axes' range, only redraws the
    animated artists and the right axes (error_bar_panel missed its latency target
    when every new range redrew the whole figure)."""
    background = sizes.renderer._background
    right = sizes.view.right
    for accuracy, n in ((0.5, 50), (0.99, 50000), (0.8, 1000), (0.9, 100)):
        sizes.controls["accuracy"].value = accuracy
        sizes.controls["n"].value = n
        assert sizes.renderer._background is background
    assert right in sizes.renderer._animated
    assert right.get_xlim() == (40.0, 105.0)  # the last move: 90 % - 50 to 100 % + 50 / 10


@pytest.mark.parametrize("accuracy", ACCURACIES)
def test_size_tick_labels_stay_inside_the_figure(sizes, accuracy):
    """The layout is computed once; at every setting the right axes' tick
    labels must still fit in the figure (none clipped at the right edge)."""
    renderer = sizes.renderer.canvas.get_renderer()
    width = sizes.figure.bbox.width
    sizes.controls["accuracy"].value = accuracy
    for n in SIZES:
        sizes.controls["n"].value = n
        low, high = sizes.view.right.get_xlim()
        labels = [tick.label1 for tick in sizes.view.right.xaxis.get_major_ticks() if low <= tick.get_loc() <= high]
        assert len(labels) >= 4
        assert all(len(label.get_text()) <= 4 for label in labels)
        assert max(label.get_window_extent(renderer).x1 for label in labels) <= width


def test_size_says_when_the_formula_is_rough(sizes):
    sizes.controls["accuracy"].value = 0.99
    sizes.controls["n"].value = 50
    assert "Only 0.5 errors expected per test set: the ± formula is rough here." in sizes.text
    sizes.controls["n"].value = 100
    assert "Only 1 error expected per test set" in sizes.text
    sizes.controls["n"].value = 50000
    assert "rough" not in sizes.text


def test_size_bad_values():
    with pytest.raises(ValueError, match="n must be one of"):
        error_bar_panel(n=123)
    with pytest.raises(ValueError, match="accuracy must be one of"):
        error_bar_panel(accuracy=0.42)
