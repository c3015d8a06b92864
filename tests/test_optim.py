"""SGD: the update rule, checked number for number against a hand-written
recurrence."""

import numpy as np
import pytest

from nnlib import SGD, Parameter, mlp


def make_parameters(rng):
    return [Parameter("W", rng.standard_normal((3, 2))), Parameter("b", rng.standard_normal(2))]


def test_one_step_is_p_minus_lr_times_g_exactly_in_place(rng):
    params = make_parameters(rng)
    values = [p.value for p in params]  # taken before the optimiser exists
    before = [p.value.copy() for p in params]
    for p in params:
        p.grad[...] = rng.standard_normal(p.shape)
    opt = SGD(params, lr=0.3)
    opt.step()
    for p, v, b in zip(params, values, before):
        assert p.value is v  # the same array: no stale copies
        assert np.array_equal(v, b - 0.3 * p.grad)


def test_float32_stays_float32():
    model = mlp([3, 4, 2], rng=0, dtype=np.float32)
    SGD(model.parameters(), lr=0.1).step()
    assert all(p.value.dtype == np.float32 and p.grad.dtype == np.float32 for p in model.parameters())


def test_weight_decay_is_the_gradient_of_half_wd_times_the_squared_norm(rng):
    params = make_parameters(rng)
    wd, lr = 0.2, 0.1
    before = [p.value.copy() for p in params]
    opt = SGD(params, lr=lr, weight_decay=wd)
    opt.zero_grad()
    opt.step()  # zero loss gradient: only the penalty (wd/2)|p|^2 pulls, biases included
    for p, b in zip(params, before):
        np.testing.assert_allclose(p.value, b - lr * wd * b)


@pytest.mark.parametrize("momentum", [0.5, 0.9])
def test_momentum_matches_the_recurrence_for_three_steps(rng, momentum):
    params = make_parameters(rng)
    p_hand = [p.value.copy() for p in params]
    v_hand = [np.zeros_like(p.value) for p in params]
    lr = 0.1
    opt = SGD(params, lr=lr, momentum=momentum)
    for _ in range(3):
        grads = [rng.standard_normal(p.shape) for p in params]  # a new gradient every step
        for p, g in zip(params, grads):
            p.grad[...] = g
        opt.step()
        for i, g in enumerate(grads):
            v_hand[i] = momentum * v_hand[i] + g
            p_hand[i] = p_hand[i] - lr * v_hand[i]
    for p, expected in zip(params, p_hand):
        assert np.array_equal(p.value, expected)  # the same floating-point operations, so bit for bit


def test_momentum_by_hand_on_a_scalar():
    p = Parameter("w", np.array([1.0]))
    opt = SGD([p], lr=0.5, momentum=0.5)
    for g, expected in [(1.0, 0.5), (2.0, -0.75), (-4.0, 0.625)]:
        # v: 1 -> 0.5*1 + 2 = 2.5 -> 0.5*2.5 - 4 = -2.75
        p.grad[...] = g
        opt.step()
        assert p.value[0] == expected


def test_weight_decay_adds_lambda_times_p_to_the_gradient(rng):
    params = make_parameters(rng)
    before = [p.value.copy() for p in params]
    for p in params:
        p.grad[...] = rng.standard_normal(p.shape)
    SGD(params, lr=0.2, weight_decay=0.01).step()
    for p, b in zip(params, before):
        assert np.array_equal(p.value, b - 0.2 * (p.grad + 0.01 * b))


def test_weight_decay_alone_shrinks_weights_geometrically():
    p = Parameter("w", np.array([2.0, -4.0]))
    opt = SGD([p], lr=0.1, weight_decay=0.5)
    for _ in range(10):
        opt.step()  # grad stays 0: p <- p * (1 - lr * wd)
    np.testing.assert_allclose(p.value, np.array([2.0, -4.0]) * 0.95**10, rtol=1e-14)


def test_weight_decay_with_momentum(rng):
    p = Parameter("w", np.array([1.0, -2.0]))
    opt = SGD([p], lr=0.1, momentum=0.9, weight_decay=0.1)
    w, v = p.value.copy(), np.zeros(2)
    for _ in range(3):
        g = rng.standard_normal(2)
        p.grad[...] = g
        opt.step()
        v = 0.9 * v + (g + 0.1 * w)
        w = w - 0.1 * v
    assert np.array_equal(p.value, w)


def test_zero_grad_and_model_parameters_are_updated():
    model = mlp([2, 3, 1], rng=0)
    for p in model.parameters():
        p.grad[...] = 1.0
    opt = SGD(model.parameters(), lr=0.5)
    before = model[0].b.value.copy()
    opt.step()
    np.testing.assert_array_equal(model[0].b.value, before - 0.5)  # the model sees the update
    opt.zero_grad()
    assert all(not p.grad.any() for p in model.parameters())


# Errors ---------------------------------------------------------------------

@pytest.mark.parametrize("lr", [0, 0.0, -0.1, float("inf"), float("nan")])
def test_lr_must_be_positive(lr):
    with pytest.raises(ValueError, match=r"lr must be a positive finite number; got"):
        SGD(make_parameters(np.random.default_rng(0)), lr=lr)


def test_lr_message_shows_the_value():
    with pytest.raises(ValueError, match=r"lr must be a positive finite number; got -0\.1"):
        SGD(make_parameters(np.random.default_rng(0)), lr=-0.1)
    with pytest.raises(TypeError, match=r"lr must be a positive number; got '0.1'"):
        SGD(make_parameters(np.random.default_rng(0)), lr="0.1")


@pytest.mark.parametrize("momentum", [-0.1, 1.0, 1.5])
def test_momentum_must_be_in_zero_one(momentum):
    with pytest.raises(ValueError, match=rf"momentum must be in \[0\.0, 1\.0\); got {momentum}"):
        SGD(make_parameters(np.random.default_rng(0)), lr=0.1, momentum=momentum)


def test_repeated_parameters_are_refused():
    p = Parameter("w", np.zeros(2))
    with pytest.raises(ValueError, match=r"the same Parameter more than once"):
        SGD([p, p], lr=0.1)


def test_weight_decay_and_parameters_errors():
    params = make_parameters(np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"weight_decay must be in \[0\.0, inf\); got -0\.01"):
        SGD(params, lr=0.1, weight_decay=-0.01)
    with pytest.raises(ValueError, match=r"parameters is empty: there is nothing to optimise"):
        SGD([], lr=0.1)
    with pytest.raises(TypeError, match=r"parameters must be Parameter objects \(from model.parameters\(\)\); got Linear"):
        SGD(mlp([2, 2], rng=0), lr=0.1)  # the model instead of model.parameters()
