"""The batch-size panel of notebook 04: mini-batch SGD on the loss surface
of y = w*x + b, with batch size, learning rate and epochs controls."""

import time

import ipywidgets as widgets

from ..plots.surface import BatchSizeView, count_updates
from ..surfaces import START, descent_path, gradient_descent_path, judged_losses
from .learning_rate import line_data
from .panel import SliderPanel, learning_rate_slider


def describe_batch_run(path, seconds):
    """The panel's one line for an SGD ``path`` that took ``seconds`` to compute:

        batch=64 lr=0.05 epochs=5: 16 updates per epoch, 80 updates in total, final loss=0.2918,
            mean of the last 16 updates=0.3094 (too slow); 0.15 ms per epoch
        batch=1000 lr=0.05 epochs=5: 1 update per epoch, 5 updates in total, final loss=5.2915 (too slow);
            0.08 ms per epoch

    The verdict (see ``nnlib.surfaces.describe_path``) judges mini-batch runs
    on the mean loss over their last epoch (the second half of a single
    epoch), which the line shows beside the final loss (one noisy draw).

    "1 update per epoch" is singular; every other count reads "k updates per
    epoch" (and likewise "1 update in total"). A diverged run reads
    "..., diverged in epoch 1, batch 24 of 1000 after 23 updates: lower the learning rate".
    The time is measured, so it differs from run to run.
    """
    head = (f"batch={path.batch_size} lr={path.lr:g} epochs={path.epochs}: "
            f"{count_updates(path.updates_per_epoch)} per epoch, ")
    if path.diverged:
        failed = path.updates + 1  # the update that blew up
        epoch, batch = (failed - 1) // path.updates_per_epoch + 1, (failed - 1) % path.updates_per_epoch + 1
        return (head + f"diverged in epoch {epoch}, batch {batch} of {path.updates_per_epoch} "
                f"after {count_updates(path.updates)}: lower the learning rate")
    epochs_run = path.updates / path.updates_per_epoch
    loss = f"final loss={path.final_loss:.4f}"
    if path.updates_per_epoch > 1:  # the verdict judges these losses' mean, not the final draw
        judged = judged_losses(path)
        loss += f", mean of the last {count_updates(len(judged))}={judged.mean():.4f}"
    return (head + f"{count_updates(path.updates)} in total, {loss} ({path.verdict}); "
            f"{1000 * seconds / epochs_run:.2f} ms per epoch")


def batch_size_panel(x=None, y=None, *, batch_size=64, lr=0.05, epochs=5, seed=0):
    """Sliders for the batch size, learning rate and epochs of mini-batch SGD
    on y = w*x + b, starting from (w, b) = (-2, 3), batches reshuffled every
    epoch with ``seed``.

    x, y: (n,) or (n, 1); by default 1000 points of ``make_line(1000, rng=seed)``.
    Controls: "batch_size" (IntSlider, 1 to n: n is full-batch gradient
    descent), "lr" (SelectionSlider over the round rates 0.001, 0.0015, ...,
    0.5, 0.8, 1: see ``round_log_values``; another ``lr`` raises ValueError)
    and "epochs" (IntSlider, 1 to 20).
    The figure shows the SGD path and, dashed, full-batch gradient descent
    with the same lr and as many updates (the path SGD follows noisily);
    beside it the loss after each update and at the end of each epoch.
    The text is one line (see ``describe_batch_run``), e.g.
    ``batch=64 lr=0.05 epochs=5: 16 updates per epoch, 80 updates in total,
    final loss=0.2918, mean of the last 16 updates=0.3094 (too slow); 0.15 ms per epoch``; with one batch per
    epoch it says "1 update per epoch". The time per epoch is measured
    around the SGD computation (not the drawing) on every move.
    """
    lr_control = learning_rate_slider(lr, 0.001, 1)  # first: a bad lr fails before any work
    x, y = line_data(x, y, seed)
    n = len(x)
    view = BatchSizeView(x, y, START)

    def draw(batch_size, lr, epochs):
        started = time.perf_counter()
        path = descent_path(x, y, lr=lr, epochs=epochs, batch_size=batch_size, start=START, rng=seed)
        seconds = time.perf_counter() - started
        reference = gradient_descent_path(x, y, lr=lr, steps=max(path.updates, 1), start=START)
        view.show(path, reference)
        return describe_batch_run(path, seconds)

    controls = {
        "batch_size": widgets.IntSlider(value=min(batch_size, n), min=1, max=n, description="batch size",
                                        continuous_update=True, style={"description_width": "initial"}),
        "lr": lr_control,
        "epochs": widgets.IntSlider(value=epochs, min=1, max=20, description="epochs", continuous_update=True),
    }
    return SliderPanel(draw, controls, view.figure, renderer=view.renderer(), stops={"batch_size": [b for b in (1, 32, 64, 100) if b < n] + [n], "lr": [0.01, 0.05, 0.3, 1.0], "epochs": [1, 5, 20]})
