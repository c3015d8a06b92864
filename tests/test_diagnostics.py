"""nnlib/diagnostics.py and the init / gain of Linear and mlp (notebook 10):
statistics against a direct numpy computation, the variance-propagation
rule checked layer by layer, gradients still right, bad arguments named."""

import math

import numpy as np
import pytest

import nnlib
from nnlib.diagnostics import SATURATION, kind_of


def digits_small(n=300):
    x, y = nnlib.load_digits()
    return x[:n], y[:n]


# --- init and gain ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("init, variance", [("he", 2 / 50), ("lecun", 1 / 50), ("glorot", 2 / 80)])
def test_gain_multiplies_the_standard_deviation_of_each_init(init, variance):
    plain = nnlib.Linear(50, 30, init=init, rng=3)
    doubled = nnlib.Linear(50, 30, init=init, gain=2.0, rng=3)
    np.testing.assert_allclose(doubled.W.value, 2.0 * plain.W.value, rtol=1e-15)
    assert plain.init_std == pytest.approx(math.sqrt(variance))
    assert doubled.init_std == pytest.approx(2 * math.sqrt(variance))
    big = nnlib.Linear(400, 500, init=init, gain=0.5, rng=0)
    assert big.W.value.std() == pytest.approx(0.5 * math.sqrt(init_var(init, 400, 500)), rel=0.01)


def init_var(init, n_in, n_out):
    return {"he": 2 / n_in, "lecun": 1 / n_in, "glorot": 2 / (n_in + n_out)}[init]


def test_gain_one_keeps_the_weights_of_before_bit_for_bit():
    """Notebooks 01-09 keep their numbers: the default draws the same weights as before the gain existed."""
    rng = np.random.default_rng(7)
    expected = rng.standard_normal((64, 32)) * np.sqrt(2.0 / 64)
    assert np.array_equal(nnlib.Linear(64, 32, rng=7).W.value, expected)


def test_zeros_init_and_mlp_defaults():
    assert not np.any(nnlib.Linear(5, 4, init="zeros", rng=0).W.value)
    def inits(model):
        return [(layer.init, layer.gain) for layer in model.layers if isinstance(layer, nnlib.Linear)]

    assert inits(nnlib.mlp([4, 8, 3], rng=0)) == [("he", 1.0)] * 2
    assert inits(nnlib.mlp([4, 8, 3], activation="tanh", rng=0)) == [("lecun", 1.0)] * 2
    assert inits(nnlib.mlp([4, 8, 3], activation="sigmoid", rng=0)) == [("lecun", 1.0)] * 2
    assert inits(nnlib.mlp([4, 8, 8, 3], activation="tanh", init="glorot", gain=3, rng=0)) == [("glorot", 3.0)] * 3
    zero = nnlib.mlp([4, 8, 3], init="zeros", rng=0)
    assert all(not np.any(p.value) for p in zero.parameters())


@pytest.mark.parametrize("kwargs, error, words", [
    ({"init": "xavier"}, ValueError, ["init", "'xavier'", "he", "zeros"]),
    ({"gain": 0}, ValueError, ["gain", "0", "positive"]),
    ({"gain": -1.5}, ValueError, ["gain", "-1.5"]),
    ({"gain": float("nan")}, ValueError, ["gain", "nan"]),
    ({"gain": "2"}, TypeError, ["gain", "'2'"]),
    ({"gain": True}, TypeError, ["gain", "True"]),
])
def test_bad_init_or_gain_is_named(kwargs, error, words):
    for make in (lambda: nnlib.Linear(3, 2, **kwargs), lambda: nnlib.mlp([3, 4, 2], **kwargs)):
        with pytest.raises(error) as info:
            make()
        for word in words:
            assert word in str(info.value)


@pytest.mark.parametrize("activation, init, gain", [("relu", None, 2.0), ("tanh", "glorot", 0.5),
                                                     ("sigmoid", "he", 3.0)])
def test_gradients_still_pass_the_finite_difference_check(activation, init, gain):
    x, y = digits_small(20)
    model = nnlib.mlp([64, 12, 9, 10], activation=activation, init=init, gain=gain, rng=1)
    errors = nnlib.gradient_check(model, nnlib.SoftmaxCrossEntropy(), x, y)
    assert max(errors.values()) < 1e-6, errors
    with nnlib.Recorder(model):  # hooks in place: the same check
        errors = nnlib.gradient_check(model, nnlib.SoftmaxCrossEntropy(), x, y)
    assert max(errors.values()) < 1e-6, errors


# --- the variance-propagation rule ---------------------------------------------------------------------


@pytest.mark.parametrize("activation, init", [("relu", "he"), ("tanh", "lecun"), ("tanh", "glorot"),
                                              ("sigmoid", "lecun")])
@pytest.mark.parametrize("gain", [0.5, 1.0, 2.0])
def test_each_linear_layer_multiplies_the_mean_square_by_gain2_fan_in_var_w(activation, init, gain):
    """E[y²] = gain² * fan_in * Var(w) * E[x²] for y = x @ W, layer by layer: the expectation is over
    the random weights, so the measured ratio is averaged over 4 networks (512 wide, 1000 examples)."""
    x = np.random.default_rng(0).standard_normal((1000, 256))
    ratios, predicted = [], None
    for seed in range(4):
        model = nnlib.mlp([256, 512, 512, 512, 10], activation=activation, init=init, gain=gain, rng=seed)
        with nnlib.Recorder(model) as record:
            model.forward(x)
        inputs = [x] + [record.outputs[i] for i in range(len(model.layers))]
        hidden = [i for i, layer in enumerate(model.layers[:-1]) if isinstance(layer, nnlib.Linear)]
        ratios.append([np.mean(record.outputs[i] ** 2) / np.mean(inputs[i] ** 2) for i in hidden])
        predicted = [gain**2 * model[i].in_features * nnlib.layers.init_variance(init, model[i].in_features,
                                                                                 model[i].out_features)
                     for i in hidden]
        assert [nnlib.variance_factor(model[i]) for i in hidden] == pytest.approx(predicted)
    np.testing.assert_allclose(np.mean(ratios, axis=0), predicted, rtol=0.08)


def test_he_relu_keeps_the_signal_and_gain_multiplies_it_by_gain2_per_layer():
    """Linear (x2 with He) then ReLU (halves a symmetric signal's mean square): gain² per hidden layer
    (averaged over 4 networks)."""
    x = np.random.default_rng(0).standard_normal((2000, 256))
    for gain in (0.5, 1.0, 1.5):
        factors = []
        for seed in range(4):
            model = nnlib.mlp([256] + [512] * 6 + [10], gain=gain, rng=seed)
            with nnlib.Recorder(model) as record:
                model.forward(x)
            squares = [np.mean(x**2)] + [np.mean(record.outputs[i] ** 2) for i in range(1, 12, 2)]
            factors.append(np.array(squares[1:]) / np.array(squares[:-1]))
        np.testing.assert_allclose(np.mean(factors, axis=0), gain**2, rtol=0.08)


# --- the recorder ---------------------------------------------------------------------------------------


def test_recorder_keeps_each_output_and_the_gradient_flowing_back():
    x, y = digits_small(40)
    model = nnlib.mlp([64, 16, 8, 10], activation="tanh", rng=0)
    loss = nnlib.SoftmaxCrossEntropy()
    with nnlib.Recorder(model) as record:
        loss.forward(model.forward(x), y)
        model.backward(loss.backward())
    assert model.hooks == []
    # Forward, by hand.
    h = x
    for i, layer in enumerate(model.layers):
        h = layer.forward(h)
        np.testing.assert_array_equal(record.outputs[i], h)
    # Backward, by hand: the gradient arriving at each layer's output.
    loss.forward(h, y)
    grad = loss.backward()
    for i in range(len(model.layers) - 1, -1, -1):
        np.testing.assert_array_equal(record.grads[i], grad)
        grad = model.layers[i].backward(grad)
    assert sorted(record.outputs) == sorted(record.grads) == list(range(5))


def test_recorder_removes_its_hook_after_an_error_and_needs_a_sequential():
    model = nnlib.mlp([3, 4, 2], rng=0)
    with pytest.raises(ValueError):
        with nnlib.Recorder(model):
            model.forward(np.zeros((2, 5)))
    assert model.hooks == []
    with pytest.raises(TypeError, match="model must be a Sequential.*Linear"):
        nnlib.Recorder(nnlib.Linear(3, 2))
    with pytest.raises(ValueError, match="no forward pass"):
        nnlib.layer_statistics(nnlib.Recorder(model))


# --- statistics against numpy ------------------------------------------------------------------------------


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
def test_layer_statistics_match_numpy(activation):
    x, y = digits_small(100)
    model = nnlib.mlp([64, 32, 32, 10], activation=activation, gain=2.5, rng=4)
    loss = nnlib.SoftmaxCrossEntropy()
    with nnlib.Recorder(model) as record:
        loss.forward(model.forward(x), y)
        model.backward(loss.backward())
    stats = nnlib.layer_statistics(record)
    assert [s.kind for s in stats] == ["linear", activation, "linear", activation, "linear"]
    for s in stats:
        out, grad = record.outputs[s.index], record.grads[s.index]
        assert s.mean == pytest.approx(out.mean()) and s.std == pytest.approx(out.std())
        assert s.mean_square == pytest.approx(np.mean(out**2))
        assert s.grad_std == pytest.approx(grad.std())
        if activation == "relu" and s.kind == "relu":
            assert s.dead == np.mean([not np.any(out[:, j]) for j in range(out.shape[1])])
            assert s.saturated is None
        elif s.kind == "tanh":
            assert s.saturated == np.mean(np.abs(out) > 0.97) and s.dead is None
        elif s.kind == "sigmoid":
            assert s.saturated == np.mean((out < 0.015) | (out > 0.985))
        else:
            assert s.saturated is None and s.dead is None
    if activation == "tanh":
        assert any(s.saturated > 0 for s in stats if s.kind == "tanh")  # gain 2.5 saturates some units


def test_saturated_and_dead_fractions_by_hand():
    assert SATURATION == 0.97
    assert nnlib.saturated_fraction(np.array([[-0.99, 0.5], [0.96, 0.98]]), "tanh") == 0.5
    assert nnlib.saturated_fraction(np.array([0.01, 0.02, 0.5, 0.99]), "sigmoid") == 0.5
    assert nnlib.dead_fraction(np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 2.0]])) == pytest.approx(1 / 3)
    with pytest.raises(ValueError, match="activation must be 'tanh' or 'sigmoid'.*'relu'"):
        nnlib.saturated_fraction(np.zeros(3), "relu")
    with pytest.raises(ValueError, match="y must be 2-D"):
        nnlib.dead_fraction(np.zeros(3))
    assert kind_of(nnlib.ReLU()) == "relu" and kind_of(nnlib.Linear(2, 2)) == "linear"


def test_update_ratios_match_numpy_and_name_lr():
    x, y = digits_small(50)
    model = nnlib.mlp([64, 16, 10], rng=0)
    loss = nnlib.SoftmaxCrossEntropy()
    loss.forward(model.forward(x), y)
    model.backward(loss.backward())
    ratios = nnlib.update_ratios(model, 0.1)
    assert list(ratios) == ["0.W", "2.W"]  # weight matrices only
    for name, layer in (("0.W", model[0]), ("2.W", model[2])):
        expected = 0.1 * np.sqrt(np.sum(layer.W.grad**2)) / np.sqrt(np.sum(layer.W.value**2))
        assert ratios[name] == pytest.approx(expected)
    # One plain SGD step changes each weight matrix by exactly that fraction of its size.
    before = model[0].W.value.copy()
    nnlib.SGD(model.parameters(), lr=0.1).step()
    assert np.linalg.norm(model[0].W.value - before) / np.linalg.norm(before) == pytest.approx(ratios["0.W"])
    zero = nnlib.mlp([64, 4, 10], init="zeros", rng=0)
    loss.forward(zero.forward(x), y)
    zero.backward(loss.backward())
    # All zero: no gradient reaches the weights (0 / 0), the symmetry lesson of notebook 10.
    assert all(math.isnan(ratio) for ratio in nnlib.update_ratios(zero, 0.1).values())
    with pytest.raises(ValueError, match="lr must be a positive finite number; got -1"):
        nnlib.update_ratios(model, -1)
    model.zero_grad(set_to_none=True)  # no gradient since: the update would be 0
    assert nnlib.update_ratios(model, 0.1) == {"0.W": 0.0, "2.W": 0.0}


def test_input_independent_baseline():
    loss, acc = nnlib.input_independent_baseline(np.array([0, 0, 1, 1]))
    assert loss == pytest.approx(math.log(2)) and acc == 0.5
    loss, acc = nnlib.input_independent_baseline(np.array([2, 2, 2, 0]), n_classes=3)
    assert loss == pytest.approx(-(0.75 * math.log(0.75) + 0.25 * math.log(0.25))) and acc == 0.75


# --- training with measurements --------------------------------------------------------------------------


def test_train_watched_runs_fits_loop():
    x, y = digits_small(200)
    a, b = nnlib.mlp([64, 16, 10], rng=0), nnlib.mlp([64, 16, 10], rng=0)
    loss = nnlib.SoftmaxCrossEntropy()
    history = nnlib.fit(a, loss, nnlib.SGD(a.parameters(), lr=0.1), x, y, epochs=3, batch_size=32, rng=5)
    run = nnlib.train_watched(b, loss, nnlib.SGD(b.parameters(), lr=0.1), x, y, epochs=3, batch_size=32,
                              rng=5, validation=(x[:50], y[:50]))
    assert list(run.batch_loss) == history.batch_loss
    assert all(np.array_equal(p.value, q.value) for p, q in zip(a.parameters(), b.parameters()))
    assert run.steps == 21 and run.steps_per_epoch == 7
    assert set(run.update_ratio) == {"0.W", "2.W"} and run.update_ratio["0.W"].shape == (21,)
    assert set(run.dead) == {1} and set(run.grad_std) == {1} and run.saturated == {}
    assert len(run.train_loss) == len(run.val_loss) == 3
    assert run.train_loss[-1] == pytest.approx(nnlib.evaluate(b, loss, x, y).loss)


def test_train_watched_without_zero_grad_adds_the_gradients_up():
    x, y = digits_small(64)
    model, by_hand = nnlib.mlp([64, 8, 10], rng=0), nnlib.mlp([64, 8, 10], rng=0)
    loss = nnlib.SoftmaxCrossEntropy()
    nnlib.train_watched(model, loss, nnlib.SGD(model.parameters(), lr=0.1), x, y, epochs=2, batch_size=64,
                        shuffle=False, zero_grad=False)
    optimizer = nnlib.SGD(by_hand.parameters(), lr=0.1)
    for _ in range(2):  # no zero_grad: the second step uses the sum of both gradients
        loss.forward(by_hand.forward(x), y)
        by_hand.backward(loss.backward())
        optimizer.step()
    assert all(np.array_equal(p.value, q.value) for p, q in zip(model.parameters(), by_hand.parameters()))


def test_train_watched_stops_on_divergence_and_says_so():
    x, y = digits_small(200)
    model = nnlib.mlp([64] + [64] * 6 + [10], gain=3.0, rng=0)
    run = nnlib.train_watched(model, nnlib.SoftmaxCrossEntropy(), nnlib.SGD(model.parameters(), lr=0.1), x, y,
                              epochs=3, batch_size=32, rng=0)
    assert run.diverged and "Training diverged" in run.message and "learning rate" in run.message
    assert len(run.batch_loss) < 21


def test_signal_run_vanishes_explodes_and_names_bad_arguments():
    x, y = digits_small(300)
    small = nnlib.signal_run(x, y, activation="tanh", depth=6, gain=0.3, epochs=1)
    stds = [s.std for s in small.hidden_stats]
    assert len(stds) == 6 and all(b < 0.5 * a for a, b in zip(stds, stds[1:]))  # vanishes layer after layer
    big = nnlib.signal_run(x, y, activation="relu", depth=6, gain=2.0, epochs=1)
    stds = [s.std for s in big.hidden_stats]
    assert all(b > 1.5 * a for a, b in zip(stds, stds[1:]))  # explodes: about gain = 2 per layer (std)
    assert len(big.activations) == len(big.grads) == 6 and big.activations[0].shape == (300, 64)
    with pytest.raises(ValueError, match="activation must be one of.*'gelu'"):
        nnlib.signal_run(x, y, activation="gelu")
    with pytest.raises(ValueError, match="depth must be at least 1; got 0"):
        nnlib.signal_run(x, y, depth=0)
