"""Layers: forward values, backprop gradients against finite differences,
initialisation, parameter names, and the errors a learner sees."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nnlib
from nnlib import Linear, ReLU, Sequential, Sigmoid, Tanh, mlp, numerical_gradient, relative_error

TOLERANCE = 1e-7  # float64 central differences agree with backprop far better than this


def layer_gradient_errors(layer, x, rng):
    """Relative errors between backprop and central differences for the
    scalar f = sum(layer(x) * R), R random: {"x": input gradient error,
    parameter name: error, ...}."""
    R = rng.standard_normal(layer.forward(x).shape)

    def f(_):
        return float(np.sum(layer.forward(x) * R))

    layer.forward(x)
    grad_x = layer.backward(R)
    analytic = {p.name: p.grad.copy() for p in layer.parameters()}
    errors = {"x": relative_error(grad_x, numerical_gradient(f, x))}
    for p in layer.parameters():
        errors[p.name] = relative_error(analytic[p.name], numerical_gradient(f, p.value))
    return errors


def make_layer(kind, n_in, n_out, seed):
    if kind == "linear":
        return Linear(n_in, n_out, rng=seed)
    if kind == "relu":
        return ReLU()
    if kind == "tanh":
        return Tanh()
    if kind == "sigmoid":
        return Sigmoid()
    if kind == "mlp_relu":
        return mlp([n_in, 5, n_out], rng=seed)
    if kind == "mlp_tanh":
        return mlp([n_in, 4, 3, n_out], activation="tanh", rng=seed)
    if kind == "mlp_sigmoid":
        return mlp([n_in, 4, n_out], activation="sigmoid", rng=seed)
    if kind == "sequential":
        return Sequential(Linear(n_in, 6, rng=seed), Tanh(), Linear(6, 4, rng=seed + 1), ReLU(),
                          Linear(4, n_out, rng=seed + 2), Sigmoid())
    raise AssertionError(kind)


KINDS = ["linear", "relu", "tanh", "sigmoid", "mlp_relu", "mlp_tanh", "mlp_sigmoid", "sequential"]
EXPECTED_NAMES = {
    "linear": ["x", "W", "b"],
    "relu": ["x"], "tanh": ["x"], "sigmoid": ["x"],
    "mlp_relu": ["x", "0.W", "0.b", "2.W", "2.b"],
    "mlp_tanh": ["x", "0.W", "0.b", "2.W", "2.b", "4.W", "4.b"],
    "mlp_sigmoid": ["x", "0.W", "0.b", "2.W", "2.b"],
    "sequential": ["x", "0.W", "0.b", "2.W", "2.b", "4.W", "4.b"],
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("shape", [(1, 1, 1), (4, 3, 2), (7, 5, 6)])
def test_backprop_matches_numerical_gradient(kind, shape):
    batch, n_in, n_out = shape
    rng = np.random.default_rng([KINDS.index(kind), *shape])
    layer = make_layer(kind, n_in, n_out, seed=3)
    x = rng.standard_normal((batch, n_in))
    errors = layer_gradient_errors(layer, x, rng)
    assert list(errors) == EXPECTED_NAMES[kind]
    for name, error in errors.items():
        assert error < TOLERANCE, (kind, shape, name, error)


@settings(max_examples=25, deadline=None, database=None, derandomize=True)
@given(
    kind=st.sampled_from(KINDS),
    batch=st.integers(1, 6),
    n_in=st.integers(1, 5),
    n_out=st.integers(1, 5),
    seed=st.integers(0, 2**32 - 1),
)
def test_backprop_matches_numerical_gradient_property(kind, batch, n_in, n_out, seed):
    rng = np.random.default_rng(seed)
    layer = make_layer(kind, n_in, n_out, seed=seed % 1000)
    # Elementwise layers keep the width; the data is continuous, so a ReLU
    # input within h of its kink at 0 is astronomically unlikely.
    x = rng.standard_normal((batch, n_in)) * rng.uniform(0.5, 2.0)
    errors = layer_gradient_errors(layer, x, rng)
    assert max(errors.values()) < TOLERANCE, errors


def test_linear_forward_is_x_times_W_plus_b(rng):
    layer = Linear(3, 2, rng=1)
    layer.b.value[:] = [0.5, -1.0]
    x = rng.standard_normal((4, 3))
    np.testing.assert_allclose(layer.forward(x), x @ layer.W.value + np.array([0.5, -1.0]), rtol=1e-15)
    assert layer(x).shape == (4, 2)


def test_linear_backward_values_by_hand():
    layer = Linear(2, 1, rng=0)
    layer.W.value[:] = [[2.0], [-1.0]]
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    layer.forward(x)
    grad_x = layer.backward(np.array([[1.0], [10.0]]))
    np.testing.assert_array_equal(layer.W.grad, [[31.0], [42.0]])  # x^T . g
    np.testing.assert_array_equal(layer.b.grad, [11.0])
    np.testing.assert_array_equal(grad_x, [[2.0, -1.0], [20.0, -10.0]])  # g . W^T


def test_linear_need_input_grad_false_skips_only_the_input_gradient(rng):
    x = rng.standard_normal((5, 3))
    g = rng.standard_normal((5, 2))
    a, b = Linear(3, 2, rng=7), Linear(3, 2, rng=7)
    a.forward(x), b.forward(x)
    assert a.backward(g, need_input_grad=False) is None
    assert b.backward(g) is not None
    np.testing.assert_array_equal(a.W.grad, b.W.grad)
    np.testing.assert_array_equal(a.b.grad, b.b.grad)


@pytest.mark.parametrize("nested", [False, True])
def test_sequential_need_input_grad_false_gives_the_same_parameter_gradients(rng, nested):
    def build():
        first = Sequential(Linear(3, 4, rng=1), ReLU()) if nested else Linear(3, 4, rng=1)
        return Sequential(first, Tanh(), Linear(4, 2, rng=2))

    x = rng.standard_normal((5, 3))
    g = rng.standard_normal((5, 2))
    a, b = build(), build()
    a.forward(x), b.forward(x)
    assert a.backward(g, need_input_grad=False) is None
    assert b.backward(g).shape == (5, 3)
    for p, q in zip(a.parameters(), b.parameters()):
        np.testing.assert_array_equal(p.grad, q.grad)


def test_gradients_accumulate_until_zero_grad(rng):
    """As in PyTorch: a second backward adds its gradient to the first."""
    model = mlp([3, 4, 2], rng=0)
    x = rng.standard_normal((5, 3))
    g1, g2 = rng.standard_normal((5, 2)), rng.standard_normal((5, 2))
    grads = []
    for g in (g1, g2):
        model.zero_grad()
        model.forward(x)
        model.backward(g)
        grads.append([p.grad.copy() for p in model.parameters()])
    model.forward(x)
    model.backward(g1)  # no zero_grad: g2's gradient is still there
    for p, first, second in zip(model.parameters(), *grads):
        np.testing.assert_allclose(p.grad, first + second, rtol=1e-12)
    model.zero_grad()
    assert all(not p.grad.any() for p in model.parameters())


def test_the_same_layer_twice_is_refused_by_name():
    relu = ReLU()
    with pytest.raises(ValueError, match=r"the same ReLU\(\) object appears twice"):
        Sequential(Linear(2, 3, rng=0), relu, Linear(3, 3, rng=0), relu)
    shared = Linear(3, 3, rng=0)
    with pytest.raises(ValueError, match=r"Linear\(3, 3\)"):
        Sequential(shared, Sequential(ReLU(), shared))


def test_sequential_chains_the_error_of_a_layer():
    class Broken(ReLU):
        def forward(self, x):
            raise ValueError("my own layer failed here")

    with pytest.raises(ValueError, match="Sequential layer 1: my own layer failed here") as info:
        Sequential(Linear(2, 2, rng=0), Broken()).forward(np.ones((1, 2)))
    assert isinstance(info.value.__cause__, ValueError)  # the layer's own traceback is kept


def test_state_dict_round_trip_in_place():
    model = mlp([3, 4, 2], rng=0)
    arrays = [p.value for p in model.parameters()]
    state = model.state_dict()
    assert sorted(state) == ["0.W", "0.b", "2.W", "2.b"]
    assert all(state[p.name] is not p.value for p in model.parameters())  # copies
    for p in model.parameters():
        p.value += 1.0
    model.load_state_dict(state)
    for p, array in zip(model.parameters(), arrays):
        assert p.value is array  # put back in place
        np.testing.assert_array_equal(p.value, state[p.name])


def test_load_state_dict_names_what_is_wrong():
    model = mlp([3, 4, 2], rng=0)
    state = model.state_dict()
    with pytest.raises(ValueError, match=r"missing \['2.b'\]"):
        model.load_state_dict({k: v for k, v in state.items() if k != "2.b"})
    with pytest.raises(ValueError, match=r"unexpected \['9.W'\]"):
        model.load_state_dict({**state, "9.W": np.zeros(2)})
    with pytest.raises(ValueError, match=r"state\['0.W'\] has shape \(4, 3\); expected \(3, 4\)"):
        model.load_state_dict({**state, "0.W": np.zeros((4, 3))})


@pytest.mark.parametrize("init, variance", [("he", 2.0 / 400), ("lecun", 1.0 / 400), ("glorot", 2.0 / 700)])
def test_linear_initialisation(init, variance):
    layer = Linear(400, 300, rng=0, init=init)
    assert layer.W.value.shape == (400, 300) and layer.b.value.shape == (300,)
    assert layer.W.value.dtype == np.float64
    assert abs(layer.W.value.std() / np.sqrt(variance) - 1) < 0.02
    assert abs(layer.W.value.mean()) < 0.002
    np.testing.assert_array_equal(layer.b.value, np.zeros(300))
    np.testing.assert_array_equal(layer.W.grad, np.zeros((400, 300)))


def test_linear_is_deterministic_per_seed_and_takes_a_generator():
    np.testing.assert_array_equal(Linear(5, 4, rng=3).W.value, Linear(5, 4, rng=3).W.value)
    assert not np.array_equal(Linear(5, 4, rng=3).W.value, Linear(5, 4, rng=4).W.value)
    g1, g2 = np.random.default_rng(9), np.random.default_rng(9)
    np.testing.assert_array_equal(Linear(5, 4, rng=g1).W.value, Linear(5, 4, rng=g2).W.value)


def test_linear_dtype_option():
    layer = Linear(3, 2, rng=0, dtype=np.float32)
    assert layer.W.value.dtype == np.float32 and layer.b.value.dtype == np.float32
    assert layer.W.grad.dtype == np.float32
    y = layer.forward(np.ones((2, 3), dtype=np.float32))
    assert y.dtype == np.float32


def test_activation_forward_values():
    x = np.array([[-2.0, -0.5, 0.0, 0.5, 3.0]])
    np.testing.assert_array_equal(ReLU().forward(x), [[0.0, 0.0, 0.0, 0.5, 3.0]])
    np.testing.assert_allclose(Tanh().forward(x), np.tanh(x), rtol=1e-15)
    np.testing.assert_allclose(Sigmoid().forward(x), 1 / (1 + np.exp(-x)), rtol=1e-15)


def test_activation_backward_values_by_hand():
    x = np.array([[-2.0, 0.5, 3.0]])
    g = np.array([[10.0, 10.0, 10.0]])
    relu = ReLU()
    relu.forward(x)
    np.testing.assert_array_equal(relu.backward(g), [[0.0, 10.0, 10.0]])
    tanh = Tanh()
    tanh.forward(x)
    np.testing.assert_allclose(tanh.backward(g), 10 * (1 - np.tanh(x) ** 2), rtol=1e-14)
    sig = Sigmoid()
    s = 1 / (1 + np.exp(-x))
    sig.forward(x)
    np.testing.assert_allclose(sig.backward(g), 10 * s * (1 - s), rtol=1e-14)


def test_sigmoid_is_stable_for_huge_inputs():
    x = np.array([[-1e4, -800.0, 0.0, 800.0, 1e4]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = Sigmoid().forward(x)
    np.testing.assert_array_equal(y, [[0.0, 0.0, 0.5, 1.0, 1.0]])


def test_sequential_forward_is_the_composition(rng):
    a, b = Linear(3, 4, rng=1), Linear(4, 2, rng=2)
    model = Sequential(a, Tanh(), b)
    x = rng.standard_normal((6, 3))
    expected = np.tanh(x @ a.W.value + a.b.value) @ b.W.value + b.b.value
    np.testing.assert_allclose(model.forward(x), expected, rtol=1e-14)
    assert len(model) == 3 and model[1].__class__ is Tanh


def test_mlp_structure_names_and_count():
    model = mlp([3, 5, 4, 2], rng=0)
    assert [type(layer) for layer in model.layers] == [Linear, ReLU, Linear, ReLU, Linear]
    assert [p.name for p in model.parameters()] == ["0.W", "0.b", "2.W", "2.b", "4.W", "4.b"]
    assert [p.shape for p in model.parameters()] == [(3, 5), (5,), (5, 4), (4,), (4, 2), (2,)]
    assert nnlib.count_parameters(model) == 3 * 5 + 5 + 5 * 4 + 4 + 4 * 2 + 2
    assert [type(layer) for layer in mlp([2, 3, 1], activation="tanh", rng=0).layers] == [Linear, Tanh, Linear]
    assert [type(layer) for layer in mlp([2, 3, 1], activation="sigmoid", rng=0).layers] == [
        Linear, Sigmoid, Linear]


def test_mlp_is_deterministic_per_seed():
    a, b = mlp([4, 8, 3], rng=5), mlp([4, 8, 3], rng=5)
    for p, q in zip(a.parameters(), b.parameters()):
        np.testing.assert_array_equal(p.value, q.value)
    c = mlp([4, 8, 3], rng=6)
    assert not np.array_equal(a.parameters()[0].value, c.parameters()[0].value)


def test_tanh_mlp_uses_lecun_init():
    model = mlp([500, 400, 1], activation="tanh", rng=0)
    assert abs(model[0].W.value.std() / np.sqrt(1 / 500) - 1) < 0.02


# Errors ---------------------------------------------------------------------

def test_linear_forward_shape_error_names_layer_and_shapes():
    layer = Linear(3, 2, rng=0)
    with pytest.raises(ValueError, match=r"Linear\(3, 2\)\.forward: x has shape \(5, 4\); expected \(batch, 3\)"):
        layer.forward(np.zeros((5, 4)))
    with pytest.raises(ValueError, match=r"Linear\(3, 2\)\.forward: x has shape \(3,\)"):
        layer.forward(np.zeros(3))


def test_linear_backward_shape_error_names_layer_and_shapes():
    layer = Linear(3, 2, rng=0)
    layer.forward(np.zeros((5, 3)))
    with pytest.raises(ValueError, match=r"Linear\(3, 2\)\.backward: grad_y has shape \(5, 3\); expected \(5, 2\)"):
        layer.backward(np.zeros((5, 3)))


@pytest.mark.parametrize("cls", [ReLU, Tanh, Sigmoid])
def test_activation_backward_shape_error(cls):
    layer = cls()
    layer.forward(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=rf"{cls.__name__}\(\)\.backward: grad_y has shape \(3, 2\); expected \(2, 3\)"):
        layer.backward(np.zeros((3, 2)))


@pytest.mark.parametrize("layer", [Linear(2, 2, rng=0), ReLU(), Tanh(), Sigmoid()])
def test_backward_before_forward_is_a_clear_error(layer):
    with pytest.raises(RuntimeError, match=r"backward was called before forward"):
        layer.backward(np.zeros((1, 2)))


def test_sequential_shape_errors_name_the_layer_index():
    model = Sequential(Linear(2, 4, rng=0), ReLU(), Linear(5, 3, rng=1))
    with pytest.raises(ValueError, match=r"Sequential layer 2: Linear\(5, 3\)\.forward: x has shape \(7, 4\); expected \(batch, 5\)"):
        model.forward(np.zeros((7, 2)))
    model = mlp([2, 4, 3], rng=0)
    with pytest.raises(ValueError, match=r"Sequential layer 0: Linear\(2, 4\)\.forward: x has shape \(7, 3\)"):
        model.forward(np.zeros((7, 3)))
    model.forward(np.zeros((7, 2)))
    with pytest.raises(ValueError, match=r"Sequential layer 2: Linear\(4, 3\)\.backward: grad_y has shape \(7, 2\); expected \(7, 3\)"):
        model.backward(np.zeros((7, 2)))


def test_sequential_rejects_non_layers():
    with pytest.raises(TypeError, match=r"Sequential: argument 1 must be a Layer; got ufunc"):
        Sequential(Linear(2, 2, rng=0), np.tanh)


def test_constructor_errors():
    with pytest.raises(ValueError, match=r"in_features must be at least 1; got 0"):
        Linear(0, 3)
    with pytest.raises(TypeError, match=r"out_features must be a positive integer; got 2\.5"):
        Linear(3, 2.5)
    with pytest.raises(ValueError, match=r"init must be one of \['glorot', 'he', 'lecun', 'zeros'\]; got 'xavier'"):
        Linear(3, 2, init="xavier")
    with pytest.raises(ValueError, match=r"activation must be one of .*'relu'.*; got 'gelu'"):
        mlp([2, 3, 1], activation="gelu")
    with pytest.raises(ValueError, match=r"sizes must list at least an input and an output size; got \[3\]"):
        mlp([3])
    with pytest.raises(TypeError, match=r"rng must be a numpy.random.Generator, an int seed or None; got RandomState"):
        Linear(3, 2, rng=np.random.RandomState(0))
    with pytest.raises(TypeError, match=r"rng must be a numpy.random.Generator.*; got float"):
        mlp([3, 2], rng=0.5)


def test_nested_sequential_keeps_unique_parameter_names(rng):
    inner = Sequential(Linear(2, 3, rng=0), ReLU(), Linear(3, 3, rng=1))
    model = Sequential(inner, Tanh(), Linear(3, 1, rng=2))
    assert [p.name for p in model.parameters()] == ["0.0.W", "0.0.b", "0.2.W", "0.2.b", "2.W", "2.b"]
    errors = nnlib.gradient_check(model, nnlib.MSELoss(), rng.standard_normal((4, 2)), rng.standard_normal((4, 1)))
    assert list(errors) == ["0.0.W", "0.0.b", "0.2.W", "0.2.b", "2.W", "2.b"]
    assert max(errors.values()) < TOLERANCE
    # A layer moved into a new model takes that model's names.
    again = Sequential(Tanh(), inner[2])
    assert [p.name for p in again.parameters()] == ["1.W", "1.b"]
