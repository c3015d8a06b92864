"""Two ways to get a gradient, and a check that they agree.

- ``numerical_gradient``: finite differences. Nudge one number by a small
  step h, see how much the loss moves, divide. It is an approximation and
  costs two loss evaluations per number (one with forward differences).
- Backpropagation (``layer.backward``): exact up to rounding, and costs about
  one extra forward pass for *all* the numbers at once.

``gradient_check`` compares the two: this is how we know backward is right.
"""

import numpy as np

from ._checks import check_positive_number

TINY = 1e-30


def numerical_gradient(f, x, h=1e-5, method="central"):
    """Finite-difference gradient of the scalar function ``f`` at ``x``.

    f: callable, f(x) -> float. x: float ndarray of any shape; it is changed
    in place one entry at a time and restored afterwards.
    Returns an array shaped like x.

    central: (f(x + h) - f(x - h)) / 2h, error ~ h**2.
    forward: (f(x + h) - f(x)) / h,      error ~ h.
    """
    if method not in ("central", "forward"):
        raise ValueError(f"method must be 'central' or 'forward'; got {method!r}")
    h = check_positive_number(h, "h")
    if not isinstance(x, np.ndarray) or not np.issubdtype(x.dtype, np.floating):
        raise TypeError("x must be a float numpy array (it is perturbed in place)")
    grad = np.zeros(x.shape, dtype=np.float64)
    f_x = float(f(x)) if method == "forward" else None
    flat = x.reshape(-1)  # a view: writing to it changes x
    if not np.shares_memory(flat, x):
        raise ValueError("x must be contiguous so that it can be perturbed in place")
    grad_flat = grad.reshape(-1)
    for i in range(flat.size):
        original = flat[i]
        try:
            flat[i] = original + h
            f_plus = float(f(x))
            if method == "central":
                flat[i] = original - h
                f_minus = float(f(x))
                grad_flat[i] = (f_plus - f_minus) / (2 * h)
            else:
                grad_flat[i] = (f_plus - f_x) / h
        finally:
            flat[i] = original
    return grad


def relative_error(analytic, numeric):
    """max|a - n| / max(|a| + |n|): 0 when they agree, about 1 when unrelated."""
    analytic = np.asarray(analytic, dtype=np.float64)
    numeric = np.asarray(numeric, dtype=np.float64)
    scale = max(float(np.max(np.abs(analytic) + np.abs(numeric), initial=0.0)), TINY)
    return float(np.max(np.abs(analytic - numeric), initial=0.0)) / scale


def backprop_gradients(model, loss, x, y):
    """One forward and one backward pass. Returns the loss value and
    {parameter name: copy of its gradient}."""
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


def gradient_check(model, loss, x, y, h=1e-5):
    """Relative error between backprop and central finite differences for
    every parameter of ``model``: {name: error}.

    In float64, errors below 1e-7 mean backward is right; around 1 means
    it is wrong. x: (batch, in_features); y: whatever ``loss`` expects.
    """
    _, analytic = backprop_gradients(model, loss, x, y)
    numeric = finite_difference_gradients(model, loss, x, y, h=h)
    return {name: relative_error(analytic[name], numeric[name]) for name in analytic}
