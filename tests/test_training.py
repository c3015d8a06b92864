"""fit: it learns (moons, digits), it counts updates and epochs right, it is
reproducible, and it reports divergence in words instead of raising."""

import math
import re
import warnings

import numpy as np
import pytest

import nnlib
from nnlib import (SGD, BinaryCrossEntropy, MSELoss, SoftmaxCrossEntropy, evaluate, fit, load_digits,
                   make_moons, mlp, train_val_test_split)

# Settings of the digits test (also quoted in the report): 64-64-10 ReLU MLP,
# SGD lr 0.05 momentum 0.9, batch 32, 20 epochs, 70/15/15 split.
DIGITS_SETTINGS = dict(hidden=64, lr=0.05, momentum=0.9, batch_size=32, epochs=20, seed=0)


@pytest.fixture(scope="module")
def moons():
    x, y = make_moons(500, noise=0.15, rng=0)
    return train_val_test_split(x, y, val_fraction=0.2, test_fraction=0.0, rng=0)


def train_moons(moons, *, loss=None, outputs=2, lr=0.1, epochs=60, batch_size=32, seed=0, **kwargs):
    (x_tr, y_tr), val, _ = moons
    model = mlp([2, 16, 16, outputs], activation="tanh", rng=seed)
    optimizer = SGD(model.parameters(), lr=lr, momentum=0.9)
    history = fit(model, loss or SoftmaxCrossEntropy(), optimizer, x_tr, y_tr, epochs=epochs,
                  batch_size=batch_size, validation=val, rng=seed, **kwargs)
    return model, history


def test_small_mlp_learns_two_moons(moons):
    model, history = train_moons(moons)
    assert not history.diverged
    assert history.val_accuracy[-1] >= 0.95
    assert history.train_loss[-1] < history.train_loss[0] / 5
    assert history.message == "Trained 60 epochs of 13 batches: 780 updates."


def test_binary_cross_entropy_learns_two_moons(moons):
    _, history = train_moons(moons, loss=BinaryCrossEntropy(), outputs=1)
    assert history.val_accuracy[-1] >= 0.95


def test_mlp_learns_digits_to_95_percent_test_accuracy():
    x, y = load_digits()
    train, val, test = train_val_test_split(x, y, val_fraction=0.15, test_fraction=0.15, rng=DIGITS_SETTINGS["seed"])
    s = DIGITS_SETTINGS
    model = mlp([64, s["hidden"], 10], rng=s["seed"])
    loss = SoftmaxCrossEntropy()
    history = fit(model, loss, SGD(model.parameters(), lr=s["lr"], momentum=s["momentum"]), *train,
                  epochs=s["epochs"], batch_size=s["batch_size"], validation=val, rng=s["seed"])
    assert s["epochs"] < 30 and history.epochs == s["epochs"] and not history.diverged
    result = evaluate(model, loss, *test)
    assert result.accuracy >= 0.95, result
    assert history.val_accuracy[-1] >= 0.95


def test_linear_regression_finds_least_squares():
    x, y = nnlib.make_line(200, w=2.0, b=1.0, noise=0.3, rng=0)
    model = mlp([1, 1], rng=0)
    history = fit(model, MSELoss(), SGD(model.parameters(), lr=0.5), x, y, epochs=100, batch_size=200, rng=0)
    w_best, b_best = np.polyfit(x[:, 0], y[:, 0], 1)
    assert model[0].W.value[0, 0] == pytest.approx(w_best, abs=1e-4)
    assert model[0].b.value[0] == pytest.approx(b_best, abs=1e-4)
    assert history.train_accuracy == [] and history.val_loss == []  # regression, no validation


def test_counts_updates_epochs_and_batch_losses(moons):
    (x_tr, _), _, _ = moons
    n = len(x_tr)
    for batch_size in (32, 64, 400, 1000):
        _, history = train_moons(moons, epochs=3, batch_size=batch_size)
        per_epoch = math.ceil(n / batch_size)
        assert history.updates_per_epoch == per_epoch
        assert history.updates == 3 * per_epoch
        assert len(history.batch_loss) == history.updates
        assert len(history.train_loss) == len(history.val_loss) == history.epochs == 3
        assert len(history.train_accuracy) == len(history.val_accuracy) == 3


def test_train_loss_is_the_size_weighted_mean_of_batch_losses(moons):
    (x_tr, _), _, _ = moons
    _, history = train_moons(moons, epochs=2, batch_size=64)  # 400 = 6 * 64 + 16
    sizes = np.array([64] * 6 + [16])
    for epoch in range(2):
        batch = np.array(history.batch_loss[7 * epoch: 7 * (epoch + 1)])
        assert history.train_loss[epoch] == pytest.approx(np.sum(batch * sizes) / len(x_tr), rel=1e-12)


def test_validation_numbers_are_those_of_the_final_model(moons):
    model, history = train_moons(moons, epochs=5)
    _, (x_va, y_va), _ = moons
    result = evaluate(model, SoftmaxCrossEntropy(), x_va, y_va)
    assert history.val_loss[-1] == result.loss
    assert history.val_accuracy[-1] == result.accuracy
    assert all(0.0 <= a <= 1.0 for a in history.train_accuracy + history.val_accuracy)


def test_same_seed_gives_identical_histories(moons):
    _, a = train_moons(moons, epochs=5, seed=3)
    _, b = train_moons(moons, epochs=5, seed=3)
    _, c = train_moons(moons, epochs=5, seed=4)
    assert a.train_loss == b.train_loss and a.val_loss == b.val_loss
    assert a.batch_loss == b.batch_loss and a.val_accuracy == b.val_accuracy
    assert a.train_loss != c.train_loss


def test_fit_is_the_textbook_loop():
    """One epoch of fit equals the loop written out with minibatches, number for number."""
    x, y = make_moons(100, noise=0.1, rng=1)
    model_fit, model_hand = mlp([2, 8, 2], rng=2), mlp([2, 8, 2], rng=2)
    fit(model_fit, SoftmaxCrossEntropy(), SGD(model_fit.parameters(), lr=0.3), x, y, epochs=1, batch_size=16,
        rng=9)
    loss, optimizer = SoftmaxCrossEntropy(), SGD(model_hand.parameters(), lr=0.3)
    for x_batch, y_batch in nnlib.minibatches(x, y, 16, rng=9):
        loss.forward(model_hand.forward(x_batch), y_batch)
        optimizer.zero_grad()
        model_hand.backward(loss.backward())
        optimizer.step()
    for p, q in zip(model_fit.parameters(), model_hand.parameters()):
        np.testing.assert_array_equal(p.value, q.value)


def test_on_epoch_end_sees_each_epoch(moons):
    calls = []
    train_moons(moons, epochs=4, on_epoch_end=lambda epoch, h: calls.append((epoch, h.epochs, len(h.val_loss))))
    assert calls == [(1, 1, 1), (2, 2, 2), (3, 3, 3), (4, 4, 4)]


def test_no_shuffle_is_deterministic_without_a_seed(moons):
    (x_tr, y_tr), _, _ = moons
    histories = []
    for _ in range(2):
        model = mlp([2, 8, 2], rng=0)
        histories.append(fit(model, SoftmaxCrossEntropy(), SGD(model.parameters(), lr=0.1), x_tr, y_tr,
                             epochs=2, batch_size=50, shuffle=False))
    assert histories[0].batch_loss == histories[1].batch_loss


# Divergence -----------------------------------------------------------------

def assert_clean_history(history):
    for values in (history.train_loss, history.val_loss, history.train_accuracy, history.val_accuracy,
                   history.batch_loss):
        assert all(math.isfinite(v) for v in values), values


def test_huge_learning_rate_is_reported_not_raised(moons):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # not even a RuntimeWarning from numpy
        _, history = train_moons(moons, lr=1e4, epochs=10)
    assert history.diverged
    assert history.epochs < 10
    assert_clean_history(history)
    assert history.message.startswith("Training diverged in epoch 1, batch ")
    assert "The learning rate 10000 is too large for this problem: try 1000 or smaller." in history.message


def test_loss_that_becomes_infinite_or_nan_is_reported_without_warnings():
    x, y = nnlib.make_line(64, rng=0)
    model = mlp([1, 8, 1], rng=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        history = fit(model, MSELoss(), SGD(model.parameters(), lr=1e3), x, y, epochs=200, batch_size=8, rng=0,
                      divergence_factor=np.finfo(np.float64).max)  # only inf or NaN count
    assert history.diverged
    assert_clean_history(history)
    assert re.search(r"the loss became (infinite|NaN \(not a number\))\. ", history.message)
    assert "try 100 or smaller" in history.message


class ExplodingSGD(SGD):
    """SGD that multiplies every weight by 1e6 on its 25th update."""

    def step(self):
        super().step()
        self.count = getattr(self, "count", 0) + 1
        if self.count == 25:
            for p in self.parameters:
                p.value *= 1e6


def test_divergence_message_names_epoch_batch_and_updates():
    x, y = nnlib.make_line(100, rng=0)
    model = mlp([1, 4, 1], activation="tanh", rng=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        history = fit(model, MSELoss(), ExplodingSGD(model.parameters(), lr=0.01), x, y, epochs=5, batch_size=10,
                      rng=0, validation=(x, y))
    # 10 batches per epoch: updates 21..25 happen in epoch 3; batch 6 of epoch 3 sees the explosion.
    assert history.diverged and history.updates == 25
    assert history.message.startswith("Training diverged in epoch 3, batch 6 of 10 (after 25 updates): the loss grew from ")
    assert history.message.endswith("The learning rate 0.01 is too large for this problem: try 0.001 or smaller.")
    assert len(history.train_loss) == len(history.val_loss) == 2  # only completed epochs
    assert len(history.batch_loss) == 25
    assert_clean_history(history)


# Errors ---------------------------------------------------------------------

def small_problem():
    x, y = make_moons(40, noise=0.1, rng=0)
    model = mlp([2, 4, 2], rng=0)
    return model, SoftmaxCrossEntropy(), SGD(model.parameters(), lr=0.1), x, y


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_fit_rejects_nan_and_inf_in_x(bad):
    model, loss, opt, x, y = small_problem()
    x[7, 0] = bad
    with pytest.raises(ValueError, match=r"x contains 1 NaN or infinite value\(s\); clean the data first"):
        fit(model, loss, opt, x, y, epochs=1, batch_size=8)
    _, _, _, x_ok, _ = small_problem()
    with pytest.raises(ValueError, match=r"validation x contains 1 NaN or infinite value\(s\)"):
        fit(model, loss, opt, x_ok, y, epochs=1, batch_size=8, validation=(x, y))


@pytest.mark.parametrize("batch_size", [0, -1])
def test_fit_rejects_bad_batch_size(batch_size):
    model, loss, opt, x, y = small_problem()
    with pytest.raises(ValueError, match=rf"batch_size must be at least 1; got {batch_size}"):
        fit(model, loss, opt, x, y, epochs=1, batch_size=batch_size)


def test_fit_argument_errors():
    model, loss, opt, x, y = small_problem()
    with pytest.raises(ValueError, match=r"epochs must be at least 1; got 0"):
        fit(model, loss, opt, x, y, epochs=0, batch_size=8)
    with pytest.raises(ValueError, match=r"x must be 2-D; got shape \(40,\)"):
        fit(model, loss, opt, x[:, 0], y, epochs=1, batch_size=8)
    with pytest.raises(ValueError, match=r"x and y must have the same number of examples; got 40 and 39"):
        fit(model, loss, opt, x, y[:-1], epochs=1, batch_size=8)
    with pytest.raises(ValueError, match=r"validation must be a pair \(x_val, y_val\)"):
        fit(model, loss, opt, x, y, epochs=1, batch_size=8, validation=(x, y, y))
    with pytest.raises(TypeError, match=r"rng must be a numpy.random.Generator, an int seed or None; got RandomState"):
        fit(model, loss, opt, x, y, epochs=1, batch_size=8, rng=np.random.RandomState(0))


def test_fit_rejects_labels_out_of_range():
    model, loss, opt, x, y = small_problem()
    y = y.copy()
    y[-1] = 2  # two outputs: labels must be 0 or 1; the bad one is in the last batch
    before = [p.value.copy() for p in model.parameters()]
    with pytest.raises(ValueError, match=r"fit: y: label 2 is out of range; expected labels in 0\.\.1"):
        fit(model, loss, opt, x, y, epochs=1, batch_size=8, shuffle=False)
    # Checked before training: no update was made.
    assert all(np.array_equal(b, p.value) for b, p in zip(before, model.parameters()))
    with pytest.raises(TypeError, match=r"target must hold integer class labels; got dtype float64"):
        fit(model, loss, opt, x, y.astype(float), epochs=1, batch_size=8)


def test_predict_classes_and_accuracy():
    outputs = np.array([[0.1, 2.0, -1.0], [3.0, 0.0, 0.0], [0.0, 0.0, 5.0]])
    np.testing.assert_array_equal(nnlib.predicted_classes(outputs), [1, 0, 2])
    np.testing.assert_array_equal(nnlib.predicted_classes(np.array([[-0.5], [0.5]])), [0, 1])
    assert nnlib.accuracy(outputs, np.array([1, 0, 0])) == pytest.approx(2 / 3)
    model = mlp([2, 3], rng=0)
    x = np.ones((4, 2))
    np.testing.assert_array_equal(nnlib.predict(model, x), x @ model[0].W.value)


def test_a_float32_model_trains_in_float32_on_float64_data():
    x, y = make_moons(64, noise=0.1, rng=0)  # float64 data
    model = mlp([2, 8, 2], rng=0, dtype=np.float32)
    loss = SoftmaxCrossEntropy()
    history = fit(model, loss, SGD(model.parameters(), lr=0.5), x, y, epochs=30, batch_size=16, rng=0)
    assert not history.diverged and history.train_accuracy[-1] > 0.8
    assert all(p.value.dtype == np.float32 and p.grad.dtype == np.float32 for p in model.parameters())
    outputs = model.forward(x)
    assert outputs.dtype == np.float32 and model[1]._slope.dtype == np.float32
    loss.forward(outputs, y)
    assert loss.backward().dtype == np.float32
