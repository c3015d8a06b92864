"""Figures for notebook 01: what training is.

Predict, compare, adjust: random parameters classify like a coin toss,
a few hundred updates later they do not; and a model that memorises its
few training points while its validation loss turns up.
"""

import matplotlib.pyplot as plt
import numpy as np

from ..training import accuracy, predict
from .style import COLORS

TEXT = {
    "coin_title": "Accuracy of {n} randomly initialised networks (no training)",
    "coin_x": "accuracy on the moons (fraction classified correctly)",
    "coin_y": "number of random initialisations",
    "coin_chance": "coin toss (0.5)",
    "coin_mean": "mean of the {n}: {mean:.3f}",
    "boundary_x": "x1",
    "boundary_y": "x2",
    "class": "class {label}",
    "region": "predicted class 1",
    "before_title": "Before training: accuracy {accuracy:.3f}",
    "after_title": "After {updates} updates: accuracy {accuracy:.3f}",
    "loss_title": "The loss after every update",
    "loss_x": "update (one predict, compare, adjust)",
    "loss_y": "cross-entropy loss on the training points",
    "loss_curve": "training loss",
    "memo_points_title": "{n} noisy training points and the final boundary",
    "memo_curves_title": "Training loss keeps falling, validation loss turns up",
    "memo_x": "update",
    "memo_y": "cross-entropy loss",
    "memo_train": "training loss ({n} points it learns from)",
    "memo_val": "validation loss ({n} new points)",
    "memo_best": "lowest validation loss (update {step})",
}

CLASS_COLORS = ("#1f77b4", "#ff7f0e")


def plot_coin_toss(accuracies):
    """Histogram of the accuracies of many random initialisations, with
    chance (0.5) and their mean marked. accuracies: (n,) in [0, 1]."""
    accuracies = np.asarray(accuracies, dtype=float)
    n = len(accuracies)
    fig, ax = plt.subplots(figsize=(8, 4), layout="constrained")
    ax.hist(accuracies, bins=np.linspace(-0.025, 1.025, 22), color=COLORS["neutral"], edgecolor="white")
    ax.axvline(0.5, color=COLORS["bad"], linestyle="--", linewidth=2, label=TEXT["coin_chance"])
    ax.axvline(accuracies.mean(), color="black", linewidth=2,
               label=TEXT["coin_mean"].format(n=n, mean=accuracies.mean()))
    ax.set(title=TEXT["coin_title"].format(n=n), xlabel=TEXT["coin_x"], ylabel=TEXT["coin_y"], xlim=(0, 1))
    ax.legend(loc="upper left")
    return fig


def class1_probability_grid(model, x, resolution=150, margin=0.5):
    """The model's probability of class 1 on a grid covering the points x
    (n, 2). Works with 2 outputs (softmax) or 1 output (a logit).
    Returns (grid_x1, grid_x2, probability), each (resolution, resolution)."""
    low = x.min(axis=0) - margin
    high = x.max(axis=0) + margin
    g1, g2 = np.meshgrid(np.linspace(low[0], high[0], resolution), np.linspace(low[1], high[1], resolution))
    outputs = predict(model, np.column_stack([g1.ravel(), g2.ravel()]))
    if outputs.shape[1] == 1:
        probability = 1.0 / (1.0 + np.exp(-outputs[:, 0]))
    else:
        shifted = np.exp(outputs - outputs.max(axis=1, keepdims=True))
        probability = shifted[:, 1] / shifted.sum(axis=1)
    return g1, g2, probability.reshape(g1.shape)


def draw_decision_boundary(ax, model, x, y, title):
    """Shade where ``model`` predicts class 1, draw the boundary (probability
    0.5) and the points x (n, 2) coloured by their label y (n,)."""
    g1, g2, probability = class1_probability_grid(model, x)
    ax.contourf(g1, g2, probability, levels=[0, 0.5, 1], colors=[CLASS_COLORS[0], CLASS_COLORS[1]], alpha=0.2)
    ax.contour(g1, g2, probability, levels=[0.5], colors="black", linewidths=1.5)
    for label in (0, 1):
        mask = y == label
        ax.scatter(x[mask, 0], x[mask, 1], s=14, color=CLASS_COLORS[label], edgecolor="white",
                   linewidth=0.4, label=TEXT["class"].format(label=label))
    ax.set(title=title, xlabel=TEXT["boundary_x"], ylabel=TEXT["boundary_y"])
    ax.legend(loc="lower left", fontsize=9)


def plot_before_after(model_before, model_after, x, y, *, updates):
    """Decision boundaries of the same network before and after training,
    side by side, with their accuracies on x (n, 2), y (n,)."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.5), layout="constrained", sharex=True, sharey=True)
    before = accuracy(predict(model_before, x), y)
    after = accuracy(predict(model_after, x), y)
    draw_decision_boundary(axes[0], model_before, x, y, TEXT["before_title"].format(accuracy=before))
    draw_decision_boundary(axes[1], model_after, x, y, TEXT["after_title"].format(updates=updates, accuracy=after))
    return fig


def plot_loss_per_update(losses):
    """The training loss recorded at every update. losses: (updates,)."""
    losses = np.asarray(losses, dtype=float)
    fig, ax = plt.subplots(figsize=(8, 3.8), layout="constrained")
    ax.plot(np.arange(len(losses)), losses, color=COLORS["train"], linewidth=2, label=TEXT["loss_curve"])
    ax.set(title=TEXT["loss_title"], xlabel=TEXT["loss_x"], ylabel=TEXT["loss_y"], ylim=(0, None))
    ax.legend()
    return fig


def plot_memorising(model, x_train, y_train, steps, train_loss, val_loss, *, n_val):
    """Left: the few training points and the final decision boundary.
    Right: training and validation loss against the update number, the
    lowest validation loss marked. steps, train_loss, val_loss: (k,)."""
    steps = np.asarray(steps)
    train_loss = np.asarray(train_loss, dtype=float)
    val_loss = np.asarray(val_loss, dtype=float)
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5), layout="constrained", width_ratios=[1, 1.3])
    draw_decision_boundary(axes[0], model, x_train, y_train, TEXT["memo_points_title"].format(n=len(x_train)))
    ax = axes[1]
    ax.plot(steps, train_loss, color=COLORS["train"], linewidth=2, label=TEXT["memo_train"].format(n=len(x_train)))
    ax.plot(steps, val_loss, color=COLORS["validation"], linewidth=2, label=TEXT["memo_val"].format(n=n_val))
    best = int(np.argmin(val_loss))
    ax.plot(steps[best], val_loss[best], "o", color="black", markersize=8,
            label=TEXT["memo_best"].format(step=steps[best]))
    ax.axvline(steps[best], color="black", linestyle=":", linewidth=1)
    ax.set(title=TEXT["memo_curves_title"], xlabel=TEXT["memo_x"], ylabel=TEXT["memo_y"], ylim=(0, None))
    ax.legend()
    return fig
