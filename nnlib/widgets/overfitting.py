"""Notebook 07: slider panels on underfitting and overfitting.

    degree_panel          degree, training points, noise, sample -> polynomial fit and errors
    weight_decay_panel    penalty λ -> a calmer degree-25 fit, weight sizes, errors
    hidden_units_panel    hidden units -> decision boundary of a small network, accuracies
    double_descent_panel  minimum norm / ridge / both -> test error against random features

Every draw function is a plain function of the control values. What it
needs is computed once per setting and kept in a dict (``panel.cache``),
so moving back to a setting is instant.
"""

import ipywidgets as widgets
import numpy as np

from .. import load_digits
from ..capacity import polynomial_features
# WidthSweep (and its WIDTHS, SEEDS) is computed in nnlib.overfitting; imported here for the
# hidden-units panel and for code that imported it from this module.
from ..overfitting import (SEEDS, WIDTHS, X_RANGE, WidthSweep, degree_errors, double_descent, fit_polynomial,
                           fit_regions, paired_standard_errors, predict_polynomial, ridge_solutions, sine_data, within_noise)
from ..plots.overfitting import DegreeView, DoubleDescentView, HiddenUnitsView, WeightDecayView, describe_region
from .panel import SliderPanel

STYLE = {"description_width": "initial"}
MAX_DEGREE = 25


def show_error(error):
    """An error for the status line: 3 significant digits, or "0 (round-off)"
    when the fit passes through the points (its last digits are round-off)."""
    return "0 (round-off)" if error < 1e-12 else f"{error:.3g}"


# ---------------------------------------------------------------- degree


class SineSample:
    """One sample of the degree panel: the data, and for every degree 0..max
    the fitted curve on the plot's grid and both errors."""

    def __init__(self, n_points, noise, seed, grid, max_degree=MAX_DEGREE):
        self.train, self.val = sine_data(n_points, noise=noise, seed=seed)
        degrees = range(max_degree + 1)
        self.train_errors, self.val_errors, self.val_ses = degree_errors(self.train, self.val, degrees,
                                                                         standard_errors=True)
        self.best_degree = int(np.argmin(self.val_errors))
        self.names = fit_regions(self.val_errors, standard_errors=self.val_ses)
        self.within = within_noise(self.val_errors, self.val_ses)  # hatched where outside the sweet spot
        self.curves = [predict_polynomial(fit_polynomial(*self.train, d), grid) for d in degrees]


def degree_panel(*, degree=3, n_points=30, noise=0.3, seed=0):
    """A SliderPanel: noisy samples of sin(2πx) and the least-squares
    polynomial of the chosen degree (left); training and validation error
    against degree with the underfitting, sweet-spot and overfitting regions
    (right). Controls: degree (0-25), n_points (10-200), noise (0.05-1),
    seed (the sample; the "new sample" button adds 1).
    ``panel.sample()`` is the current SineSample; ``panel.view`` the figure."""
    view = DegreeView(MAX_DEGREE)
    cache = {}

    def key_of(n_points, noise, seed):
        return (int(n_points), round(float(noise), 4), int(seed))

    def busy(degree, n_points, noise, seed):
        """What the status says at once while a new sample is fitted (None: cached, instant)."""
        return None if key_of(n_points, noise, seed) in cache else f"fitting 26 polynomials to a new sample {seed}..."

    def sample(n_points, noise, seed):
        key = key_of(n_points, noise, seed)
        if key not in cache:
            cache[key] = SineSample(key[0], key[1], key[2], view.grid)
        return cache[key]

    controls = {
        "degree": widgets.IntSlider(value=degree, min=0, max=MAX_DEGREE, description="degree", style=STYLE),
        "n_points": widgets.IntSlider(value=n_points, min=10, max=200, step=5, description="training points",
                                      style=STYLE),
        "noise": widgets.FloatSlider(value=noise, min=0.05, max=1.0, step=0.05, description="noise σ",
                                     readout_format=".2f", style=STYLE),
        "seed": widgets.IntSlider(value=seed, min=0, max=99, description="sample", style=STYLE),
    }

    def draw(degree, n_points, noise, seed):
        data = sample(n_points, noise, seed)
        noise = round(float(noise), 4)
        view.show_data(data.train, data.val, data.train_errors, data.val_errors, data.names, noise=noise, seed=seed,
                       within=data.within)
        clipped = view.show_fit(data.curves[degree], degree, n=n_points, noise=noise)
        name = data.names[degree]
        best = data.best_degree
        words = describe_region(name, data.val_errors[degree], data.val_errors[best], data.val_ses[degree])
        return (f"degree={degree} points={n_points} noise={noise:g} sample={seed}: "
                f"training error {show_error(data.train_errors[degree])}, validation error {data.val_errors[degree]:.3g} "
                f"(lowest {data.val_errors[data.best_degree]:.3g} at degree {data.best_degree}) -> {words}"
                + ("; curve clipped" if clipped else ""))

    panel = SliderPanel(draw, controls, view.figure, busy=busy, renderer=view.renderer(),
                        stops={"degree": [0, 1, 3, 5, 9, 15, 25], "n_points": [15, 100],
                               "noise": [0.1, 0.3], "seed": [0, 1]})
    button = widgets.Button(description="new sample", tooltip="draw new points: the next sample number")

    def next_sample(_):
        control = panel.controls["seed"]
        control.value = control.value + 1 if control.value < control.max else control.min

    button.on_click(next_sample)
    controls_box = panel.widget.children[0]
    controls_box.children = (*controls_box.children, button)
    panel.button = button
    panel.view = view
    panel.cache = cache
    panel.sample = lambda: sample(**{k: v for k, v in panel.values().items() if k != "degree"})
    return panel


# ---------------------------------------------------------------- weight decay

PENALTIES = tuple(float(f"{m}e{k}") for k in range(-10, 2) for m in (1, 3))[:-1]  # 1e-10, 3e-10, ..., 10


class PenaltySweep:
    """A degree-``degree`` fit of one sample for every penalty in PENALTIES:
    weights, curves on ``grid``, training and validation errors, regions."""

    def __init__(self, degree, n_points, noise, seed, grid):
        self.train, self.val = sine_data(n_points, noise=noise, seed=seed)
        features = polynomial_features(self.train[0], degree, x_range=X_RANGE)
        self.weights = ridge_solutions(features, self.train[1], PENALTIES)
        grid_features = polynomial_features(grid, degree, x_range=X_RANGE)
        val_features = polynomial_features(self.val[0], degree, x_range=X_RANGE)
        self.curves = [grid_features @ w for w in self.weights]
        self.train_errors = np.array([np.mean((features @ w - self.train[1]) ** 2) for w in self.weights])
        squared = np.array([(val_features @ w - self.val[1]) ** 2 for w in self.weights])  # (penalties, n_val)
        self.val_errors = squared.mean(axis=1)
        self.val_ses = paired_standard_errors(squared)  # of each penalty's difference from the best one
        self.best = int(np.argmin(self.val_errors))
        # fit_regions wants the least flexible model first: the largest penalty.
        self.names = fit_regions(self.val_errors[::-1], standard_errors=self.val_ses[::-1])[::-1]


def penalty_slider(l2):
    if l2 not in PENALTIES:
        raise ValueError(f"l2 must be one of {', '.join(f'{p:g}' for p in PENALTIES)}; got {l2!r}")
    return widgets.SelectionSlider(options=[(f"{p:g}", p) for p in PENALTIES], value=l2,
                                   description="penalty λ", continuous_update=True, style=STYLE)


def weight_decay_panel(*, l2=1e-10, degree=25, n_points=30, noise=0.3, seed=0):
    """A SliderPanel: a degree-25 polynomial fitted to 30 noisy points with
    the penalty l2 * |w|^2 (ridge, ``least_squares(..., l2=...)``): the fit
    (left), the size of each weight (middle), training and validation error
    against λ (right). l2: one of PENALTIES (1e-10, 3e-10, ..., 3)."""
    control = penalty_slider(l2)
    sweep = PenaltySweep(degree, n_points, noise, seed, np.linspace(*X_RANGE, 400))
    view = WeightDecayView(sweep.train, PENALTIES, sweep.train_errors, sweep.val_errors, sweep.names,
                           degree=degree, noise=noise)

    def draw(l2):
        i = PENALTIES.index(l2)
        clipped = view.show(sweep.curves[i], sweep.weights[i], l2)
        name = sweep.names[i]
        best = sweep.best
        words = describe_region(name, sweep.val_errors[i], sweep.val_errors[best], sweep.val_ses[i], dial="penalty")
        return (f"λ={l2:g}: |w|={np.linalg.norm(sweep.weights[i]):.3g}, training error {show_error(sweep.train_errors[i])}, "
                f"validation error {sweep.val_errors[i]:.3g} (lowest {sweep.val_errors[sweep.best]:.3g} at "
                f"λ={PENALTIES[sweep.best]:g}) -> {words}" + ("; curve clipped" if clipped else ""))

    panel = SliderPanel(draw, {"l2": control}, view.figure, stops={"l2": [1e-10, 1e-7, 1e-5, 1e-3, 1e-1, 3.0]},
                        renderer=view.renderer())
    panel.view, panel.sweep = view, sweep
    return panel


# ---------------------------------------------------------------- hidden units


def hidden_units_panel(*, hidden=8, sweep=None):
    """A SliderPanel: the decision boundary of a 2-h-h-2 network trained on
    150 noisy moons with 20 % of the labels flipped, for h in WIDTHS (the
    first seed's network), and the training and validation accuracy of every
    width (mean over the seeds, each seed a thin line). ``sweep``: a
    WidthSweep; by default the shipped WidthSweep(seeds=SEEDS), read with
    WidthSweep.load() (training it again takes about 10 s)."""
    sweep = sweep if sweep is not None else WidthSweep.load()
    view = HiddenUnitsView(sweep.train, sweep.flipped, sweep.widths, sweep.train_accuracies, sweep.val_accuracies,
                           sweep.grid, val=sweep.val)
    control = widgets.SelectionSlider(options=sweep.widths, value=hidden, description="hidden units",
                                      continuous_update=True, style=STYLE)
    best, count = sweep.best, len(sweep.seeds)

    def draw(hidden):
        i = sweep.widths.index(hidden)
        view.show(sweep.probability[i], hidden, sweep.seed_train_accuracy[i], sweep.seed_val_accuracy[i])
        words = describe_region(sweep.names[i], sweep.val_errors[i], sweep.val_errors[best], sweep.val_ses[i],
                                dial="width", percent=True)
        return (f"hidden units={hidden}: mean over {count} seeds: training accuracy {sweep.train_accuracy[i]:.1%}, "
                f"validation accuracy {sweep.val_accuracy[i]:.1%} (best {sweep.val_accuracy[best]:.1%} with "
                f"{sweep.widths[best]}) -> {words}")

    panel = SliderPanel(draw, {"hidden": control}, view.figure, stops={"hidden": list(sweep.widths)},
                        renderer=view.renderer())
    panel.view, panel.sweep = view, sweep
    return panel


# ---------------------------------------------------------------- double descent

FEATURE_COUNTS = (10, 20, 50, 100, 150, 175, 200, 225, 250, 275, 300, 400, 600, 1000, 2000)
RIDGE_L2 = 1e-3


def digits_double_descent(feature_counts=FEATURE_COUNTS, *, seeds=(0, 1, 2, 3, 4), ridge_l2=RIDGE_L2):
    """double_descent on the shipped digits, 200 training images."""
    x, y = load_digits()
    return double_descent(x, y, feature_counts, n_train=200, seeds=seeds, l2_values=(0.0, ridge_l2))


def double_descent_panel(*, show="both", result=None, ridge_l2=RIDGE_L2):
    """A SliderPanel with one toggle: test error against the number of
    random ReLU features for the minimum-norm fit, the ridge fit, or both.
    ``result`` is a DoubleDescent (computed here when None: a few seconds)."""
    result = result if result is not None else digits_double_descent(ridge_l2=ridge_l2)
    view = DoubleDescentView(result, ridge_l2=ridge_l2)
    control = widgets.ToggleButtons(options=["minimum norm", "ridge", "both"], value=show, description="fit",
                                    style=STYLE)
    counts = list(result.feature_counts)

    near = [i for i, count in enumerate(counts)
            if result.n_train / 2 <= count <= 2 * result.n_train and 0 < i < len(counts) - 1]

    def summary(l2):
        """Mean test errors at both ends, and the peak near the threshold (n_train features) if there is one:
        a local maximum above the error at n_train / 2 features (the curve went down, then up again)."""
        errors = result.mean_errors(l2)
        peaks = [i for i in near[1:] if errors[i] > errors[i - 1] and errors[i] > errors[i + 1]
                 and errors[i] > errors[near[0]]]
        if peaks:
            peak = max(peaks, key=lambda i: errors[i])
            middle = f"a peak near {result.n_train}: {errors[peak]:.0%} at {counts[peak]}"
        else:
            middle = f"no peak near {result.n_train}"
        return f"{errors[0]:.0%} at {counts[0]} features, {middle}, {errors[-1]:.0%} at {counts[-1]}"

    def draw(show):
        view.show(show)
        parts = []
        if show in ("minimum norm", "both"):
            parts.append(f"minimum norm: {summary(0.0)}")
        if show in ("ridge", "both"):
            parts.append(f"ridge λ={ridge_l2:g}: {summary(ridge_l2)}")
        return "; ".join(parts)

    panel = SliderPanel(draw, {"show": control}, view.figure, stops={"show": ["minimum norm", "ridge", "both"]})
    panel.view, panel.result = view, result
    return panel
