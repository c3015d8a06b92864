"""Notebook 08: a slider for the fraction of wrong labels (the phases of learning).

    label_noise_panel      a slider for the fraction of wrong labels
    describe_phases        the panel's status line

The runs and their measurements are computed in the core,
``nnlib/label_noise.py``; this module only wires a control to them. Its old
names (digits_sets, train_with_label_noise, NoisyRun, FRACTIONS,
RUN_SETTINGS) are still importable from here.
"""

import ipywidgets as widgets
import numpy as np

from ..label_noise import (FRACTIONS, RUN_SETTINGS, NoisyRun, digits_sets, moving_average,  # noqa: F401
                           phase_sets, train_with_label_noise, transition_band)
from ..plots.loop import PhasesView
from .panel import SliderPanel


def describe_phases(run):
    """One line: the fraction of wrong labels, the validation accuracy at
    the start, at its highest (smoothed over a few epochs) and at the end,
    and, with wrong labels, the band where learning turns into
    memorisation and how much of the noise was memorised at the end."""
    pct = lambda value: f"{100 * value:.0f}%"  # noqa: E731
    smooth = moving_average(run.val_accuracy[1:])
    top = int(np.argmax(smooth))
    line = (f"wrong labels={pct(run.fraction)}: val acc {pct(run.val_accuracy[0])} at epoch 0, "
            f"highest {pct(smooth[top])} (smoothed, epoch {top + 1}), {pct(run.val_accuracy[-1])} at epoch "
            f"{run.epochs}; train acc {pct(run.train_accuracy[-1])}")
    band = transition_band(run)
    if band is None:
        return line + " (no wrong labels to memorise)"
    return (line + f"; learning turns into memorisation from epoch {band[0]} to {band[1]}; wrong labels "
            f"memorised {pct(run.memorised[-1])} at epoch {run.epochs}")


def label_noise_panel(runs=None, *, fraction=0.3, settings=None):
    """A SliderPanel with one control, "fraction" (0, 10, 20, 30 or 40 %
    wrong training labels): it draws that run's accuracies per epoch with
    the phases of learning marked.

    runs: {fraction: NoisyRun}, a cache; settings missing from it are
    trained on first use (about 1 s each) and kept, so moving back is
    instant. settings: RUN_SETTINGS by default. The runs use phase_sets:
    no test digits.
    """
    if fraction not in FRACTIONS:
        raise ValueError(f"fraction must be one of {FRACTIONS}; got {fraction!r}")
    settings = {**RUN_SETTINGS, **(settings or {})}
    n_train = settings.pop("n_train")
    runs = {} if runs is None else runs
    sets = phase_sets(n_train, seed=settings["seed"])
    view = PhasesView(settings["epochs"])

    def run_for(fraction):
        if fraction not in runs:
            runs[fraction] = train_with_label_noise(*sets, fraction, **settings)
        return runs[fraction]

    def draw(fraction):
        run = run_for(fraction)
        view.show(run)
        return describe_phases(run)

    def busy(fraction):
        if fraction in runs:
            return None  # cached: the redraw is quick
        return f"wrong labels={100 * fraction:.0f}%: training {settings['epochs']} epochs..."

    control = widgets.SelectionSlider(options=[(f"{100 * f:.0f}%", f) for f in FRACTIONS], value=fraction,
                                      description="wrong labels", continuous_update=False,
                                      style={"description_width": "initial"})
    panel = SliderPanel(draw, {"fraction": control}, view.figure, stops={"fraction": list(FRACTIONS)},
                        busy=busy)
    panel.runs = runs
    panel.view = view
    return panel
