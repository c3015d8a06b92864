"""Optimisers: how parameters move once their gradients are known (SGD,
Adam, AdamW), and learning-rate schedules that change ``optimizer.lr`` as
training goes (StepLR, CosineAnnealingLR, LinearLR, OneCycleLR,
SequentialLR), with PyTorch's names and values."""

import bisect
import math

import numpy as np

from ._checks import check_positive_int, check_positive_number, check_range
from .layers import Parameter, zero_gradients


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
        self.parameters = check_parameters(parameters)
        self.lr = check_positive_number(lr, "lr")
        self.momentum = check_range(momentum, "momentum", 0.0, 1.0)
        self.weight_decay = check_range(weight_decay, "weight_decay", 0.0, np.inf)
        self.velocities = [np.zeros_like(p.value) for p in self.parameters] if self.momentum else None

    def step(self):
        """Move every parameter once, using the gradients in ``p.grad``."""
        for k, p in enumerate(self.parameters):
            g = p.grad
            if g is None:  # no gradient reached it since zero_grad(set_to_none=True)
                continue
            if self.weight_decay:
                g = g + self.weight_decay * p.value
            if self.velocities is not None:
                v = self.velocities[k]
                v *= self.momentum
                v += g
                g = v
            p.value -= self.lr * g

    def zero_grad(self, set_to_none=False):
        """Set every parameter's gradient to 0 (backward adds to it), or to
        None with set_to_none=True: see ``zero_gradients``."""
        zero_gradients(self.parameters, set_to_none)

    def __repr__(self):
        return f"SGD(lr={self.lr}, momentum={self.momentum}, weight_decay={self.weight_decay})"


def check_parameters(parameters):
    """The list of Parameters an optimiser will move (each once)."""
    parameters = list(parameters)
    if not parameters:
        raise ValueError("parameters is empty: there is nothing to optimise")
    for p in parameters:
        if not isinstance(p, Parameter):
            raise TypeError(
                f"parameters must be Parameter objects (from model.parameters()); got {type(p).__name__}"
            )
    if len({id(p) for p in parameters}) < len(parameters):
        raise ValueError("parameters lists the same Parameter more than once")
    return parameters


def check_betas(betas):
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        raise TypeError(f"betas must be a pair (beta1, beta2); got {betas!r}")
    return (check_range(betas[0], "betas[0]", 0.0, 1.0), check_range(betas[1], "betas[1]", 0.0, 1.0))


class Adam:
    """Adam (Kingma and Ba 2015), with PyTorch's update rule.

    For every parameter p with gradient g, step t = 1, 2, ... does

        g = g + weight_decay * p              (L2 penalty, added to the gradient)
        m = beta1 * m + (1 - beta1) * g       (running mean of g: momentum)
        v = beta2 * v + (1 - beta2) * g²      (running mean of g², per number)
        m_hat = m / (1 - beta1**t)            (bias correction: m and v start
        v_hat = v / (1 - beta2**t)             at 0, which would shrink early steps)
        p = p - lr * m_hat / (sqrt(v_hat) + eps)

    so every number in p gets its own step size, lr / (sqrt(v_hat) + eps):
    small where gradients have been large, large where they were small, so
    that a steady gradient of any size moves its number by about lr.
    eps is added outside the square root, as PyTorch does.

    Weight decay here goes through m and v like any gradient, so a weight
    whose gradients are large is decayed less (see ``AdamW``). Updates are in
    place. A parameter whose ``grad`` is None (no backward reached it since
    ``zero_grad(set_to_none=True)``) is skipped and its t does not advance.
    """

    decoupled = False  # AdamW sets True

    def __init__(self, parameters, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        self.parameters = check_parameters(parameters)
        self.lr = check_positive_number(lr, "lr")
        self.betas = check_betas(betas)
        self.eps = check_range(eps, "eps", 0.0, np.inf)
        self.weight_decay = check_range(weight_decay, "weight_decay", 0.0, np.inf)
        self.steps = [0] * len(self.parameters)  # t, per parameter (PyTorch's "step" state)
        self.m = [np.zeros_like(p.value) for p in self.parameters]
        self.v = [np.zeros_like(p.value) for p in self.parameters]

    def step(self):
        """Move every parameter once, using the gradients in ``p.grad``."""
        beta1, beta2 = self.betas
        for k, (p, m, v) in enumerate(zip(self.parameters, self.m, self.v)):
            g = p.grad
            if g is None:  # no gradient reached it since zero_grad(set_to_none=True)
                continue
            self.steps[k] += 1
            t = self.steps[k]
            step_size = self.lr / (1 - beta1**t)  # lr times m's bias correction
            v_correction = (1 - beta2**t) ** 0.5  # sqrt(v / (1 - beta2**t)) = sqrt(v) / this
            if self.weight_decay and self.decoupled:
                p.value *= 1 - self.lr * self.weight_decay  # AdamW: shrink p itself
            elif self.weight_decay:
                g = g + self.weight_decay * p.value  # Adam: L2 through the gradient
            m += (1 - beta1) * (g - m)  # = beta1 * m + (1 - beta1) * g
            v *= beta2
            v += (1 - beta2) * g * g
            denominator = np.sqrt(v)
            denominator /= v_correction
            denominator += self.eps
            p.value -= step_size * m / denominator

    def zero_grad(self, set_to_none=False):
        """Reset every parameter's gradient (see ``SGD.zero_grad``)."""
        zero_gradients(self.parameters, set_to_none)

    def __repr__(self):
        return (f"{type(self).__name__}(lr={self.lr:g}, betas={self.betas}, eps={self.eps:g}, "
                f"weight_decay={self.weight_decay:g})")


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov and Hutter 2019), as
    PyTorch's AdamW: before Adam's step (which then sees the bare gradient),

        p = p - lr * weight_decay * p

    so every weight shrinks by the same fraction whatever its gradients,
    instead of the decay being divided by sqrt(v_hat) like the rest of the
    gradient (``Adam`` with weight_decay). Default weight_decay 0.01.
    """

    decoupled = True

    def __init__(self, parameters, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01):
        super().__init__(parameters, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)


# ---------------------------------------------------------------- schedules


class LRScheduler:
    """Base class of the learning-rate schedules: PyTorch's names and values.

    A schedule sets ``optimizer.lr`` when it is made (step 0) and after each
    ``step()``; call ``scheduler.step()`` after ``optimizer.step()``.
    ``last_epoch`` counts the ``step()`` calls (PyTorch's name: whether a
    step is an epoch or a batch is up to the loop). Subclasses give the
    learning rate at step t as a formula, ``lr_at(t)``, of ``base_lr``: the
    optimiser's learning rate when the first schedule was attached (kept as
    ``optimizer.initial_lr``, as PyTorch keeps ``initial_lr``).
    """

    def __init__(self, optimizer):
        if not isinstance(getattr(optimizer, "lr", None), float):
            raise TypeError(f"optimizer must be an nnlib optimiser (SGD, Adam, AdamW); "
                            f"got {type(optimizer).__name__}")
        self.optimizer = optimizer
        if not hasattr(optimizer, "initial_lr"):
            optimizer.initial_lr = optimizer.lr
        self.base_lr = optimizer.initial_lr
        self.last_epoch = -1
        self.step()

    def lr_at(self, t):
        raise NotImplementedError

    def step(self):
        """Move to the next step and set the optimiser's learning rate."""
        self.last_epoch += 1
        self.optimizer.lr = self._last_lr = float(self.lr_at(self.last_epoch))

    def get_last_lr(self):
        """[the learning rate set by the last step] (a list, as PyTorch
        gives one per parameter group)."""
        return [self._last_lr]

    def __repr__(self):
        return f"{type(self).__name__}(lr={self._last_lr:.4g} at step {self.last_epoch})"


class StepLR(LRScheduler):
    """lr = base_lr * gamma ** (t // step_size): multiplied by gamma every
    step_size steps."""

    def __init__(self, optimizer, step_size, gamma=0.1):
        self.step_size = check_positive_int(step_size, "step_size")
        self.gamma = check_positive_number(gamma, "gamma")
        super().__init__(optimizer)

    def lr_at(self, t):
        return self.base_lr * self.gamma ** (t // self.step_size)


class CosineAnnealingLR(LRScheduler):
    """lr = eta_min + (base_lr - eta_min) * (1 + cos(pi * t / T_max)) / 2:
    from base_lr down to eta_min at step T_max along half a cosine (and
    back up after, as PyTorch's does: stop at T_max)."""

    def __init__(self, optimizer, T_max, eta_min=0.0):
        self.T_max = check_positive_int(T_max, "T_max")
        self.eta_min = check_range(eta_min, "eta_min", 0.0, np.inf)
        super().__init__(optimizer)

    def lr_at(self, t):
        return self.eta_min + (self.base_lr - self.eta_min) * (1 + math.cos(math.pi * t / self.T_max)) / 2


class LinearLR(LRScheduler):
    """lr = base_lr * factor, the factor going in a straight line from
    start_factor (step 0) to end_factor (step total_iters), then staying
    there. With start_factor small and end_factor 1 it is a warmup."""

    def __init__(self, optimizer, start_factor=1.0 / 3, end_factor=1.0, total_iters=5):
        self.start_factor = check_range(start_factor, "start_factor", 0.0, 1.0, include_high=True)
        if self.start_factor == 0:
            raise ValueError("start_factor must be in (0, 1]; got 0 (the first step would not move)")
        self.end_factor = check_range(end_factor, "end_factor", 0.0, 1.0, include_high=True)
        self.total_iters = check_positive_int(total_iters, "total_iters")
        super().__init__(optimizer)

    def lr_at(self, t):
        rise = (self.end_factor - self.start_factor) * min(t, self.total_iters) / self.total_iters
        return self.base_lr * (self.start_factor + rise)


class OneCycleLR(LRScheduler):
    """Smith's one cycle (learning rate only, PyTorch's default two phases):
    from max_lr / div_factor up to max_lr over the first pct_start of
    total_steps, then down to max_lr / (div_factor * final_div_factor) at
    the last step, along half cosines (anneal_strategy="cos") or straight
    lines ("linear"). Stepping past total_steps raises ValueError.
    PyTorch also cycles momentum by default (cycle_momentum=True: SGD's
    momentum, or Adam's beta1, between 0.85 and 0.95, against the rate);
    this one leaves the optimiser's momentum and betas alone, so its rates
    match PyTorch's but an Adam run under it matches PyTorch's only with
    cycle_momentum=False.
    """

    def __init__(self, optimizer, max_lr, total_steps, pct_start=0.3, anneal_strategy="cos",
                 div_factor=25.0, final_div_factor=1e4):
        self.max_lr = check_positive_number(max_lr, "max_lr")
        self.total_steps = check_positive_int(total_steps, "total_steps")
        self.pct_start = check_range(pct_start, "pct_start", 0.0, 1.0)
        self.warmup_end = pct_start * total_steps - 1  # the step at which max_lr is reached
        if self.warmup_end <= 0:
            raise ValueError(f"pct_start * total_steps must be more than 1 (a rise of at least one step); "
                             f"got {pct_start} * {total_steps}")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"anneal_strategy must be 'cos' or 'linear'; got {anneal_strategy!r}")
        self.anneal_strategy = anneal_strategy
        self.div_factor = check_positive_number(div_factor, "div_factor")
        self.final_div_factor = check_positive_number(final_div_factor, "final_div_factor")
        optimizer.initial_lr = self.max_lr / self.div_factor  # PyTorch overwrites it too
        self.min_lr = optimizer.initial_lr / self.final_div_factor
        super().__init__(optimizer)

    def anneal(self, start, end, fraction):
        if self.anneal_strategy == "linear":
            return (end - start) * fraction + start
        return end + (start - end) / 2.0 * (math.cos(math.pi * fraction) + 1)

    def lr_at(self, t):
        if t > self.total_steps:
            raise ValueError(f"OneCycleLR was stepped {t} times; it was made for total_steps={self.total_steps}")
        if t <= self.warmup_end:
            return self.anneal(self.base_lr, self.max_lr, t / self.warmup_end)
        last = self.total_steps - 1
        return self.anneal(self.max_lr, self.min_lr, (t - self.warmup_end) / (last - self.warmup_end))


class SequentialLR(LRScheduler):
    """One schedule after another: ``schedulers[0]`` until step
    milestones[0], then ``schedulers[1]`` started afresh (its own step 0),
    and so on. Warmup then cosine, for W warmup steps out of T:

        warmup = LinearLR(optimizer, start_factor=0.01, total_iters=W)
        cosine = CosineAnnealingLR(optimizer, T_max=T - W)
        scheduler = SequentialLR(optimizer, [warmup, cosine], milestones=[W])
    """

    def __init__(self, optimizer, schedulers, milestones):
        schedulers, milestones = list(schedulers), list(milestones)
        if not schedulers:
            raise ValueError("schedulers is empty: give at least one schedule")
        for i, scheduler in enumerate(schedulers):
            if not isinstance(scheduler, LRScheduler):
                raise TypeError(f"schedulers[{i}] must be a schedule (StepLR, ...); got {type(scheduler).__name__}")
            if scheduler.optimizer is not optimizer:
                raise ValueError(f"schedulers[{i}] ({type(scheduler).__name__}) sets another optimiser's lr; "
                                 "every schedule must be made with this optimizer")
        if len(milestones) != len(schedulers) - 1:
            raise ValueError(f"milestones must have one entry fewer than schedulers ({len(schedulers) - 1}); "
                             f"got {len(milestones)}: {milestones}")
        for i, milestone in enumerate(milestones):
            check_positive_int(milestone, f"milestones[{i}]")
        if milestones != sorted(milestones):
            raise ValueError(f"milestones must increase; got {milestones}")
        self.schedulers, self.milestones = schedulers, milestones
        self.optimizer, self.last_epoch = optimizer, 0
        optimizer.lr = optimizer.initial_lr
        self.current = None
        self._start(0)

    def _start(self, index):
        """Start schedulers[index] at its step 0."""
        self.current = self.schedulers[index]
        self.current.last_epoch = -1
        self.current.step()
        self._last_lr = self.current.get_last_lr()[0]

    def step(self):
        self.last_epoch += 1
        index = bisect.bisect_right(self.milestones, self.last_epoch)
        if index > 0 and self.milestones[index - 1] == self.last_epoch:
            self._start(index)
        else:
            self.current.step()
            self._last_lr = self.current.get_last_lr()[0]
