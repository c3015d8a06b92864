"""Notebook 06: the winner's curse. A slider for K, the number of models
compared on one reused test set; every value is precomputed, so a move only
redraws.

    winners_curse_panel   control "k"; the scores of the models are given
    K_VALUES              the round values of the K slider
"""

import ipywidgets as widgets
import numpy as np

from ..plots.splits import WinnersCurseView
from ..splits import best_of_k, expected_best_accuracy
from .panel import SliderPanel

K_VALUES = (1, 2, 3, 5, 10, 20, 30, 50, 100, 200, 300, 500, 1000)


def simulated_scores(n_models=1000, *, n_test=100, n_fresh=1297, accuracy=0.935, seed=0):
    """Scores of n_models independent models, each truly ``accuracy`` accurate:
    binomial counts on n_test and n_fresh examples. Returns (test (n_models,),
    fresh (n_models,)): the panel's data when no real scores are given."""
    rng = np.random.default_rng(seed)
    return rng.binomial(n_test, accuracy, size=n_models), rng.binomial(n_fresh, accuracy, size=n_models)


def winners_curse_panel(test_correct=None, fresh_correct=None, *, n_test=100, n_fresh=1297, k=1, repeats=200,
                        seed=0):
    """A SliderPanel for K, the number of models whose best on the test set wins.

    test_correct, fresh_correct: (n_models,) how many of the n_test reused
    test examples and of the n_fresh fresh examples each model gets right.
    The curves average the winner over ``repeats`` random orders of the
    models (``best_of_k``); the scatter shows the first K models in the given
    order and their winner (the first best). The K slider offers the
    K_VALUES up to n_models. The binomial curve is what K independent models,
    each truly as accurate as the average model on fresh data, would give.
    With no scores given, it shows 1000 simulated independent models
    (``simulated_scores``), so the panel can be built with no arguments.
    """
    if test_correct is None and fresh_correct is None:
        test_correct, fresh_correct = simulated_scores(n_test=n_test, n_fresh=n_fresh, seed=seed)
    test_correct = np.asarray(test_correct)
    fresh_correct = np.asarray(fresh_correct)
    if test_correct.shape != fresh_correct.shape or test_correct.ndim != 1:
        raise ValueError(f"test_correct and fresh_correct must be 1-D of the same length; "
                         f"got shapes {test_correct.shape} and {fresh_correct.shape}")
    out_of_range = test_correct.min() < 0 or test_correct.max() > n_test
    if out_of_range or fresh_correct.min() < 0 or fresh_correct.max() > n_fresh:
        raise ValueError(f"test_correct must lie in [0, n_test={n_test}] and fresh_correct in [0, n_fresh={n_fresh}]")
    n_models = len(test_correct)
    options = tuple(value for value in K_VALUES if value <= n_models)
    if k not in options:
        raise ValueError(f"k must be one of {options}; got {k!r}")
    ks = np.array(options)
    curve_ks = np.unique(np.round(np.geomspace(1, n_models, 60)).astype(int))
    winner_test, winner_fresh = best_of_k(test_correct, fresh_correct, curve_ks, repeats=repeats, rng=seed)
    at_test, at_fresh = best_of_k(test_correct, fresh_correct, ks, repeats=repeats, rng=seed)
    true_accuracy = fresh_correct.mean() / n_fresh
    binomial = 100 * expected_best_accuracy(curve_ks, n_test, true_accuracy)
    at_binomial = 100 * expected_best_accuracy(ks, n_test, true_accuracy)
    test_pct, fresh_pct = 100 * test_correct / n_test, 100 * fresh_correct / n_fresh
    view = WinnersCurseView(curve_ks, 100 * winner_test / n_test, 100 * winner_fresh / n_fresh, binomial,
                            test_pct, fresh_pct, n_test=n_test, n_fresh=n_fresh, accuracy=100 * true_accuracy)
    control = widgets.SelectionSlider(options=options, value=k, description="K models",
                                      continuous_update=True, style={"description_width": "initial"})

    def draw(k):
        i = options.index(k)
        test_k, fresh_k = 100 * at_test[i] / n_test, 100 * at_fresh[i] / n_fresh
        winner = int(np.argmax(test_correct[:k]))  # the first of the best among the first k
        view.update(k, winner, test_k, fresh_k)
        gap = round(test_k, 1) - round(fresh_k, 1)  # the difference of the two numbers printed
        verdict = ("one model, no choice: the gap is only the noise of the test set" if k == 1 else
                   f"the reused test set flatters the winner by {gap:.1f} points")
        return (f"K={k}: the winner scores {test_k:.1f} % on the reused test set and {fresh_k:.1f} % on fresh "
                f"data (average over {repeats} draws of K models); {verdict}. "
                f"K independent models would give {at_binomial[i]:.1f} %.")

    panel = SliderPanel(draw, {"k": control}, view.figure, stops={"k": list(options)})
    panel.view = view
    return panel
