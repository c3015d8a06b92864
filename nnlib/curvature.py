"""Curvature and gradient noise of a network's loss (notebook 12).

The Hessian H of the mean loss (P x P for P parameters) is never built:

- ``hessian_vector_product``: H v by central finite differences of two
  backprop gradients, (g(theta + h v) - g(theta - h v)) / 2h. Notebook 02's
  idea applied to the gradient instead of the loss: 4 passes, whatever P.
- ``sharpness``: the Hessian's largest-magnitude eigenvalue by power
  iteration on those products; ``hessian_eigenvalues`` gives the top few
  (by deflation) with how well each converged (``EigenEstimate``).
- ``per_example_gradients``: every example's own gradient at once, from the
  inputs and output gradients of the Linear layers (an outer product per
  example, no loop over examples).
- ``gradient_noise_scale``: tr(Sigma) / |G|^2 (McCandlish et al. 2018), the
  batch size around which larger batches stop paying off.

Vectors are dicts keyed like ``model.state_dict()``: {"0.W": (64, 32), ...}.
Everything is computed in float64, on float64 copies of the parameters, so
the model's own arrays (values and ``.grad``) are left exactly as they were.
"""

import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ._checks import as_rng, check_positive_int, check_positive_number
from .gradients import backprop_gradients, float64_parameters
from .layers import Linear, Sequential

# The finite-difference step along v, as a length in parameter space: this
# fraction of (1 + |theta|). Central differences err by about step^2 (the
# third derivative), round-off by about 1e-16 |g| / step: 1e-5 keeps both
# near 1e-10 relative, and rarely moves a ReLU across its kink.
RELATIVE_STEP = 1e-5


# ------------------------------------------------------------ flat vectors

def _names_and_shapes(model):
    return [(p.name, p.value.shape) for p in model.parameters()]


def _flatten(vector, layout):
    return np.concatenate([np.asarray(vector[name], dtype=np.float64).ravel() for name, _ in layout])


def _unflatten(flat, layout):
    out, start = {}, 0
    for name, shape in layout:
        size = math.prod(shape)
        out[name] = flat[start:start + size].reshape(shape)
        start += size
    return out


def check_vector(vector, model, name="vector"):
    """``vector`` as a dict of float64 arrays with exactly the model's
    parameter names and shapes (ValueError / TypeError naming it otherwise)."""
    if not isinstance(vector, dict):
        raise TypeError(f"{name} must be a dict keyed like model.state_dict(); got {type(vector).__name__}")
    layout = _names_and_shapes(model)
    expected = [n for n, _ in layout]
    missing, unexpected = sorted(set(expected) - set(vector)), sorted(set(vector) - set(expected))
    if missing or unexpected:
        raise ValueError(f"{name} is missing {missing} and has unexpected {unexpected}; "
                         f"expected exactly the names {expected}")
    checked = {}
    for key, shape in layout:
        value = np.asarray(vector[key], dtype=np.float64)
        if value.shape != shape:
            raise ValueError(f"{name}[{key!r}] has shape {value.shape}; expected {shape}")
        if not np.isfinite(value).all():
            raise ValueError(f"{name}[{key!r}] contains NaN or infinite values")
        checked[key] = value
    return checked


def _check_data(x, y):
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or len(x) == 0:
        raise ValueError(f"x must be a non-empty (batch, features) array; got shape {x.shape}")
    if len(y) != len(x):
        raise ValueError(f"x and y must have the same number of examples; got {len(x)} and {len(y)}")
    return x


# ------------------------------------------------- Hessian-vector products

def _gradient_at(model, loss, x, y, base, shift):
    """The flat gradient at base + shift (flat float64 vectors), model in float64."""
    for p, value in zip(model.parameters(), _unflatten(base + shift, _names_and_shapes(model)).values()):
        p.value[...] = value
    _, grads = backprop_gradients(model, loss, x, y)
    return _flatten(grads, _names_and_shapes(model))


def _hvp_flat(model, loss, x, y, v, h):
    """H v for a flat v, on a model already in float64 (inside float64_parameters)."""
    layout = _names_and_shapes(model)
    base = _flatten({p.name: p.value for p in model.parameters()}, layout)
    norm = float(np.linalg.norm(v))
    if norm == 0.0:
        return np.zeros_like(v)
    if h is None:
        h = RELATIVE_STEP * (1.0 + float(np.linalg.norm(base))) / norm
    try:
        plus = _gradient_at(model, loss, x, y, base, h * v)
        minus = _gradient_at(model, loss, x, y, base, -h * v)
    finally:
        for p, value in zip(model.parameters(), _unflatten(base, layout).values()):
            p.value[...] = value
    return (plus - minus) / (2.0 * h)  # central difference: the two points are 2h apart


def hessian_vector_product(model, loss, x, y, vector, *, h=None):
    """H v, the Hessian of the mean loss times ``vector``, by central
    differences of backprop gradients:

        H v ~ (g(theta + h v) - g(theta - h v)) / (2 h)

    x: (batch, features); y: what ``loss`` expects. vector: {name: array}
    keyed and shaped like ``model.state_dict()``. h: the step (a number);
    by default RELATIVE_STEP * (1 + |theta|) / |v|. Returns {name: array},
    float64. The model's parameters and gradients are left exactly as they
    were (the work is done on float64 copies).
    """
    v = check_vector(vector, model)
    if h is not None:
        h = check_positive_number(h, "h")
    x = _check_data(x, y)
    layout = _names_and_shapes(model)
    with float64_parameters(model):
        product = _hvp_flat(model, loss, x, y, _flatten(v, layout), h)
    return _unflatten(product, layout)


# -------------------------------------------------------- power iteration

@dataclass
class EigenEstimate:
    """One eigenvalue of the Hessian found by power iteration.

    value: the Rayleigh quotient v.Hv of the final unit vector v.
    vector: v, {name: array} like ``state_dict()``.
    residual: |H v - value v| / |value|. For a symmetric matrix some
    eigenvalue lies within residual * |value| of ``value`` (a guarantee, not
    an estimate); the error of ``value`` itself is usually far smaller.
    converged: the relative change of ``value`` in the last iteration fell
    below ``tol`` before ``iterations`` ran out.
    history: the Rayleigh quotient after each iteration (watch it settle).
    """

    value: float
    vector: dict
    residual: float
    converged: bool
    iterations: int
    history: list = field(default_factory=list)


def power_iteration(matvec, start, *, iterations=100, tol=1e-4):
    """The largest-magnitude eigenvalue of a symmetric matrix given by
    ``matvec`` (flat vector -> flat vector), from the flat vector ``start``.

    Each step: w = A v, estimate = v.w (v has length 1), v = w / |w|.
    Stops when the estimate changes by less than tol * |estimate|.
    Returns (estimate, v, residual, converged, history); see EigenEstimate.
    """
    v = np.asarray(start, dtype=np.float64)
    norm = np.linalg.norm(v)
    if norm == 0.0:
        raise ValueError("start must not be the zero vector: power iteration has no direction to follow")
    v = v / norm
    history, converged, w, estimate = [], False, None, 0.0
    for _ in range(iterations):
        w = matvec(v)
        estimate = float(v @ w)  # Rayleigh quotient: v has length 1
        history.append(estimate)
        size = np.linalg.norm(w)
        if size == 0.0:  # v is in the null space: the eigenvalue 0
            break
        if len(history) > 1 and abs(history[-1] - history[-2]) <= tol * abs(history[-1]):
            converged = True
            break
        v = w / size  # normalise, or the numbers grow (or shrink) geometrically
    residual = float(np.linalg.norm(w - estimate * v)) / max(abs(estimate), 1e-300)
    return estimate, v, residual, converged, history


def hessian_eigenvalues(model, loss, x, y, *, k=1, iterations=100, tol=1e-4, rng=None, start=None, h=None):
    """The ``k`` largest-magnitude eigenvalues of the Hessian of the mean
    loss, by power iteration on Hessian-vector products; the second and
    later by deflation (power iteration on H - sum of value u u^T of those
    found). Each iteration costs one product (4 passes over x).

    start: a vector {name: array} to begin the first search from (the
    previous ``vector`` when tracking sharpness during training: a few
    iterations then suffice); by default a random one from ``rng``.
    Returns a list of k EigenEstimate, largest magnitude first. The model
    is left exactly as it was.
    """
    k = check_positive_int(k, "k")
    iterations = check_positive_int(iterations, "iterations")
    tol = check_positive_number(tol, "tol")
    if h is not None:
        h = check_positive_number(h, "h")
    x = _check_data(x, y)
    layout = _names_and_shapes(model)
    size = sum(math.prod(shape) for _, shape in layout)
    if k > size:
        raise ValueError(f"k must be at most the number of parameters, {size}; got {k}")
    rng = as_rng(rng)
    first = _flatten(check_vector(start, model, "start"), layout) if start is not None else None
    found = []
    with float64_parameters(model):
        for i in range(k):
            def matvec(v):
                product = _hvp_flat(model, loss, x, y, v, h)
                for estimate in found:  # deflation: remove what was found
                    u = _flatten(estimate.vector, layout)
                    product -= estimate.value * (u @ v) * u
                return product

            begin = first if (i == 0 and first is not None) else rng.standard_normal(size)
            value, v, residual, converged, history = power_iteration(matvec, begin, iterations=iterations,
                                                                     tol=tol)
            found.append(EigenEstimate(value, _unflatten(v, layout), residual, converged, len(history),
                                       history))
    return found


def sharpness(model, loss, x, y, *, iterations=100, tol=1e-4, rng=None, start=None, h=None):
    """The sharpness: the Hessian's largest-magnitude eigenvalue (the
    curvature along the direction that curves most), by power iteration.

    Stops when the estimate changes by less than ``tol`` (relative) from
    one iteration to the next; if ``iterations`` run out first, a
    RuntimeWarning says so, with the estimate's residual. For the vector
    and the record of convergence, use ``hessian_eigenvalues``.
    x: (batch, features); y: what ``loss`` expects. Returns a float.
    """
    estimate = hessian_eigenvalues(model, loss, x, y, k=1, iterations=iterations, tol=tol, rng=rng,
                                   start=start, h=h)[0]
    if not estimate.converged:
        warnings.warn(f"sharpness: power iteration did not converge in {iterations} iterations "
                      f"(last relative change above tol={tol}; residual {estimate.residual:.1e}); "
                      f"give more iterations or a start vector", RuntimeWarning, stacklevel=2)
    return estimate.value


# -------------------------------------------------- per-example gradients

def _leaf_layers(model):
    if isinstance(model, Sequential):
        for layer in model.layers:
            yield from _leaf_layers(layer)
    else:
        yield model


def per_example_gradients(model, loss, x, y):
    """Each example's own gradient: {name: array of shape (n, *parameter
    shape)}, where entry i is the gradient of example i's loss alone.
    Their mean over the batch is the batch gradient.

    One forward and one backward pass. A Linear layer's weight gradient of
    the batch is x^T @ g, a sum over examples of outer products
    x_i (x) g_i (x_i its input, g_i the gradient at its output); keeping
    the terms apart (einsum, no sum) gives each example's. The loss is a
    mean, so g_i carries a factor 1/n: multiplying by n gives example i's
    own gradient. Only Linear layers may have parameters (TypeError else).
    The model's parameters and ``.grad`` are not changed.
    x: (n, features); y: what ``loss`` expects.
    """
    x = _check_data(x, y)
    layers = list(_leaf_layers(model))
    for layer in layers:
        if layer.parameters() and not isinstance(layer, Linear):
            raise TypeError(f"per_example_gradients: only Linear layers may have parameters; got {layer!r}")
    n = len(x)
    with float64_parameters(model):
        loss.forward(model.forward(x), y)
        grad = loss.backward() * n  # the gradient of each example's own loss at the output
        per_example = {}
        for layer in reversed(layers):
            if isinstance(layer, Linear):
                per_example[layer.W.name] = np.einsum("ni,no->nio", layer._x, grad)  # outer product per example
                per_example[layer.b.name] = grad.copy()
                grad = grad @ layer.W.value.T  # the gradient at the layer's input (no .grad touched)
            else:
                grad = layer.backward(grad)
    return {p.name: per_example[p.name] for p in model.parameters()}


def _example_terms(model, loss, x, y):
    """|g_i|^2 for every example (n,) and the mean gradient (flat), without
    building the (n, P) per-example gradients: for an outer product,
    |x_i (x) g_i|^2 = |x_i|^2 |g_i|^2."""
    x = _check_data(x, y)
    layers = list(_leaf_layers(model))
    n = len(x)
    with float64_parameters(model):
        loss.forward(model.forward(x), y)
        grad = loss.backward() * n
        squared = np.zeros(n)
        mean = {}
        for layer in reversed(layers):
            if isinstance(layer, Linear):
                g2 = np.einsum("no,no->n", grad, grad)
                squared += np.einsum("ni,ni->n", layer._x, layer._x) * g2 + g2  # weights, then bias
                mean[layer.W.name] = layer._x.T @ grad / n
                mean[layer.b.name] = grad.mean(axis=0)
                grad = grad @ layer.W.value.T
            elif layer.parameters():
                raise TypeError(f"gradient_noise_scale: only Linear layers may have parameters; got {layer!r}")
            else:
                grad = layer.backward(grad)
    return squared, _flatten(mean, _names_and_shapes(model))


def gradient_noise_scale(model, loss, x, y):
    """The simple noise scale B = tr(Sigma) / |G|^2 (McCandlish et al. 2018)
    over the n examples given, taken as the whole population:

        G = mean of the per-example gradients g_i (the batch gradient),
        tr(Sigma) = mean of |g_i - G|^2 = mean of |g_i|^2 - |G|^2.

    A batch of b examples drawn from them gives a gradient whose noise has
    tr(Sigma) / b; B is the batch size at which that noise equals |G|^2.
    Computed without building every per-example gradient. Returns a float
    (infinity when G is 0). x: (n, features); y: what ``loss`` expects.
    """
    squared, mean = _example_terms(model, loss, x, y)
    g2 = float(mean @ mean)
    trace = max(float(squared.mean()) - g2, 0.0)
    return trace / g2 if g2 > 0 else math.inf


# ------------------------------------------- sharpness during training

@dataclass
class SharpnessRun:
    """Gradient descent with the sharpness measured along the way.

    lr: the (peak) learning rate; momentum; batch_size (None: full batch);
    warmup_steps: steps of the linear warmup (0: none).
    loss: the training loss before each step (one per step taken; with
    mini-batches, the loss of the step's batch).
    lrs: the learning rate of each step.
    measured_at: the steps at which the sharpness was measured (on the
    whole of x, y, before that step), with sharpness, full_loss (the loss
    on the whole of x, y there) and residual (see EigenEstimate).
    diverged / message: whether the loss blew up, and when, in words.
    """

    lr: float
    momentum: float
    batch_size: int | None
    warmup_steps: int
    loss: np.ndarray
    lrs: np.ndarray
    measured_at: np.ndarray
    sharpness: np.ndarray
    full_loss: np.ndarray
    residual: np.ndarray
    diverged: bool
    message: str
    path: list = field(default_factory=list, repr=False)

    @property
    def threshold(self):
        """The stability limit of the peak rate: (2 + 2 momentum) / lr
        (2 / lr without momentum): a quadratic whose curvature is above it
        makes the steps grow."""
        return (2.0 + 2.0 * self.momentum) / self.lr


def warmup_rate(step, lr, warmup_steps):
    """The learning rate of step ``step`` (0-based) under a linear warmup:
    lr * (step + 1) / warmup_steps for the first warmup_steps steps, then lr."""
    if warmup_steps <= 0 or step >= warmup_steps:
        return lr
    return lr * (step + 1) / warmup_steps


def train_tracking_sharpness(model, loss, x, y, *, lr, steps, every=10, momentum=0.0, batch_size=None,
                             warmup_steps=0, rng=None, iterations=500, tol=1e-6, keep_path_every=None):
    """Train ``model`` in place with SGD for ``steps`` updates and measure
    the sharpness of the loss on the whole of (x, y) every ``every`` steps
    (and after the last one), by power iteration: the first from a random
    vector, each later one from the previous measurement's vector, all run
    until the estimate changes by less than ``tol`` (relative). At the edge
    of stability the top eigenvalues crowd together (2.13, 2.07, 2.05 at the
    end of notebook 12's lr = 1 run): a loose tol or a few iterations then
    stop on values several percent low; tol=1e-6 agrees with exact Hessians
    within 0.01 % there, at up to a few hundred products per measurement.

    batch_size None: full-batch gradient descent; else mini-batches drawn
    in a fresh random order every epoch (``rng``). warmup_steps: the
    learning rate rises linearly from lr / warmup_steps to lr over that many
    steps. keep_path_every: also keep a flat copy of the parameters every
    that many steps (for the loss landscape). Stops, and says so, when the
    loss becomes NaN or more than 100 times its first value.
    x: (n, features); y: what ``loss`` expects. Returns a SharpnessRun.
    """
    from .data import batch_indices
    from .optim import SGD

    lr = check_positive_number(lr, "lr")
    steps = check_positive_int(steps, "steps")
    every = check_positive_int(every, "every")
    x = _check_data(x, y)
    rng = as_rng(rng)
    optimizer = SGD(model.parameters(), lr=lr, momentum=momentum)
    layout = _names_and_shapes(model)
    batches, vector = [], None
    losses, lrs, measured, sharp, full, residuals, path = [], [], [], [], [], [], []
    diverged, message = False, ""

    def measure(step):
        nonlocal vector
        estimate = hessian_eigenvalues(model, loss, x, y, start=vector, rng=rng, iterations=iterations,
                                       tol=tol)[0]
        vector = estimate.vector
        measured.append(step)
        sharp.append(estimate.value)
        residuals.append(estimate.residual)
        full.append(loss.forward(model.forward(x), y))

    for step in range(steps):
        if keep_path_every and step % keep_path_every == 0:
            path.append(_flatten({p.name: p.value for p in model.parameters()}, layout))
        if step % every == 0:
            measure(step)
        if batch_size is None:
            xb, yb = x, y
        else:
            if not batches:
                batches = batch_indices(len(x), batch_size, rng=rng)[::-1]
            rows = batches.pop()
            xb, yb = x[rows], y[rows]
        optimizer.lr = warmup_rate(step, lr, warmup_steps)
        optimizer.zero_grad()
        value = loss.forward(model.forward(xb), yb)
        if not np.isfinite(value) or value > 100 * max(losses[0] if losses else value, 1e-6):
            diverged = True
            message = (f"diverged at step {step}: the loss reached {value:.3g}, from {losses[0]:.3g} at the start; "
                       f"the learning rate {optimizer.lr:g} is too large here")
            break
        losses.append(value)
        lrs.append(optimizer.lr)
        model.backward(loss.backward())
        optimizer.step()
    else:
        measure(steps)
        if keep_path_every:
            path.append(_flatten({p.name: p.value for p in model.parameters()}, layout))
        message = f"{steps} steps, final loss {full[-1]:.4f}"
    return SharpnessRun(lr, float(momentum), batch_size, warmup_steps, np.array(losses), np.array(lrs),
                        np.array(measured), np.array(sharp), np.array(full), np.array(residuals), diverged,
                        message, path)


@dataclass
class EdgeSummary:
    """How a SharpnessRun's sharpness compares with its threshold,
    (2 + 2 momentum) / lr for the learning rate of each step (with warmup
    the threshold falls as the rate grows).

    ratios: sharpness / threshold at each measurement.
    reached_at: the first measured step with a ratio >= 1 (None: never;
    0: the start is already sharper than the threshold allows).
    first_rise: the first step, at or after reached_at, whose loss is
    above the step before (by more than 0.1 %; with mini-batches, the loss
    on the whole set between measurements); None if none.
    catapults: how many times, after reached_at, the sharpness fell by
    more than 8 % from one measurement to the next (a fall spread over
    consecutive measurements counts once).
    low, median, high: the ratios over the second half of the run (NaN
    when diverged). peak: the largest ratio.
    regime, decided in this order:
      "diverged";
      "below the threshold": never reached (the ratio stayed below 1);
      "reached, then left": reached, and over the second half every ratio
        is below 0.85 (cross-entropy once the loss is small);
      "reached, still rising": reached, but the loss has not gone up since;
      "catapults": the loss went up, and the sharpness fell below 0.9
        times the threshold in the second half after a catapult;
      "edge of stability": the loss went up, and over the second half the
        ratio stayed at 0.9 or more (and, not having left, near 1).
    """

    ratios: np.ndarray
    reached_at: int | None
    first_rise: int | None
    catapults: int
    low: float
    median: float
    high: float
    peak: float
    regime: str


def measured_thresholds(run):
    """(2 + 2 momentum) / lr at each measurement of ``run``, with the rate of
    the step taken right after it (the last step's rate for the last)."""
    steps = np.minimum(run.measured_at, max(len(run.lrs) - 1, 0))
    lrs = run.lrs[steps] if len(run.lrs) else np.full(len(steps), run.lr)
    return (2.0 + 2.0 * run.momentum) / lrs


def _first_rise(run, after):
    """The first step >= after whose loss is above the previous one by more
    than 0.1 % (full batch: the step losses; mini-batches: the loss on the
    whole set at the measurements, whose batch losses always bounce)."""
    if run.batch_size is None:
        steps, losses = np.arange(len(run.loss)), run.loss
    else:
        steps, losses = run.measured_at, run.full_loss
    rises = np.flatnonzero((losses[1:] > 1.001 * losses[:-1]) & (steps[1:] >= after))
    return int(steps[rises[0] + 1]) if len(rises) else None


def _catapults(sharpness, start):
    """Falls of more than 8 % between consecutive measurements, from index
    ``start`` on; consecutive falls count once."""
    falls = sharpness[start + 1:] < 0.92 * sharpness[start:-1]
    return int(np.sum(falls & ~np.concatenate([[False], falls[:-1]])))


def summarize_sharpness(run):
    """An EdgeSummary of ``run`` (a SharpnessRun)."""
    ratios = run.sharpness / measured_thresholds(run)
    reached = np.flatnonzero(ratios >= 1.0)
    peak = float(ratios.max())
    reached_at = int(run.measured_at[reached[0]]) if len(reached) else None
    first_rise = _first_rise(run, reached_at) if reached_at is not None else None
    catapults = _catapults(run.sharpness, int(reached[0])) if len(reached) else 0
    if run.diverged:
        return EdgeSummary(ratios, reached_at, first_rise, catapults, math.nan, math.nan, math.nan, peak, "diverged")
    half = ratios[run.measured_at >= run.measured_at[-1] / 2]
    low, median, high = float(half.min()), float(np.median(half)), float(half.max())
    if reached_at is None:
        regime = "below the threshold"
    elif high < 0.85:
        regime = "reached, then left"
    elif first_rise is None:
        regime = "reached, still rising"
    elif low < 0.9 and catapults:
        regime = "catapults"
    else:
        regime = "edge of stability"
    return EdgeSummary(ratios, reached_at, first_rise, catapults, low, median, high, peak, regime)


def _digits(value):
    """Two significant digits, trailing zero kept: 2.0, 0.42, 0.0040."""
    return f"{value:#.2g}".rstrip(".")


def describe_sharpness(run):
    """One line on a SharpnessRun in words, with rounded numbers: the
    settings, what the sharpness did against the threshold, the end.
    Sharpness to two significant digits, ratios to two decimals."""
    summary = summarize_sharpness(run)
    name = "2/lr" if run.momentum == 0 else "(2+2β)/lr"
    head = f"lr={run.lr:g}" + (f" momentum={run.momentum:g}" if run.momentum else "")
    head += f" batch={run.batch_size}" if run.batch_size else " full batch"
    head += f" warmup={run.warmup_steps}" if run.warmup_steps else ""
    threshold = f"{name} = {round(run.threshold, 2):g}"
    start = _digits(run.sharpness[0])
    if summary.regime == "diverged":
        side = "above" if summary.ratios[0] >= 1 else "below"
        said = f"{head}: {run.message}; sharpness {start} at the start, {side} {threshold}"
        if side == "below" and summary.reached_at is not None:
            i = int(np.argmax(summary.ratios >= 1.0))
            said += f", then {_digits(run.sharpness[i])} at step {summary.reached_at}, above it (progressive sharpening)"
        return said
    end = f"loss {_digits(run.full_loss[-1])} after {run.measured_at[-1]} steps"
    half = f"over the second half {summary.low:.2f} to {summary.high:.2f} times it"
    if summary.regime == "below the threshold":
        rising = ", still rising" if run.sharpness[-1] >= run.sharpness.max() else ""
        return (f"{head}: sharpness goes from {start} to {_digits(run.sharpness[-1])}, below {threshold} all along "
                f"(at most {summary.peak:.2f} times it{rising}); {end}")
    if summary.reached_at == 0:
        reached = f"starts above {threshold} (the first steps overshoot)"
    elif summary.reached_at < run.warmup_steps:
        reached = f"meets the falling {name} at step {summary.reached_at} (during the warmup)"
    else:
        reached = f"reaches {threshold} at step {summary.reached_at}"
    if summary.regime == "reached, then left":
        return (f"{head}: sharpness {reached}, then falls to {_digits(run.sharpness[-1])} "
                f"({summary.ratios[-1]:.2f} times the threshold); {end}")
    if summary.regime == "reached, still rising":
        return (f"{head}: sharpness {reached} and keeps rising ({summary.ratios[-1]:.2f} times it at the end); "
                f"the loss has not gone up; {end}")
    rise = f"the loss first goes up at step {summary.first_rise}"
    if summary.regime == "catapults":
        times = ("once, then rises again" if summary.catapults == 1
                 else f"{summary.catapults} times, climbing back in between")
        return (f"{head}: sharpness {reached}; {rise}; the sharpness drops after a spike of the loss "
                f"(a catapult) {times}; {half}; {end}")
    return f"{head}: sharpness {reached}; {rise}; {half} (edge of stability); {end}"


# ------------------------------------------ the digits set-up of notebook 12

# 500 digits, a 64-32-10 tanh network whose weights start at half the
# usual (LeCun) size, so that the start is flat and the sharpness has room
# to grow; 600 full-batch steps, the sharpness measured every 20.
DIGITS_SETUP = dict(n=500, hidden=32, init_scale=0.5, steps=600, every=20, seed=0)


def digits_subset(n=500, *, seed=0):
    """``n`` digits drawn at random (``seed``) from the 1797: x (n, 64) in
    [0, 1], y (n,) labels."""
    from .datasets import load_digits

    x, y = load_digits()
    rows = np.random.default_rng(seed).permutation(len(x))[:check_positive_int(n, "n")]
    return x[rows], y[rows]


def one_hot(y, n_classes=10):
    """Labels (n,) -> targets (n, n_classes) of 0s and a 1, for MSE."""
    return np.eye(n_classes)[np.asarray(y)]


def digits_network(*, hidden=32, init_scale=0.5, seed=0):
    """The 64-hidden-10 tanh network of notebook 12, its weights multiplied
    by ``init_scale`` after the usual initialisation."""
    from .layers import mlp

    model = mlp([64, hidden, 10], activation="tanh", rng=seed)
    for p in model.parameters():
        if p.value.ndim == 2:
            p.value *= init_scale
    return model


def edge_of_stability_run(lr, *, momentum=0.0, batch_size=None, warmup_steps=0, loss="mse", keep_path_every=None,
                          n=500, hidden=32, init_scale=0.5, steps=600, every=20, seed=0):
    """One run of the notebook's set-up (DIGITS_SETUP): the digits network
    trained on ``n`` digits with the loss ``"mse"`` (on one-hot targets) or
    ``"cross-entropy"``, the sharpness tracked. Returns a SharpnessRun."""
    from .losses import MSELoss, SoftmaxCrossEntropy

    if loss not in ("mse", "cross-entropy"):
        raise ValueError(f"loss must be 'mse' or 'cross-entropy'; got {loss!r}")
    x, y = digits_subset(n, seed=seed)
    target, objective = (one_hot(y), MSELoss()) if loss == "mse" else (y, SoftmaxCrossEntropy())
    model = digits_network(hidden=hidden, init_scale=init_scale, seed=seed)
    return train_tracking_sharpness(model, objective, x, target, lr=lr, steps=steps, every=every, momentum=momentum,
                                    batch_size=batch_size, warmup_steps=warmup_steps, rng=seed,
                                    keep_path_every=keep_path_every)


# ------------------------------------------------ the shipped runs of notebook 12

# The panel's grid: learning rates and momenta (the threshold (2 + 2 momentum)/lr).
PANEL_LRS = (0.5, 0.8, 1.0, 1.5, 2.0, 3.0)
PANEL_MOMENTA = (0.0, 0.5, 0.9)
EDGE_RUNS_FILE = Path(__file__).parent / "resources" / "nb12_runs.npz"
_RUN_ARRAYS = ("loss", "lrs", "measured_at", "sharpness", "full_loss", "residual")


def edge_run_settings():
    """{name: keyword arguments of edge_of_stability_run} for every run
    notebook 12 shows: the panel's 18 (lr, momentum) pairs, named like
    "lr=1 momentum=0", then "cross-entropy", "batch 10", "batch 50" (all
    at lr 1) and "warmup 300" (lr 3 reached over 300 steps). The run
    "lr=1 momentum=0" also keeps its parameters every 20 steps (its path)."""
    settings = {f"lr={lr:g} momentum={m:g}": dict(lr=lr, momentum=m) for m in PANEL_MOMENTA for lr in PANEL_LRS}
    settings["lr=1 momentum=0"]["keep_path_every"] = 20  # the loss landscape of section 4
    settings["cross-entropy"] = dict(lr=1.0, loss="cross-entropy")
    settings["batch 10"] = dict(lr=1.0, batch_size=10)
    settings["batch 50"] = dict(lr=1.0, batch_size=50)
    settings["warmup 300"] = dict(lr=3.0, warmup_steps=300)
    return settings


def panel_runs(runs=None):
    """{(lr, momentum): SharpnessRun} of the panel's 18 settings, from
    ``runs`` as load_edge_runs gives them (by default the shipped file)."""
    runs = load_edge_runs() if runs is None else runs
    return {(lr, m): runs[f"lr={lr:g} momentum={m:g}"] for m in PANEL_MOMENTA for lr in PANEL_LRS}


def compute_edge_runs(progress=print):
    """Train every run of ``edge_run_settings`` (a few minutes). Returns
    {name: SharpnessRun}."""
    runs = {}
    for name, kwargs in edge_run_settings().items():
        runs[name] = edge_of_stability_run(**kwargs)
        if progress:
            progress(f"{name}: {runs[name].message}")
    return runs


def save_edge_runs(runs, path=EDGE_RUNS_FILE, *, extra=None):
    """Write {name: SharpnessRun}, and the arrays of ``extra`` under their
    own names, to an .npz file. A run's path, if kept, is stored in float32
    (half the size; the losses at those weights are what notebook 12 shows)."""
    arrays = dict(extra or {})
    for name, run in runs.items():
        for key in _RUN_ARRAYS:
            arrays[f"{name}|{key}"] = getattr(run, key)
        arrays[f"{name}|settings"] = np.array([run.lr, run.momentum, run.batch_size or 0, run.warmup_steps,
                                               float(run.diverged)])
        arrays[f"{name}|message"] = np.array(run.message)
        if run.path:
            arrays[f"{name}|path"] = np.array(run.path, dtype=np.float32)
    np.savez_compressed(path, **arrays)


def load_edge_runs(path=EDGE_RUNS_FILE):
    """The shipped runs of notebook 12 (see edge_run_settings), as
    {name: SharpnessRun}, written by ``python -m nnlib.curvature``."""
    runs = {}
    with np.load(path) as data:
        for name in dict.fromkeys(key.split("|")[0] for key in data.files if "|" in key):
            lr, momentum, batch_size, warmup_steps, diverged = data[f"{name}|settings"]
            runs[name] = SharpnessRun(float(lr), float(momentum), int(batch_size) or None, int(warmup_steps),
                                      *(data[f"{name}|{key}"] for key in _RUN_ARRAYS[:2]),
                                      *(data[f"{name}|{key}"] for key in _RUN_ARRAYS[2:]),
                                      bool(diverged), str(data[f"{name}|message"]),
                                      list(data[f"{name}|path"].astype(np.float64)) if f"{name}|path" in data else [])
    return runs



# Steps to a target loss against the batch size (section 5 of notebook 12):
# cross-entropy on the 500 digits, SGD from the same start, each batch size
# with its best rate from a grid spaced by about sqrt(2), three orders of
# the examples (seeds), two targets.
BATCH_SIZES = (1, 2, 4, 8, 16, 32, 64, 128, 250, 500)
BATCH_LRS = (2.0, 1.4, 1.0, 0.7, 0.5, 0.35, 0.25, 0.18, 0.13, 0.09)
BATCH_SEEDS = (0, 1, 2)
BATCH_TARGETS = (0.3, 0.1)
BATCH_MAX_STEPS = 2000


def compute_batch_steps(progress=print):
    """landscape.steps_to_target for every target and seed of the set-up
    above. Returns {"steps": (targets, seeds, batch sizes) int, -1 where
    the target was not reached in BATCH_MAX_STEPS; "lr": the best rates,
    same shape, NaN there}."""
    from .landscape import steps_to_target
    from .losses import SoftmaxCrossEntropy

    x, y = digits_subset(DIGITS_SETUP["n"], seed=DIGITS_SETUP["seed"])
    shape = (len(BATCH_TARGETS), len(BATCH_SEEDS), len(BATCH_SIZES))
    steps, lrs = np.full(shape, -1), np.full(shape, np.nan)
    for t, target in enumerate(BATCH_TARGETS):
        for s, seed in enumerate(BATCH_SEEDS):
            results = steps_to_target(lambda: digits_network(seed=DIGITS_SETUP["seed"]), SoftmaxCrossEntropy(), x, y,
                                      batch_sizes=BATCH_SIZES, lrs=BATCH_LRS, target=target,
                                      max_steps=BATCH_MAX_STEPS, seed=seed)
            for b, result in enumerate(results):
                if result.steps is not None:
                    steps[t, s, b], lrs[t, s, b] = result.steps, result.lr
            if progress:
                progress(f"target {target} seed {seed}: {steps[t, s].tolist()}")
    return {"steps": steps, "lr": lrs}


def load_batch_steps(path=EDGE_RUNS_FILE):
    """The shipped table of compute_batch_steps: {"steps", "lr"} arrays of
    shape (len(BATCH_TARGETS), len(BATCH_SEEDS), len(BATCH_SIZES))."""
    with np.load(path) as data:
        return {"steps": data["batch_steps"], "lr": data["batch_lr"]}


def main():
    """Write EDGE_RUNS_FILE: every run of edge_run_settings and the batch
    table (about 10 minutes on a busy 2-core machine). Run as
    ``python -c "from nnlib import curvature; curvature.main()"``."""
    import time

    started = time.perf_counter()
    runs = compute_edge_runs()
    table = compute_batch_steps()
    save_edge_runs(runs, extra={"batch_steps": table["steps"], "batch_lr": table["lr"]})
    print(f"wrote {EDGE_RUNS_FILE} in {time.perf_counter() - started:.0f} s")
