"""The learning-rate panel of notebook 03: gradient descent on the loss
surface of y = w*x + b, with a learning-rate slider and a steps slider."""

import ipywidgets as widgets

from ..datasets import make_line
from ..plots.surface import LearningRateView, diverged_at_step, rising_from_step
from ..surfaces import START, LineData, gradient_descent_path
from .panel import SliderPanel, learning_rate_slider


def line_data(x, y, seed):
    """The data of a panel: x, y as given, or 1000 points of
    ``make_line(1000, rng=seed)`` when both are left out."""
    if (x is None) != (y is None):
        raise ValueError("x and y must be given together (or both left out for the default line data)")
    return make_line(1000, rng=seed) if x is None else (x, y)


def describe_lr_run(path, steps, largest_curvature):
    """The panel's one line for a gradient descent ``path`` asked to take ``steps`` steps:

        lr=0.3 steps=30 final loss=0.2629 (converged)
        lr=1 steps=200 final loss=12.8312 (diverging: the loss rises from step 4 on);
            lower the learning rate (below 0.998 here)
        lr=1.5 steps=30 diverged at step 6: lower the learning rate (below 0.998 here)

    The bound is 2 / largest curvature of the surface, above which the
    steps grow instead of shrinking.
    """
    advice = f"lower the learning rate (below {2 / largest_curvature:.3g} here)"
    if path.verdict == "diverged":
        return f"lr={path.lr:g} steps={steps} diverged at step {diverged_at_step(path)}: {advice}"
    head = f"lr={path.lr:g} steps={steps} final loss={path.final_loss:.4f}"
    if path.verdict == "diverging":
        return f"{head} (diverging: the loss rises from step {rising_from_step(path)} on); {advice}"
    return f"{head} ({path.verdict})"


def learning_rate_panel(x=None, y=None, *, lr=0.1, steps=30, seed=0):
    """Sliders for the learning rate and the number of steps of full-batch
    gradient descent on y = w*x + b, starting from (w, b) = (-2, 3).

    x, y: (n,) or (n, 1); by default 1000 points of ``make_line(1000, rng=seed)``.
    Controls: "lr" (SelectionSlider over the round rates 0.001, 0.0015, 0.002,
    0.003, 0.005, 0.008, 0.01, ..., 1, 1.5, 2, 3: see ``round_log_values``;
    another ``lr`` raises ValueError) and "steps" (IntSlider, 1 to 200).
    The figure shows the path on the contours and the loss after each step;
    the text is ``lr=0.1 steps=30 final loss=0.3608 (too slow)``, or, when
    the loss blew up, ``lr=1.5 steps=30 diverged at step 6: lower the learning
    rate (below 0.998 here)`` (the path is drawn up to where it left); see
    ``describe_lr_run``.
    """
    lr_control = learning_rate_slider(lr, 0.001, 3)  # first: a bad lr fails before any work
    x, y = line_data(x, y, seed)
    largest_curvature = LineData.from_arrays(x, y).curvatures()[1]
    view = LearningRateView(x, y, START)

    def draw(lr, steps):
        path = gradient_descent_path(x, y, lr=lr, steps=steps, start=START)
        view.show(path, steps)
        return describe_lr_run(path, steps, largest_curvature)

    controls = {
        "lr": lr_control,
        "steps": widgets.IntSlider(value=steps, min=1, max=200, description="steps",
                                   continuous_update=True),
    }
    return SliderPanel(draw, controls, view.figure, renderer=view.renderer(), stops={"lr": [0.001, 0.01, 0.1, 0.3, 0.5, 0.8, 1.0, 1.5, 3.0], "steps": [1, 10, 30, 100, 200]})
