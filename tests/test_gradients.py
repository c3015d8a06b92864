"""Finite differences (numerical_gradient) and the backprop check built on
them (gradient_check)."""

import numpy as np

from nnlib.gradients import PASS_THRESHOLD, partial_derivatives
import pytest

from nnlib import (BinaryCrossEntropy, Linear, MSELoss, ReLU, Sequential, SoftmaxCrossEntropy,
                   backprop_gradients, gradient_check, mlp, numerical_gradient, relative_error)


def test_numerical_gradient_of_a_quadratic():
    A = np.array([[3.0, 1.0], [1.0, 2.0]])
    x = np.array([0.7, -1.3])
    # f = x^T A x / 2 has gradient A x; central differences are exact for
    # quadratics up to rounding.
    grad = numerical_gradient(lambda v: 0.5 * v @ A @ v, x)
    np.testing.assert_allclose(grad, A @ np.array([0.7, -1.3]), rtol=1e-9)
    assert grad.shape == x.shape and grad.dtype == np.float64


def test_numerical_gradient_any_shape():
    x = np.random.default_rng(0).standard_normal((2, 3, 4))
    grad = numerical_gradient(lambda v: float(np.sum(np.sin(v))), x)
    assert grad.shape == (2, 3, 4)
    np.testing.assert_allclose(grad, np.cos(x), rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("method", ["central", "forward"])
def test_numerical_gradient_restores_x_bit_for_bit(method):
    x = np.random.default_rng(1).standard_normal((3, 5)) * 1e3  # x + h - h != x in floats
    before = x.copy()
    address = x.__array_interface__["data"][0]
    seen = []

    def f(v):
        changed = np.flatnonzero(v != before)
        seen.append(len(changed))
        return float(np.sum(v**3))

    numerical_gradient(f, x, h=1e-3, method=method)
    assert x.__array_interface__["data"][0] == address  # perturbed in place, not copied
    np.testing.assert_array_equal(x.view(np.uint64), before.view(np.uint64))
    # One entry at a time: f saw at most one changed entry per call.
    assert max(seen) == 1
    assert len(seen) == (2 * x.size if method == "central" else x.size + 1)


def test_numerical_gradient_restores_x_even_when_f_raises():
    x = np.array([1.0, 2.0, 3.0])
    calls = []

    def f(v):
        calls.append(1)
        if len(calls) == 2:
            raise ZeroDivisionError("boom")
        return float(v.sum())

    with pytest.raises(ZeroDivisionError):
        numerical_gradient(f, x)
    np.testing.assert_array_equal(x, [1.0, 2.0, 3.0])


def test_forward_error_is_order_h_and_central_order_h_squared():
    x = np.array([0.3, 1.1, -0.7])
    exact = np.exp(x)

    def errors(h, method):
        return np.max(np.abs(numerical_gradient(lambda v: float(np.sum(np.exp(v))), x.copy(), h=h, method=method)
                             - exact))

    # Forward: error ~ h/2 f''; halving h halves it. Central: error ~ h^2/6 f''';
    # halving h quarters it.
    ratio_forward = errors(1e-2, "forward") / errors(5e-3, "forward")
    ratio_central = errors(1e-2, "central") / errors(5e-3, "central")
    assert ratio_forward == pytest.approx(2.0, rel=0.02)
    assert ratio_central == pytest.approx(4.0, rel=0.02)
    # The leading terms themselves.
    assert errors(1e-2, "forward") == pytest.approx(1e-2 / 2 * np.exp(1.1), rel=0.01)
    assert errors(1e-2, "central") == pytest.approx(1e-4 / 6 * np.exp(1.1), rel=0.01)


@pytest.mark.parametrize("func, derivative", [(np.sin, np.cos), (np.exp, np.exp)])
def test_central_is_much_more_accurate_than_forward(func, derivative):
    x = np.linspace(-1.0, 1.0, 7) + 0.05
    f = lambda v: float(np.sum(func(v)))  # noqa: E731
    central = np.max(np.abs(numerical_gradient(f, x, h=1e-4) - derivative(x)))
    forward = np.max(np.abs(numerical_gradient(f, x, h=1e-4, method="forward") - derivative(x)))
    assert forward > 1e-6  # ~ h/2 * |f''|
    assert central < 1e-8  # ~ h^2/6 * |f'''|
    assert central < forward / 100


def test_relative_error_values():
    assert relative_error([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert relative_error([1.0, 0.0], [-1.0, 0.0]) == 1.0
    assert relative_error([2.0], [1.0]) == pytest.approx(1 / 3)
    assert relative_error([0.0], [0.0]) == 0.0  # no division by zero


MLP_CASES = [
    ("relu", MSELoss(), [3, 5, 2], lambda rng, n: rng.standard_normal((n, 2))),
    ("tanh", SoftmaxCrossEntropy(), [4, 6, 5, 3], lambda rng, n: rng.integers(0, 3, size=n)),
    ("sigmoid", BinaryCrossEntropy(), [2, 4, 1], lambda rng, n: rng.integers(0, 2, size=n)),
    ("relu", SoftmaxCrossEntropy(), [64, 16, 10], lambda rng, n: rng.integers(0, 10, size=n)),
]


@pytest.mark.parametrize("activation, loss, sizes, make_y", MLP_CASES)
def test_gradient_check_on_mlp_is_small_for_every_parameter(activation, loss, sizes, make_y):
    rng = np.random.default_rng(sizes)
    model = mlp(sizes, activation=activation, rng=1)
    x = rng.standard_normal((8, sizes[0]))
    y = make_y(rng, 8)
    errors = gradient_check(model, loss, x, y)
    expected = [f"{2 * i}.{name}" for i in range(len(sizes) - 1) for name in ("W", "b")]
    assert list(errors) == expected
    assert all(0.0 <= e < PASS_THRESHOLD for e in errors.values()), errors


def test_gradient_check_leaves_parameters_unchanged():
    model = mlp([3, 4, 2], rng=0)
    before = [p.value.copy() for p in model.parameters()]
    x = np.random.default_rng(0).standard_normal((5, 3))
    gradient_check(model, MSELoss(), x, np.zeros((5, 2)))
    for b, p in zip(before, model.parameters()):
        np.testing.assert_array_equal(p.value, b)


class ReLUWithoutMask(ReLU):
    """A deliberately wrong backward: forgets that the slope is 0 for x < 0."""

    def backward(self, grad_y):
        return grad_y


class ReLUWithDoubleSlope(ReLU):
    def backward(self, grad_y):
        return 2.0 * super().backward(grad_y)


@pytest.mark.parametrize("broken", [ReLUWithoutMask, ReLUWithDoubleSlope])
def test_gradient_check_catches_a_broken_backward(broken):
    rng = np.random.default_rng(2)
    model = Sequential(Linear(3, 6, rng=0), broken(), Linear(6, 2, rng=1))
    x = rng.standard_normal((10, 3))
    errors = gradient_check(model, SoftmaxCrossEntropy(), x, rng.integers(0, 2, size=10))
    # The layers before the broken one get wrong gradients; the last does not.
    assert errors["0.W"] > 1e-2 and errors["0.b"] > 1e-2, errors
    assert errors["2.W"] < PASS_THRESHOLD and errors["2.b"] < PASS_THRESHOLD, errors


def test_backprop_gradients_returns_loss_and_copies():
    model = mlp([2, 3, 1], rng=0)
    x = np.array([[1.0, 2.0], [0.5, -1.0]])
    y = np.array([[1.0], [0.0]])
    value, grads = backprop_gradients(model, MSELoss(), x, y)
    assert value == pytest.approx(MSELoss().forward(model.forward(x), y), rel=1e-15)
    assert list(grads) == ["0.W", "0.b", "2.W", "2.b"]
    model.zero_grad()
    assert any(g.any() for g in grads.values())  # copies, not the live arrays


# Errors ---------------------------------------------------------------------

def test_numerical_gradient_argument_errors():
    x = np.zeros(3)
    with pytest.raises(ValueError, match=r"method must be 'central' or 'forward'; got 'backward'"):
        numerical_gradient(np.sum, x, method="backward")
    with pytest.raises(ValueError, match=r"h must be a positive finite number; got 0"):
        numerical_gradient(np.sum, x, h=0)
    with pytest.raises(ValueError, match=r"h must be a positive finite number; got -1e-05"):
        numerical_gradient(np.sum, x, h=-1e-5)
    with pytest.raises(TypeError, match=r"x must be a float numpy array \(it is perturbed in place\)"):
        numerical_gradient(np.sum, np.zeros(3, dtype=int))
    with pytest.raises(TypeError, match=r"x must be a float numpy array"):
        numerical_gradient(np.sum, [0.0, 1.0])
    with pytest.raises(ValueError, match=r"x must be contiguous so that it can be perturbed in place"):
        numerical_gradient(np.sum, np.zeros((4, 4))[::2, :3])


def test_numerical_gradient_on_an_evenly_strided_view():
    base = np.arange(16.0).reshape(4, 4)
    before = base.copy()
    view = base[:, ::2]  # every other column: still one stride, so it can be perturbed in place
    weights = np.arange(8.0).reshape(4, 2)
    grad = numerical_gradient(lambda v: float(np.sum(weights * v**2)), view)
    np.testing.assert_allclose(grad, 2 * weights * view, rtol=1e-7, atol=1e-6)
    np.testing.assert_array_equal(base, before)


def test_relative_error_is_entry_wise_and_catches_a_wrong_small_entry():
    # Norm-wise this pair is 5e-7 apart and would pass; entry-wise it fails.
    assert relative_error([1.0, 1e-6], [1.0, 2e-6]) > 10 * PASS_THRESHOLD
    assert relative_error([1.0, 1e-6], [1.0, 1e-6 + 1e-14]) < PASS_THRESHOLD  # round-off on a tiny entry
    assert relative_error([2.0, 4.0], [2.0, 3.0]) == pytest.approx(1 / 7)


def test_a_correct_float32_model_passes_the_check_and_stays_float32():
    model = mlp([4, 8, 3], rng=0, dtype=np.float32)
    rng = np.random.default_rng(1)
    x = rng.standard_normal((6, 4)).astype(np.float32)
    errors = gradient_check(model, SoftmaxCrossEntropy(), x, rng.integers(0, 3, size=6))
    assert max(errors.values()) < PASS_THRESHOLD, errors
    assert all(p.value.dtype == np.float32 and p.grad.dtype == np.float32 for p in model.parameters())


def test_gradient_check_ignores_gradients_left_from_before():
    model = mlp([3, 4, 2], rng=0)
    for p in model.parameters():
        p.grad += 5.0  # a stale gradient: gradient_check starts from zero
    x = np.random.default_rng(0).standard_normal((5, 3))
    assert max(gradient_check(model, MSELoss(), x, np.zeros((5, 2))).values()) < PASS_THRESHOLD


def test_partial_derivatives_are_numerical_gradient_entries():
    A = np.array([[2.0, 1.0], [1.0, 3.0]])
    x = np.array([0.7, -1.3])
    f = lambda v: 0.5 * v @ A @ v  # noqa: E731
    np.testing.assert_allclose(partial_derivatives(f, x, [1]), numerical_gradient(f, x)[[1]])
