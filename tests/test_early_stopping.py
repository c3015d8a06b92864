"""EarlyStopping in fit: when it stops, which epoch it keeps, that the
restored model really is that epoch's model (also when training ran all its
epochs), the replay of a finished run, and clear errors."""

import numpy as np
import pytest

from nnlib import (SGD, EarlyStopping, MSELoss, SoftmaxCrossEntropy, evaluate, fit, make_line, make_moons, mlp,
                   replay_early_stopping, train_val_test_split)
from nnlib.training import epochs_without_improvement


@pytest.fixture(scope="module")
def moons():
    # Few, noisy points and a wide network: the validation loss has a
    # minimum and then rises, so there is something to stop on.
    x, y = make_moons(120, noise=0.35, rng=1)
    train, val, _ = train_val_test_split(x, y, val_fraction=0.5, test_fraction=0.0, rng=1)
    return train, val


def train(moons, *, epochs=80, early_stopping=None, on_epoch_end=None, lr=0.3, seed=0):
    train_set, val = moons
    model = mlp([2, 64, 64, 2], rng=seed)
    optimizer = SGD(model.parameters(), lr=lr, momentum=0.9)
    history = fit(model, SoftmaxCrossEntropy(), optimizer, *train_set, epochs=epochs, batch_size=16,
                  validation=val, rng=seed, early_stopping=early_stopping, on_epoch_end=on_epoch_end)
    return model, history


def test_the_fixture_overfits_so_the_best_epoch_is_not_the_last(moons):
    _, history = train(moons)
    best = int(np.argmin(history.val_loss)) + 1
    assert 5 < best < 60, best  # well inside the run
    assert history.val_loss[-1] > 1.5 * min(history.val_loss)


def test_best_epoch_is_filled_without_early_stopping(moons):
    model, history = train(moons)
    assert history.best_epoch == int(np.argmin(history.val_loss)) + 1
    assert history.restored_epoch is None and not history.stopped_early
    # Nothing restored: the model is the last epoch's.
    assert evaluate(model, SoftmaxCrossEntropy(), *moons[1]).loss == history.val_loss[-1]


def test_no_validation_means_no_best_epoch(moons):
    model = mlp([2, 8, 2], rng=0)
    history = fit(model, SoftmaxCrossEntropy(), SGD(model.parameters(), lr=0.1), *moons[0], epochs=2,
                  batch_size=16, rng=0)
    assert history.best_epoch is None and not history.stopped_early


def test_restores_the_best_epoch_even_when_training_ran_all_its_epochs(moons):
    model, history = train(moons, early_stopping=EarlyStopping(patience=1000))
    assert not history.stopped_early and history.epochs == 80
    best = int(np.argmin(history.val_loss)) + 1
    assert history.best_epoch == best and history.restored_epoch == best
    # Exactly the numbers recorded after that epoch, not approximately.
    assert evaluate(model, SoftmaxCrossEntropy(), *moons[1]).loss == history.val_loss[best - 1]
    assert f"Restored the parameters of epoch {best}," in history.message
    assert "Stopped early" not in history.message


def test_stops_after_patience_epochs_without_improvement_and_restores(moons):
    model, history = train(moons, early_stopping=EarlyStopping(patience=5))
    assert history.stopped_early
    assert history.epochs == history.best_epoch + 5 < 80
    assert history.val_loss[history.best_epoch - 1] == min(history.val_loss)
    assert all(v >= history.val_loss[history.best_epoch - 1] for v in history.val_loss[history.best_epoch:])
    assert evaluate(model, SoftmaxCrossEntropy(), *moons[1]).loss == history.val_loss[history.best_epoch - 1]
    assert (f"Stopped early: val_loss did not improve for 5 epochs after epoch {history.best_epoch}. "
            f"Restored the parameters of epoch {history.best_epoch}") in history.message


def test_without_restore_the_model_keeps_its_last_parameters(moons):
    model, history = train(moons, early_stopping=EarlyStopping(patience=5, restore_best=False))
    assert history.stopped_early and history.restored_epoch is None
    assert evaluate(model, SoftmaxCrossEntropy(), *moons[1]).loss == history.val_loss[-1]
    assert "Restored" not in history.message


def test_fit_stops_where_the_replay_of_the_full_run_says(moons):
    _, full = train(moons)
    for monitor in ("val_loss", "val_accuracy"):
        for patience in (1, 3, 10, 100):
            point = replay_early_stopping(getattr(full, monitor), patience, monitor=monitor)
            _, history = train(moons, early_stopping=EarlyStopping(patience, monitor=monitor))
            assert (history.epochs, history.best_epoch, history.stopped_early) == (
                point.stop_epoch, point.best_epoch, point.stopped_early), (monitor, patience)
            assert history.val_loss == full.val_loss[: history.epochs]  # same run, cut short


def test_monitor_accuracy_keeps_the_first_epoch_with_the_highest_accuracy(moons):
    model, history = train(moons, early_stopping=EarlyStopping(patience=1000, monitor="val_accuracy"))
    best = int(np.argmax(history.val_accuracy)) + 1  # argmax: the first of equal maxima
    assert history.best_epoch == best
    result = evaluate(model, SoftmaxCrossEntropy(), *moons[1])
    assert result.accuracy == history.val_accuracy[best - 1]
    assert result.loss == history.val_loss[best - 1]
    assert "the best val_accuracy" in history.message


def test_loss_and_accuracy_pick_different_epochs_here(moons):
    _, history = train(moons)
    assert int(np.argmin(history.val_loss)) != int(np.argmax(history.val_accuracy))


def test_patience_counter_and_min_delta():
    losses = [1.0, 0.5, 0.49, 0.6, 0.3, 0.31, 0.32]
    assert epochs_without_improvement(losses) == [0, 0, 0, 1, 0, 1, 2]
    # 0.49 is not better than 0.5 by more than 0.05; 0.3 is better than 0.5 by 0.2.
    assert epochs_without_improvement(losses, min_delta=0.05) == [0, 0, 1, 2, 0, 1, 2]
    accuracies = [0.5, 0.7, 0.7, 0.71, 0.9]
    assert epochs_without_improvement(accuracies, monitor="val_accuracy") == [0, 0, 1, 0, 0]
    assert epochs_without_improvement(accuracies, monitor="val_accuracy", min_delta=0.05) == [0, 0, 1, 2, 0]
    assert epochs_without_improvement([float("nan"), 1.0, float("nan")]) == [1, 0, 1]

    point = replay_early_stopping(losses, 2, min_delta=0.05)
    assert (point.best_epoch, point.stop_epoch, point.stopped_early) == (2, 4, True)
    point = replay_early_stopping(losses, 3)
    assert (point.best_epoch, point.stop_epoch, point.stopped_early) == (5, 7, False)


def test_min_delta_in_fit_counts_only_large_improvements(moons):
    model, history = train(moons, early_stopping=EarlyStopping(patience=4, min_delta=10.0))
    # No epoch can lower the loss by 10: the first epoch stays the best.
    assert history.best_epoch == 1 and history.epochs == 5 and history.stopped_early
    assert evaluate(model, SoftmaxCrossEntropy(), *moons[1]).loss == history.val_loss[0]


def test_divergence_after_some_epochs_restores_the_best_epoch_before_it(moons):
    def blow_up(epoch, history):  # after epoch 3 the learning rate becomes absurd
        if epoch == 3:
            optimizer_holder[0].lr = 1e4

    train_set, val = moons
    model = mlp([2, 64, 64, 2], rng=0)
    optimizer = SGD(model.parameters(), lr=0.1)
    optimizer_holder = [optimizer]
    history = fit(model, SoftmaxCrossEntropy(), optimizer, *train_set, epochs=20, batch_size=16,
                  validation=val, rng=0, on_epoch_end=blow_up, early_stopping=EarlyStopping(5))
    assert history.diverged and not history.stopped_early
    assert history.epochs == 3 and history.best_epoch == int(np.argmin(history.val_loss)) + 1
    assert history.message.startswith("Training diverged in epoch 4")
    assert f"Restored the parameters of epoch {history.best_epoch}" in history.message
    assert evaluate(model, SoftmaxCrossEntropy(), *val).loss == history.val_loss[history.best_epoch - 1]


def test_divergence_in_the_first_epoch_has_nothing_to_restore(moons):
    model = mlp([2, 64, 64, 2], rng=0)
    history = fit(model, SoftmaxCrossEntropy(), SGD(model.parameters(), lr=1e4), *moons[0], epochs=5,
                  batch_size=16, validation=moons[1], rng=0, early_stopping=EarlyStopping(3))
    assert history.diverged and history.best_epoch is None and history.restored_epoch is None
    assert "Restored" not in history.message


def test_one_early_stopping_object_serves_several_fits(moons):
    rule = EarlyStopping(patience=5)
    _, first = train(moons, early_stopping=rule)
    _, second = train(moons, early_stopping=rule)
    assert first.val_loss == second.val_loss and first.best_epoch == second.best_epoch


def test_early_stopping_without_validation_is_a_clear_error(moons):
    model = mlp([2, 8, 2], rng=0)
    with pytest.raises(ValueError, match=r"early_stopping needs validation data: pass validation="):
        fit(model, SoftmaxCrossEntropy(), SGD(model.parameters(), lr=0.1), *moons[0], epochs=2,
            batch_size=16, early_stopping=EarlyStopping(3))


def test_accuracy_cannot_be_monitored_for_regression():
    x, y = make_line(40, rng=0)
    model = mlp([1, 1], rng=0)
    with pytest.raises(ValueError, match="monitors val_accuracy, which MSELoss does not measure"):
        fit(model, MSELoss(), SGD(model.parameters(), lr=0.1), x, y, epochs=2, batch_size=8,
            validation=(x, y), early_stopping=EarlyStopping(3, monitor="val_accuracy"))
    # val_loss works for regression.
    history = fit(model, MSELoss(), SGD(model.parameters(), lr=0.1), x, y, epochs=3, batch_size=8,
                  validation=(x, y), early_stopping=EarlyStopping(3), rng=0)
    assert history.best_epoch is not None


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(patience=0), ValueError, "patience must be at least 1; got 0"),
    (dict(patience=-2), ValueError, "patience must be at least 1; got -2"),
    (dict(patience=2.5), TypeError, "patience must be a positive integer; got 2.5"),
    (dict(monitor="loss"), ValueError, "monitor must be one of ['val_accuracy', 'val_loss']; got 'loss'"),
    (dict(min_delta=-0.1), ValueError, "min_delta must be a finite number >= 0; got -0.1"),
    (dict(min_delta=float("nan")), ValueError, "min_delta must be a finite number >= 0; got nan"),
    (dict(min_delta="0.1"), TypeError, "min_delta must be a number >= 0; got '0.1'"),
    (dict(restore_best="yes"), TypeError, "restore_best must be True or False; got 'yes'"),
])
def test_bad_arguments_name_what_is_wrong(kwargs, error, words):
    with pytest.raises(error) as info:
        EarlyStopping(**kwargs)
    assert words in str(info.value)


def test_early_stopping_must_be_an_early_stopping(moons):
    model = mlp([2, 8, 2], rng=0)
    with pytest.raises(TypeError, match="early_stopping must be an EarlyStopping; got int"):
        fit(model, SoftmaxCrossEntropy(), SGD(model.parameters(), lr=0.1), *moons[0], epochs=2,
            batch_size=16, validation=moons[1], early_stopping=10)


def test_replay_rejects_a_bad_patience():
    with pytest.raises(ValueError, match="patience must be at least 1; got 0"):
        replay_early_stopping([1.0, 0.5], 0)
    assert repr(EarlyStopping(3)) == "EarlyStopping(patience=3, monitor='val_loss', min_delta=0, restore_best=True)"
