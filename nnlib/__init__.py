"""nnlib: a small, readable numpy library for learning how neural networks
are trained. Core modules need only numpy; ``nnlib.plots`` (matplotlib) and
``nnlib.widgets`` (ipywidgets) are imported on their own.

    layers.py     Linear, ReLU, Tanh, Sigmoid, Sequential, mlp
    losses.py     MSELoss, SoftmaxCrossEntropy, BinaryCrossEntropy
    gradients.py  numerical_gradient, gradient_check
    optim.py      SGD, Adam, AdamW, StepLR, CosineAnnealingLR, LinearLR, OneCycleLR, SequentialLR
    data.py       batch_indices, minibatches, train_val_test_split
    training.py   fit, History, EarlyStopping, evaluate, accuracy, lr_range_test
    datasets.py   corrupt_labels, load_digits, make_line, make_sine, make_moons, make_spirals
    surfaces.py   the loss of y = w*x + b and descent paths across it
    costs.py      what a gradient costs: counting and timing both ways
    search.py     grid search, random search, seed repeats (import nnlib.search)
    capacity.py   polynomial_features, least_squares, random_relu_features
    overfitting.py  notebook 07: errors against degree, learning curves, double descent
    label_noise.py  notebook 08: the phases of learning on digits with wrong labels (import nnlib.label_noise)
    stats.py      accuracy_interval (Wilson, exact, normal), mcnemar_test, paired_t_test, sign_test
    splits.py     stratified_split, k_fold_indices, the winner's curse (notebook 06)
    diagnostics.py  notebook 10: Recorder, per-layer statistics, update-to-data ratios
    curvature.py  Hessian-vector products, sharpness, per-example gradients, gradient noise scale
    landscape.py  notebook 12: loss along lines and planes, a path's principal plane, steps per batch size
"""

from .data import batch_indices, batches_per_epoch, minibatches, train_val_test_split
from .curvature import (EigenEstimate, gradient_noise_scale, hessian_eigenvalues, hessian_vector_product,
                        per_example_gradients, power_iteration, sharpness)
from .capacity import least_squares, polynomial_features, random_relu_features
from .datasets import corrupt_labels, load_digits, make_line, make_moons, make_sine, make_spirals
from .gradients import backprop_gradients, finite_difference_gradients, gradient_check, numerical_gradient, relative_error
from .diagnostics import (LayerStats, Recorder, dead_fraction, input_independent_baseline, layer_statistics,
                          saturated_fraction, signal_run, train_watched, update_ratios, variance_factor)
from .layers import Layer, Linear, Parameter, ReLU, Sequential, Sigmoid, Tanh, count_parameters, mlp
from .losses import BinaryCrossEntropy, MSELoss, SoftmaxCrossEntropy
from .optim import SGD, Adam, AdamW, CosineAnnealingLR, LinearLR, OneCycleLR, SequentialLR, StepLR
from .splits import (accuracy_margin, best_of_k, examples_needed, expected_best_accuracy, k_fold_indices, shared_rows,
                     stratified_split)
from .stats import accuracy_interval, interval_coverage, mcnemar_test, paired_t_test, sign_test
from .surfaces import DescentPath, descent_path, gradient_descent_path, line_loss, line_loss_grid
from .training import (EarlyStopping, Evaluation, History, accuracy, confusion_matrix, evaluate, fit, predict,
                       predicted_classes, replay_early_stopping)
from .training import RangeTest, lr_range_test

__version__ = "0.1.0"

__all__ = [
    "Layer", "Linear", "Parameter", "ReLU", "Sequential", "Sigmoid", "Tanh", "count_parameters", "mlp",
    "BinaryCrossEntropy", "MSELoss", "SoftmaxCrossEntropy",
    "backprop_gradients", "finite_difference_gradients", "gradient_check", "numerical_gradient", "relative_error",
    "SGD",
    "Adam", "AdamW", "CosineAnnealingLR", "LinearLR", "OneCycleLR", "SequentialLR", "StepLR",
    "RangeTest", "lr_range_test",
    "batch_indices", "batches_per_epoch", "minibatches", "train_val_test_split",
    "EarlyStopping", "Evaluation", "History", "accuracy", "confusion_matrix", "evaluate", "fit", "predict",
    "predicted_classes", "replay_early_stopping",
    "least_squares", "polynomial_features", "random_relu_features",
    "corrupt_labels", "load_digits", "make_line", "make_moons", "make_sine", "make_spirals",
    "accuracy_margin", "best_of_k", "examples_needed", "expected_best_accuracy", "k_fold_indices", "shared_rows",
    "stratified_split",
    "accuracy_interval", "interval_coverage", "mcnemar_test", "paired_t_test", "sign_test",
    "DescentPath", "descent_path", "gradient_descent_path", "line_loss", "line_loss_grid",
    "LayerStats", "Recorder", "dead_fraction", "input_independent_baseline", "layer_statistics",
    "saturated_fraction", "signal_run", "train_watched", "update_ratios", "variance_factor",
    "EigenEstimate", "gradient_noise_scale", "hessian_eigenvalues", "hessian_vector_product",
    "per_example_gradients", "power_iteration", "sharpness",
]
