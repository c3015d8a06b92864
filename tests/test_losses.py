"""Losses: values by hand, backward against finite differences, stability
for huge logits, and the errors for bad shapes and labels."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnlib.gradients import PASS_THRESHOLD
from nnlib import BinaryCrossEntropy, MSELoss, SoftmaxCrossEntropy, numerical_gradient, relative_error

TOLERANCE = PASS_THRESHOLD


def loss_gradient_error(loss, pred, target):
    """Relative error between loss.backward() and central differences of
    loss.forward with respect to pred."""
    loss.forward(pred, target)
    analytic = loss.backward()
    assert analytic.shape == pred.shape
    numeric = numerical_gradient(lambda p: loss.forward(p, target), pred)
    return relative_error(analytic, numeric)


def make_case(kind, batch, outputs, rng):
    """(loss, pred, target) with random values of the given shape."""
    pred = rng.standard_normal((batch, outputs)) * 2.0
    if kind == "mse":
        return MSELoss(), pred, rng.standard_normal((batch, outputs))
    if kind == "mse_1d_target":
        return MSELoss(), pred[:, :1], rng.standard_normal(batch)
    if kind == "softmax":
        return SoftmaxCrossEntropy(), pred, rng.integers(0, outputs, size=batch)
    if kind == "bce":
        return BinaryCrossEntropy(), pred[:, :1], rng.integers(0, 2, size=batch)
    if kind == "bce_2d_target":
        return BinaryCrossEntropy(), pred[:, :1], rng.integers(0, 2, size=(batch, 1)).astype(float)
    raise AssertionError(kind)


KINDS = ["mse", "mse_1d_target", "softmax", "bce", "bce_2d_target"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("batch, outputs", [(1, 1), (1, 3), (5, 2), (16, 10)])
def test_backward_matches_numerical_gradient(kind, batch, outputs):
    rng = np.random.default_rng([KINDS.index(kind), batch, outputs])
    loss, pred, target = make_case(kind, batch, outputs, rng)
    pred = np.ascontiguousarray(pred)
    assert loss_gradient_error(loss, pred, target) < TOLERANCE


@settings(max_examples=25, deadline=None, database=None, derandomize=True)
@given(kind=st.sampled_from(KINDS), batch=st.integers(1, 12), outputs=st.integers(1, 6),
       seed=st.integers(0, 2**32 - 1))
def test_backward_matches_numerical_gradient_property(kind, batch, outputs, seed):
    rng = np.random.default_rng(seed)
    loss, pred, target = make_case(kind, batch, outputs, rng)
    pred = np.ascontiguousarray(pred)
    assert loss_gradient_error(loss, pred, target) < TOLERANCE


def test_mse_value_and_gradient_by_hand():
    loss = MSELoss()
    pred = np.array([[1.0, 2.0], [3.0, 4.0]])
    target = np.array([[0.0, 2.0], [1.0, 8.0]])
    assert loss.forward(pred, target) == (1 + 0 + 4 + 16) / 4
    np.testing.assert_array_equal(loss.backward(), 2 * (pred - target) / 4)


def test_mse_1d_target_is_not_broadcast_to_batch_by_batch():
    pred = np.array([[1.0], [2.0], [3.0]])
    target = np.array([1.0, 0.0, 5.0])
    loss = MSELoss()
    # (batch, 1) - (batch,) would broadcast to (3, 3) and give mean 5.0.
    assert loss.forward(pred, target) == pytest.approx((0 + 4 + 4) / 3, rel=1e-15)
    grad = loss.backward()
    assert grad.shape == (3, 1)
    np.testing.assert_allclose(grad, [[0.0], [4 / 3], [-4 / 3]], rtol=1e-15)


def test_softmax_cross_entropy_value_by_hand():
    logits = np.array([[0.0, 0.0, 0.0, 0.0], [np.log(3.0), 0.0, 0.0, 0.0]])
    target = np.array([2, 0])
    # Row 1: uniform, -log(1/4). Row 2: softmax = [3, 1, 1, 1] / 6, -log(1/2).
    expected = (np.log(4.0) + np.log(2.0)) / 2
    loss = SoftmaxCrossEntropy()
    assert loss.forward(logits, target) == pytest.approx(expected, rel=1e-14)
    grad = loss.backward()
    np.testing.assert_allclose(grad, np.array([[0.25, 0.25, -0.75, 0.25], [-0.5, 1 / 6, 1 / 6, 1 / 6]]) / 2,
                               rtol=1e-14)
    np.testing.assert_allclose(grad.sum(axis=1), 0.0, atol=1e-16)


def test_softmax_cross_entropy_is_finite_for_huge_logits():
    logits = np.array([[1e4, 0.0, -1e4], [1e4, 1e4, 0.0]])
    target = np.array([1, 0])
    loss = SoftmaxCrossEntropy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value = loss.forward(logits, target)
        grad = loss.backward()
    # Row 1: -log softmax = 1e4 - 0. Row 2: two equal largest logits: log 2.
    assert value == pytest.approx((1e4 + np.log(2.0)) / 2, rel=1e-12)
    assert np.isfinite(grad).all()
    np.testing.assert_allclose(grad, np.array([[1.0, -1.0, 0.0], [-0.5, 0.5, 0.0]]) / 2, atol=1e-15)


def test_binary_cross_entropy_value_by_hand():
    logits = np.array([[0.0], [np.log(3.0)]])
    target = np.array([1, 0])
    # sigmoid(0) = 1/2, sigmoid(log 3) = 3/4: -(log 1/2 + log 1/4) / 2.
    loss = BinaryCrossEntropy()
    assert loss.forward(logits, target) == pytest.approx((np.log(2.0) + np.log(4.0)) / 2, rel=1e-14)
    np.testing.assert_allclose(loss.backward(), [[-0.25], [0.375]], rtol=1e-14)


def test_binary_cross_entropy_is_finite_for_huge_logits():
    logits = np.array([[1e4], [-1e4], [1e4], [-1e4]])
    target = np.array([0, 1, 1, 0])
    loss = BinaryCrossEntropy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value = loss.forward(logits, target)
        grad = loss.backward()
    # Two confident mistakes cost 1e4 each, two confident hits cost 0.
    assert value == pytest.approx(2e4 / 4, rel=1e-12)
    np.testing.assert_allclose(grad, [[0.25], [-0.25], [0.0], [0.0]], atol=1e-15)


def test_bce_matches_softmax_with_two_classes():
    rng = np.random.default_rng(4)
    z = rng.standard_normal((8, 1))
    t = rng.integers(0, 2, size=8)
    two = np.hstack([np.zeros_like(z), z])  # softmax([0, z]) = [1 - s, s]
    assert BinaryCrossEntropy().forward(z, t) == pytest.approx(SoftmaxCrossEntropy().forward(two, t), rel=1e-13)


# Errors ---------------------------------------------------------------------

def test_mse_shape_errors():
    with pytest.raises(ValueError, match=r"MSELoss: target has shape \(3, 2\); expected \(3, 1\), the shape of pred"):
        MSELoss().forward(np.zeros((3, 1)), np.zeros((3, 2)))
    with pytest.raises(ValueError, match=r"MSELoss: target has shape \(4,\); expected \(3, 1\)"):
        MSELoss().forward(np.zeros((3, 1)), np.zeros(4))
    with pytest.raises(ValueError, match=r"MSELoss: pred must be 2-D, \(batch, outputs\); got shape \(3,\)"):
        MSELoss().forward(np.zeros(3), np.zeros(3))


def test_softmax_shape_and_label_errors():
    loss = SoftmaxCrossEntropy()
    with pytest.raises(ValueError, match=r"SoftmaxCrossEntropy: target has shape \(4,\); expected \(3,\), one label per example"):
        loss.forward(np.zeros((3, 5)), np.zeros(4, dtype=int))
    with pytest.raises(ValueError, match=r"SoftmaxCrossEntropy: label 5 is out of range; expected labels in 0\.\.4"):
        loss.forward(np.zeros((3, 5)), np.array([0, 5, 1]))
    with pytest.raises(ValueError, match=r"SoftmaxCrossEntropy: label -1 is out of range; expected labels in 0\.\.4"):
        loss.forward(np.zeros((3, 5)), np.array([0, -1, 1]))
    with pytest.raises(TypeError, match=r"SoftmaxCrossEntropy: target must hold integer class labels; got dtype float64"):
        loss.forward(np.zeros((3, 5)), np.array([0.0, 1.0, 2.0]))
    with pytest.raises(ValueError, match=r"SoftmaxCrossEntropy: pred must be 2-D"):
        loss.forward(np.zeros(5), np.array([1]))


def test_bce_shape_and_label_errors():
    loss = BinaryCrossEntropy()
    with pytest.raises(ValueError, match=r"BinaryCrossEntropy: logits must have shape \(batch, 1\); got \(3, 2\)"):
        loss.forward(np.zeros((3, 2)), np.zeros(3))
    with pytest.raises(ValueError, match=r"BinaryCrossEntropy: target has shape \(4, 1\); expected \(3, 1\) or \(3,\)"):
        loss.forward(np.zeros((3, 1)), np.zeros(4))
    with pytest.raises(ValueError, match=r"BinaryCrossEntropy: target must hold only 0s and 1s"):
        loss.forward(np.zeros((3, 1)), np.array([0, 2, 1]))


@pytest.mark.parametrize("cls", [MSELoss, SoftmaxCrossEntropy, BinaryCrossEntropy])
def test_backward_before_forward(cls):
    with pytest.raises(RuntimeError, match=rf"{cls.__name__}\.backward was called before forward"):
        cls().backward()


@pytest.mark.parametrize("cls, n_outputs", [(SoftmaxCrossEntropy, 4), (BinaryCrossEntropy, 1)])
def test_check_target_false_gives_the_same_value_and_gradient(cls, n_outputs):
    # fit checks every label once and then passes check_target=False.
    rng = np.random.default_rng(5)
    logits = rng.standard_normal((6, n_outputs))
    target = rng.integers(0, max(n_outputs, 2), size=6)
    checked, unchecked = cls(), cls()
    assert unchecked.forward(logits, target, check_target=False) == checked.forward(logits, target)
    np.testing.assert_array_equal(unchecked.backward(), checked.backward())


def test_check_target_false_still_checks_shape_and_dtype():
    loss = SoftmaxCrossEntropy()
    with pytest.raises(ValueError, match=r"target has shape \(4,\); expected \(3,\)"):
        loss.forward(np.zeros((3, 5)), np.zeros(4, dtype=int), check_target=False)
    with pytest.raises(TypeError, match=r"target must hold integer class labels; got dtype float64"):
        loss.forward(np.zeros((3, 5)), np.zeros(3), check_target=False)
    with pytest.raises(ValueError, match=r"BinaryCrossEntropy: target has shape \(4, 1\)"):
        BinaryCrossEntropy().forward(np.zeros((3, 1)), np.zeros(4), check_target=False)
