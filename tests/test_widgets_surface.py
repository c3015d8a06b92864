"""The learning-rate panel (notebook 03) and the batch-size panel (notebook
04): set the controls from Python and check what is drawn and printed."""

import math
import re

import ipywidgets as widgets
import numpy as np
import pytest

import nnlib
from nnlib.surfaces import LineData
from nnlib.widgets import batch_size_panel, learning_rate_panel
from nnlib.widgets.panel import round_log_values


def line_by_gid(ax, gid):
    (line,) = [line for line in ax.lines if line.get_gid() == gid]
    return line


def path_xy(panel):
    """The (w, b) points of the path drawn on the contour axes."""
    w, b = line_by_gid(panel.figure.axes[0], "path").get_data()
    return np.asarray(w, float), np.asarray(b, float)


@pytest.fixture(scope="module")
def line_data():
    return nnlib.make_line(1000, rng=0)


# --- learning-rate panel ---------------------------------------------------------------


@pytest.fixture
def lr_panel():
    return learning_rate_panel()


def test_lr_panel_has_the_contract_controls(lr_panel):
    assert set(lr_panel.controls) == {"lr", "steps"}
    lr = lr_panel.controls["lr"]
    assert isinstance(lr, widgets.SelectionSlider)  # the browser sends an index, never a snapped float
    assert lr.description == "learning rate"
    assert tuple(value for _, value in lr.options) == round_log_values(0.001, 3)
    assert lr.value == 0.1
    assert isinstance(lr_panel.controls["steps"], widgets.IntSlider)
    assert lr_panel.controls["steps"].value == 30


def test_lr_panel_default_text_follows_the_contract(lr_panel):
    assert re.fullmatch(r"lr=0\.1 steps=30 final loss=\d+\.\d{4} \(too slow\)", lr_panel.text), lr_panel.text


def test_good_learning_rate_converges_and_ends_at_the_lowest_loss(lr_panel, line_data):
    data = LineData.from_arrays(*line_data)
    lr_panel.controls["lr"].value = 0.3
    assert lr_panel.text.startswith("lr=0.3 steps=30 final loss=")
    assert lr_panel.text.endswith("(converged)")
    w, b = path_xy(lr_panel)
    assert (w[-1], b[-1]) == pytest.approx(data.best(), abs=0.01)
    loss_line = line_by_gid(lr_panel.figure.axes[1], "loss")
    assert loss_line.get_ydata()[-1] == pytest.approx(data.loss(*data.best()), rel=1e-3)


def test_diverging_learning_rate_is_reported_and_drawn_up_to_where_it_left(lr_panel):
    lr_panel.controls["lr"].value = 1.5
    assert lr_panel.text.startswith("lr=1.5 steps=30 diverged at step 6: lower the learning rate")
    w, b = path_xy(lr_panel)
    assert len(w) == 6  # the start and 5 finite steps; step 6 blew up
    assert np.all(np.isfinite(w)) and np.all(np.isfinite(b))
    loss = line_by_gid(lr_panel.figure.axes[1], "loss").get_ydata()
    assert np.all(np.isfinite(loss)) and loss[-1] > 100 * loss[0]
    assert "diverged" in lr_panel.figure.axes[0].get_title()
    notes = [text for text in lr_panel.figure.axes[0].texts if text.get_visible()]
    assert any("diverged at step 6" in text.get_text() for text in notes)


def test_slowly_diverging_learning_rate_says_diverging_and_from_which_step(lr_panel, line_data):
    # lr = 1 is just above the limit 2 / 2.0034 = 0.998: the steep factor is
    # 1 - 2.0034 = -1.0034, so the steep distance grows 0.34 % per step and
    # the loss (its square) 0.68 %; the gentle part dies out (factor 0.35),
    # so the loss is lowest at step 3 and rises from step 4 on.
    lr_panel.controls["lr"].value = 1.0
    for steps in (30, 200):
        lr_panel.controls["steps"].value = steps
        assert lr_panel.text.startswith(f"lr=1 steps={steps} final loss=")
        assert "(diverging: the loss rises from step 4 on); lower the learning rate (below 0.998 here)" in lr_panel.text
        loss = line_by_gid(lr_panel.figure.axes[1], "loss").get_ydata()
        assert np.argmin(loss) == 3 and np.all(np.diff(loss[3:]) > 0)
        lowest = LineData.from_arrays(*line_data).loss(*LineData.from_arrays(*line_data).best())
        assert (loss[-1] - lowest) / (loss[-2] - lowest) - 1 == pytest.approx(0.0068, abs=0.0002)
        (note,) = [text.get_text() for text in lr_panel.figure.axes[0].texts if text.get_visible()]
        assert note == "diverging: the loss\nrises from step 4 on"
        assert "left the picture" not in note
        # and the path does stay inside the picture
        w, b = path_xy(lr_panel)
        ax = lr_panel.figure.axes[0]
        assert ax.get_xlim()[0] < w.min() and w.max() < ax.get_xlim()[1]
        assert ax.get_ylim()[0] < b.min() and b.max() < ax.get_ylim()[1]
    assert lr_panel.figure.axes[0].get_title() == "lr = 1, 200 steps: diverging"


def test_one_step_is_singular_in_the_title(lr_panel):
    lr_panel.controls["steps"].value = 1
    assert lr_panel.figure.axes[0].get_title() == "lr = 0.1, 1 step: too slow"
    ticks = [t for t in lr_panel.figure.axes[1].get_xticks() if 0 <= t <= 1]
    assert ticks == [0, 1]  # whole steps only, no 0.2, 0.4, ...
    assert lr_panel.text.startswith("lr=0.1 steps=1 final loss=")


def test_large_stable_learning_rate_oscillates(lr_panel):
    lr_panel.controls["lr"].value = 0.8
    assert lr_panel.text.endswith("(oscillating, converged)")
    w, b = path_xy(lr_panel)
    steps_b = np.diff(b)
    assert np.mean(steps_b[1:10] * steps_b[:9] < 0) > 0.5  # b flips direction at most steps
    # 200 steps: the path settles by about step 75 and its last 125 steps are
    # round-off; the zig-zag it drew on the way is still the verdict.
    lr_panel.controls["steps"].value = 200
    assert lr_panel.text.endswith("(oscillating, converged)")
    assert lr_panel.figure.axes[0].get_title() == "lr = 0.8, 200 steps: oscillating, converged"


def test_moving_the_lr_slider_changes_the_drawn_path_and_the_png(lr_panel):
    lr_panel.controls["lr"].value = 0.01
    slow_w, slow_b = path_xy(lr_panel)
    slow_png, slow_title = lr_panel.png, lr_panel.figure.axes[0].get_title()
    lr_panel.controls["lr"].value = 0.3
    fast_w, fast_b = path_xy(lr_panel)
    assert len(slow_w) == len(fast_w) == 31
    assert slow_w[0] == fast_w[0] and slow_b[0] == fast_b[0]  # same start
    assert np.abs(fast_w - slow_w).max() > 1.0
    assert lr_panel.png != slow_png
    assert lr_panel.figure.axes[0].get_title() != slow_title
    assert lr_panel.updates == 3


def test_steps_slider_sets_the_number_of_drawn_steps(lr_panel):
    lr_panel.controls["steps"].value = 10
    assert lr_panel.text.startswith("lr=0.1 steps=10 final loss=")
    assert len(path_xy(lr_panel)[0]) == 11
    assert lr_panel.figure.axes[1].get_xlim() == (0, 10)


def test_lr_panel_keeps_its_figure(lr_panel):
    figure = lr_panel.figure
    for lr in (0.01, 1.5, 0.3):
        lr_panel.controls["lr"].value = lr
    assert lr_panel.figure is figure
    assert len(figure.axes) == 2


def test_lr_panel_accepts_other_data():
    x, y = nnlib.make_line(200, x_range=(2.0, 4.0), rng=1)
    panel = learning_rate_panel(x, y, lr=0.5, steps=20)
    assert "diverged" in panel.text  # 0.5 * steep curvature (about 21) is far above 2
    panel.controls["lr"].value = 0.05
    assert "final loss=" in panel.text


@pytest.mark.parametrize("make_panel", [learning_rate_panel, batch_size_panel])
def test_panels_draw_a_noise_free_line_whose_lowest_loss_is_zero(make_panel):
    # The lowest possible loss is exactly 0, which a log axis cannot show: the
    # loss axis starts below the smallest positive loss instead (it raised
    # "Axis limits cannot be NaN or Inf").
    x = np.linspace(-1, 1, 200)
    panel = make_panel(x, 2 * x + 1)
    for lr in (0.05, 0.3):
        panel.controls["lr"].value = lr
        assert "final loss=" in panel.text
        ax = panel.figure.axes[1]
        loss = np.concatenate([line.get_ydata() for line in ax.get_lines() if len(line.get_ydata()) > 1])
        low, high = ax.get_ylim()
        assert 0 < low < loss[loss > 0].min() and loss.max() < high < np.inf


def test_lr_panel_wants_x_and_y_together():
    with pytest.raises(ValueError, match="x and y"):
        learning_rate_panel(np.zeros((5, 1)))


# --- batch-size panel ------------------------------------------------------------------


@pytest.fixture
def batch_panel():
    return batch_size_panel()


def test_batch_panel_has_the_contract_controls(batch_panel):
    assert set(batch_panel.controls) == {"batch_size", "lr", "epochs"}
    batch = batch_panel.controls["batch_size"]
    assert isinstance(batch, widgets.IntSlider)
    assert (batch.min, batch.max, batch.value) == (1, 1000, 64)
    lr = batch_panel.controls["lr"]
    assert isinstance(lr, widgets.SelectionSlider)
    assert lr.description == "learning rate"
    assert tuple(value for _, value in lr.options) == round_log_values(0.001, 1)
    assert lr.value == 0.05
    assert batch_panel.controls["epochs"].value == 5


def test_batch_64_of_1000_makes_16_updates_per_epoch(batch_panel):
    text = batch_panel.text
    assert text.startswith("batch=64 lr=0.05 epochs=5: 16 updates per epoch, 80 updates in total, final loss=")
    # The loss still falls through the last epoch (0.34 to 0.29, lowest 0.263): not converged yet.
    assert re.search(r"final loss=0\.2918, mean of the last 16 updates=0\.3094 \(too slow\)", text), text
    assert len(path_xy(batch_panel)[0]) == 16 * 5 + 1
    batch_panel.controls["epochs"].value = 3
    assert "16 updates per epoch, 48 updates in total" in batch_panel.text
    assert len(path_xy(batch_panel)[0]) == 16 * 3 + 1
    epoch_ends = line_by_gid(batch_panel.figure.axes[1], "loss_per_epoch").get_xdata()
    assert list(epoch_ends) == [0, 1, 2, 3]


@pytest.mark.parametrize("batch_size", [1, 32, 100, 999])
def test_updates_per_epoch_is_the_number_of_batches(batch_panel, batch_size):
    batch_panel.controls["batch_size"].value = batch_size
    k = math.ceil(1000 / batch_size)
    assert f"batch={batch_size} " in batch_panel.text
    assert f": {k} updates per epoch, {5 * k} updates in total" in batch_panel.text
    assert len(path_xy(batch_panel)[0]) == 5 * k + 1


def test_full_batch_makes_one_update_per_epoch_and_follows_gradient_descent(batch_panel):
    batch_panel.controls["batch_size"].value = 1000
    assert ": 1 update per epoch, 5 updates in total" in batch_panel.text
    assert "1 updates" not in batch_panel.text
    w, b = path_xy(batch_panel)
    reference_w, reference_b = line_by_gid(batch_panel.figure.axes[0], "reference").get_data()
    assert len(w) == 6
    np.testing.assert_allclose(w, reference_w)
    np.testing.assert_allclose(b, reference_b)


def test_smaller_batches_give_a_noisier_path(batch_panel):
    def noise(batch_size):
        batch_panel.controls["batch_size"].value = batch_size
        w, b = path_xy(batch_panel)
        reference_w, reference_b = line_by_gid(batch_panel.figure.axes[0], "reference").get_data()
        distance = np.mean(np.hypot(w - reference_w, b - reference_b))  # from full-batch GD, step by step
        step = np.column_stack([np.diff(w), np.diff(b)])
        angle = np.arctan2(step[:, 1], step[:, 0])
        turning = np.mean(np.abs(np.angle(np.exp(1j * np.diff(angle)))))  # mean turn per step, radians
        return distance, turning

    small, medium, large = noise(4), noise(64), noise(256)
    assert small[0] > 2 * medium[0] > 4 * large[0]
    assert small[1] > medium[1] > large[1]


def test_diverging_sgd_is_reported(batch_panel):
    batch_panel.controls["batch_size"].value = 1
    batch_panel.controls["lr"].value = 0.8
    text = batch_panel.text
    assert text.startswith("batch=1 lr=0.8 epochs=5: 1000 updates per epoch, diverged in epoch 1, batch ")
    assert "lower the learning rate" in text
    w, b = path_xy(batch_panel)
    assert np.all(np.isfinite(w)) and len(w) < 1000
    assert "diverged" in " ".join(t.get_text() for t in batch_panel.figure.axes[0].texts if t.get_visible())


def test_moving_the_batch_slider_changes_the_png_and_keeps_the_figure(batch_panel):
    figure, png = batch_panel.figure, batch_panel.png
    batch_panel.controls["batch_size"].value = 8
    assert batch_panel.png != png
    assert batch_panel.figure is figure
    assert batch_panel.figure.axes[0].get_title().startswith("batch 8: 125 updates per epoch")


def test_batch_panel_is_repeatable():
    first, second = batch_size_panel(seed=3), batch_size_panel(seed=3)
    np.testing.assert_array_equal(path_xy(first)[0], path_xy(second)[0])
    assert first.text.split(";")[0] == second.text.split(";")[0]  # all but the measured time


# --- the round learning rates of the lr sliders ------------------------------------------


def test_round_log_values_are_1_15_2_3_5_8_per_decade():
    assert round_log_values(0.001, 3) == (
        0.001, 0.0015, 0.002, 0.003, 0.005, 0.008, 0.01, 0.015, 0.02, 0.03, 0.05, 0.08,
        0.1, 0.15, 0.2, 0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 3.0)
    assert round_log_values(0.001, 1)[-3:] == (0.5, 0.8, 1.0)
    values = round_log_values(0.0001, 10)
    assert (values[0], values[-1], len(values)) == (0.0001, 10.0, 5 * 6 + 1)
    ratios = np.array(values[1:]) / np.array(values[:-1])
    assert ratios.min() == pytest.approx(1.25) and ratios.max() == pytest.approx(5 / 3)  # 8 -> 10, 3 -> 5


def test_round_log_values_wants_0_below_low_below_high():
    with pytest.raises(ValueError, match="low"):
        round_log_values(0, 1)
    with pytest.raises(ValueError, match="low"):
        round_log_values(1, 0.1)


@pytest.mark.parametrize("make_panel", [learning_rate_panel, batch_size_panel])
def test_an_lr_off_the_slider_is_refused_with_the_allowed_values(make_panel):
    with pytest.raises(ValueError, match=r"lr must be one of the round learning rates from 0\.001 to .*got 0\.07"):
        make_panel(lr=0.07)
    panel = make_panel()
    with pytest.raises(ValueError, match=r"lr must be .*0\.05, 0\.08, 0\.1, .*got 0\.09"):
        panel.controls["lr"].value = 0.09
    assert panel.controls["lr"].value == (0.1 if make_panel is learning_rate_panel else 0.05)


def test_every_lr_option_is_printed_exactly(lr_panel, batch_panel):
    for panel, prefix in ((lr_panel, "lr="), (batch_panel, "batch=64 lr=")):
        for label, value in panel.controls["lr"].options:
            panel.controls["lr"].value = value
            assert panel.text.startswith(f"{prefix}{label} "), panel.text
            assert label == f"{value:g}" and "e" not in label  # 0.0015, never 0.00150000001 or 1.5e-03


def test_lr_set_from_python_keeps_its_exact_value(lr_panel):
    for lr in (0.001, 0.3, 1.0, 1.5, 0.1):  # the values notebook 03 sets
        lr_panel.controls["lr"].value = lr
        assert lr_panel.controls["lr"].value == lr
        assert lr_panel.text.startswith(f"lr={lr:g} steps=30 ")


# --- what the legends may not cover -------------------------------------------------------


def drawn_extent(artist, figure):
    figure.draw_without_rendering()
    return artist.get_window_extent()


def test_diverged_box_and_legend_do_not_overlap_on_the_contours(lr_panel, batch_panel):
    lr_panel.controls["lr"].value = 1.5
    batch_panel.controls["batch_size"].value = 1
    batch_panel.controls["lr"].value = 0.8
    for panel in (lr_panel, batch_panel):
        ax = panel.figure.axes[0]
        (note,) = [text for text in ax.texts if text.get_visible()]
        assert "diverged" in note.get_text()
        box = note.get_bbox_patch().get_window_extent()
        legend = drawn_extent(ax.get_legend(), panel.figure)
        assert not box.overlaps(legend), (box, legend)
        assert ax.bbox.contains(box.x0, box.y0) and ax.bbox.contains(box.x1, box.y1)  # inside the plot


@pytest.mark.parametrize("batch_size, lr", [(64, 0.05), (1000, 0.05), (250, 0.001), (1, 0.8), (1, 0.01)])
def test_loss_legend_covers_no_epoch_marker(batch_panel, batch_size, lr):
    batch_panel.controls["batch_size"].value = batch_size
    batch_panel.controls["lr"].value = lr
    ax = batch_panel.figure.axes[1]
    legend = drawn_extent(ax.get_legend(), batch_panel.figure)
    for line in ax.lines:
        if line.get_gid() in ("loss_per_epoch", "loss_per_update"):
            points = ax.transData.transform(np.column_stack(line.get_data()))
            inside = [legend.contains(px, py) for px, py in points]
            assert not any(inside), f"{line.get_gid()}: {sum(inside)} points under the legend"


def test_batch_panel_shows_the_mean_its_verdict_judges(batch_panel):
    batch_panel.controls["batch_size"].value = 1
    batch_panel.controls["lr"].value = 0.3
    text = batch_panel.text
    match = re.search(r"final loss=(\d+\.\d{4}), mean of the last 1000 updates=(\d+\.\d{4}) "
                      r"\(noisy, hovering above the minimum\)", text)
    assert match, text
    assert float(match.group(2)) == pytest.approx(0.4535, abs=1e-4)
    assert not [t for t in batch_panel.figure.axes[0].texts if t.get_visible()]


def test_batch_panel_bouncing_and_diverging_in_words(batch_panel):
    batch_panel.controls["lr"].value = 1.0
    assert "(oscillating)" in batch_panel.text  # batch 64, 5 epochs: the loss bounces 5-10
    batch_panel.controls["epochs"].value = 20
    assert "(diverging)" in batch_panel.text
    (note,) = [t.get_text() for t in batch_panel.figure.axes[0].texts if t.get_visible()]
    assert note == "diverging: the last epoch's\nloss is above the start"
    batch_panel.controls["batch_size"].value = 1000  # full batch: the step it starts to rise
    assert "(diverging)" in batch_panel.text
    (note,) = [t.get_text() for t in batch_panel.figure.axes[0].texts if t.get_visible()]
    assert note == "diverging: the loss\nrises from step 4 on"


@pytest.mark.parametrize("which", ["lr", "batch"])
def test_a_path_that_leaves_is_drawn_under_the_legend(lr_panel, batch_panel, which):
    # The renderer draws the moving artists over a kept background: the
    # map's legend must be one of them, drawn after the path, or a path that
    # flies across the picture (batch 64, lr 1, 20 epochs) hides its words.
    panel = lr_panel if which == "lr" else batch_panel
    if which == "lr":
        panel.controls["lr"].value = 1.5
    else:
        panel.controls["lr"].value = 1.0
        panel.controls["epochs"].value = 20
    ax_map = panel.figure.axes[0]
    animated = panel.renderer._animated
    path = line_by_gid(ax_map, "path")
    assert path in animated and ax_map.get_legend() in animated
    assert animated.index(ax_map.get_legend()) > animated.index(path)


def test_batch_panel_counts_epochs_in_whole_numbers(batch_panel):
    batch_panel.controls["epochs"].value = 20
    ticks = [t for t in batch_panel.figure.axes[1].get_xticks() if 0 <= t <= 20]
    assert ticks == [0, 5, 10, 15, 20]  # was 0, 2.5, ..., 20.0, the last label cut by the edge
    assert [label.get_text() for label in batch_panel.figure.axes[1].get_xticklabels()][-1] == "20"
