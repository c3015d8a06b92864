"""Notebook 06: how big a test set must be. Sliders for the test-set size n
and the model's true accuracy; the error bar ±1.96·√(p(1−p)/n) and a few
simulated test sets of that size.

    error_bar_panel   controls "n" and "accuracy"
    SIZES, ACCURACIES the round values of the sliders
"""

import ipywidgets as widgets
import numpy as np

from ..plots.splits import TestSizeView
from ..splits import accuracy_margin, examples_needed
from ..stats import interval_coverage
from .panel import SliderPanel

SIZES = (50, 100, 200, 500, 1000, 2000, 2500, 5000, 10000, 20000, 50000)
ACCURACIES = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99)


def simulated_accuracies(n, accuracy, n_sets, seed):
    """The accuracies measured on n_sets test sets of n examples each, for a
    model that is right with probability ``accuracy`` on every example.
    The same (n, accuracy, seed) always gives the same draws: (n_sets,)."""
    rng = np.random.default_rng([seed, n, round(accuracy * 1000)])
    return rng.binomial(n, accuracy, size=n_sets) / n


_COVERAGE = {}  # (n, accuracy) -> the normal formula's true coverage (0.6 s to compute at n = 50000)


def formula_coverage(n, accuracy):
    """How often the normal formula's 95 % interval really covers the true
    accuracy at this n (nnlib.interval_coverage, exact), computed once per setting."""
    key = (int(n), float(accuracy))
    if key not in _COVERAGE:
        _COVERAGE[key] = interval_coverage(key[1], key[0], method="normal")
    return _COVERAGE[key]


def error_bar_panel(*, n=100, accuracy=0.9, n_sets=20, seed=0):
    """A SliderPanel: n (test-set size, one of SIZES) and accuracy (the
    model's true accuracy, one of ACCURACIES). Draws the ± margin against n
    and n_sets simulated test sets of size n with their 95 % error bars."""
    if n not in SIZES:
        raise ValueError(f"n must be one of {SIZES}; got {n!r}")
    if accuracy not in ACCURACIES:
        raise ValueError(f"accuracy must be one of {ACCURACIES}; got {accuracy!r}")
    view = TestSizeView(SIZES, ACCURACIES, n_sets=n_sets)
    style = {"description_width": "initial"}
    controls = {
        "n": widgets.SelectionSlider(options=SIZES, value=n, description="test-set size n",
                                     continuous_update=True, style=style),
        "accuracy": widgets.SelectionSlider(options=[(f"{a:.0%}", a) for a in ACCURACIES], value=accuracy,
                                            description="true accuracy", continuous_update=True, style=style),
    }

    def draw(n, accuracy):
        measured = simulated_accuracies(n, accuracy, n_sets, seed)
        covers = view.update(n, accuracy, measured)
        margin = 100 * accuracy_margin(accuracy, n)
        needed = examples_needed(accuracy, 0.01)
        errors = round(n * (1 - accuracy), 6)  # expected errors per test set
        noun = "error" if errors == 1 else "errors"
        rough = f" Only {errors:g} {noun} expected per test set: the ± formula is rough here." if errors < 5 else ""
        coverage = formula_coverage(n, accuracy)
        return (f"n={n}, true accuracy {accuracy:.0%}: a measured accuracy is good to ±{margin:.1f} points "
                f"(95 %); the error bars of {int(covers.sum())} of {n_sets} simulated test sets cover the truth "
                f"(this formula really covers it {100 * coverage:.1f} % of the time here: {20 * (1 - coverage):.3g} "
                f"misses in 20, where a 95 % interval should have 1); ±1 point needs n ≥ {needed}.{rough}")

    def busy(n, accuracy):
        """What the status says at once while a coverage is computed (None: known, instant)."""
        return None if (int(n), float(accuracy)) in _COVERAGE else "computing how often the formula covers the truth..."

    panel = SliderPanel(draw, controls, view.figure, busy=busy,
                        stops={"n": [50, 100, 500, 1000, 2500, 10000, 50000], "accuracy": [0.5, 0.8, 0.9, 0.99]})
    panel.view = view
    return panel
