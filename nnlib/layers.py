"""Layers: the building blocks of a network.

Every layer has the same three methods, named as in PyTorch:

- ``forward(x)``: computes the output and keeps what ``backward`` will need.
- ``backward(grad_y)``: given dLoss/dOutput, *adds* dLoss/dParameter to each
  parameter's ``.grad`` and returns dLoss/dInput for the layer before it.
  Gradients accumulate, as in PyTorch: two backward calls leave the sum of
  two gradients, so every training step starts with ``zero_grad()``.
- ``parameters()``: the list of trainable ``Parameter``s.
- ``state_dict()`` / ``load_state_dict(state)``: a copy of every parameter's
  value, by name, and putting such a copy back (to keep the best model).

Shapes: ``x`` is ``(batch, features)``.
"""

import numpy as np

from ._checks import as_rng, check_positive_int


class Parameter:
    """A trainable array: ``value`` is updated in place by the optimiser (an
    array taken from it stays the parameter's array) and ``grad`` (same
    shape) holds the sum of dLoss/dvalue over the ``backward`` calls since
    the last ``zero_grad``."""

    def __init__(self, name, value):
        self.name = name
        self.value = value
        self.grad = np.zeros_like(value)

    @property
    def shape(self):
        return self.value.shape

    def add_grad(self, grad):
        """Add ``grad`` to ``.grad``; after ``zero_grad(set_to_none=True)``
        (``.grad`` is None) store it instead, saving a fill and an addition."""
        if self.grad is None:
            self.grad = grad
        else:
            self.grad += grad

    def __repr__(self):
        return f"Parameter({self.name!r}, shape={self.value.shape})"


def zero_gradients(parameters, set_to_none=False):
    """Set every gradient to 0, or to None with set_to_none=True: the next
    backward then stores its gradient instead of adding it to zeros, and an
    optimiser skips a parameter whose gradient is still None."""
    for p in parameters:
        if set_to_none:
            p.grad = None
        elif p.grad is None:
            p.grad = np.zeros_like(p.value)
        else:
            p.grad.fill(0.0)


class Layer:
    """Base class. Subclasses implement ``forward`` and ``backward``."""

    def forward(self, x):
        raise NotImplementedError

    def backward(self, grad_y):
        raise NotImplementedError

    def parameters(self):
        return []

    def zero_grad(self, set_to_none=False):
        """Set every parameter's gradient to 0 (backward adds to it), or to
        None with set_to_none=True (PyTorch's default since 2.0; ``fit`` uses it)."""
        zero_gradients(self.parameters(), set_to_none)

    def state_dict(self):
        """{parameter name: a copy of its value}: a snapshot of the model."""
        return {p.name: p.value.copy() for p in self.parameters()}

    def load_state_dict(self, state):
        """Copy the values of ``state`` (from ``state_dict``) back into the
        parameters, in place. Every parameter must be there, with its shape."""
        parameters = {p.name: p for p in self.parameters()}
        missing = sorted(set(parameters) - set(state))
        unexpected = sorted(set(state) - set(parameters))
        if missing or unexpected:
            raise ValueError(f"load_state_dict: state is missing {missing} and has unexpected {unexpected}; "
                             f"expected exactly the names {sorted(parameters)}")
        for name, p in parameters.items():
            value = np.asarray(state[name])
            if value.shape != p.value.shape:
                raise ValueError(f"load_state_dict: state[{name!r}] has shape {value.shape}; "
                                 f"expected {p.value.shape}")
            p.value[...] = value  # in place: the Parameter keeps its array

    def __call__(self, x):
        return self.forward(x)

    def _check_grad_shape(self, grad_y, expected_shape):
        """grad_y as an array, after checking its shape."""
        grad_y = np.asarray(grad_y)
        if grad_y.shape != expected_shape:
            raise ValueError(
                f"{self!r}.backward: grad_y has shape {grad_y.shape}; expected "
                f"{expected_shape}, the shape of the last forward output"
            )
        return grad_y

    def _require_forward(self, cached):
        if cached is None:
            raise RuntimeError(f"{self!r}.backward was called before forward")


# The variance of the weights for each init, before the gain (see Linear).
INITS = ("glorot", "he", "lecun", "zeros")


def init_variance(init, in_features, out_features):
    """Var(w) of ``init`` for a (in_features, out_features) weight matrix."""
    return {"he": 2.0 / in_features, "lecun": 1.0 / in_features,
            "glorot": 2.0 / (in_features + out_features), "zeros": 0.0}[check_init(init)]


def check_init(init):
    if init not in INITS:
        raise ValueError(f"init must be one of {list(INITS)}; got {init!r}")
    return init


def check_gain(gain):
    if isinstance(gain, bool) or not isinstance(gain, (int, float, np.integer, np.floating)):
        raise TypeError(f"gain must be a positive number; got {gain!r}")
    if not np.isfinite(gain) or gain <= 0:
        raise ValueError(f"gain must be a positive finite number (1.0 keeps the init's scale); got {gain!r}")
    return float(gain)


class Linear(Layer):
    """y = x @ W + b.

    x: (batch, in_features), W: (in_features, out_features), b: (out_features,),
    y: (batch, out_features).

    Weights start random from ``rng`` with a standard deviation that keeps
    the size of the signal about the same from layer to layer:
    init="he" (He et al. 2015): sqrt(2 / in), for ReLU;
    init="lecun" (LeCun et al. 1998): sqrt(1 / in), for tanh and sigmoid;
    init="glorot" (Glorot and Bengio 2010, also called Xavier): sqrt(2 / (in + out));
    init="zeros": all weights 0 (every unit of the layer starts identical).
    gain multiplies that standard deviation (gain=2 doubles every weight).
    Biases start at zero. ``init_std`` is the standard deviation used.
    """

    def __init__(self, in_features, out_features, *, rng=None, init="he", gain=1.0, dtype=np.float64):
        self.in_features = check_positive_int(in_features, "in_features")
        self.out_features = check_positive_int(out_features, "out_features")
        self.init, self.gain = check_init(init), check_gain(gain)
        self.init_std = self.gain * np.sqrt(init_variance(init, in_features, out_features))
        rng = as_rng(rng)
        W = (rng.standard_normal((in_features, out_features)) * self.init_std).astype(dtype)
        self.W = Parameter("W", W)
        self.b = Parameter("b", np.zeros(out_features, dtype=dtype))
        self._x = None

    def forward(self, x):
        x = np.asarray(x, dtype=self.W.value.dtype)  # compute in the weights' dtype (float32 stays float32)
        if x.ndim != 2 or x.shape[1] != self.in_features:
            raise ValueError(
                f"{self!r}.forward: x has shape {np.shape(x)}; expected (batch, {self.in_features})"
            )
        self._x = x
        y = x @ self.W.value
        y += self.b.value  # in place: no second (batch, out_features) array
        return y

    def backward(self, grad_y, *, need_input_grad=True):
        """grad_y: (batch, out_features) -> grad_x: (batch, in_features).

        The first layer of a network does not need grad_x (its input is the
        data); ``need_input_grad=False`` skips that matrix product.
        """
        x = self._x
        self._require_forward(x)
        grad_y = self._check_grad_shape(grad_y, (x.shape[0], self.out_features))
        self.W.add_grad(x.T @ grad_y)  # dL/dW = x^T . dL/dy  (added: gradients accumulate)
        self.b.add_grad(grad_y.sum(axis=0))  # dL/db = sum of dL/dy over the batch
        if not need_input_grad:
            return None
        return grad_y @ self.W.value.T  # dL/dx = dL/dy . W^T

    def parameters(self):
        return [self.W, self.b]

    def __repr__(self):
        return f"Linear({self.in_features}, {self.out_features})"


class ReLU(Layer):
    """y = max(x, 0), element-wise. Its slope is 1 where x > 0, else 0."""

    def __init__(self):
        self._slope = None

    def forward(self, x):
        # The slope as numbers (1.0 or 0.0) in x's dtype: multiplying by it
        # is faster than by a True/False array, which numpy must convert.
        self._slope = (x > 0).astype(x.dtype)
        return x * self._slope

    def backward(self, grad_y):
        self._require_forward(self._slope)
        grad_y = self._check_grad_shape(grad_y, self._slope.shape)
        return grad_y * self._slope

    def __repr__(self):
        return "ReLU()"


class Tanh(Layer):
    """y = tanh(x). Its slope is 1 - y**2."""

    def __init__(self):
        self._y = None

    def forward(self, x):
        self._y = np.tanh(x)
        return self._y

    def backward(self, grad_y):
        self._require_forward(self._y)
        grad_y = self._check_grad_shape(grad_y, self._y.shape)
        return grad_y * (1.0 - self._y**2)

    def __repr__(self):
        return "Tanh()"


def sigmoid(x):
    """1 / (1 + exp(-x)) without overflow: for x < 0 it uses exp(x) / (1 + exp(x))."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


class Sigmoid(Layer):
    """y = 1 / (1 + exp(-x)). Its slope is y * (1 - y)."""

    def __init__(self):
        self._y = None

    def forward(self, x):
        self._y = sigmoid(x)
        return self._y

    def backward(self, grad_y):
        self._require_forward(self._y)
        grad_y = self._check_grad_shape(grad_y, self._y.shape)
        return grad_y * self._y * (1.0 - self._y)

    def __repr__(self):
        return "Sigmoid()"


class Sequential(Layer):
    """Layers applied one after the other. ``backward`` runs them in reverse:
    this is backpropagation, the chain rule applied layer by layer.

    Parameter names carry the layer's index: "0.W", "0.b", "2.W", ...
    A layer object may appear only once: it keeps the input of its last
    forward pass for backward, so a second place would overwrite it.

    hooks: functions hook(kind, i, layer, array) called with
    kind="forward" and layer i's output after its forward, and with
    kind="backward" and dLoss/d(layer i's output) before its backward
    (PyTorch's forward and backward hooks, in one list). nnlib.Recorder
    uses them to look inside a network.
    """

    def __init__(self, *layers):
        for i, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise TypeError(f"Sequential: argument {i} must be a Layer; got {type(layer).__name__}")
        self.layers = list(layers)
        self.hooks = []
        self._check_each_layer_once()
        self._name_parameters()

    def _all_layers(self):
        for layer in self.layers:
            yield layer
            if isinstance(layer, Sequential):
                yield from layer._all_layers()

    def _check_each_layer_once(self):
        seen = set()
        for layer in self._all_layers():
            if id(layer) in seen:
                raise ValueError(
                    f"Sequential: the same {layer!r} object appears twice; a layer keeps the input of its "
                    f"last forward pass for backward, so each place needs its own: create a new {layer!r}"
                )
            seen.add(id(layer))

    def _name_parameters(self):
        # "i.W" for layer i; a nested Sequential keeps its own indices: "i.j.W".
        for i, layer in enumerate(self.layers):
            if isinstance(layer, Sequential):
                layer._name_parameters()
            for p in layer.parameters():
                local = p.name if isinstance(layer, Sequential) else p.name.split(".")[-1]
                p.name = f"{i}.{local}"

    def forward(self, x):
        i = 0
        try:
            for i, layer in enumerate(self.layers):
                x = layer.forward(x)
                for hook in self.hooks:
                    hook("forward", i, layer, x)
        except ValueError as error:
            raise ValueError(f"Sequential layer {i}: {error}") from error
        return x

    def backward(self, grad_y, *, need_input_grad=True):
        """Runs the layers' backward in reverse. With need_input_grad=False
        the first layer (a Linear or a Sequential) skips computing the
        gradient of the data."""
        i = 0
        try:
            for i in range(len(self.layers) - 1, 0, -1):
                self._backward_hooks(i, grad_y)
                grad_y = self.layers[i].backward(grad_y)
            i, first = 0, self.layers[0]
            self._backward_hooks(0, grad_y)
            if not need_input_grad and isinstance(first, (Linear, Sequential)):
                return first.backward(grad_y, need_input_grad=False)
            return first.backward(grad_y)
        except ValueError as error:
            raise ValueError(f"Sequential layer {i}: {error}") from error

    def _backward_hooks(self, i, grad_y):
        for hook in self.hooks:
            hook("backward", i, self.layers[i], grad_y)

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]

    def __getitem__(self, i):
        return self.layers[i]

    def __len__(self):
        return len(self.layers)

    def __repr__(self):
        inner = ",\n".join(f"  ({i}) {layer!r}" for i, layer in enumerate(self.layers))
        return f"Sequential(\n{inner}\n)"


def mlp(sizes, *, activation="relu", init=None, gain=1.0, rng=None, dtype=np.float64):
    """A multi-layer perceptron: Linear layers of the given sizes with an
    activation between them (none after the last).

    mlp([64, 128, 10]) is Sequential(Linear(64, 128), ReLU(), Linear(128, 10)).
    init: every Linear's init ("he", "lecun", "glorot", "zeros"); None picks
    "he" for ReLU and "lecun" for tanh and sigmoid. gain multiplies every
    Linear's standard deviation (see Linear).
    """
    activations = {"relu": (ReLU, "he"), "tanh": (Tanh, "lecun"), "sigmoid": (Sigmoid, "lecun")}
    if activation not in activations:
        raise ValueError(f"activation must be one of {sorted(activations)}; got {activation!r}")
    if len(sizes) < 2:
        raise ValueError(f"sizes must list at least an input and an output size; got {sizes!r}")
    Activation, default_init = activations[activation]
    init = default_init if init is None else check_init(init)
    gain = check_gain(gain)
    rng = as_rng(rng)
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(Linear(n_in, n_out, rng=rng, init=init, gain=gain, dtype=dtype))
        if i < len(sizes) - 2:
            layers.append(Activation())
    return Sequential(*layers)


def count_parameters(model):
    """The number of trainable numbers in ``model``."""
    return sum(p.value.size for p in model.parameters())
