"""The loss landscape of a network, and how many steps a batch size needs
(notebook 12).

A network's parameters are one point theta in a space of P dimensions; the
loss is a surface over that space. We can only look at it along a line or
across a plane:

    parameter_vector / set_parameter_vector   theta as one flat array and back
    loss_at(model, loss, x, y, theta)          the loss at a point (model left as it was)
    loss_along_line(..., start, end, alphas)   the loss at start + alpha (end - start)
    filter_normalized_direction(model, rng, center=)  a random direction scaled filter by filter (Li et al. 2018)
    training_path(model, loss, x, y, ...)      full-batch gradient descent, its parameters every few steps
    loss_surface(..., center, d1, d2, a, b)    the loss over the plane center + a d1 + b d2
    path_directions(path)                      the two principal directions of a training path

and, for the batch size:

    steps_to_target(...)                       updates needed to reach a target loss, for each batch size
"""

from dataclasses import dataclass

import numpy as np

from ._checks import as_rng, check_positive_int, check_positive_number
from .data import batch_indices
from .optim import SGD


def parameter_vector(model):
    """All the parameters of ``model`` in one flat float64 array (P,), in
    the order of ``model.parameters()``."""
    return np.concatenate([p.value.astype(np.float64).ravel() for p in model.parameters()])


def set_parameter_vector(model, theta):
    """Copy the flat array ``theta`` (P,) into the model's parameters, in place."""
    theta = np.asarray(theta, dtype=np.float64)
    size = sum(p.value.size for p in model.parameters())
    if theta.shape != (size,):
        raise ValueError(f"theta has shape {theta.shape}; expected ({size},), one number per parameter")
    start = 0
    for p in model.parameters():
        p.value[...] = theta[start:start + p.value.size].reshape(p.value.shape)
        start += p.value.size


def loss_at(model, loss, x, y, theta):
    """The loss with the parameters set to ``theta`` (P,); the model's own
    parameters are put back afterwards."""
    saved = parameter_vector(model)
    try:
        set_parameter_vector(model, theta)
        return loss.forward(model.forward(x), y)
    finally:
        set_parameter_vector(model, saved)


def loss_along_line(model, loss, x, y, start, end, alphas):
    """The loss at start + alpha (end - start) for every alpha: alpha = 0 is
    ``start``, 1 is ``end``. start, end: (P,). Returns (len(alphas),)."""
    start, end = np.asarray(start, float), np.asarray(end, float)
    return np.array([loss_at(model, loss, x, y, start + a * (end - start)) for a in alphas])


def filter_normalized_direction(model, rng=None, *, center=None):
    """A random direction (P,) whose parts have the size of the weights
    they move (Li et al. 2018): a Gaussian direction, then each filter (the
    column of a Linear layer's W feeding one output unit) rescaled to the
    length of that column of W at the point the slice is centred on.
    Biases get 0. Without this, a step of 1 in the direction would mean
    much more to small weights than to large ones, and slices of
    differently scaled networks could not be compared.

    center: (P,) the weights to scale to, normally the slice's centre (the
    trained weights); by default the model's current weights. The model is
    left as it was."""
    rng = as_rng(rng)
    saved = parameter_vector(model)
    if center is not None:
        set_parameter_vector(model, center)
    try:
        parts = []
        for p in model.parameters():
            d = rng.standard_normal(p.value.shape)
            if p.value.ndim == 2:  # a weight matrix (in, out): one filter per column
                d *= np.linalg.norm(p.value, axis=0) / np.maximum(np.linalg.norm(d, axis=0), 1e-12)
            else:
                d[...] = 0.0  # biases stay put, as in Li et al.
            parts.append(d.ravel())
    finally:
        set_parameter_vector(model, saved)
    return np.concatenate(parts)


def training_path(model, loss, x, y, *, lr, steps, keep_every):
    """Full-batch gradient descent on ``model`` (trained in place) for
    ``steps`` steps, keeping its parameters every ``keep_every`` steps and
    after the last. x: (n, features). Returns (steps // keep_every + 1, P)."""
    steps = check_positive_int(steps, "steps")
    keep_every = check_positive_int(keep_every, "keep_every")
    optimizer = SGD(model.parameters(), lr=check_positive_number(lr, "lr"))
    path = []
    for step in range(steps + 1):
        if step % keep_every == 0 or step == steps:
            path.append(parameter_vector(model))
        if step == steps:
            break
        optimizer.zero_grad()
        loss.forward(model.forward(x), y)
        model.backward(loss.backward())
        optimizer.step()
    return np.array(path)


def loss_surface(model, loss, x, y, center, d1, d2, alphas, betas):
    """The loss over the plane center + alpha d1 + beta d2.
    center, d1, d2: (P,). Returns (len(betas), len(alphas)): row j is beta_j."""
    center, d1, d2 = (np.asarray(v, float) for v in (center, d1, d2))
    return np.array([[loss_at(model, loss, x, y, center + a * d1 + b * d2) for a in alphas] for b in betas])


@dataclass
class PathPlane:
    """The plane that fits a training path best (principal components).

    center: (P,) the path's last point (the trained weights); d1, d2: (P,)
    orthonormal directions; coords: (T, 2) each point of the path
    projected on the plane (alpha, beta) around the center; explained: the
    fraction of the path's spread around the center along d1 and d2;
    distance: (T,) how far each point lies off the plane."""

    center: np.ndarray
    d1: np.ndarray
    d2: np.ndarray
    coords: np.ndarray
    explained: tuple
    distance: np.ndarray

    def point(self, alpha, beta):
        return self.center + alpha * self.d1 + beta * self.d2


def path_directions(path):
    """Principal directions of a training path: path (T, P), one parameter
    vector per row, the last one the trained weights. The two directions
    along which the points spread most around the last point (the SVD of
    the path minus its last point). Returns a PathPlane."""
    path = np.asarray(path, dtype=np.float64)
    if path.ndim != 2 or len(path) < 3:
        raise ValueError(f"path must be (T, P) with at least 3 points; got shape {path.shape}")
    center = path[-1]
    spread = path - center
    _, s, vt = np.linalg.svd(spread, full_matrices=False)
    d1, d2 = vt[0], vt[1]
    if spread[0] @ d1 < 0:  # orient: the start of the path at positive alpha
        d1 = -d1
    if spread[0] @ d2 < 0:
        d2 = -d2
    coords = spread @ np.stack([d1, d2], axis=1)
    total = float(np.sum(s ** 2))
    explained = (float(s[0] ** 2) / total, float(s[1] ** 2) / total)
    distance = np.linalg.norm(spread - coords @ np.stack([d1, d2]), axis=1)
    return PathPlane(center, d1, d2, coords, explained, distance)


@dataclass
class BatchSizeResult:
    """steps_to_target's answer for one batch size: the fewest updates
    over the learning rates tried (None: none reached the target within
    max_steps), the learning rate that gave them, and every rate's count."""

    batch_size: int
    steps: int | None
    lr: float | None
    by_lr: dict


def _steps_for(make_model, loss, x, y, batch_size, lr, target, cap, rng, check_every):
    model = make_model()
    optimizer = SGD(model.parameters(), lr=lr)
    batches, first = [], None
    for step in range(cap):
        if not batches:
            batches = batch_indices(len(x), batch_size, rng=rng)[::-1]
        rows = batches.pop()
        optimizer.zero_grad()
        value = loss.forward(model.forward(x[rows]), y[rows])
        first = value if first is None else first
        if not np.isfinite(value) or value > 10 * first:
            return None  # diverged
        model.backward(loss.backward())
        optimizer.step()
        if (step + 1) % check_every == 0 and loss.forward(model.forward(x), y) <= target:
            return step + 1
    return None


def steps_to_target(make_model, loss, x, y, *, batch_sizes, lrs, target, max_steps, seed=0, check_every=1):
    """For each batch size, the fewest SGD updates that bring the loss on
    the whole of (x, y) down to ``target``, over the learning rates ``lrs``
    (each batch size gets its best rate: a fair comparison needs it).

    make_model(): a fresh model (the same start every time). Each run uses
    ``seed`` for the order of the examples; a run stops when it passes the
    best count so far for its batch size (it cannot win any more), or when
    its batch loss exceeds 10 times its first (diverged). The loss on the
    whole set is checked every ``check_every`` updates.
    Returns a list of BatchSizeResult, one per batch size.
    """
    target = check_positive_number(target, "target")
    max_steps = check_positive_int(max_steps, "max_steps")
    results = []
    for batch_size in batch_sizes:
        batch_size = check_positive_int(batch_size, "batch_size")
        best, best_lr, by_lr = None, None, {}
        for lr in lrs:
            cap = max_steps if best is None else best
            steps = _steps_for(make_model, loss, x, y, batch_size, lr, target, cap, np.random.default_rng(seed),
                               check_every)
            by_lr[lr] = steps
            if steps is not None and (best is None or steps < best):
                best, best_lr = steps, lr
        results.append(BatchSizeResult(batch_size, best, best_lr, by_lr))
    return results



def fit_critical_batch(batch_sizes, steps):
    """Fit steps = S_min (1 + B_crit / B) (McCandlish et al. 2018) to the
    measured counts: least squares on the relative error of the line
    steps = a + b / B. Returns (S_min, B_crit) = (a, b / a). Small batches
    need B_crit / B times more steps than the fewest possible; past B_crit a
    larger batch saves fewer and fewer steps."""
    sizes = np.asarray(batch_sizes, dtype=float)
    steps = np.asarray(steps, dtype=float)
    if sizes.shape != steps.shape or len(sizes) < 2:
        raise ValueError(f"batch_sizes and steps must be two arrays of the same length >= 2; got "
                         f"{sizes.shape} and {steps.shape}")
    design = np.stack([np.ones_like(sizes), 1.0 / sizes], axis=1) / steps[:, None]  # relative errors
    (a, b), *_ = np.linalg.lstsq(design, np.ones_like(steps), rcond=None)
    return float(a), float(b / a)
