"""Losses: how far the predictions are from the targets, as one number.

``loss.forward(pred, target)`` returns the **mean** over the batch as a float
and keeps what ``loss.backward()`` needs to return dLoss/dpred, an array
shaped like ``pred``.
"""

import numpy as np

from .layers import sigmoid


def _check_pred(pred, name):
    pred = np.asarray(pred)
    if pred.ndim != 2:
        raise ValueError(f"{name}: pred must be 2-D, (batch, outputs); got shape {pred.shape}")
    return pred


class MSELoss:
    """Mean squared error: mean over all entries of (pred - target)**2.

    pred: (batch, outputs); target: the same shape. A target of shape
    (batch,) is accepted when there is one output.
    """

    def __init__(self):
        self._diff = None

    def forward(self, pred, target):
        pred = _check_pred(pred, "MSELoss")
        target = np.asarray(target)
        if np.issubdtype(pred.dtype, np.floating):
            target = target.astype(pred.dtype, copy=False)  # float32 pred: float32 loss and gradient
        if target.ndim == 1 and pred.shape == (target.shape[0], 1):
            target = target[:, None]  # (batch,) -> (batch, 1), never broadcast to (batch, batch)
        if target.shape != pred.shape:
            raise ValueError(
                f"MSELoss: target has shape {target.shape}; expected {pred.shape}, the shape of pred"
            )
        self._diff = pred - target
        return float(np.mean(self._diff**2))

    def backward(self):
        """dLoss/dpred = 2 (pred - target) / (number of entries)."""
        if self._diff is None:
            raise RuntimeError("MSELoss.backward was called before forward")
        return self._diff * (2.0 / self._diff.size)

    def __repr__(self):
        return "MSELoss()"


def check_labels(target, batch, n_classes, name, *, check_values=True):
    """Integer class labels of shape (batch,), each in [0, n_classes).

    check_values=False checks the shape and dtype only, not every label's
    range (which costs two passes over the labels).
    """
    target = np.asarray(target)
    if target.shape != (batch,):
        raise ValueError(f"{name}: target has shape {target.shape}; expected ({batch},), one label per example")
    if target.dtype.kind not in "iu":  # signed or unsigned integers (np.issubdtype is slower, per batch)
        raise TypeError(f"{name}: target must hold integer class labels; got dtype {target.dtype}")
    if check_values and batch and (target.min() < 0 or target.max() >= n_classes):
        bad = target[(target < 0) | (target >= n_classes)][0]
        raise ValueError(f"{name}: label {bad} is out of range; expected labels in 0..{n_classes - 1}")
    return target


class SoftmaxCrossEntropy:
    """Softmax followed by cross-entropy, for classes 0..C-1.

    logits: (batch, C) raw scores; target: (batch,) integer labels.
    loss = mean over the batch of -log(softmax(logits)[label]).

    forward(..., check_target=False) skips checking that every label is in
    range: ``fit`` checks all the labels once before training, then passes
    False so that no batch pays for the check again.
    """

    def __init__(self):
        self._probs = None
        self._target = None
        self._rows = None

    def forward(self, logits, target, *, check_target=True):
        logits = _check_pred(logits, "SoftmaxCrossEntropy")
        batch, n_classes = logits.shape
        target = check_labels(target, batch, n_classes, "SoftmaxCrossEntropy", check_values=check_target)
        # Subtracting each row's maximum leaves softmax unchanged and keeps
        # exp() <= 1, so huge logits cannot overflow.
        shifted = logits - logits.max(axis=1, keepdims=True)
        rows = np.arange(batch)  # row i picks column target[i]
        picked = shifted[rows, target]  # the shifted logit of each example's label
        exps = np.exp(shifted, out=shifted)  # in place: shifted is not needed any more
        sums = exps.sum(axis=1)
        self._probs = exps / sums[:, None]  # softmax, (batch, C)
        self._target = target
        self._rows = rows
        # -log softmax[label] = log(sum of exps) - shifted logit of the label:
        # no log(0) even when a probability underflows to 0. The mean over the
        # batch is written as sum / batch: np.mean costs more on small arrays.
        return float((np.log(sums) - picked).sum()) / batch

    def backward(self):
        """dLoss/dlogits = (softmax - one_hot(target)) / batch."""
        if self._probs is None:
            raise RuntimeError("SoftmaxCrossEntropy.backward was called before forward")
        batch = self._probs.shape[0]
        grad = self._probs / batch  # a new array: _probs is left as it was
        grad[self._rows, self._target] -= 1.0 / batch
        return grad

    def __repr__(self):
        return "SoftmaxCrossEntropy()"


class BinaryCrossEntropy:
    """Sigmoid followed by binary cross-entropy, computed from logits.

    logits: (batch, 1); target: (batch,) or (batch, 1) of 0s and 1s.
    loss = mean of -[t log(s) + (1 - t) log(1 - s)] with s = sigmoid(logit),
    written as max(z, 0) - z t + log(1 + exp(-|z|)) so it never overflows.

    forward(..., check_target=False) skips checking that every target is 0
    or 1 (``fit`` checks them all once before training).
    """

    def __init__(self):
        self._logits = None
        self._target = None

    def forward(self, logits, target, *, check_target=True):
        logits = _check_pred(logits, "BinaryCrossEntropy")
        if logits.shape[1] != 1:
            raise ValueError(
                f"BinaryCrossEntropy: logits must have shape (batch, 1); got {logits.shape}"
            )
        target = np.asarray(target)
        if target.ndim == 1:
            target = target[:, None]
        if target.shape != logits.shape:
            raise ValueError(
                f"BinaryCrossEntropy: target has shape {target.shape}; expected {logits.shape} or ({logits.shape[0]},)"
            )
        if check_target and target.size and not np.all((target == 0) | (target == 1)):
            raise ValueError("BinaryCrossEntropy: target must hold only 0s and 1s")
        if np.issubdtype(logits.dtype, np.floating):
            target = target.astype(logits.dtype, copy=False)  # int labels would make float32 logits float64
        self._logits = logits
        self._target = target
        z = logits
        return float(np.mean(np.maximum(z, 0) - z * target + np.log1p(np.exp(-np.abs(z)))))

    def backward(self):
        """dLoss/dlogits = (sigmoid(logits) - target) / batch."""
        if self._logits is None:
            raise RuntimeError("BinaryCrossEntropy.backward was called before forward")
        return (sigmoid(self._logits) - self._target) / self._logits.shape[0]

    def __repr__(self):
        return "BinaryCrossEntropy()"
