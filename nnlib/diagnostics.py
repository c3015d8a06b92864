"""Looking inside a network while it trains (notebook 10).

A ``Recorder`` keeps, for one forward and backward pass, what every layer
of a ``Sequential`` gave out and the gradient that came back into it:

    with nnlib.Recorder(model) as record:
        value = loss.forward(model.forward(x), y)
        model.backward(loss.backward())
    record.outputs[i]    layer i's output                 (batch, features)
    record.grads[i]      dLoss/d(layer i's output)        (batch, features)

and the numbers practitioners watch come from it:

    layer_statistics(record)     one LayerStats per layer: mean, std, the
                                 saturated (tanh, sigmoid) or dead (ReLU)
                                 fraction, the gradient's std
    update_ratios(model, lr)     lr * |grad| / |W| for each weight matrix
    variance_factor(linear)      gain² * fan_in * Var(w): what the layer
                                 multiplies the mean square of its input by
    train_watched(...)           fit's loop, measuring all this every step
    signal_run(...)              a deep network at initialisation, layer by
                                 layer, and its loss over a short training
"""

import math
from dataclasses import dataclass, field

import numpy as np

from ._checks import as_rng, check_array, check_positive_int, check_positive_number, check_same_length
from .data import batches_per_epoch, minibatches
from .layers import Linear, ReLU, Sequential, Sigmoid, Tanh, check_gain, mlp
from .losses import SoftmaxCrossEntropy
from .optim import SGD
from .training import divergence_message, evaluate, is_diverging

# A tanh or sigmoid unit counts as saturated beyond this fraction of its
# range (|tanh| > 0.97, sigmoid below 0.015 or above 0.985): its slope is
# then below 0.06 (tanh) or 0.015 (sigmoid), so little gradient gets through.
SATURATION = 0.97

ACTIVATIONS = ("tanh", "relu", "sigmoid")


class Recorder:
    """Records each layer's output and the gradient flowing back into it,
    during the forward and backward passes run inside a ``with`` block.

    model: a Sequential. After the block, ``outputs[i]`` is layer i's output
    of the last forward pass and ``grads[i]`` is dLoss/d(that output) of the
    last backward pass (arrays of shape (batch, features), kept, not copied).
    The hooks are removed when the block ends, even after an error.
    """

    def __init__(self, model):
        if not isinstance(model, Sequential):
            raise TypeError(f"model must be a Sequential (such as nnlib.mlp(...)); got {type(model).__name__}")
        self.model = model
        self.outputs = {}
        self.grads = {}

    def _hook(self, kind, i, layer, array):
        (self.outputs if kind == "forward" else self.grads)[i] = array

    def __enter__(self):
        self.outputs.clear()
        self.grads.clear()
        self.model.hooks.append(self._hook)
        return self

    def __exit__(self, *exc_info):
        self.model.hooks.remove(self._hook)
        return False

    def layers(self):
        return self.model.layers


def kind_of(layer):
    """"linear", "relu", "tanh", "sigmoid" (or the class name in lower case)."""
    kinds = {Linear: "linear", ReLU: "relu", Tanh: "tanh", Sigmoid: "sigmoid"}
    return kinds.get(type(layer), type(layer).__name__.lower())


def saturated_fraction(y, activation):
    """The fraction of the entries of a tanh or sigmoid output ``y`` beyond
    SATURATION of the function's range: |y| > 0.97 for tanh, |y - 0.5| >
    0.485 for sigmoid (whose range is 0 to 1). y: any shape."""
    if activation == "tanh":
        centre, half_range = 0.0, 1.0
    elif activation == "sigmoid":
        centre, half_range = 0.5, 0.5
    else:
        raise ValueError(f"activation must be 'tanh' or 'sigmoid' (they saturate); got {activation!r}")
    return float(np.mean(np.abs(np.asarray(y) - centre) > SATURATION * half_range))


def dead_fraction(y):
    """The fraction of the units of a ReLU output ``y``: (batch, units) that
    are 0 for every example of the batch: units that pass no gradient back,
    so nothing in this batch can bring them back to life."""
    y = check_array(y, "y", ndim=2, finite=False)
    return float(np.mean(np.all(y == 0, axis=0)))


@dataclass
class LayerStats:
    """The numbers of one layer, for one batch.

    index, name ("3 Tanh()"), kind ("linear", "tanh", "relu", "sigmoid");
    mean, std, mean_square: of the layer's output (all its entries);
    saturated: fraction of tanh / sigmoid outputs beyond 0.97 of the range
    (None for other layers); dead: fraction of ReLU units 0 for every
    example (None for other layers); grad_std: standard deviation of
    dLoss/d(output) (None without a backward pass).
    """

    index: int
    name: str
    kind: str
    mean: float
    std: float
    mean_square: float
    saturated: float | None = None
    dead: float | None = None
    grad_std: float | None = None


def layer_statistics(record):
    """One LayerStats per layer of ``record.model``, in order, from the
    outputs and gradients a Recorder kept."""
    if not record.outputs:
        raise ValueError("record holds no forward pass: run model.forward(x) inside 'with Recorder(model)'")
    stats = []
    for i, layer in enumerate(record.layers()):
        y = np.asarray(record.outputs[i], dtype=np.float64)
        kind = kind_of(layer)
        grad = record.grads.get(i)
        stats.append(LayerStats(
            index=i, name=f"{i} {layer!r}", kind=kind, mean=float(y.mean()), std=float(y.std()),
            mean_square=float(np.mean(y**2)),
            saturated=saturated_fraction(y, kind) if kind in ("tanh", "sigmoid") else None,
            dead=dead_fraction(y) if kind == "relu" else None,
            grad_std=float(np.std(grad)) if grad is not None else None,
        ))
    return stats


def update_ratios(model, lr):
    """{weight name: lr * |grad| / |W|} for every 2-D parameter (the weight
    matrices), with |.| the Frobenius norm (the square root of the sum of
    squares). For plain SGD lr * grad is the update itself, so this is how
    much one step changes the weights, relative to their size (cs231n and
    Karpathy's makemore call about 1e-3 healthy). Call it after backward,
    before the step. A weight matrix of zeros gives inf (nan if its
    gradient is 0 too); a gradient of None (zero_grad(set_to_none=True)
    and no backward since) counts as 0."""
    lr = check_positive_number(lr, "lr")
    ratios = {}
    with np.errstate(divide="ignore", invalid="ignore"):
        for p in model.parameters():
            if p.value.ndim == 2:
                grad = 0.0 if p.grad is None else np.linalg.norm(p.grad)  # None: no gradient since zero_grad
                ratios[p.name] = float(lr * grad / np.linalg.norm(p.value))
    return ratios


def variance_factor(layer):
    """What a freshly initialised Linear layer multiplies the mean square of
    its input by, on average over random weights: gain² * fan_in * Var(w),
    which is fan_in * init_std². For y = x @ W with independent weights of
    variance s², each output is a sum of fan_in terms x_k * w_k, so
    E[y²] = fan_in * s² * E[x²]. He (s² = 2 / fan_in) gives 2: a ReLU then
    halves it (it zeroes half of a symmetric signal), so the signal keeps
    its size; LeCun (1 / fan_in) gives 1, for tanh and sigmoid."""
    if not isinstance(layer, Linear):
        raise TypeError(f"layer must be a Linear; got {type(layer).__name__}")
    return layer.in_features * layer.init_std**2


@dataclass
class WatchedRun:
    """What ``train_watched`` measured.

    batch_loss: (steps,) the loss of every batch, before its update.
    train_loss, val_loss, train_accuracy, val_accuracy: per epoch, the
    whole set after the epoch (val_* empty without validation data).
    update_ratio: {weight name: (steps,) lr * |grad| / |W| at each step}.
    dead, saturated: {layer index: (steps,) fraction for that batch} for the
    ReLU, resp. tanh / sigmoid layers. grad_std: {layer index: (steps,)}.
    steps_per_epoch, diverged, message as in History.
    """

    batch_loss: list = field(default_factory=list)
    train_loss: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    train_accuracy: list = field(default_factory=list)
    val_accuracy: list = field(default_factory=list)
    update_ratio: dict = field(default_factory=dict)
    dead: dict = field(default_factory=dict)
    saturated: dict = field(default_factory=dict)
    grad_std: dict = field(default_factory=dict)
    steps_per_epoch: int = 0
    diverged: bool = False
    message: str = ""

    @property
    def steps(self):
        return len(self.batch_loss)

    def as_arrays(self):
        """The same run with every list turned into an array (after training)."""
        for name in ("batch_loss", "train_loss", "val_loss", "train_accuracy", "val_accuracy"):
            setattr(self, name, np.array(getattr(self, name), dtype=float))
        for name in ("update_ratio", "dead", "saturated", "grad_std"):
            setattr(self, name, {key: np.array(values, dtype=float) for key, values in getattr(self, name).items()})
        return self


def _append(table, key, value):
    table.setdefault(key, []).append(value)


def train_watched(model, loss, optimizer, x, y, *, epochs, batch_size, validation=None, rng=None, shuffle=True,
                  zero_grad=True, divergence_factor=1e3):
    """``fit``'s loop (nnlib/training.py), measuring inside the network at
    every step: the update-to-data ratio of each weight matrix, the dead or
    saturated fraction and the gradient's std of each activation layer.

    model: a Sequential; x: (n, in_features), y: (n,) labels.
    zero_grad=False forgets optimizer.zero_grad(), as a buggy loop would:
    gradients then add up from step to step. Training stops (and says so
    in ``message``) when the loss is NaN, infinite or more than
    ``divergence_factor`` times the first batch loss. Returns a WatchedRun
    of arrays.
    """
    x = check_array(x, "x", ndim=2)
    y = check_array(y, "y")
    check_same_length(x, y)
    epochs = check_positive_int(epochs, "epochs")
    batch_size = check_positive_int(batch_size, "batch_size")
    rng = as_rng(rng)
    run = WatchedRun(steps_per_epoch=batches_per_epoch(len(x), batch_size))
    reference = None
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        for epoch in range(1, epochs + 1):
            for b, (x_batch, y_batch) in enumerate(minibatches(x, y, batch_size, shuffle=shuffle, rng=rng), 1):
                with Recorder(model) as record:
                    value = loss.forward(model.forward(x_batch), y_batch)
                    reference = max(value, 1e-6) if reference is None else reference
                    if is_diverging(value, reference, divergence_factor):
                        run.diverged = True
                        run.message = divergence_message(epoch, b, run.steps_per_epoch, run.steps, value,
                                                         reference, getattr(optimizer, "lr", None))
                        return run.as_arrays()
                    if zero_grad:
                        optimizer.zero_grad()
                    model.backward(loss.backward())
                for name, ratio in update_ratios(model, optimizer.lr).items():
                    _append(run.update_ratio, name, ratio)
                for i, layer in enumerate(model.layers):  # the activation layers only: cheaper than layer_statistics
                    kind = kind_of(layer)
                    if kind == "relu":
                        _append(run.dead, i, dead_fraction(record.outputs[i]))
                    elif kind in ("tanh", "sigmoid"):
                        _append(run.saturated, i, saturated_fraction(record.outputs[i], kind))
                    if kind != "linear":
                        _append(run.grad_std, i, float(np.std(record.grads[i])))
                optimizer.step()
                run.batch_loss.append(value)
            on_train = evaluate(model, loss, x, y)
            run.train_loss.append(on_train.loss)
            run.train_accuracy.append(on_train.accuracy)
            if validation is not None:
                on_val = evaluate(model, loss, *validation)
                run.val_loss.append(on_val.loss)
                run.val_accuracy.append(on_val.accuracy)
    run.message = f"Trained {epochs} epochs of {run.steps_per_epoch} batches: {run.steps} updates."
    return run.as_arrays()


@dataclass
class SignalRun:
    """A deep network at initialisation, layer by layer, and a short training.

    activation, depth (hidden layers), gain, width: the network's settings.
    stats: LayerStats of every layer for one batch at initialisation.
    activations, grads: [(batch, width)] the output of each hidden layer's
    activation and dLoss/d(that output), first hidden layer first.
    initial_loss: the loss of that batch at initialisation.
    training: a WatchedRun of the short training that follows.
    """

    activation: str
    depth: int
    gain: float
    width: int
    stats: list
    activations: list
    grads: list
    initial_loss: float
    training: WatchedRun

    @property
    def hidden_stats(self):
        """The LayerStats of the activation layers only, first hidden layer first."""
        return [s for s in self.stats if s.kind == self.activation]

    @property
    def final_loss(self):
        """The loss of the whole training set after the short training (nan if it diverged)."""
        return float(self.training.train_loss[-1]) if len(self.training.train_loss) else math.nan


def signal_run(x, y, *, activation="tanh", depth=10, gain=1.0, width=64, batch=500, epochs=2, batch_size=32,
               lr=0.05, seed=0):
    """Build mlp([in] + [width] * depth + [classes]) with the activation's
    usual init times ``gain``, record one forward and backward pass of the
    first ``batch`` examples at initialisation, then train it for
    ``epochs`` epochs of plain SGD (lr, batch_size) with train_watched.

    x: (n, in_features), y: (n,) integer labels 0..C-1. Returns a SignalRun.
    """
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {list(ACTIVATIONS)}; got {activation!r}")
    depth = check_positive_int(depth, "depth")
    gain = check_gain(gain)
    x, y = check_array(x, "x", ndim=2), check_array(y, "y")
    n_classes = int(y.max()) + 1
    model = mlp([x.shape[1]] + [width] * depth + [n_classes], activation=activation, gain=gain, rng=seed)
    loss = SoftmaxCrossEntropy()
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        with Recorder(model) as record:
            initial_loss = loss.forward(model.forward(x[:batch]), y[:batch])
            model.backward(loss.backward())
    model.zero_grad()
    hidden = [i for i, layer in enumerate(model.layers) if kind_of(layer) == activation]
    training = train_watched(model, loss, SGD(model.parameters(), lr=lr), x, y, epochs=epochs,
                             batch_size=batch_size, rng=seed)
    return SignalRun(activation, depth, gain, width, layer_statistics(record),
                     [record.outputs[i] for i in hidden], [record.grads[i] for i in hidden],
                     float(initial_loss), training)


# --- the signal panel's line of text (nnlib/widgets/diagnostics.py shows it) ---------------------------

# The size of a layer's output (or gradient) against the first layer's (the last's, for gradients)
# beyond which the text says it has vanished or exploded.
FAR = 100.0


def _per_layer_factor(first, last, steps):
    """The geometric mean factor per layer from first to last over ``steps`` layers."""
    if steps < 1 or not (first > 0 and last > 0 and np.isfinite(first) and np.isfinite(last)):
        return None
    return (last / first) ** (1.0 / steps)


def _far_layer(sizes, reference):
    """(layer number, "vanished" or "exploded") of the first size beyond FAR
    times (or below 1/FAR of) ``reference``, else None. sizes: in the order
    the signal travels, with their layer numbers."""
    for number, size in sizes:
        if not np.isfinite(size) or size > FAR * reference:
            return number, "exploded"
        if size < reference / FAR:
            return number, "vanished"
    return None


def _updates(n):
    return f"{n} update" if n == 1 else f"{n} updates"


def describe_signal(run):
    """One line for a SignalRun: how the outputs and the gradients change
    from layer to layer, the saturated or dead fraction, and the loss before
    and after the short training. Gradients travel from the last hidden
    layer back to the first, so their layers are counted back from the last."""
    stats = run.hidden_stats
    depth = len(stats)
    head = f"{run.activation} depth={run.depth} gain={run.gain:g}:"
    parts = []
    out_factor = _per_layer_factor(stats[0].std, stats[-1].std, depth - 1)
    grad_factor = _per_layer_factor(stats[-1].grad_std, stats[0].grad_std, depth - 1)
    if depth == 1:
        parts.append(f"one hidden layer (output std {stats[0].std:.2g}): no layer-to-layer factor")
    if out_factor is not None:
        parts.append(f"outputs x{out_factor:.2g} per layer")
    if grad_factor is not None:
        parts.append(f"gradients x{grad_factor:.2g} per layer on the way back (layer {depth} to layer 1)")
    far = _far_layer([(k + 1, s.std) for k, s in enumerate(stats)], stats[0].std)
    if far:
        size = f"below 1/{FAR:g} of" if far[1] == "vanished" else f"beyond {FAR:g} times"
        parts.append(f"outputs {far[1]} ({size} layer 1's) at layer {far[0]}")
    far = _far_layer([(depth - k, s.grad_std) for k, s in enumerate(reversed(stats))], stats[-1].grad_std)
    if far:
        size = f"below 1/{FAR:g} of" if far[1] == "vanished" else f"beyond {FAR:g} times"
        parts.append(f"gradients {far[1]} ({size} layer {depth}'s) at layer {far[0]}, "
                     f"{depth - far[0]} layers back from layer {depth}")
    if run.activation == "relu":
        parts.append(f"dead up to {100 * max(s.dead for s in stats):.0f}%")
    else:
        parts.append(f"saturated up to {100 * max(s.saturated for s in stats):.0f}%")
    training = run.training
    if training.diverged:
        after = f"training diverged after {_updates(training.steps)}"
    else:
        after = f"{run.final_loss:.2f} after {_updates(training.steps)}"
    parts.append(f"loss {run.initial_loss:.3g} at init, {after}")
    return head + " " + "; ".join(parts)


def input_independent_baseline(y, n_classes=None):
    """The best a model that ignores its input can do on labels y (n,): it
    predicts the class frequencies, so its cross-entropy is their entropy
    and its accuracy is that of the most common class. Returns (loss, accuracy)."""
    y = np.asarray(y)
    counts = np.bincount(y, minlength=n_classes or 0)
    p = counts / counts.sum()
    entropy = -float(np.sum(p[p > 0] * np.log(p[p > 0])))
    return entropy, float(p.max())


__all__ = ["Recorder", "LayerStats", "layer_statistics", "saturated_fraction", "dead_fraction", "update_ratios",
           "variance_factor", "WatchedRun", "train_watched", "SignalRun", "signal_run", "describe_signal",
           "input_independent_baseline", "SATURATION"]
