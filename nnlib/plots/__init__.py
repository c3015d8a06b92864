"""Figures for the notebooks, drawn with matplotlib. Plots draw; they never
train: they take numbers (histories, paths, grids) made by the core.

Every English string that appears on a figure lives in the ``TEXT`` dict at
the top of the module that draws it, so a translation touches only those.

    style.py        shared look, new figures, figure -> PNG bytes
    intuition.py    01: predict, compare, adjust; coin-toss accuracy
    derivatives.py  02: tangents, finite differences, the chain rule, cost of gradients
    surface.py      03, 04: the loss surface of y = w*x + b and descent paths
    curves.py       05: loss curves and learning-rate sweeps
    splits.py       06: training, validation and test sets; the winner's curse
    overfitting.py  07: polynomial fits, learning curves, weight decay, width, double descent
    loop.py         08: batch losses, phases of learning, early stopping, reading curves
    search.py       09: grid and random search, seeds, the hyperparameter explorer
    diagnostics.py  10: the loss at init, the signal through the layers, dead units, update ratios, failing runs
    curvature.py    12: power iteration, sharpness against 2/lr, loss landscape, batch size
"""

from .style import figure_png, new_figure  # noqa: F401
from .intuition import plot_before_after, plot_coin_toss, plot_loss_per_update, plot_memorising  # noqa: F401
from .derivatives import (plot_chain_rule, plot_finite_difference_errors, plot_gradient_costs,  # noqa: F401
                          plot_partial_derivatives, plot_secants)
from .surface import batch_paths_figure, descent_figure, regimes_figure, surface_figure  # noqa: F401
from .curves import plot_batch_lr_grid, plot_loss_curves, plot_lr_sweep  # noqa: F401
from .splits import plot_expected_best, plot_rare_in_val, plot_split_classes  # noqa: F401
from .loop import plot_batch_losses, plot_confusion_matrix, plot_curve_gallery, plot_misclassified  # noqa: F401
from .search import plot_grid_heatmap, plot_grid_vs_random, plot_seed_spread  # noqa: F401
