"""A two-parameter problem whose loss we can draw: fit y = w*x + b.

With only (w, b) to learn, the loss is a surface over the plane, and the
path that gradient descent or mini-batch SGD takes across it can be drawn
on the contour plot. These functions are what the learning-rate and
batch-size sliders call, so they are written to run in milliseconds.

The mean squared error of the line over the data,

    L(w, b) = mean((w x + b - y)^2)
            = w^2 m_xx + 2 w b m_x + b^2 - 2 w m_xy - 2 b m_y + m_yy,

depends on the data only through five means (m_x = mean(x), m_xy =
mean(x*y), ...). So the loss on a whole grid of (w, b), and the gradient on
a batch, cost a few multiplications however many points there are.
"""

from dataclasses import dataclass

import numpy as np

from ._checks import as_rng, check_array, check_positive_int, check_positive_number, check_same_length
from .data import epoch_order
from .training import divergence_message, is_diverging


@dataclass(frozen=True)
class LineData:
    """The five means of the data that the loss of a line depends on."""

    m_x: float
    m_y: float
    m_xx: float
    m_xy: float
    m_yy: float

    @classmethod
    def from_arrays(cls, x, y):
        x, y = _flat_xy(x, y)
        # Plain Python floats: the SGD loop below does scalar arithmetic with
        # them, which is faster than numpy scalars and never warns on overflow.
        return cls(*(float(m) for m in (x.mean(), y.mean(), (x * x).mean(), (x * y).mean(), (y * y).mean())))

    def loss(self, w, b):
        """MSE of y = w*x + b; w and b may be arrays (they broadcast)."""
        return (w * w * self.m_xx + 2 * w * b * self.m_x + b * b
                - 2 * w * self.m_xy - 2 * b * self.m_y + self.m_yy)

    def gradient(self, w, b):
        """(dL/dw, dL/db) = (2 mean((wx + b - y) x), 2 mean(wx + b - y))."""
        return (2 * (w * self.m_xx + b * self.m_x - self.m_xy),
                2 * (w * self.m_x + b - self.m_y))

    def best(self):
        """The (w, b) with the lowest loss: least squares in closed form."""
        variance = self.m_xx - self.m_x**2
        w = (self.m_xy - self.m_x * self.m_y) / variance
        return w, self.m_y - w * self.m_x

    def curvatures(self):
        """(smallest, largest) curvature of the loss surface: the eigenvalues
        of its Hessian 2 [[m_xx, m_x], [m_x, 1]]. Gradient descent oscillates
        once lr * largest > 1 and diverges once lr * largest > 2."""
        low, high = np.linalg.eigvalsh(2 * np.array([[self.m_xx, self.m_x], [self.m_x, 1.0]]))
        return float(low), float(high)


def _flat_xy(x, y):
    x = check_array(x, "x").reshape(-1).astype(np.float64)
    y = check_array(y, "y").reshape(-1).astype(np.float64)
    check_same_length(x, y)
    if len(x) < 2 or np.ptp(x) == 0:
        raise ValueError("x must hold at least two different values to fit a line")
    return x, y


def line_loss(w, b, x, y):
    """MSE of the line y = w*x + b on the data x, y ((n,) or (n, 1)).
    w and b may be scalars or arrays of any broadcastable shapes."""
    return LineData.from_arrays(x, y).loss(np.asarray(w), np.asarray(b))


def line_loss_grid(x, y, w_values, b_values):
    """The loss on every (w, b) of a grid, for a contour or 3-D plot.

    w_values: (nw,), b_values: (nb,). Returns W, B, L, each (nb, nw), as
    ``numpy.meshgrid`` gives them (rows follow b, columns follow w).
    """
    W, B = np.meshgrid(np.asarray(w_values, float), np.asarray(b_values, float))
    return W, B, LineData.from_arrays(x, y).loss(W, B)


@dataclass
class DescentPath:
    """Where (w, b) went: w[k], b[k] and loss[k] (on all the data) after k
    updates, k = 0..updates. ``verdict`` (see ``describe_path``) is one of
    "converged", "too slow", "oscillating", "oscillating, converged" (full
    batch only), "noisy, hovering near the minimum" or "noisy, hovering
    above the minimum" (mini-batches only),
    "diverging" (the loss grows, not yet stopped) or "diverged" (stopped)."""

    w: np.ndarray
    b: np.ndarray
    loss: np.ndarray
    lr: float
    batch_size: int
    epochs: int
    updates_per_epoch: int
    diverged: bool
    message: str
    best_loss: float
    verdict: str = ""

    @property
    def updates(self):
        return len(self.w) - 1

    @property
    def final_loss(self):
        return float(self.loss[-1])


# Where the paths of the notebooks and panels start: a poor line, far enough
# from the best (w, b) that the path has somewhere to go.
START = (-2.0, 3.0)


def descent_path(x, y, *, lr, epochs, batch_size=None, start=START, shuffle=True,
                 rng=None, divergence_factor=1e3):
    """Train y = w*x + b by mini-batch SGD and record every step.

    x, y: (n,) or (n, 1). lr: learning rate. epochs: passes over the data.
    batch_size: None for full-batch gradient descent (one update per
    epoch), else ceil(n / batch_size) updates per epoch, reshuffled each
    epoch. Stops early, with a message, if the loss diverges.
    """
    lr = check_positive_number(lr, "lr")
    epochs = check_positive_int(epochs, "epochs")
    xs, ys = _flat_xy(x, y)
    n = len(xs)
    batch_size = n if batch_size is None else min(check_positive_int(batch_size, "batch_size"), n)
    rng = as_rng(rng)
    data = LineData.from_arrays(xs, ys)
    starts = np.arange(0, n, batch_size)
    counts = np.diff(np.append(starts, n)).tolist()
    w, b = float(start[0]), float(start[1])
    ws, bs, losses = [w], [b], [data.loss(w, b)]
    reference = max(losses[0], 1e-12)
    diverged, message = False, ""
    for epoch in range(1, epochs + 1):
        order = epoch_order(n, shuffle=shuffle and batch_size < n, rng=rng)
        ex, ey = xs[order], ys[order]
        # Per-batch sums: the gradient on a batch needs only these.
        s_x, s_y = np.add.reduceat(ex, starts).tolist(), np.add.reduceat(ey, starts).tolist()
        s_xx, s_xy = np.add.reduceat(ex * ex, starts).tolist(), np.add.reduceat(ex * ey, starts).tolist()
        for k in range(len(starts)):
            m = counts[k]
            grad_w = 2 * (w * s_xx[k] + b * s_x[k] - s_xy[k]) / m
            grad_b = 2 * (w * s_x[k] + b * m - s_y[k]) / m
            w, b = w - lr * grad_w, b - lr * grad_b
            value = data.loss(w, b)
            if is_diverging(value, reference, divergence_factor):
                diverged = True
                message = divergence_message(epoch, k + 1, len(starts), len(ws) - 1, value, reference, lr)
                break
            ws.append(w), bs.append(b), losses.append(value)
        if diverged:
            break
    path = DescentPath(np.array(ws), np.array(bs), np.array(losses), lr, batch_size, epochs,
                       len(starts), diverged, message, float(data.loss(*data.best())))
    path.verdict = describe_path(path)
    if not diverged:
        path.message = f"{path.updates} updates; final loss {path.final_loss:.4f} ({path.verdict})."
    return path


def gradient_descent_path(x, y, *, lr, steps, start=START):
    """Full-batch gradient descent: ``steps`` updates, each on all the data."""
    return descent_path(x, y, lr=lr, epochs=steps, batch_size=None, start=start, shuffle=False)


def describe_path(path, tolerance=0.01, near=0.01, far=0.1):
    """A few words for what the learning rate (and the batch size) did.

    Full batch (one update per epoch), judged on the loss after each step:
      converged: the loss closed all but ``tolerance`` of the gap between the
        start and the lowest loss. too slow: it did not, but kept falling.
      oscillating: most steps point against the step before (the path
        zig-zags across the valley); ", converged" when it also converged.
      diverging: the loss rose again after its lowest point (below 2 / lr,
        gradient descent on a quadratic lowers the loss at every step, so a
        rise means a direction whose distance grows at every step).
      diverged: the loss grew 1000-fold and the run was stopped.

    Mini-batches, judged on the losses after the updates of the last epoch
    (of the second half of the only epoch: ``judged_losses``), not on the
    final point, which is one draw of the noise:
      converged: their mean and their spread (max - min) are both within
        ``tolerance`` of the gap, and they are not still on their way down
        (falling, with their second half above a quarter of the tolerance).
        too slow: still falling (the window's first half lies above its
        second half by more than the window's spread), or far from the
        lowest loss (more than ``far`` of the gap) without bouncing.
        noisy, hovering near the minimum: not falling, mean within ``near``
        of the gap (as close as a converged run's mean), but a wider
        spread: the noise of the batches keeps the path jittering around
        the lowest point. noisy, hovering above the minimum: not falling,
        mean between ``near`` and ``far`` of the gap: the noise of the
        batches keeps the path well above the lowest point (a smaller
        learning rate or a larger batch settles lower).
      oscillating: far above the lowest loss and three in four steps turn
        back against the step before: the steps bounce across the valley.
        diverging: the mean is above the starting loss. diverged: stopped,
        as above.
    Only steps that still move are judged for turning (``turning_steps``).
    """
    if path.diverged:
        return "diverged"
    loss, lowest = path.loss, path.best_loss
    gap_start = max(loss[0] - lowest, 1e-12)
    if path.updates_per_epoch > 1:
        return _describe_minibatch_path(path, loss, lowest, gap_start, tolerance, near, far)
    if loss[-1] - loss.min() > 1e-6 * gap_start:
        return "diverging"
    converged = loss[-1] - lowest <= tolerance * gap_start
    turning = turning_steps(path.w, path.b)
    if turning.size >= 2 and turning.mean() > 0.5:
        return "oscillating, converged" if converged else "oscillating"
    return "converged" if converged else "too slow"


def turning_steps(w, b, moving=1e-9):
    """For each pair of consecutive steps of the path (w, b), whether the
    second points back against the first (negative dot product): (k,) bool.

    Only steps that still move count (longer than ``moving`` times the
    longest): once a path has settled at the lowest point its steps shrink
    to round-off, which points anywhere and would hide a zig-zag still
    plain in the picture."""
    steps = np.column_stack([np.diff(w), np.diff(b)])
    if len(steps) < 2:
        return np.zeros(0, dtype=bool)
    lengths = np.hypot(steps[:, 0], steps[:, 1])
    moves = lengths > moving * lengths.max()
    both = moves[1:] & moves[:-1]
    return (np.einsum("ij,ij->i", steps[1:], steps[:-1]) < 0)[both]


def judged_losses(path):
    """The losses a mini-batch verdict is judged on: those after each update
    of the last epoch, or of the second half of the only epoch (its first
    half is the way down from the start). (k,) array."""
    window = path.updates_per_epoch if path.updates > path.updates_per_epoch else max(path.updates // 2, 1)
    return path.loss[-window:]


def _describe_minibatch_path(path, loss, lowest, gap_start, tolerance, near, far):
    last = judged_losses(path)
    window = len(last)
    mean_gap = last.mean() - lowest
    # Still falling: the window's first half lies above its second half by
    # more than the window's spread (a steady descent gives about 1.7
    # spreads, a noise floor about 0). Needs two losses in each half.
    half = window // 2
    falling = half >= 2 and last[:half].mean() - last[half:].mean() > last.std()
    # ... and not there yet: its second half is still more than a quarter
    # of the tolerance above the lowest loss (the picture's loss curve is
    # still visibly on its way down).
    on_its_way = falling and last[half:].mean() - lowest > tolerance * gap_start / 4
    if last.mean() > loss[0]:
        return "diverging"
    if mean_gap <= tolerance * gap_start and np.ptp(last) <= tolerance * gap_start and not on_its_way:
        return "converged"
    if mean_gap > far * gap_start:
        # Far from the lowest loss: bouncing across the valley if three in
        # four steps of the window turn back against the step before (the
        # noise of single examples alone turns about half of them), else on
        # its way down. A window of one or two steps cannot tell.
        span = min(max(window, 3), path.updates)
        turning = turning_steps(path.w[-span - 1:], path.b[-span - 1:])
        return "oscillating" if turning.size >= 2 and turning.mean() > 0.75 else "too slow"
    # Closer: still falling, or too few updates to tell a floor from a descent.
    if half < 2 or falling:
        return "too slow"
    # A noise floor: near the lowest loss, or well above it.
    return "noisy, hovering near the minimum" if mean_gap <= near * gap_start else "noisy, hovering above the minimum"
