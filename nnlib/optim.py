"""Optimisers: how parameters move once their gradients are known."""

import numpy as np

from ._checks import check_positive_number, check_range
from .layers import Parameter


class SGD:
    """Stochastic gradient descent, with optional momentum and weight decay.

    For every parameter p with gradient g, one ``step()`` does

        g = g + weight_decay * p          (pulls the numbers towards 0)
        v = momentum * v + g              (v starts at 0; PyTorch's rule)
        p = p - lr * v

    With momentum = 0 this is plain p = p - lr * g. Updates are in place:
    ``p.value`` stays the same array, so an array taken from it earlier sees
    every update.

    Weight decay applies to every parameter it is given, biases included
    (pass only the weights to spare the biases). Adding weight_decay * p to
    the gradient of the loss is the same as adding the penalty
    (weight_decay / 2) * |p|² to the loss, whose gradient it is.

    Gradients accumulate in ``p.grad`` (see nnlib/layers.py): call
    ``zero_grad()`` once per step, before ``backward``.
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
        self.velocities = [np.zeros_like(p.value) for p in self.parameters] if self.momentum else None

    def step(self):
        """Move every parameter once, using the gradients in ``p.grad``."""
        for k, p in enumerate(self.parameters):
            g = p.grad
            if self.weight_decay:
                g = g + self.weight_decay * p.value
            if self.velocities is not None:
                v = self.velocities[k]
                v *= self.momentum
                v += g
                g = v
            p.value -= self.lr * g

    def zero_grad(self):
        """Set every parameter's gradient to 0 (backward adds to it)."""
        for p in self.parameters:
            p.grad.fill(0.0)

    def __repr__(self):
        return f"SGD(lr={self.lr}, momentum={self.momentum}, weight_decay={self.weight_decay})"
