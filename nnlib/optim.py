"""Optimisers: how parameters move once their gradients are known."""

import numpy as np

from ._checks import check_positive_number, check_range
from .layers import Parameter


def gather_parameters(parameters):
    """Move the numbers of all ``parameters`` into one flat array, and their
    gradients into another, and make each Parameter's ``value`` and ``grad``
    views of its own slice. Returns (values, grads), both (total size,).

    The layers see no difference: they read p.value and write p.grad in
    place as before. But an update that is the same for every number can now
    be one numpy call on the flat arrays instead of one call per parameter.
    An array taken out of a Parameter *before* this is a stale copy: read
    p.value again.
    """
    dtypes = sorted({p.value.dtype.name for p in parameters})
    if len(dtypes) > 1:
        raise ValueError(
            f"parameters have dtypes {', '.join(dtypes)}; expected one dtype "
            "(build every layer with the same dtype=)"
        )
    sizes = [p.value.size for p in parameters]
    values = np.empty(sum(sizes), dtype=dtypes[0])
    grads = np.empty_like(values)
    start = 0
    for p, size in zip(parameters, sizes):
        shape = p.value.shape
        values[start : start + size] = p.value.reshape(-1)
        grads[start : start + size] = p.grad.reshape(-1)
        p.value = values[start : start + size].reshape(shape)  # a view of values
        p.grad = grads[start : start + size].reshape(shape)
        start += size
    return values, grads


class SGD:
    """Stochastic gradient descent, with optional momentum and weight decay.

    For every parameter p with gradient g, one ``step()`` does

        g = g + weight_decay * p          (pulls weights towards 0)
        v = momentum * v + g              (v starts at 0; PyTorch's rule)
        p = p - lr * v

    With momentum = 0 this is plain p = p - lr * g. Updates are in place.

    The rule is the same for every number, so SGD applies it to all the
    parameters at once: it keeps them in one flat array (see
    ``gather_parameters``), and a step is two numpy calls however many
    layers the model has. On a small network each numpy call costs more
    in Python overhead than in arithmetic, so this is worth about 6 % of
    the training time of the digits network 64-128-10 (bench/README.md).
    Read p.value after creating the optimiser: an array taken out of a
    Parameter before then is a copy that training no longer changes.
    """

    def __init__(self, parameters, lr, momentum=0.0, weight_decay=0.0):
        self.parameters = list(parameters)
        if not self.parameters:
            raise ValueError("parameters is empty: there is nothing to optimise")
        for p in self.parameters:
            if not isinstance(p, Parameter):
                raise TypeError(
                    f"parameters must be Parameter objects (from model.parameters()); got {type(p).__name__}"
                )
        if len({id(p) for p in self.parameters}) < len(self.parameters):
            raise ValueError("parameters lists the same Parameter more than once")
        self.lr = check_positive_number(lr, "lr")
        self.momentum = check_range(momentum, "momentum", 0.0, 1.0)
        self.weight_decay = check_range(weight_decay, "weight_decay", 0.0, np.inf)
        self._values, self._grads = gather_parameters(self.parameters)
        self._velocity = np.zeros_like(self._values) if self.momentum else None

    def _gathered(self):
        """False if some Parameter's value or grad was replaced by a new array
        (p.value = ...) since the parameters were gathered."""
        for p in self.parameters:
            if p.value.base is not self._values or p.grad.base is not self._grads:
                return False
        return True

    def step(self):
        if not self._gathered():
            self._values, self._grads = gather_parameters(self.parameters)
            if self._velocity is not None and self._velocity.shape != self._values.shape:
                self._velocity = np.zeros_like(self._values)
        g = self._grads
        if self.weight_decay:
            g = g + self.weight_decay * self._values
        if self._velocity is not None:
            self._velocity *= self.momentum
            self._velocity += g
            g = self._velocity
        self._values -= self.lr * g

    def zero_grad(self):
        for p in self.parameters:
            p.grad.fill(0.0)

    def __repr__(self):
        return f"SGD(lr={self.lr}, momentum={self.momentum}, weight_decay={self.weight_decay})"
