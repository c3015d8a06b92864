"""Notebook 10: the signal through the layers, and "diagnose this run".

    signal_panel      gain, depth, activation -> per-layer histograms, sizes,
                      saturated / dead fractions and a short training
    diagnosis_panel   a failing run from the gallery, and the reader's diagnosis

The computation and the status lines are in nnlib/diagnostics.py (signal_run,
describe_signal) and nnlib/failures.py (failure_gallery, describe_diagnosis).
"""

import ipywidgets as widgets
import numpy as np

from .. import load_digits, train_val_test_split
from ..diagnostics import ACTIVATIONS, describe_signal, signal_run
from ..failures import ANSWER, CAUSES, NO_GUESS, describe_diagnosis, failure_gallery
from ..plots.diagnostics import DiagnosisView, SignalView
from .panel import SliderPanel

# The gains of the slider, times the init's standard deviation (He for ReLU, LeCun for tanh and sigmoid).
GAINS = (0.1, 0.2, 0.3, 0.5, 0.7, 0.85, 1.0, 1.2, 1.5, 2.0, 2.5, 3.0)
MAX_DEPTH = 10
# Vanishing, healthy and exploding for each activation, at a shallow, a middle and the full depth.
SIGNAL_STOPS = {"gain": [0.1, 0.5, 1.0, 2.0, 3.0], "depth": [2, 5, 10], "activation": list(ACTIVATIONS)}
SIGNAL_SETTINGS = dict(width=64, batch=500, epochs=2, batch_size=32, lr=0.1, seed=0)


def digits_training_set(seed=0):
    """The 899 training digits of the series' 50/25/25 split (notebooks 06 to 10)."""
    x, y = load_digits()
    (x_train, y_train), _, _ = train_val_test_split(x, y, val_fraction=0.25, test_fraction=0.25, rng=seed)
    return x_train, y_train


def signal_panel(x=None, y=None, *, gain=1.0, depth=10, activation="tanh", runs=None, settings=None):
    """Sliders for the initialisation gain (0.1 to 3 times the usual standard
    deviation), the number of hidden layers (1 to 10) and the activation
    (tanh, relu, sigmoid) of a network 64 wide on the digits.

    x, y: the training digits (x: (n, 64), y: (n,)); by default the series'
    899 training digits. The figure shows, at initialisation and for the
    first 500 examples, each hidden layer's outputs and gradients as
    histograms, their standard deviations per layer and the saturated or
    dead fraction; then the loss during 2 epochs of SGD (lr 0.1).
    runs: {(activation, depth, gain): SignalRun}, a cache filled as the
    sliders move (a new setting trains in about half a second).
    """
    if gain not in GAINS:
        raise ValueError(f"gain must be one of {GAINS}; got {gain!r}")
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {list(ACTIVATIONS)}; got {activation!r}")
    if (x is None) != (y is None):
        raise ValueError("x and y must be given together (or both left out for the digits' training set)")
    if x is None:
        x, y = digits_training_set()
    settings = {**SIGNAL_SETTINGS, **(settings or {})}
    runs = {} if runs is None else runs
    view = SignalView()

    def run_for(gain, depth, activation):
        key = (activation, depth, gain)
        if key not in runs:
            runs[key] = signal_run(x, y, activation=activation, depth=depth, gain=gain, **settings)
        return runs[key]

    def draw(gain, depth, activation):
        run = run_for(gain, depth, activation)
        view.show(run)
        return describe_signal(run)

    def busy(gain, depth, activation):
        if (activation, depth, gain) in runs:
            return None
        return f"{activation} depth={depth} gain={gain:g}: training {settings['epochs']} epochs..."

    controls = {
        "gain": widgets.SelectionSlider(options=[(f"{g:g}", g) for g in GAINS], value=gain, description="gain",
                                        continuous_update=False, style={"description_width": "initial"}),
        "depth": widgets.IntSlider(value=depth, min=1, max=MAX_DEPTH, description="hidden layers",
                                   continuous_update=False, style={"description_width": "initial"}),
        "activation": widgets.ToggleButtons(options=list(ACTIVATIONS), value=activation, description="activation",
                                            style={"description_width": "initial", "button_width": "70px"}),
    }
    panel = SliderPanel(draw, controls, view.figure, stops=SIGNAL_STOPS, busy=busy)
    panel.runs = runs
    panel.view = view
    return panel


# --- diagnose this run ---------------------------------------------------------------------------------



def mystery_names(causes, seed=10):
    """{"A": cause, "B": cause, ...}: the causes in a shuffled order, so the
    name says nothing about the cause."""
    order = np.random.default_rng(seed).permutation(len(causes))
    return {chr(ord("A") + k): causes[i] for k, i in enumerate(order)}


def diagnosis_panel(gallery=None, *, run="A", guess=NO_GUESS, train=None, val=None, seed=10):
    """A failing run of the gallery (nnlib.failures), under a letter, and a
    list of causes: the line under the picture says whether the diagnosis is
    right and what gives the cause away (or what the chosen cause would show).

    gallery: {cause: FailingRun} from failure_gallery, with the "healthy"
    run (drawn in grey for comparison); missing runs are trained (train,
    val: (x, y) pairs, by default the series' digits split).
    """
    causes = list(CAUSES)
    if gallery is None or any(cause not in gallery for cause in ["healthy", *causes]):
        if train is None or val is None:
            x, y = load_digits()
            train, val, _ = train_val_test_split(x, y, val_fraction=0.25, test_fraction=0.25, rng=0)
        gallery = failure_gallery(train, val, runs=gallery)
    names = mystery_names(causes, seed)
    if run not in names:
        raise ValueError(f"run must be one of {list(names)}; got {run!r}")
    options = [("(your diagnosis)", NO_GUESS)] + [(CAUSES[c].label, c) for c in causes] + \
              [("(show the answer)", ANSWER)]
    if guess not in [value for _, value in options]:
        raise ValueError(f"guess must be one of {[value for _, value in options]}; got {guess!r}")
    view = DiagnosisView(gallery["healthy"])

    def draw(run, guess):
        cause = names[run]
        view.show(gallery[cause], f"run {run}")
        return describe_diagnosis(run, cause, guess)

    controls = {
        "run": widgets.ToggleButtons(options=list(names), value=run, description="run",
                                     style={"description_width": "initial", "button_width": "40px"}),
        "guess": widgets.Dropdown(options=options, value=guess, description="diagnosis",
                                  style={"description_width": "initial"},
                                  layout=widgets.Layout(width="420px")),
    }
    panel = SliderPanel(draw, controls, view.figure, stops={"run": list(names), "guess": [NO_GUESS, ANSWER]})
    panel.names = names
    panel.gallery = gallery
    panel.view = view
    return panel
