"""The static figures of notebooks 03 and 04: every axes has a title and
labelled axes, the verdicts are in the titles, and legends are present."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

import nnlib  # noqa: E402
from nnlib.plots import batch_paths_figure, descent_figure, regimes_figure, surface_figure  # noqa: E402
from nnlib.plots.surface import TEXT, count_updates  # noqa: E402


@pytest.fixture(scope="module")
def line_data():
    return nnlib.make_line(300, rng=0)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def assert_labelled(fig):
    for ax in fig.axes:
        assert ax.get_title(), "an axes without a title"
        assert ax.get_xlabel() and ax.get_ylabel(), f"unlabelled axes: {ax.get_title()}"


def test_surface_figure_has_3d_surface_contours_and_loss(line_data):
    path = nnlib.gradient_descent_path(*line_data, lr=0.3, steps=20)
    fig = surface_figure(*line_data, path)
    assert_labelled(fig)
    ax3d, ax_map, ax_loss = fig.axes
    assert ax3d.name == "3d" and ax3d.get_zlabel() == TEXT["loss_3d"]
    assert ax_map.get_legend() is not None and ax_loss.get_legend() is not None
    assert ax_loss.get_yscale() == "log"
    assert len(ax_loss.lines[0].get_xdata()) == 21


def test_regimes_figure_titles_carry_the_verdicts(line_data):
    paths = [nnlib.gradient_descent_path(*line_data, lr=lr, steps=30) for lr in (0.01, 0.3, 0.8, 1.5)]
    fig = regimes_figure(*line_data, paths)
    assert_labelled(fig)
    titles = [ax.get_title() for ax in fig.axes[:4]]
    assert titles == [f"lr = {p.lr:g}: {p.verdict}" for p in paths]
    assert paths[0].verdict == "too slow" and paths[-1].verdict == "diverged"
    assert any("diverged at step" in text.get_text() for text in fig.axes[3].texts)


def test_descent_figure_has_one_row_per_case(line_data):
    far = nnlib.make_line(300, x_range=(2.0, 4.0), rng=0)
    rows = [(*line_data, nnlib.gradient_descent_path(*line_data, lr=0.3, steps=10), "round"),
            (*far, nnlib.gradient_descent_path(*far, lr=0.09, steps=10, start=(1.8, 4.5)), "narrow")]
    fig = descent_figure(rows)
    assert_labelled(fig)
    assert [fig.axes[0].get_title(), fig.axes[2].get_title()] == ["round", "narrow"]
    # Only the zig-zagging path gets the enlarged first steps, numbered 1..6.
    assert not fig.axes[0].child_axes and not nnlib.plots.surface.zigzags(rows[0][2], 6)
    inset, = fig.axes[2].child_axes
    assert [t.get_text() for t in inset.texts] == ["1", "2", "3", "4", "5", "6", TEXT["zoom_title"].format(steps=6)]
    path = rows[1][2]
    assert list(inset.lines[1].get_xdata()) == list(path.w[:7])  # lines[0] is the star
    (w_low, w_high), (b_low, b_high) = inset.get_xlim(), inset.get_ylim()
    assert w_low < path.w[:7].min() and path.w[:7].max() < w_high and b_low < path.b[:7].min() < path.b[:7].max() < b_high
    assert not descent_figure(rows, zoom_steps=0).axes[2].child_axes


def test_zigzags_sees_a_path_turn_back():
    far = nnlib.make_line(300, x_range=(2.0, 4.0), rng=0)
    assert nnlib.plots.surface.zigzags(nnlib.gradient_descent_path(*far, lr=0.09, steps=6, start=(1.8, 4.5)), 6)
    assert not nnlib.plots.surface.zigzags(nnlib.gradient_descent_path(*far, lr=0.001, steps=6, start=(1.8, 4.5)), 6)


def test_batch_paths_figure_counts_updates_in_titles(line_data):
    paths = [nnlib.descent_path(*line_data, lr=0.05, epochs=3, batch_size=b, rng=0) for b in (1, 32, 300)]
    fig = batch_paths_figure(*line_data, paths)
    assert_labelled(fig)
    assert fig.axes[0].get_title() == "batch 1: 300 updates per epoch, 900 in all"
    assert fig.axes[2].get_title() == "batch 300: 1 update per epoch, 3 in all"
    assert fig.axes[-1].get_legend() is not None


def test_count_updates_is_singular_for_one():
    assert count_updates(1) == "1 update"
    assert count_updates(16) == "16 updates"
