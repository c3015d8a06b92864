"""Notebook 11: two panels.

    bias_correction_panel  bias correction on/off and beta2 -> Adam's first steps
    schedule_panel         peak learning rate, warmup steps, shape -> lr per step and the loss curves

The schedule panel trains Adam on the digits (``nnlib.tuning.train``) once
per setting and keeps every run (``panel.cache``): moving back to a setting
seen before draws without training.
"""

import ipywidgets as widgets
import numpy as np

from ..data import batches_per_epoch
from ..plots.optimisers import BiasCorrectionView, ScheduleView
from ..tuning import (NETWORK, SHAPES, adam_best_accuracy, adam_step_sizes, describe_bias, describe_schedule,
                      digits_sets, train)
from .panel import SliderPanel

BETA2S = (0.99, 0.999, 0.9999)
BIAS_STEPS = 3000
PEAK_LRS = (0.001, 0.003, 0.01, 0.03, 0.1, 0.2, 0.5)
WARMUPS = (0, 25, 50, 100, 200, 300)
# What the book precomputes: a good rate, one that fails without warmup and
# trains with it (0.2), one that fails with or without (0.5); no, short and
# long warmup; every shape.
SCHEDULE_STOPS = {"lr": [0.003, 0.2, 0.5], "warmup": [0, 100, 300], "shape": list(SHAPES)}

STYLE = {"description_width": "initial"}


def bias_correction_panel(*, bias_correction=False, beta2=0.999):
    """A SliderPanel: Adam's step (in units of lr) for a steady gradient
    over its first BIAS_STEPS steps, with the controls "bias_correction"
    (checkbox) and "beta2" (one of BETA2S). Pure arithmetic: no training."""
    if beta2 not in BETA2S:
        raise ValueError(f"beta2 must be one of {BETA2S}; got {beta2!r}")
    view = BiasCorrectionView(BIAS_STEPS)
    gradient = np.ones(BIAS_STEPS)  # any steady size gives the same picture: Adam divides it out
    curves = {b2: (adam_step_sizes(gradient, betas=(0.9, b2)),
                   adam_step_sizes(gradient, betas=(0.9, b2), bias_correction=False)) for b2 in BETA2S}

    def draw(bias_correction, beta2):
        with_correction, without_correction = curves[beta2]
        view.update(with_correction, without_correction, bias_correction=bias_correction, beta2=beta2)
        return describe_bias(with_correction, without_correction, bias_correction=bias_correction, beta2=beta2)

    controls = {
        "bias_correction": widgets.Checkbox(value=bias_correction, description="bias correction", style=STYLE),
        "beta2": widgets.ToggleButtons(options=BETA2S, value=beta2, description="β2", style=STYLE),
    }
    stops = {"bias_correction": [False, True], "beta2": list(BETA2S)}
    panel = SliderPanel(draw, controls, view.figure, stops=stops)
    panel.view = view
    return panel


def schedule_panel(*, lr=0.01, warmup=0, shape="cosine", seed=0):
    """A SliderPanel training Adam on the digits (64-64-10, batches of 32,
    15 epochs, the schedule stepped after every update) with the controls
    "lr" (the peak, one of PEAK_LRS), "warmup" (steps, one of WARMUPS) and
    "shape" (one of SHAPES). ``panel.cache``: {(lr, warmup, shape): History}."""
    for name, value, allowed in (("lr", lr, PEAK_LRS), ("warmup", warmup, WARMUPS), ("shape", shape, SHAPES)):
        if value not in allowed:
            raise ValueError(f"{name} must be one of {allowed}; got {value!r}")
    sets = digits_sets()
    n_val = len(sets[1][1])
    total = NETWORK["epochs"] * batches_per_epoch(len(sets[0][1]), NETWORK["batch_size"])
    view = ScheduleView(total, NETWORK["epochs"])
    best = adam_best_accuracy()  # the verdicts' reference: Adam's tuned accuracy (section 2)
    cache = {}

    def busy(lr, warmup, shape):
        return None if (lr, warmup, shape) in cache else f"training Adam, lr={lr:g} warmup={warmup} {shape}..."

    def draw(lr, warmup, shape):
        key = (lr, warmup, shape)
        if key not in cache:
            cache[key] = train("Adam", lr, seed=seed, sets=sets, shape=shape, warmup=warmup, **NETWORK)[1]
        view.update(cache[key], lr=lr, warmup=warmup, shape=shape)
        return describe_schedule(cache[key], lr=lr, warmup=warmup, shape=shape, n_val=n_val, best=best)

    controls = {
        "lr": widgets.SelectionSlider(options=PEAK_LRS, value=lr, description="peak learning rate", style=STYLE),
        "warmup": widgets.SelectionSlider(options=WARMUPS, value=warmup, description="warmup steps", style=STYLE),
        "shape": widgets.ToggleButtons(options=SHAPES, value=shape, description="shape", style=STYLE),
    }
    panel = SliderPanel(draw, controls, view.figure, stops=SCHEDULE_STOPS, busy=busy)
    panel.view, panel.cache = view, cache
    return panel
