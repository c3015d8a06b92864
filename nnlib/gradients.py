"""Two ways to get a gradient, and a check that they agree.

- ``numerical_gradient``: finite differences. Nudge one number by a small
  step h, see how much the loss moves, divide. It is an approximation and
  costs two loss evaluations per number (one with forward differences):
  with P parameters, 2P forward passes.
- Backpropagation (``layer.backward``): exact up to rounding, and costs one
  forward and one backward pass for *all* the numbers at once. A Linear
  layer's backward does two matrix products for its forward's one, so a
  gradient costs about three forward passes, however large P is.

``gradient_check`` compares the two: this is how we know backward is right.
"""

from contextlib import contextmanager

import numpy as np

from ._checks import check_positive_number

TINY = 1e-30

# One pass mark for the whole series: a gradient check in float64 whose
# largest entry-wise relative error (see relative_error) is below this
# says backward is right. Typical errors of a correct smooth model are
# 1e-10 to 1e-8; a wrong backward gives 1e-2 to 1. ReLU networks can land
# in between when a pre-activation sits within h of 0 (a kink): notebook 02.
PASS_THRESHOLD = 1e-6

# Entries more than 100 times smaller than the largest are compared on 1/100
# of its scale: below it, finite differences are mostly round-off.
RELATIVE_FLOOR = 1e-2


def numerical_gradient(f, x, h=1e-5, method="central"):
    """Finite-difference gradient of the scalar function ``f`` at ``x``.

    f: callable, f(x) -> float. x: float ndarray of any shape; it is changed
    in place one entry at a time and restored afterwards.
    Returns an array shaped like x (float64).

    central: (f(x + h) - f(x - h)) / 2h, error ~ h**2.
    forward: (f(x + h) - f(x)) / h,      error ~ h.
    """
    return partial_derivatives(f, x, range(np.size(x)), h=h, method=method).reshape(np.shape(x))


def partial_derivatives(f, x, indices, h=1e-5, method="central"):
    """The finite-difference slopes of ``f`` along the chosen entries of x
    only: one float64 number per flat index in ``indices``, the same numbers
    ``numerical_gradient`` gives for those entries. x is perturbed in place
    and restored, as there."""
    if method not in ("central", "forward"):
        raise ValueError(f"method must be 'central' or 'forward'; got {method!r}")
    h = check_positive_number(h, "h")
    if not isinstance(x, np.ndarray) or not np.issubdtype(x.dtype, np.floating):
        raise TypeError("x must be a float numpy array (it is perturbed in place)")
    flat = x.reshape(-1)  # a view: writing to it changes x
    if not np.shares_memory(flat, x):
        raise ValueError("x must be contiguous so that it can be perturbed in place")
    f_x = float(f(x)) if method == "forward" else None
    slopes = []
    for i in indices:
        original = flat[i]
        try:
            flat[i] = original + h
            f_plus = float(f(x))
            if method == "central":
                flat[i] = original - h
                f_minus = float(f(x))
                slopes.append((f_plus - f_minus) / (2 * h))
            else:
                slopes.append((f_plus - f_x) / h)
        finally:
            flat[i] = original
    return np.array(slopes, dtype=np.float64)


def relative_error(analytic, numeric):
    """The largest entry-wise relative error between two gradients:

        max over entries i of |a_i - n_i| / max(|a_i| + |n_i|, 0.01 * s)

    where s is the largest |a_i| + |n_i|. 0 when they agree, about 1 when
    unrelated. Entry by entry, so a wrong small entry next to large ones is
    caught (a = [1, 1e-6], n = [1, 2e-6] gives 5e-5, above PASS_THRESHOLD,
    where the norm-wise |a - n| / (|a| + |n|) gives 5e-7 and passes);
    entries more than 100 times smaller than the largest are measured on
    1/100 of its scale, below which finite differences are mostly round-off.
    """
    analytic = np.asarray(analytic, dtype=np.float64)
    numeric = np.asarray(numeric, dtype=np.float64)
    size = np.abs(analytic) + np.abs(numeric)
    floor = max(RELATIVE_FLOOR * float(np.max(size, initial=0.0)), TINY)
    return float(np.max(np.abs(analytic - numeric) / np.maximum(size, floor), initial=0.0))


def backprop_gradients(model, loss, x, y):
    """One forward and one backward pass, from zeroed gradients. Returns the
    loss value and {parameter name: copy of its gradient}."""
    model.zero_grad()
    value = loss.forward(model.forward(x), y)
    model.backward(loss.backward())
    return value, {p.name: p.grad.copy() for p in model.parameters()}


def finite_difference_gradients(model, loss, x, y, *, h=1e-5, method="central"):
    """The gradient of the loss with respect to every parameter of
    ``model`` by finite differences: {parameter name: array of its shape}.
    x: (batch, in_features); y: whatever ``loss`` expects."""

    def loss_at(_):
        return loss.forward(model.forward(x), y)

    return {p.name: numerical_gradient(loss_at, p.value, h=h, method=method) for p in model.parameters()}


@contextmanager
def float64_parameters(model):
    """Inside the block, every parameter of ``model`` is a float64 copy, so
    the model computes in float64; afterwards the original arrays (values
    unchanged) are put back."""
    originals = [(p, p.value, p.grad) for p in model.parameters()]
    try:
        for p, value, grad in originals:
            p.value, p.grad = value.astype(np.float64), np.zeros(value.shape, np.float64)
        yield model
    finally:
        for p, value, grad in originals:
            p.value, p.grad = value, grad


def gradient_check(model, loss, x, y, h=1e-5):
    """Relative error between backprop and central finite differences for
    every parameter of ``model``: {name: error}, the largest entry-wise
    relative error of ``relative_error``.

    Computed in float64 whatever the model's dtype (in float32, finite
    differences alone are off by about 1e-2), with x cast to float64 too.
    Errors below PASS_THRESHOLD (1e-6) mean backward is right; around 1
    means it is wrong. x: (batch, in_features); y: whatever ``loss`` expects.
    """
    x = np.asarray(x, dtype=np.float64)
    with float64_parameters(model):
        _, analytic = backprop_gradients(model, loss, x, y)
        numeric = finite_difference_gradients(model, loss, x, y, h=h)
    return {name: relative_error(analytic[name], numeric[name]) for name in analytic}
