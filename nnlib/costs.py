"""What a gradient costs, and how accurate a finite difference is.

Notebook 02 compares the two ways of getting a gradient:

- finite differences (``numerical_gradient``): two loss evaluations per
  parameter with central differences, so the cost grows with the number of
  parameters P; and the answer is an approximation whose error depends on
  the step h;
- backpropagation (``model.backward``): one forward and one backward pass
  for all P parameters at once, exact up to rounding.

Everything here is measurement: counting loss evaluations (the same on
every run), timing them (different on every machine) and measuring the
error of a finite difference against a known derivative.
"""

import time
from dataclasses import dataclass

import numpy as np

from ._checks import check_array, check_positive_int
from .gradients import backprop_gradients, finite_difference_gradients, numerical_gradient, partial_derivatives


def finite_difference_errors(f, df, x0, steps, *, method="central", dtype=np.float64):
    """|finite difference - true derivative| for every step h in ``steps``,
    each slope from ``numerical_gradient`` at the one number x0.

    f: function of one number, computed in ``dtype`` (np.exp, np.sin, ...).
    df: its exact derivative, evaluated in float64 as the reference.
    steps: (n,) positive step sizes. Returns (n,) float64 errors.

    Large h: the truncation error of the formula (about h for forward,
    h**2 for central). Tiny h: round-off, since f(x0 + h) and f(x0 - h)
    agree in almost all their digits (about eps / h).
    """
    steps = check_array(steps, "steps", ndim=1)
    if np.any(steps <= 0):
        raise ValueError(f"steps must all be positive; got minimum {steps.min()}")
    if dtype not in (np.float32, np.float64):
        raise ValueError(f"dtype must be np.float32 or np.float64; got {dtype!r}")
    exact = float(df(np.float64(x0)))
    point = np.array([x0], dtype=dtype)  # x0 + h is then rounded to dtype, as f sees it

    def f_at(a):
        return f(a[0])

    slopes = [numerical_gradient(f_at, point, h=float(dtype(h)), method=method)[0] for h in steps]
    return np.abs(np.array(slopes) - exact)


class CountingLoss:
    """Wraps a loss and counts how often it is evaluated (``forward``) and
    differentiated (``backward``). Use it like the loss it wraps."""

    def __init__(self, loss):
        self.loss = loss
        self.forward_calls = 0
        self.backward_calls = 0

    def forward(self, pred, target):
        self.forward_calls += 1
        return self.loss.forward(pred, target)

    def backward(self):
        self.backward_calls += 1
        return self.loss.backward()

    def __repr__(self):
        return f"CountingLoss({self.loss!r}, forward_calls={self.forward_calls})"


@dataclass
class GradientWork:
    """How many times each way of getting the gradient ran the model."""

    parameters: int
    finite_difference_evaluations: int
    backprop_forward_passes: int
    backprop_backward_passes: int


def count_gradient_work(model, loss, x, y, *, method="central"):
    """Compute the gradient both ways, counting loss evaluations (each one
    a forward pass of the model). Deterministic: it does not depend on the
    machine. Returns a GradientWork."""
    counting = CountingLoss(loss)
    finite_difference_gradients(model, counting, x, y, method=method)
    fd_evaluations = counting.forward_calls
    counting = CountingLoss(loss)
    backprop_gradients(model, counting, x, y)
    n_parameters = sum(p.value.size for p in model.parameters())
    return GradientWork(n_parameters, fd_evaluations, counting.forward_calls, counting.backward_calls)


@dataclass
class GradientTimes:
    """Seconds for one forward pass, one backprop gradient (forward +
    backward) and one finite-difference gradient of the same model.

    finite_differences is measured on ``fd_measured`` of the ``parameters``
    numbers and scaled up to all of them (every number costs the same two
    loss evaluations); when fd_measured == parameters it is measured whole.
    """

    parameters: int
    forward: float
    backprop: float
    finite_differences: float
    fd_measured: int


def _fastest_block(run_block, blocks):
    """Seconds per item in the fastest of ``blocks`` timed blocks.
    run_block(k) runs block k and returns how many items it ran. Other
    programs slow some blocks down; the fastest block is the least
    disturbed, and every way of getting a gradient is timed like this."""
    best = np.inf
    for k in range(blocks):
        start = time.perf_counter()
        items = run_block(k)
        best = min(best, (time.perf_counter() - start) / items)
    return best


def _repeat(function, times):
    def run_block(_):
        for _ in range(times):
            function()
        return times

    return run_block


def _central_differences(model, loss, x, y, entries, h=1e-5):
    """Central differences for the chosen (parameter, flat index) entries:
    what ``numerical_gradient`` does for each of those numbers."""

    def loss_at(_):
        return loss.forward(model.forward(x), y)

    for p in {id(p): p for p, _ in entries}.values():
        partial_derivatives(loss_at, p.value, [i for q, i in entries if q is p], h=h)


def time_gradients(model, loss, x, y, *, repeats=100, max_fd_parameters=500, block_size=5):
    """Time one forward pass, one backprop gradient and one central
    finite-difference gradient of ``model``.

    Forward and backprop run ``repeats`` times, in blocks of ``block_size``
    runs. Finite differences are timed on at most ``max_fd_parameters``
    numbers, spread evenly over all the parameters, in blocks of
    ``block_size`` numbers, and scaled to all the parameters. Each time is
    the per-item time of the fastest block. Returns GradientTimes in
    seconds; they differ from machine to machine and from run to run.
    """
    repeats = check_positive_int(repeats, "repeats")
    max_fd_parameters = check_positive_int(max_fd_parameters, "max_fd_parameters")
    block_size = check_positive_int(block_size, "block_size")
    entries = [(p, i) for p in model.parameters() for i in range(p.value.size)]
    n_parameters = len(entries)
    if n_parameters > max_fd_parameters:
        chosen = np.linspace(0, n_parameters - 1, max_fd_parameters).round().astype(int)
        entries = [entries[k] for k in chosen]
    blocks = max(repeats // block_size, 1)
    forward = _fastest_block(_repeat(lambda: loss.forward(model.forward(x), y), block_size), blocks)
    backprop = _fastest_block(_repeat(lambda: backprop_gradients(model, loss, x, y), block_size), blocks)
    fd_blocks = [entries[start:start + block_size] for start in range(0, len(entries), block_size)]

    def fd_block(k):
        _central_differences(model, loss, x, y, fd_blocks[k])
        return len(fd_blocks[k])

    per_parameter = _fastest_block(fd_block, len(fd_blocks))
    return GradientTimes(n_parameters, forward, backprop, per_parameter * n_parameters, len(entries))
