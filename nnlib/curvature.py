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
