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

``fit`` is that loop plus bookkeeping (``History``), a watch for
divergence, which stops training and says so in words instead of filling
the history with NaN, and optional early stopping (``EarlyStopping``):
stop when the validation numbers have not improved for a while, and give
back the parameters of the best epoch.
"""

import copy
import math
from dataclasses import dataclass, field

import numpy as np

from ._checks import as_rng, check_array, check_positive_int, check_positive_number, check_same_length
from .data import batches_per_epoch, minibatches
from .layers import Linear, Sequential
from .optim import SGD, Adam
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
    lr: the learning rate of every update, in order (it changes with a scheduler).
    updates: parameter updates made (one per batch).
    diverged / message: whether training blew up, and when, in words.
    best_epoch: the 1-based epoch with the best validation number (the
    monitored one with early stopping, else the lowest val_loss); None
    without validation data.
    stopped_early: True when early stopping ended training before ``epochs``.
    restored_epoch: the epoch whose parameters the model was given back at
    the end (early stopping with restore_best=True), else None.
    """

    train_loss: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    train_accuracy: list = field(default_factory=list)
    val_accuracy: list = field(default_factory=list)
    batch_loss: list = field(default_factory=list)
    lr: list = field(default_factory=list)
    updates: int = 0
    updates_per_epoch: int = 0
    diverged: bool = False
    message: str = ""
    best_epoch: int | None = None
    stopped_early: bool = False
    restored_epoch: int | None = None

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


def confusion_matrix(y_true, y_pred, n_classes):
    """(n_classes, n_classes) counts: entry [i, j] is how many examples of
    true class i were predicted as class j. y_true, y_pred: (n,) ints."""
    matrix = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(matrix, (np.asarray(y_true), np.asarray(y_pred)), 1)
    return matrix


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


# What "better" means for each number early stopping can watch.
MONITORS = {"val_loss": "lower", "val_accuracy": "higher"}


def check_monitor(monitor):
    if monitor not in MONITORS:
        raise ValueError(f"monitor must be one of {sorted(MONITORS)}; got {monitor!r}")
    return monitor


def improves(value, best, monitor, min_delta=0.0):
    """True when ``value`` beats ``best`` by more than ``min_delta``: lower
    for val_loss, higher for val_accuracy. Anything beats best=None; NaN
    never improves."""
    if best is None:
        return not math.isnan(value)
    if MONITORS[monitor] == "lower":
        return value < best - min_delta
    return value > best + min_delta


def epochs_without_improvement(values, *, monitor="val_loss", min_delta=0.0):
    """The patience counter after each epoch: 0 where the epoch improved on
    the best so far (by more than min_delta), else one more than before.

    values: the monitored number after epochs 1, 2, ... -> list of ints.
    Early stopping with patience p stops after the first epoch whose
    counter reaches p.
    """
    check_monitor(monitor)
    counters, best, waited = [], None, 0
    for value in values:
        if improves(value, best, monitor, min_delta):
            best, waited = value, 0
        else:
            waited += 1
        counters.append(waited)
    return counters


@dataclass
class StoppingPoint:
    best_epoch: int | None  # 1-based, the last epoch that improved
    stop_epoch: int  # the last epoch trained
    stopped_early: bool


def replay_early_stopping(values, patience, *, monitor="val_loss", min_delta=0.0):
    """Where early stopping would have stopped a finished run, and which
    epoch it would have kept: the same rule ``fit`` applies while training.

    values: the monitored number after epochs 1..E. Returns a StoppingPoint:
    stop_epoch is the first epoch whose patience counter reaches
    ``patience`` (E when none does), best_epoch the last improvement up to it.
    """
    patience = check_positive_int(patience, "patience")
    counters = epochs_without_improvement(values, monitor=monitor, min_delta=min_delta)
    stop = next((e for e, waited in enumerate(counters, start=1) if waited >= patience), len(counters))
    improved = [e for e, waited in enumerate(counters[:stop], start=1) if waited == 0]
    return StoppingPoint(improved[-1] if improved else None, stop, stop < len(counters))


class EarlyStopping:
    """Stop training when the validation numbers stop improving.

    patience: epochs to wait for an improvement larger than ``min_delta``
    before stopping. monitor: "val_loss" (lower is better) or
    "val_accuracy" (higher is better). restore_best: at the end of
    training, give the model back the parameters it had after its best
    epoch, whether training stopped early or ran all its epochs (Keras
    restores only when it stops early: a known trap).

    Pass it to ``fit(..., validation=..., early_stopping=EarlyStopping(10))``;
    it needs validation data. One object can serve several fits: the
    bookkeeping of one run lives in ``fit``.
    """

    def __init__(self, patience=10, *, monitor="val_loss", min_delta=0.0, restore_best=True):
        self.patience = check_positive_int(patience, "patience")
        self.monitor = check_monitor(monitor)
        if isinstance(min_delta, bool) or not isinstance(min_delta, (int, float, np.integer, np.floating)):
            raise TypeError(f"min_delta must be a number >= 0; got {min_delta!r}")
        if not math.isfinite(min_delta) or min_delta < 0:
            raise ValueError(f"min_delta must be a finite number >= 0; got {min_delta}")
        self.min_delta = float(min_delta)
        if not isinstance(restore_best, (bool, np.bool_)):
            raise TypeError(f"restore_best must be True or False; got {restore_best!r}")
        self.restore_best = bool(restore_best)

    def __repr__(self):
        return (f"EarlyStopping(patience={self.patience}, monitor={self.monitor!r}, "
                f"min_delta={self.min_delta:g}, restore_best={self.restore_best})")


class _Watch:
    """The bookkeeping of one fit: the best epoch so far, the patience
    counter and (to restore it) a copy of the best parameters."""

    def __init__(self, model, early_stopping):
        self.model = model
        self.rule = early_stopping
        self.monitor = early_stopping.monitor if early_stopping else "val_loss"
        self.min_delta = early_stopping.min_delta if early_stopping else 0.0
        self.keep = early_stopping is not None and early_stopping.restore_best
        self.best = None
        self.best_epoch = None
        self.best_state = None
        self.waited = 0

    def end_of_epoch(self, epoch, history):
        """Record the epoch's validation number; True means stop now."""
        value = getattr(history, self.monitor)[-1]
        if improves(value, self.best, self.monitor, self.min_delta):
            self.best, self.best_epoch, self.waited = value, epoch, 0
            if self.keep:
                self.best_state = self.model.state_dict()  # copies
        else:
            self.waited += 1
        return self.rule is not None and self.waited >= self.rule.patience

    def finish(self, history):
        """Fill best_epoch, restore the best parameters if asked, and say so."""
        history.best_epoch = self.best_epoch
        if self.rule is None or self.best_epoch is None:
            return
        if history.stopped_early:
            history.message += (f" Stopped early: {self.monitor} did not improve for "
                                f"{self.rule.patience} epochs after epoch {self.best_epoch}.")
        if self.keep:
            self.model.load_state_dict(self.best_state)
            history.restored_epoch = self.best_epoch
            history.message += (f" Restored the parameters of epoch {self.best_epoch}, the best "
                                f"{self.monitor} ({self.best:.4g}).")



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
    early_stopping=None,
    scheduler=None,
    scheduler_step="batch",
):
    """Train ``model`` with mini-batch SGD and return a ``History``.

    x: (n, in_features); y: (n,) labels or (n, outputs) targets.
    validation: optional (x_val, y_val), evaluated after every epoch.
    rng: seed or Generator for the shuffling; shuffle=False keeps the order.
    divergence_factor: training stops when a batch loss is NaN or infinite,
    or more than this many times the first batch loss.
    on_epoch_end: optional callable(epoch, history), e.g. to draw live.
    early_stopping: optional ``EarlyStopping`` (needs ``validation``): stop
    when the monitored validation number has not improved for ``patience``
    epochs and, with restore_best, end with the best epoch's parameters.
    History.best_epoch is filled whenever there is validation data.
    scheduler: optional learning-rate schedule (StepLR, OneCycleLR, ...),
    stepped after every update by default (scheduler_step="batch"), so that
    its steps count updates, as warmup and one-cycle are defined; with
    scheduler_step="epoch" it is stepped once after every epoch instead.
    PyTorch leaves this choice to your loop (see notebook 08).
    """
    x = check_array(x, "x", ndim=2)
    y = check_array(y, "y")
    check_same_length(x, y)
    epochs = check_positive_int(epochs, "epochs")
    batch_size = check_positive_int(batch_size, "batch_size")
    divergence_factor = check_positive_number(divergence_factor, "divergence_factor")
    if scheduler_step not in ("batch", "epoch"):
        raise ValueError(f"scheduler_step must be 'batch' or 'epoch'; got {scheduler_step!r}")
    if scheduler is not None and getattr(scheduler, "optimizer", None) is not optimizer:
        raise ValueError(f"scheduler must be a schedule made with this optimizer (StepLR(optimizer, ...)); "
                         f"got {scheduler!r}")
    if validation is not None:
        if len(validation) != 2:
            raise ValueError("validation must be a pair (x_val, y_val)")
        x_val = check_array(validation[0], "validation x", ndim=2)
        y_val = check_array(validation[1], "validation y")
        check_same_length(x_val, y_val, "validation x", "validation y")
    if early_stopping is not None:
        if not isinstance(early_stopping, EarlyStopping):
            raise TypeError(f"early_stopping must be an EarlyStopping; got {type(early_stopping).__name__}")
        if validation is None:
            raise ValueError("early_stopping needs validation data: pass validation=(x_val, y_val) "
                             "(it watches the validation loss or accuracy)")
        if early_stopping.monitor == "val_accuracy" and not isinstance(loss, CLASSIFICATION_LOSSES):
            raise ValueError(f"early_stopping monitors val_accuracy, which {type(loss).__name__} "
                             "does not measure; use monitor='val_loss'")
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
    # nnlib's optimisers take PyTorch's set_to_none: backward then stores
    # each gradient instead of adding it to zeros (fewer array operations).
    zero_options = {"set_to_none": True} if isinstance(optimizer, (SGD, Adam)) else {}
    n = len(x)
    n_batches = batches_per_epoch(n, batch_size)
    history = History(updates_per_epoch=n_batches)
    reference = None  # the first batch loss, to detect a loss that explodes
    watch = _Watch(model, early_stopping) if validation is not None else None  # best epoch so far

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
                    if watch is not None:
                        watch.finish(history)  # the best epoch before the blow-up, if any
                    return history
                optimizer.zero_grad(**zero_options)  # backward adds to .grad: start every step from 0
                model.backward(loss.backward(), **backward_options)  # gradients
                history.lr.append(getattr(optimizer, "lr", None))
                optimizer.step()  # adjust
                if scheduler is not None and scheduler_step == "batch":
                    scheduler.step()
                history.updates += 1
                history.batch_loss.append(value)
                loss_sum += value * len(x_batch)
                if classification:
                    correct += int(np.count_nonzero(predicted_classes(outputs) == y_batch.reshape(-1)))

            if scheduler is not None and scheduler_step == "epoch":
                scheduler.step()
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
            if watch is not None and watch.end_of_epoch(epoch, history):
                history.stopped_early = epoch < epochs
                break

    history.message = (
        f"Trained {history.epochs} epochs of {n_batches} batches: {history.updates} updates."
    )
    if watch is not None:
        watch.finish(history)
    return history


# How a classification run ended, in words (the panel of notebook 05). The
# accuracies are for two balanced classes, where guessing gives about 50 %.
CHANCE_ACCURACY = 0.6   # at or below: "near chance"
FAILED_ACCURACY = 0.8   # below: the run did not learn the task
BOUNCE_FACTOR = 1.5     # final training loss this many times its lowest: bouncing


def is_still_slowly_falling(train_loss, initial_loss, *, window=5, at_lowest=1.02, jump=1.05):
    """Whether a training-loss curve looks like a learning rate that is too
    small: the first epoch did not rise above ``initial_loss`` (the untrained
    model's loss; more than ``jump`` times it is a jump up: with one batch per
    epoch the first epoch's loss is the untrained loss itself), the last epoch is within ``at_lowest`` times the lowest of
    the run, and it is lower than ``window`` epochs before. A rate that is
    too large fails at least one of these (a jump up at the start, or a
    lowest point long before the end), even when its last few epochs
    happen to fall. train_loss: (epochs,)."""
    train = np.asarray(train_loss, dtype=float)
    if len(train) <= window:
        return False
    return bool(train[0] <= jump * initial_loss and train[-1] <= at_lowest * train.min()
                and train[-1] < train[-1 - window])


def training_outcome(history, *, initial_loss):
    """How a run ended, in words, with advice that is true of its curve:
    "diverged"; "trained"; "trained, but bouncing ..."; "trained, still
    improving ..."; "too slow: ...; raise the learning rate" (see
    ``is_still_slowly_falling``); or "failed without diverging: ...; lower
    the learning rate" (stalled, near chance, bouncing).

    Judged on the validation accuracy after the last epoch (two balanced
    classes: below FAILED_ACCURACY the run failed) and on the training loss
    per epoch: bouncing when it ends BOUNCE_FACTOR times above its lowest,
    still improving when it fell at each of the last 5 epochs.
    initial_loss: the untrained model's loss on the training data."""
    if history.diverged:
        return "diverged"
    train = np.asarray(history.train_loss, dtype=float)
    accuracy = history.val_accuracy[-1]
    falling_every_epoch = len(train) > 5 and bool(np.all(np.diff(train[-6:]) < 0))
    bounce = train[-1] / train.min()
    bouncing = f"bouncing (the training loss ends {bounce:.1f}x above its lowest)"
    if accuracy < FAILED_ACCURACY and is_still_slowly_falling(train, initial_loss):
        near = "still near chance, " if accuracy <= CHANCE_ACCURACY else ""
        falls = "still falls at every epoch" if falling_every_epoch else "is still falling"
        return f"too slow: {near}the loss {falls}; raise the learning rate"
    if accuracy < FAILED_ACCURACY:
        parts = (["stalled near chance"] if accuracy <= CHANCE_ACCURACY else []) + \
                ([bouncing] if bounce > BOUNCE_FACTOR else []) or ["stalled"]
        return f"failed without diverging: {', '.join(parts)}; lower the learning rate"
    if bounce > BOUNCE_FACTOR:
        return f"trained, but {bouncing}"
    if falling_every_epoch:  # the curves have not flattened out yet
        return "trained, still improving: the loss falls at every epoch; more epochs would help"
    return "trained"


@dataclass
class RangeTest:
    """What ``lr_range_test`` saw. lrs, losses: the learning rate of every
    step and the loss of its batch (raw); smoothed: their running average.
    exploded / message: whether (and where) the loss blew up and the test stopped.
    steepest_lr: where the smoothed loss fell fastest (per factor of lr),
    before its lowest point; min_loss_lr: where it was lowest; suggested_lr: min_loss_lr / 10, a
    rate safely below the explosion (the reading fast.ai's lr_find made
    common, Howard and Gugger 2020; Smith read bounds for cyclical rates off
    where the accuracy starts rising and where it stops)."""

    lrs: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    exploded: bool
    message: str
    steepest_lr: float
    min_loss_lr: float
    suggested_lr: float


def lr_range_test(model, loss, optimizer, x, y, *, start_lr=1e-5, end_lr=10.0, steps=200, batch_size=32,
                  rng=None, smoothing=0.05, stop_factor=4.0):
    """Smith's learning-rate range test ("lr finder"): train for ``steps``
    updates while the learning rate grows exponentially from start_lr to
    end_lr, record every batch loss, and stop early once the smoothed loss
    is more than ``stop_factor`` times its lowest value (or not finite).

    x: (n, in_features), y: (n,) labels or (n, outputs). smoothing: weight
    of a new loss in the running average (0.05, as torch-lr-finder).
    The model's parameters and gradients and the optimiser's state (lr,
    momentum, Adam's averages) are put back as they were: the test only
    looks. Returns a ``RangeTest``.
    """
    x = check_array(x, "x", ndim=2)
    y = check_array(y, "y")
    check_same_length(x, y)
    start_lr = check_positive_number(start_lr, "start_lr")
    end_lr = check_positive_number(end_lr, "end_lr")
    if end_lr <= start_lr:
        raise ValueError(f"end_lr must be larger than start_lr ({start_lr:g}); got {end_lr:g}")
    steps = check_positive_int(steps, "steps")
    if steps < 2:
        raise ValueError(f"steps must be at least 2 (a range needs two ends); got {steps}")
    batch_size = check_positive_int(batch_size, "batch_size")
    if isinstance(smoothing, bool) or not isinstance(smoothing, (int, float)) or not 0 < smoothing <= 1:
        raise ValueError(f"smoothing must be a number in (0, 1]; got {smoothing!r}")
    stop_factor = check_positive_number(stop_factor, "stop_factor")
    check_targets(model, loss, x, y, "y")
    rng = as_rng(rng)
    lrs = start_lr * (end_lr / start_lr) ** (np.arange(steps) / (steps - 1))  # exponential growth

    saved_model = model.state_dict()
    saved_grads = [None if p.grad is None else p.grad.copy() for p in model.parameters()]
    saved_optimizer = {k: copy.deepcopy(v) for k, v in vars(optimizer).items() if k != "parameters"}
    losses, smoothed, message = [], [], ""
    try:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            batches = iter(())
            for lr in lrs:
                try:
                    x_batch, y_batch = next(batches)
                except StopIteration:  # a new epoch, reshuffled
                    batches = minibatches(x, y, batch_size, rng=rng)
                    x_batch, y_batch = next(batches)
                value = loss.forward(model.forward(x_batch), y_batch)
                average = value if not smoothed else smoothing * value + (1 - smoothing) * smoothed[-1]
                losses.append(value)
                smoothed.append(average)
                if not math.isfinite(average) or average > stop_factor * min(smoothed):
                    message = (f"Stopped at lr {lr:.3g} after {len(losses)} steps: the smoothed loss "
                               f"{'is not a number' if not math.isfinite(average) else f'{average:.3g}'} "
                               f"passed {stop_factor:g} times its lowest ({min(smoothed):.3g}).")
                    break
                optimizer.lr = float(lr)
                optimizer.zero_grad()
                model.backward(loss.backward())
                optimizer.step()
    finally:  # put everything back, even after an error
        model.load_state_dict(saved_model)
        for p, grad in zip(model.parameters(), saved_grads):
            p.grad = grad
        vars(optimizer).update(saved_optimizer)

    lrs, losses, smoothed = lrs[: len(losses)], np.array(losses), np.array(smoothed)
    exploded = bool(message)
    if not exploded:
        message = f"Ran all {steps} steps up to lr {lrs[-1]:.3g} without the loss exploding: try a larger end_lr."
    kept = len(smoothed) - 1 if exploded else len(smoothed)  # not the step that exploded
    low = int(np.argmin(smoothed[:kept])) if kept else 0
    # The steepest fall is looked for before the lowest point: what comes after is the climb to the explosion.
    slopes = np.gradient(smoothed[: low + 1], np.log(lrs[: low + 1])) if low >= 1 else np.zeros(1)
    steepest = float(lrs[int(np.argmin(slopes))])
    lowest = float(lrs[low])
    return RangeTest(lrs, losses, smoothed, exploded, message, steepest, lowest, lowest / 10)
