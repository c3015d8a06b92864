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
from nnlib.label_noise import (FRACTIONS, NoisyRun, digits_sets, moving_average, phase_edges, phase_sets,  # noqa: E402
                               train_with_label_noise, transition_band, wrong_label_agreement)

# Small runs, so the tests stay quick: 200 digits, 64-32-10, 40 epochs.
SMALL = dict(n_train=200, hidden=32, lr=0.2, batch_size=40, epochs=40, seed=0)


@pytest.fixture(scope="module")
def sets():
    return phase_sets(SMALL["n_train"], seed=0)


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


def test_phase_sets_hold_no_test_digit():
    (x_train, y_train), (x_val, y_val), (x_test, _) = digits_sets()
    (x_400, y_400), val, (x_second, y_second) = phase_sets(400)
    np.testing.assert_array_equal(x_400, x_train[:400])
    np.testing.assert_array_equal(val[0], x_val)
    np.testing.assert_array_equal(x_second, x_train[400:])  # the 499 training digits never trained on
    np.testing.assert_array_equal(y_second, y_train[400:])
    assert len(y_400) + len(y_second) == len(y_train)  # made of training and validation digits only
    with pytest.raises(ValueError, match="n_train must be between 1 and 898; got 899"):
        phase_sets(899)


def test_old_import_path_of_the_label_noise_helpers_still_works():
    from nnlib.widgets import label_noise as old
    assert old.train_with_label_noise is train_with_label_noise and old.digits_sets is digits_sets
    assert old.NoisyRun is NoisyRun and old.FRACTIONS == FRACTIONS


def test_moving_average_is_centred_and_shrinks_at_the_ends():
    values = np.array([0.0, 10.0, 2.0, 4.0, 6.0, 8.0, 100.0])
    np.testing.assert_allclose(moving_average(values, 5),
                               [0.0, 4.0, 4.4, 6.0, 24.0, 38.0, 100.0])  # windows of 1, 3, 5, 5, 5, 3, 1
    np.testing.assert_allclose(moving_average(values, 1), values)
    line = np.linspace(1.0, 2.0, 30)
    np.testing.assert_allclose(moving_average(line, 9), line)  # a straight line is its own trend
    with pytest.raises(ValueError, match="window must be an odd positive integer"):
        moving_average(values, 4)


def synthetic_run(memorised, val_accuracy, n_val=400):
    """A NoisyRun with only the curves transition_band reads (epoch 0 first)."""
    memorised, val_accuracy = np.asarray(memorised, float), np.asarray(val_accuracy, float)
    history = nnlib.History(val_accuracy=list(val_accuracy[1:]))
    empty = np.zeros_like(val_accuracy)
    return NoisyRun(0.3, np.array([True, False]), empty, empty, empty, val_accuracy, empty, empty, empty,
                    memorised, np.zeros((len(val_accuracy), 1), bool), history, n_val)


def test_transition_band_reads_the_smoothed_curves():
    epochs = np.arange(61)
    # Memorised: at 5 % up to epoch 20, then rising by 2 % an epoch (above 10 % from epoch 23 on).
    memorised = np.where(epochs <= 20, 0.05, 0.05 + 0.02 * (epochs - 20))
    # Validation: 90 % up to epoch 30, then falling by 0.5 % an epoch. Two standard errors at 90 %
    # on 400 digits are 3 points: the fall passes them after epoch 36.
    val = np.where(epochs <= 30, 0.9, 0.9 - 0.005 * (epochs - 30))
    run = synthetic_run(memorised, val)
    start, end = transition_band(run, window=1)
    assert start == 23 and end == 37
    assert phase_edges(run, window=1) == (0, 23, 37, 60)
    # A single bad epoch does not end learning once the curve is smoothed.
    dip = val.copy()
    dip[15] = 0.8
    assert transition_band(synthetic_run(memorised, dip), window=9)[1] > 30
    # Without wrong labels there is no band, and learning runs to the end.
    clean = synthetic_run(memorised, val)
    clean.flipped = np.zeros(2, bool)
    assert transition_band(clean) is None and phase_edges(clean) == (0, 60, 60, 60)


def test_noisy_run_measures_every_epoch_from_the_random_start(noisy_run, sets):
    run = noisy_run
    assert run.epochs == 40
    for name in ("train_accuracy", "train_loss", "clean_accuracy", "val_accuracy", "val_loss", "second_accuracy",
                 "second_loss", "memorised", "second_correct"):
        assert len(getattr(run, name)) == 41, name
    assert run.second_correct.shape == (41, len(sets[2][1])) and run.n_val == len(sets[1][1])
    np.testing.assert_array_equal(run.second_correct.mean(axis=1), run.second_accuracy)
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
    assert run.clean_accuracy[-1] == np.mean(predicted[~flipped] == y_noisy[~flipped])
    np.testing.assert_array_equal(run.second_correct[-1], nnlib.predicted_classes(model.forward(test[0])) == test[1])


def test_wrong_label_agreement_is_memorised_for_the_run_itself(noisy_run, sets):
    run = noisy_run
    assert run.labels.shape == sets[0][1].shape and run.train_predicted.shape == (41, len(sets[0][1]))
    np.testing.assert_array_equal(wrong_label_agreement(run, run.labels, run.flipped), run.memorised)
    # By hand at the last epoch: the predictions that equal a wrong label.
    last = run.train_predicted[-1]
    assert wrong_label_agreement(run, run.labels, run.flipped)[-1] == np.mean(last[run.flipped] ==
                                                                              run.labels[run.flipped])
    with pytest.raises(ValueError, match="flipped must mark at least one"):
        wrong_label_agreement(run, run.labels, np.zeros(len(run.labels), bool))
    with pytest.raises(ValueError, match="train_predicted"):
        wrong_label_agreement(synthetic_run([0.1] * 3, [0.5] * 3), run.labels, run.flipped)


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
    smooth = moving_average(run30.val_accuracy[1:])
    top = int(np.argmax(smooth))
    assert f"highest {100 * smooth[top]:.0f}% (smoothed, epoch {top + 1})" in panel.text
    start, end = transition_band(run30)
    assert panel.text.endswith(f"; learning turns into memorisation from epoch {start} to {end}; wrong labels "
                               f"memorised {100 * run30.memorised[-1]:.0f}% at epoch 40")
    assert "test" not in panel.text
    # Each curve twice: epoch by epoch, and smoothed from epoch 1 on.
    np.testing.assert_array_equal(drawn(view.raw["val"])[1], run30.val_accuracy)
    np.testing.assert_array_equal(drawn(view.raw["memorised"])[1], run30.memorised)
    np.testing.assert_allclose(drawn(view.smooth["val"])[1], smooth)
    np.testing.assert_array_equal(drawn(view.smooth["val"])[0], np.arange(1, 41))
    # Phases: initialisation a line at epoch 0, learning 0..start, the turn start..end, memorisation end..40.
    spans = [(span.get_x(), span.get_x() + span.get_width()) for span in view.spans]
    assert spans == [(0, start), (start, end), (end, 40)]
    assert list(view.init_line.get_xdata()) == [0, 0]
    assert view.legends["noisy"].get_visible() and not view.legends["clean"].get_visible()
    png_30 = panel.png

    panel.controls["fraction"].value = 0.0
    assert panel.text.endswith("(no wrong labels to memorise)")
    assert drawn(view.raw["memorised"])[0].size == 0 and drawn(view.smooth["memorised"])[0].size == 0
    assert view.spans[0].get_x() + view.spans[0].get_width() == 40  # learning to the end
    assert not view.spans[1].get_visible() and not view.spans[2].get_visible()
    # The legend no longer lists the memorised curve it does not draw.
    assert view.legends["clean"].get_visible() and not view.legends["noisy"].get_visible()
    assert "wrong labels memorised" not in [t.get_text() for t in view.legends["clean"].get_texts()]
    assert panel.png != png_30

    panel.controls["fraction"].value = 0.3  # back: the cached run, not a new one
    assert panel.runs[0.3] is run30
    np.testing.assert_array_equal(drawn(view.raw["val"])[1], run30.val_accuracy)
    assert view.legends["noisy"].get_visible()
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
    kept = point.best_epoch
    assert replay.text.endswith(f"val acc {100 * run.val_accuracy[kept]:.1f}%, second val "
                                f"{int(run.second_correct[kept].sum())}/699 = {100 * run.second_accuracy[kept]:.1f}%")
    assert "test" not in replay.text  # the test set is looked at once, at the end of notebook 08, not here


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
    assert "test" not in replay.text
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
    # One legend for the whole gallery, not one on the first plot only.
    assert all(ax.get_legend() is None for ax in fig.axes) and len(fig.legends) == 1
    assert [t.get_text() for t in fig.legends[0].get_texts()] == [loop_plots.TEXT["train_loss"],
                                                                 loop_plots.TEXT["val_loss"]]
    np.testing.assert_allclose(drawn(visible[1].lines[1])[1], [1.1, 0.7])


def test_plot_phases_is_a_plain_figure_and_the_panel_view_is_animated(noisy_run):
    # A figure shown once must draw everything; savefig skips animated artists.
    fig = loop_plots.plot_phases(noisy_run)
    assert not fig.findobj(lambda artist: artist.get_animated())
    ax = fig.axes[0]
    # the same order of lines: the initialisation line, the 10 % line, then the curves
    np.testing.assert_array_equal(ax.lines[2].get_ydata(), noisy_run.train_accuracy)
    view = loop_plots.PhasesView(noisy_run.epochs)
    assert view.raw["train"].get_animated() and view.smooth["val"].get_animated() and view.spans[0].get_animated()


def test_early_stopping_panel_has_notebook_08s_run_by_default():
    panel = early_stopping_panel(patience=20)
    assert panel.controls["epoch"].max == 150  # notebook 08's run: 150 epochs, 30 % wrong labels
    assert "stops after epoch 77, restores epoch 57" in panel.text, panel.text  # as notebook 08 says
