"""The edge-of-stability panel of notebook 12: full-batch gradient descent
on 500 digits (MSE on one-hot targets) with the sharpness measured every 20
steps, for a learning rate and a momentum chosen with sliders.

The 18 runs (6 rates x 3 momenta) are shipped in
nnlib/resources/nb12_runs.npz (``curvature.load_edge_runs``): each takes a
few seconds to train with the sharpness measured precisely. A setting
missing from ``panel.runs`` is trained on first use and kept.
"""

import ipywidgets as widgets

from ..curvature import (DIGITS_SETUP, PANEL_LRS, PANEL_MOMENTA, describe_sharpness, edge_of_stability_run,
                         panel_runs)
from ..plots.curvature import EdgeView
from .panel import SliderPanel, learning_rate_slider

MOMENTA = PANEL_MOMENTA
LR_RANGE = (PANEL_LRS[0], PANEL_LRS[-1])  # 0.5, 0.8, 1, 1.5, 2, 3


def edge_of_stability_panel(runs=None, *, lr=1.0, momentum=0.0):
    """A SliderPanel with "lr" (0.5, 0.8, 1, 1.5, 2 or 3; another raises
    ValueError) and "momentum" (0, 0.5 or 0.9): it draws the sharpness and
    its threshold (2 + 2 momentum) / lr against the step, and the loss.

    runs: {(lr, momentum): SharpnessRun} of ``edge_of_stability_run(lr,
    momentum=momentum)``, a cache (by default the shipped runs,
    ``curvature.panel_runs()``); missing settings are trained on first use
    and kept. The status line is ``describe_sharpness`` of the run.
    """
    lr_control = learning_rate_slider(lr, *LR_RANGE)
    if momentum not in MOMENTA:
        raise ValueError(f"momentum must be one of {MOMENTA}; got {momentum!r}")
    runs = panel_runs() if runs is None else runs
    view = EdgeView(DIGITS_SETUP["steps"])

    def run_for(lr, momentum):
        if (lr, momentum) not in runs:
            runs[(lr, momentum)] = edge_of_stability_run(lr, momentum=momentum)
        return runs[(lr, momentum)]

    def draw(lr, momentum):
        run = run_for(lr, momentum)
        view.show(run)
        return describe_sharpness(run)

    def busy(lr, momentum):
        if (lr, momentum) in runs:
            return None
        return f"lr={lr:g} momentum={momentum:g}: training {DIGITS_SETUP['steps']} steps and measuring the sharpness..."

    momentum_control = widgets.SelectionSlider(options=[(f"{m:g}", m) for m in MOMENTA], value=momentum,
                                               description="momentum", continuous_update=False,
                                               style={"description_width": "initial"})
    panel = SliderPanel(draw, {"lr": lr_control, "momentum": momentum_control}, view.figure,
                        stops={"lr": list(PANEL_LRS), "momentum": [0.0, 0.5]}, busy=busy)
    panel.runs = runs
    panel.view = view
    return panel
