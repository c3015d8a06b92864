"""Notebook 08: the label-noise runs and panel, the early-stopping replay
panel, and the plots of the training loop. Panels are driven from Python
as a learner's slider would drive them; the assertions read what they
report and what they drew."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import nnlib  # noqa: E402
from nnlib import EarlyStopping, SGD, SoftmaxCrossEntropy, confusion_matrix, corrupt_labels, fit, mlp  # noqa: E402
from nnlib.plots import loop as loop_plots  # noqa: E402
from nnlib.widgets import early_stopping_panel, label_noise_panel  # noqa: E402
from nnlib.widgets.label_noise import FRACTIONS, digits_sets, train_with_label_noise  # noqa: E402

# Small runs, so the tests stay quick: 200 digits, 64-32-10, 40 epochs.
SMALL = dict(n_train=200, hidden=32, lr=0.2, batch_size=40, epochs=40, seed=0)


@pytest.fixture(scope="module")
def sets():
    return digits_sets(SMALL["n_train"], seed=0)


@pytest.fixture(scope="module")
def noisy_run(sets):
    settings = {k: v for k, v in SMALL.items() if k != "n_train"}
    return train_with_label_noise(*sets, 0.3, **settings)


@pytest.fixture(scope="module")
def noise_panel():
    return label_noise_panel(fraction=0.3, settings=SMALL)


def drawn(line):
    x, y = line.get_data()
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


def test_digits_sets_split_half_quarter_quarter():
    (x_train, y_train), (x_val, _), (x_test, _) = digits_sets()
    assert (len(x_train), len(x_val), len(x_test)) == (899, 449, 449)
    (x_small, y_small), _, _ = digits_sets(100)
    np.testing.assert_array_equal(x_small, x_train[:100])
    np.testing.assert_array_equal(y_small, y_train[:100])


def test_noisy_run_measures_every_epoch_from_the_random_start(noisy_run, sets):
    run = noisy_run
    assert run.epochs == 40
    for name in ("train_accuracy", "train_loss", "val_accuracy", "val_loss", "test_accuracy", "test_loss",
                 "memorised"):
        assert len(getattr(run, name)) == 41, name
    # 60 of 200 labels changed, with corrupt_labels and seed + 1.
    _, expected_flipped = corrupt_labels(sets[0][1], 0.3, n_classes=10, rng=1)
    np.testing.assert_array_equal(run.flipped, expected_flipped)
    assert run.flipped.sum() == 60
    # Epoch 0 is the random network: a guess among ten classes.
    assert run.val_accuracy[0] < 0.25
    # Epochs 1.. are fit's own validation numbers, exactly.
    assert list(run.val_accuracy[1:]) == run.history.val_accuracy
    assert list(run.val_loss[1:]) == run.history.val_loss
    assert run.val_accuracy.max() > 0.7  # it learns despite the wrong labels
    assert np.all((0 <= run.memorised) & (run.memorised <= 1))


def test_memorised_counts_the_wrong_labels_the_model_reproduces(sets):
    # Retrain the same run and recompute the memorised fraction at the end by hand.
    (x, y), val, test = sets
    settings = {k: v for k, v in SMALL.items() if k != "n_train"}
    settings["epochs"] = 5
    run = train_with_label_noise((x, y), val, test, 0.3, **settings)
    y_noisy, flipped = corrupt_labels(y, 0.3, n_classes=10, rng=1)
    model = mlp([64, 32, 10], rng=0)
    fit(model, SoftmaxCrossEntropy(), SGD(model.parameters(), lr=0.2), x, y_noisy, epochs=5, batch_size=40,
        validation=val, rng=0)
    predicted = nnlib.predicted_classes(model.forward(x))
    assert run.memorised[-1] == np.mean(predicted[flipped] == y_noisy[flipped])
    assert run.train_accuracy[-1] == np.mean(predicted == y_noisy)
    assert run.test_accuracy[-1] == np.mean(nnlib.predicted_classes(model.forward(test[0])) == test[1])


def test_clean_labels_have_nothing_to_memorise(sets):
    settings = {k: v for k, v in SMALL.items() if k != "n_train"}
    settings["epochs"] = 3
    run = train_with_label_noise(*sets, 0.0, **settings)
    assert not run.flipped.any() and np.all(np.isnan(run.memorised))


def test_noise_panel_draws_the_chosen_run_and_caches_it(noise_panel):
    panel = noise_panel
    view = panel.view
    run30 = panel.runs[0.3]
    assert panel.text.startswith("wrong labels=30%: val acc ")
    best = int(np.argmax(run30.val_accuracy))
    assert f"best {100 * run30.val_accuracy[best]:.0f}% at epoch {best}" in panel.text
    # The memorised fractions name their epochs: the star's and the last.
    assert panel.text.endswith(f"; wrong labels memorised {100 * run30.memorised[best]:.0f}% at epoch {best}, "
                               f"{100 * run30.memorised[-1]:.0f}% at epoch 40")
    np.testing.assert_array_equal(drawn(view.val_line)[1], run30.val_accuracy)
    np.testing.assert_array_equal(drawn(view.memorised_line)[1], run30.memorised)
    assert drawn(view.best_marker) == (pytest.approx([best]), pytest.approx([run30.val_accuracy[best]]))
    # Phases: initialisation 0..1, learning 1..best, memorisation best..end.
    spans = [(span.get_x(), span.get_x() + span.get_width()) for span in view.spans]
    assert spans == [(0, 1), (1, max(best, 1)), (max(best, 1), 40)]
    png_30 = panel.png

    panel.controls["fraction"].value = 0.0
    assert panel.text.endswith("(no wrong labels to memorise)")
    assert drawn(view.memorised_line)[0].size == 0
    assert view.spans[1].get_x() + view.spans[1].get_width() == 40  # learning to the end
    assert not view.spans[2].get_visible()
    assert panel.png != png_30

    panel.controls["fraction"].value = 0.3  # back: the cached run, not a new one
    assert panel.runs[0.3] is run30
    np.testing.assert_array_equal(drawn(view.val_line)[1], run30.val_accuracy)
    assert set(panel.runs) == {0.0, 0.3}
    assert panel.stops == {"fraction": list(FRACTIONS)}
    # While a setting trains, the status says so; a cached one needs no message.
    assert panel.busy(fraction=0.3) is None
    assert panel.busy(fraction=0.4) == "wrong labels=40%: training 40 epochs..."


def test_noise_panel_rejects_a_fraction_off_the_slider():
    with pytest.raises(ValueError, match=r"fraction must be one of \(0.0, 0.1, 0.2, 0.3, 0.4\); got 0.25"):
        label_noise_panel(fraction=0.25, settings=SMALL)


@pytest.fixture(scope="module")
def replay(noisy_run):
    return early_stopping_panel(noisy_run, epoch=10, patience=5)


def test_replay_marks_the_stop_and_best_epochs_of_fits_rule(replay, noisy_run):
    run, view = noisy_run, replay.view
    point = nnlib.replay_early_stopping(run.history.val_loss, 5)
    assert point.stopped_early  # this run overfits: patience 5 stops it
    for line in view.best_lines:
        assert list(line.get_xdata()) == [point.best_epoch] * 2
    for line in view.stop_lines:
        assert list(line.get_xdata()) == [point.stop_epoch] * 2
    marker, values = view.markers[0]
    assert drawn(marker)[1][0] == run.history.val_loss[9]
    assert f"stops after epoch {point.stop_epoch}, restores epoch {point.best_epoch}: " in replay.text
    assert f"test acc {100 * run.test_accuracy[point.best_epoch]:.1f}%" in replay.text


def test_replay_agrees_with_fit_and_early_stopping(noisy_run, sets):
    # What the panel says early stopping keeps is what fit keeps.
    (x, y), val, _ = sets
    y_noisy, _ = corrupt_labels(y, 0.3, n_classes=10, rng=1)
    model = mlp([64, 32, 10], rng=0)
    history = fit(model, SoftmaxCrossEntropy(), SGD(model.parameters(), lr=0.2), x, y_noisy, epochs=40,
                  batch_size=40, validation=val, rng=0, early_stopping=EarlyStopping(5))
    point = nnlib.replay_early_stopping(noisy_run.history.val_loss, 5)
    assert (history.best_epoch, history.epochs) == (point.best_epoch, point.stop_epoch)
    assert nnlib.evaluate(model, SoftmaxCrossEntropy(), *val).accuracy == noisy_run.val_accuracy[point.best_epoch]


def test_replay_controls_move_what_is_drawn(replay, noisy_run):
    run, view = noisy_run, replay.view
    replay.controls["patience"].value = 50  # longer than the run: never stops
    point = nnlib.replay_early_stopping(run.history.val_loss, 50)
    assert not point.stopped_early
    assert "never stops (all 40 epochs), restores epoch" in replay.text
    assert list(view.stop_lines[0].get_xdata()) == [40, 40]

    replay.controls["restore"].value = False
    assert "keeps the last, epoch 40:" in replay.text
    assert f"val acc {100 * run.val_accuracy[40]:.1f}%" in replay.text

    replay.controls["patience"].value = 5
    replay.controls["monitor"].value = "val_accuracy"
    point = nnlib.replay_early_stopping(run.history.val_accuracy, 5, monitor="val_accuracy")
    assert f"val_accuracy, patience 5: stops after epoch {point.stop_epoch}, keeps the last, epoch " \
           f"{point.stop_epoch}:" in replay.text
    assert list(view.best_lines[1].get_xdata()) == [point.best_epoch] * 2

    replay.controls["epoch"].value = 40  # after the stop
    assert replay.text.startswith(f"epoch 40: training stopped after epoch {point.stop_epoch}")
    assert "training stopped" in view.counter.get_text()
    replay.controls["epoch"].value = 1
    waited = nnlib.training.epochs_without_improvement(run.history.val_accuracy, monitor="val_accuracy")[0]
    assert replay.text.startswith(f"epoch 1: no improvement for {waited} of 5")
    assert drawn(view.markers[1][0])[1][0] == run.history.val_accuracy[0]


def test_replay_extremes_and_stops(noisy_run):
    panel = early_stopping_panel(noisy_run, epoch=1, patience=1, monitor="val_loss", restore=True)
    point = nnlib.replay_early_stopping(noisy_run.history.val_loss, 1)
    assert f"patience 1: stops after epoch {point.stop_epoch}" in panel.text
    assert set(panel.stops) == {"epoch", "patience", "restore", "monitor"}
    count = np.prod([len(values) for values in panel.stops.values()])
    assert count <= 60
    with pytest.raises(ValueError, match="monitor must be one of"):
        early_stopping_panel(noisy_run, monitor="loss")
    with pytest.raises(ValueError, match=r"epoch must be in 1..40; got 41"):
        early_stopping_panel(noisy_run, epoch=41)
    with pytest.raises(ValueError, match=r"patience must be in 1..50; got 0"):
        early_stopping_panel(noisy_run, patience=0)


def test_plot_batch_losses_draws_each_batch_and_the_means_at_end_and_middle():
    batch = [2.0, 1.0, 0.8, 0.6]
    fig = loop_plots.plot_batch_losses(batch, 2, [1.5, 0.7], [1.1, 0.5], [1.2, 0.65])
    lines = fig.axes[0].lines
    np.testing.assert_allclose(drawn(lines[0])[0], [0.5, 1.0, 1.5, 2.0])
    np.testing.assert_allclose(drawn(lines[1])[0], [1, 2])
    np.testing.assert_allclose(drawn(lines[2])[0], [0.5, 1.5])
    np.testing.assert_allclose(drawn(lines[1])[1], [1.5, 0.7])
    assert fig.axes[0].get_xlabel() and fig.axes[0].get_ylabel() and fig.axes[0].get_title()


def test_confusion_matrix_counts_and_plot():
    matrix = confusion_matrix([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 0, 2], 3)
    np.testing.assert_array_equal(matrix, [[1, 1, 0], [0, 1, 0], [1, 0, 2]])
    fig = loop_plots.plot_confusion_matrix(matrix)
    assert "2 mistakes of 6" in fig.axes[0].get_title()
    texts = {t.get_text() for t in fig.axes[0].texts}
    assert texts == {"1", "2"}


def test_misclassified_grid_titles_and_gallery():
    images = np.linspace(0, 1, 3 * 64).reshape(3, 64)
    fig = loop_plots.plot_misclassified(images, [3, 8, 9], [8, 3, 4])
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles == ["true 3, said 8", "true 8, said 3", "true 9, said 4"]
    history = nnlib.History(train_loss=[1.0, 0.5], val_loss=[1.1, 0.7])
    fig = loop_plots.plot_curve_gallery([("a", history), ("b", history)])
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in visible] == ["a", "b"]
    np.testing.assert_allclose(drawn(visible[1].lines[1])[1], [1.1, 0.7])


def test_plot_phases_is_a_plain_figure_and_the_panel_view_is_animated(noisy_run):
    # A figure shown once must draw everything; savefig skips animated artists.
    fig = loop_plots.plot_phases(noisy_run)
    assert not fig.findobj(lambda artist: artist.get_animated())
    ax = fig.axes[0]
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), noisy_run.train_accuracy)
    view = loop_plots.PhasesView(noisy_run.epochs)
    assert view.train_line.get_animated() and view.spans[0].get_animated()


def test_early_stopping_panel_has_notebook_08s_run_by_default():
    panel = early_stopping_panel(patience=20)
    assert panel.controls["epoch"].max == 150  # notebook 08's run: 150 epochs, 30 % wrong labels
    assert "stops after epoch 77, restores epoch 57" in panel.text, panel.text  # as notebook 08 says
