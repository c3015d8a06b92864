"""The training loop: predict, compare, adjust; batch after batch, epoch
after epoch, with a validation pass at the end of every epoch.

    for epoch in range(epochs):
        for x_batch, y_batch in minibatches(x, y, batch_size, rng=rng):  # reshuffled
            pred = model.forward(x_batch)          # predict
            value = loss.forward(pred, y_batch)    # compare
            optimizer.zero_grad()                  # gradients add up: start from 0
            model.backward(loss.backward())        # gradients (backprop)
            optimizer.step()                       # adjust: one update per batch
        validation loss and accuracy               # no update here

``fit`` is that loop plus bookkeeping (``History``) and a watch for
divergence, which stops training and says so in words instead of filling
the history with NaN.
"""

import math
from dataclasses import dataclass, field

import numpy as np

from ._checks import as_rng, check_array, check_positive_int, check_positive_number, check_same_length
from .data import batches_per_epoch, minibatches
from .layers import Linear, Sequential
from .losses import BinaryCrossEntropy, SoftmaxCrossEntropy, check_labels

CLASSIFICATION_LOSSES = (SoftmaxCrossEntropy, BinaryCrossEntropy)

# A first loss of (almost) 0 must not make every later wobble count as an
# explosion: divergence is measured against at least this much.
LOSS_FLOOR = 1e-6


@dataclass
class History:
    """What happened during ``fit``, one entry per completed epoch.

    train_loss: mean of the batch losses seen during the epoch (weighted by
    batch length). val_loss: loss on the validation set after the epoch.
    *_accuracy: the same for accuracy (classification losses only).
    batch_loss: the loss of every batch, in order (one per update).
    updates: parameter updates made (one per batch).
    diverged / message: whether training blew up, and when, in words.
    """

    train_loss: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    train_accuracy: list = field(default_factory=list)
    val_accuracy: list = field(default_factory=list)
    batch_loss: list = field(default_factory=list)
    updates: int = 0
    updates_per_epoch: int = 0
    diverged: bool = False
    message: str = ""

    @property
    def epochs(self):
        """Number of completed epochs."""
        return len(self.train_loss)


@dataclass
class Evaluation:
    loss: float
    accuracy: float | None


def predict(model, x):
    """The model's raw outputs for x: (n, in_features) -> (n, outputs)."""
    return model.forward(np.asarray(x))


def predicted_classes(outputs):
    """Class labels from raw outputs: argmax over C scores, or logit > 0 for
    a single (binary) output. outputs: (n, C) -> (n,) ints."""
    if outputs.shape[1] == 1:
        return (outputs[:, 0] > 0).astype(np.int64)
    return outputs.argmax(axis=1)


def accuracy(outputs, y):
    """Fraction of examples whose predicted class equals the label y (n,)."""
    y = np.asarray(y).reshape(-1)
    return float(np.mean(predicted_classes(outputs) == y))


def evaluate(model, loss, x, y):
    """Loss (and accuracy, for classification losses) on the whole of x, y,
    without updating anything."""
    outputs = predict(model, x)
    value = loss.forward(outputs, y)
    acc = accuracy(outputs, y) if isinstance(loss, CLASSIFICATION_LOSSES) else None
    return Evaluation(value, acc)


def is_diverging(value, reference, factor):
    """True when a loss is not a number or infinite, or has grown more than
    ``factor`` times above where it started."""
    return not math.isfinite(value) or value > factor * reference


def divergence_message(epoch, batch, n_batches, updates, value, reference, lr):
    what = "became NaN (not a number)" if math.isnan(value) else (
        "became infinite" if math.isinf(value) else f"grew from {reference:.4g} to {value:.4g}"
    )
    advice = (
        f"The learning rate {lr:g} is too large for this problem: try {lr / 10:g} or smaller."
        if lr is not None
        else "The learning rate is probably too large: try a smaller one."
    )
    where = (f"at step {epoch}" if n_batches == 1
             else f"in epoch {epoch}, batch {batch} of {n_batches} (after {updates} updates)")
    return f"Training diverged {where}: the loss {what}. {advice}"



def check_targets(model, loss, x, y, name):
    """Check all the labels before training starts, rather than fail at the
    batch that holds a bad one after some updates were made."""
    if isinstance(loss, SoftmaxCrossEntropy):
        n_classes = model.forward(x[:1]).shape[1]
        check_labels(y, len(y), n_classes, f"fit: {name}")
    elif isinstance(loss, BinaryCrossEntropy) and not np.all((y == 0) | (y == 1)):
        raise ValueError(f"fit: {name} must hold only 0s and 1s for BinaryCrossEntropy")


def fit(
    model,
    loss,
    optimizer,
    x,
    y,
    *,
    epochs,
    batch_size,
    validation=None,
    rng=None,
    shuffle=True,
    divergence_factor=1e3,
    on_epoch_end=None,
):
    """Train ``model`` with mini-batch SGD and return a ``History``.

    x: (n, in_features); y: (n,) labels or (n, outputs) targets.
    validation: optional (x_val, y_val), evaluated after every epoch.
    rng: seed or Generator for the shuffling; shuffle=False keeps the order.
    divergence_factor: training stops when a batch loss is NaN or infinite,
    or more than this many times the first batch loss.
    on_epoch_end: optional callable(epoch, history), e.g. to draw live.
    """
    x = check_array(x, "x", ndim=2)
    y = check_array(y, "y")
    check_same_length(x, y)
    epochs = check_positive_int(epochs, "epochs")
    batch_size = check_positive_int(batch_size, "batch_size")
    divergence_factor = check_positive_number(divergence_factor, "divergence_factor")
    if validation is not None:
        if len(validation) != 2:
            raise ValueError("validation must be a pair (x_val, y_val)")
        x_val = check_array(validation[0], "validation x", ndim=2)
        y_val = check_array(validation[1], "validation y")
        check_same_length(x_val, y_val, "validation x", "validation y")
    check_targets(model, loss, x, y, "y")
    if validation is not None:
        check_targets(model, loss, x_val, y_val, "validation y")
    rng = as_rng(rng)
    classification = isinstance(loss, CLASSIFICATION_LOSSES)
    # The labels were all checked above, so the loss need not scan them again
    # in every batch.
    loss_options = {"check_target": False} if classification else {}
    # The data needs no gradient, so a Linear first layer can skip it.
    backward_options = {"need_input_grad": False} if isinstance(model, (Sequential, Linear)) else {}
    n = len(x)
    n_batches = batches_per_epoch(n, batch_size)
    history = History(updates_per_epoch=n_batches)
    reference = None  # the first batch loss, to detect a loss that explodes

    # Overflow and NaN are expected when training diverges; we detect them
    # through the loss, so numpy's warnings would only be noise.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        for epoch in range(1, epochs + 1):
            loss_sum = 0.0
            correct = 0
            batches = minibatches(x, y, batch_size, shuffle=shuffle, rng=rng)  # a new order every epoch
            for b, (x_batch, y_batch) in enumerate(batches, start=1):
                outputs = model.forward(x_batch)  # predict
                value = loss.forward(outputs, y_batch, **loss_options)  # compare
                if reference is None:
                    reference = max(value, LOSS_FLOOR)
                if is_diverging(value, reference, divergence_factor):
                    history.diverged = True
                    history.message = divergence_message(
                        epoch, b, n_batches, history.updates, value, reference,
                        getattr(optimizer, "lr", None),
                    )
                    return history
                optimizer.zero_grad()  # backward adds to .grad: start every step from 0
                model.backward(loss.backward(), **backward_options)  # gradients
                optimizer.step()  # adjust
                history.updates += 1
                history.batch_loss.append(value)
                loss_sum += value * len(x_batch)
                if classification:
                    correct += int(np.count_nonzero(predicted_classes(outputs) == y_batch.reshape(-1)))

            history.train_loss.append(loss_sum / n)
            if classification:
                history.train_accuracy.append(correct / n)
            if validation is not None:
                result = evaluate(model, loss, x_val, y_val)
                history.val_loss.append(result.loss)
                if classification:
                    history.val_accuracy.append(result.accuracy)
            if on_epoch_end is not None:
                on_epoch_end(epoch, history)

    history.message = (
        f"Trained {history.epochs} epochs of {n_batches} batches: {history.updates} updates."
    )
    return history
