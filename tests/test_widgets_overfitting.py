"""The slider panels of notebook 07, driven from Python as a reader's
controls would drive them."""

import re

import numpy as np
import pytest

from nnlib import overfitting as of
from nnlib.widgets import degree_panel, double_descent_panel, hidden_units_panel, weight_decay_panel
from nnlib.widgets.overfitting import PENALTIES, WIDTHS, SineSample, WidthSweep, digits_double_descent


@pytest.fixture(scope="module")
def width_sweep():
    # The shipped 5-seed sweep the notebook shows (tests/test_overfitting.py checks it against WidthSweep())
    return WidthSweep.load()


@pytest.fixture(scope="module")
def descent():
    return digits_double_descent((50, 100, 250, 1000), seeds=(0, 1))


def region_of(text):
    return re.search(r"-> (underfitting|sweet spot|overfitting):", text).group(1)


def test_degree_panel_draws_the_fit_of_the_chosen_degree():
    panel = degree_panel(degree=3, n_points=30, noise=0.3, seed=0)
    assert set(panel.controls) == {"degree", "n_points", "noise", "seed"}
    assert panel.png[:8] == b"\x89PNG\r\n\x1a\n"
    train, _ = of.sine_data(30, noise=0.3, seed=0)
    grid = panel.view.grid
    for degree in (0, 4, 12):
        old_png = panel.png
        panel.controls["degree"].value = degree
        expected = of.predict_polynomial(of.fit_polynomial(*train, degree), grid)
        np.testing.assert_allclose(panel.view.fit_line.get_ydata(), np.clip(expected, -2.1, 2.1))
        assert panel.view.marker.get_xdata()[0] == degree
        assert panel.text.startswith(f"degree={degree} points=30 noise=0.3 sample=0:")
        assert panel.png != old_png


@pytest.mark.parametrize("n_points,noise,seed", [(30, 0.3, 0), (15, 0.3, 0), (200, 0.05, 3), (10, 1.0, 7)])
def test_degree_panel_status_names_the_region_read_from_the_validation_curve(n_points, noise, seed):
    panel = degree_panel(degree=0, n_points=n_points, noise=noise, seed=seed)
    train, val = of.sine_data(n_points, noise=noise, seed=seed)
    train_errors, val_errors, ses = of.degree_errors(train, val, range(26), standard_errors=True)
    best = int(np.argmin(val_errors))
    expected = of.fit_regions(val_errors, standard_errors=ses)
    for degree in range(26):
        panel.controls["degree"].value = degree
        assert region_of(panel.text) == expected[degree]
        assert f"lowest {val_errors[best]:.3g} at degree {best}" in panel.text
        z = (val_errors[degree] - val_errors[best]) / ses[degree] if degree != best else 0.0
        if expected[degree] == "sweet spot" and degree != best:
            assert z <= of.NOISE_STANDARD_ERRORS
            assert f"{z:.1f} paired standard errors ({ses[degree]:.2g} each): within two" in panel.text
        elif degree == best:
            assert "-> sweet spot: the lowest validation error" in panel.text
        else:  # the verdict gives the distance in standard errors and names what does better
            other = "a higher degree" if expected[degree] == "underfitting" else "a lower degree"
            ratio = val_errors[degree] / val_errors[best]
            if z > of.NOISE_STANDARD_ERRORS:
                assert f"{z:.1f} paired standard errors above the lowest; {other} does better" in panel.text
            elif ratio <= of.NOISE_MAX_RATIO:  # within the noise, beyond a clearly worse degree
                assert f"within two paired standard errors of the lowest ({z:.1f}), but beyond a clearly worse" \
                    in panel.text
            else:  # a few validation points carry a huge difference: its standard error means nothing
                assert f"{ratio:.3g} times the lowest, clearly worse (only {z:.1f} paired standard errors" \
                    in panel.text
    # the extremes of this notebook's default: a constant underfits, degree 25 overfits and is clipped
    if (n_points, noise, seed) == (30, 0.3, 0):
        panel.controls["degree"].value = 0
        assert region_of(panel.text) == "underfitting"
        panel.controls["degree"].value = 25
        assert region_of(panel.text) == "overfitting" and panel.text.endswith("; curve clipped")
        assert panel.view.clip_note.get_visible()


def runs(names):
    """The region names with repeats removed: ['underfitting', 'sweet spot', ...]."""
    return [name for i, name in enumerate(names) if i == 0 or names[i - 1] != name]


@pytest.mark.parametrize("seed", [0, 1])
def test_degree_panel_regions_are_contiguous_and_sensible_at_every_setting(seed):
    """Every noise x training points setting the panel offers (and so every
    degree): one sweet spot around the best degree, underfitting before it,
    overfitting after it; nothing in the sweet spot is more than two paired
    standard errors above the lowest error, and the degrees just outside it
    are; a polynomial through every training point is never the sweet spot."""
    panel = degree_panel()
    n_values = range(panel.controls["n_points"].min, panel.controls["n_points"].max + 1, 5)
    noises = np.round(np.arange(0.05, 1.0 + 1e-9, 0.05), 2)
    assert panel.controls["noise"].min == 0.05 and panel.controls["noise"].max == 1.0
    data = SineSample(30, 0.3, seed, np.linspace(0, 1, 5))  # what the panel computes for one sample...
    _, errors, ses = of.degree_errors(*of.sine_data(30, noise=0.3, seed=seed), range(26), standard_errors=True)
    assert data.names == of.fit_regions(errors, standard_errors=ses)  # ...is this
    for noise in noises:
        for n in n_values:
            _, errors, ses = of.degree_errors(*of.sine_data(n, noise=float(noise), seed=seed), range(26),
                                              standard_errors=True)
            best = int(np.argmin(errors))
            names = of.fit_regions(errors, standard_errors=ses)
            assert len(names) == 26
            assert runs(names) in (["sweet spot"], ["underfitting", "sweet spot"], ["sweet spot", "overfitting"],
                                   ["underfitting", "sweet spot", "overfitting"]), (noise, n, names)
            assert names[best] == "sweet spot"
            # within two paired standard errors of the lowest (and at most twice it): in the sweet
            # spot; the degrees just outside it are clearly worse
            inside = [d for d in range(26) if names[d] == "sweet spot"]
            assert all(errors[d] - errors[best] <= 2 * ses[d] and errors[d] <= 2 * errors[best] for d in inside)
            for outside in (inside[0] - 1, inside[-1] + 1):
                assert outside < 0 or outside > 25 or errors[outside] - errors[best] > 2 * ses[outside] \
                    or errors[outside] > 2 * errors[best]
            if n <= 26:
                assert names[n - 1] == "overfitting", (noise, n)  # degree n - 1 interpolates n points
            if noise <= 0.5 or n >= 20:
                assert names[0] == "underfitting", (noise, n)  # a constant is never enough for a clear sine
            assert names[25] != "sweet spot" or n >= 100, (noise, n)


def test_degree_panel_redraws_data_and_regions_when_the_sample_changes():
    panel = degree_panel(degree=5, n_points=30, noise=0.3, seed=0)
    old_val = np.array(panel.view.val_line.get_ydata())
    old_points = panel.view.points.get_offsets().copy()
    panel.controls["n_points"].value = 100
    assert len(panel.view.points.get_offsets()) == 100
    assert "points=100" in panel.text
    panel.controls["noise"].value = 0.6
    assert panel.view.floor_line.get_ydata()[0] == pytest.approx(0.36)
    panel.controls["n_points"].value = 30
    panel.controls["noise"].value = 0.3
    np.testing.assert_array_equal(panel.view.val_line.get_ydata(), old_val)  # back: cached, same picture
    np.testing.assert_array_equal(panel.view.points.get_offsets(), old_points)
    panel.button.click()
    assert panel.controls["seed"].value == 1 and "sample=1:" in panel.text
    assert not np.array_equal(panel.view.val_line.get_ydata(), old_val)
    panel.controls["seed"].value = 99
    panel.button.click()
    assert panel.controls["seed"].value == 0  # wraps around


def test_degree_panel_stops_are_legal_and_cover_all_three_regions():
    panel = degree_panel()
    count = np.prod([len(v) for v in panel.stops.values()])
    assert count <= 60
    regions = set()
    for degree in panel.stops["degree"]:
        panel.controls["degree"].value = degree
        regions.add(region_of(panel.text))
    assert regions == {"underfitting", "sweet spot", "overfitting"}


def test_weight_decay_panel_shrinks_weights_and_names_regions():
    panel = weight_decay_panel(l2=1e-10)
    sweep = panel.sweep
    norms = [np.linalg.norm(w) for w in sweep.weights]
    assert all(a >= b for a, b in zip(norms, norms[1:]))  # more penalty, smaller weights
    assert region_of(panel.text) == "overfitting" and "curve clipped" in panel.text
    heights_small = [bar.get_height() for bar in panel.view.bars]
    panel.controls["l2"].value = 3.0
    assert region_of(panel.text) == "underfitting"
    assert "paired standard errors above the lowest; a weaker penalty does better" in panel.text
    assert sum(bar.get_height() for bar in panel.view.bars) < sum(heights_small) / 100
    best = PENALTIES[int(np.argmin(sweep.val_errors))]
    panel.controls["l2"].value = best
    assert region_of(panel.text) == "sweet spot" and f"λ={best:g}:" in panel.text
    assert panel.view.marker.get_xdata()[0] == best
    with pytest.raises(ValueError, match="l2"):
        weight_decay_panel(l2=0.5)


def test_weight_decay_panel_fits_are_least_squares_with_l2():
    panel = weight_decay_panel()
    sweep = panel.sweep
    i = PENALTIES.index(1e-3)
    expected = of.fit_polynomial(*sweep.train, 25, l2=1e-3)
    np.testing.assert_allclose(sweep.weights[i], expected, atol=1e-8)


def test_hidden_units_panel_draws_the_shipped_sweep_by_default(width_sweep):
    panel = hidden_units_panel(hidden=16)
    assert (panel.sweep.widths, panel.sweep.seeds) == (WIDTHS, of.SEEDS)
    np.testing.assert_array_equal(panel.sweep.val_accuracies, width_sweep.val_accuracies)
    np.testing.assert_array_equal(panel.view.image.get_array(), width_sweep.probability[WIDTHS.index(16)])
    assert panel.text.startswith(f"hidden units=16: mean over 5 seeds: training accuracy "
                                 f"{width_sweep.train_accuracy[WIDTHS.index(16)]:.1%}")


def test_hidden_units_panel_moves_between_trained_widths(width_sweep):
    panel = hidden_units_panel(hidden=8, sweep=width_sweep)
    assert panel.sweep.widths == WIDTHS
    images = {}
    for hidden in WIDTHS:
        panel.controls["hidden"].value = hidden
        i = WIDTHS.index(hidden)
        assert panel.text.startswith(f"hidden units={hidden}: mean over 5 seeds: "
                                     f"training accuracy {width_sweep.train_accuracy[i]:.1%}")
        assert region_of(panel.text) == width_sweep.names[i]
        images[hidden] = np.array(panel.view.image.get_array())
        assert panel.view.marker.get_xdata()[0] == hidden
    assert not np.allclose(images[1], images[128])
    assert width_sweep.names[0] == "underfitting" and width_sweep.names[-1] == "overfitting"
    panel.controls["hidden"].value = 1
    assert "1 hidden unit per layer" in panel.view.ax_map.get_title()
    panel.controls["hidden"].value = 8
    assert "8 hidden units per layer" in panel.view.ax_map.get_title()


def test_width_sweep_wide_networks_fit_flipped_labels(width_sweep):
    """Above 80 % training accuracy a network must have learned some flipped labels."""
    train_accuracy = dict(zip(WIDTHS, width_sweep.train_accuracy))
    val_accuracy = dict(zip(WIDTHS, width_sweep.val_accuracy))
    assert max(train_accuracy[h] for h in (16, 32, 64, 128)) > 0.8
    assert val_accuracy[8] > max(val_accuracy[h] for h in (32, 64, 128)) + 0.02
    assert val_accuracy[1] < 0.7


def test_width_sweep_regions_use_the_spread_over_seeds(width_sweep):
    """The regions come from the mean validation error over 5 seeds, with two
    paired standard errors over the seeds as the margin: contiguous, and 16 units are
    clearly worse than 8 on every seed (a paired comparison), not by 3
    validation points of one seed."""
    import nnlib

    sweep = width_sweep
    assert sweep.val_accuracies.shape == (5, len(WIDTHS))
    np.testing.assert_allclose(sweep.val_errors, 1 - sweep.val_accuracies.mean(axis=0))
    differences = sweep.val_accuracies[:, [sweep.best]] - sweep.val_accuracies  # each seed: best minus width
    np.testing.assert_allclose(sweep.val_ses, differences.std(axis=0, ddof=1) / np.sqrt(5))
    assert sweep.val_ses[sweep.best] == 0
    assert sweep.names == of.fit_regions(sweep.val_errors, standard_errors=sweep.val_ses)
    assert runs(sweep.names) == ["underfitting", "sweet spot", "overfitting"]
    i8, i16 = WIDTHS.index(8), WIDTHS.index(16)
    assert sweep.names[i8] == "sweet spot"
    paired = nnlib.paired_t_test(sweep.val_accuracies[:, i8], sweep.val_accuracies[:, i16])
    assert np.all(paired.differences > 0) and paired.p_value < 0.05
    # the boundaries drawn are those of the first seed's networks
    assert sweep.seed_val_accuracy == list(sweep.val_accuracies[0]) and len(sweep.probability) == len(WIDTHS)


def test_double_descent_panel_toggles_the_curves(descent):
    panel = double_descent_panel(show="both", result=descent)
    lines = panel.view.lines
    assert all(line.get_visible() for group in lines.values() for line in group)
    assert "minimum norm:" in panel.text and "ridge λ=0.001:" in panel.text
    panel.controls["show"].value = "ridge"
    assert not lines[0.0][0].get_visible() and lines[1e-3][0].get_visible()
    assert panel.text.startswith("ridge λ=0.001:")
    panel.controls["show"].value = "minimum norm"
    assert lines[0.0][0].get_visible() and not lines[1e-3][0].get_visible()
    peak = descent.mean_errors(0.0)[2]
    assert f"a peak near 200: {peak:.0%} at 250" in panel.text
    legend = [text.get_text() for text in panel.view.ax.get_legend().get_texts()]
    assert legend[0].startswith("minimum-norm") and not any(label.startswith("ridge") for label in legend)
    panel.controls["show"].value = "ridge"
    assert "no peak near 200" in panel.text and "peak near 200:" not in panel.text
    legend = [text.get_text() for text in panel.view.ax.get_legend().get_texts()]
    assert legend[0].startswith("ridge") and not any("minimum-norm" in label for label in legend)


def test_degree_panel_moves_redraw_only_the_moving_parts():
    """Every move of the degree panel changes animated artists only, so the
    renderer reuses its background instead of drawing the whole figure."""
    panel = degree_panel()
    for name, value in (("degree", 9), ("n_points", 50), ("noise", 0.5), ("seed", 4)):
        panel.draw(**{**panel.values(), name: value})
        assert not panel.figure.stale, f"moving {name} made the figure stale (full redraw)"
        panel.controls[name].value = value
        panel.renderer.png()
        assert not panel.figure.stale


def test_degree_panel_degree_moves_reuse_the_sample_layer_and_draw_what_a_fresh_panel_draws():
    """A move of the degree redraws only the fitted curve, its title and the
    marker over the cached layer of the sample; a new sample draws the layer
    again. Either way the picture is the one a fresh panel draws."""
    import io

    from PIL import Image

    def pixels(png):
        return np.asarray(Image.open(io.BytesIO(png)))

    panel = degree_panel(degree=3, n_points=30, noise=0.3, seed=0)
    layer = panel.renderer._layer_of
    before = pixels(panel.png)
    panel.controls["degree"].value = 25
    assert panel.renderer._layer_of == layer  # the sample's layer was reused
    assert not np.array_equal(before, pixels(panel.png))
    np.testing.assert_array_equal(pixels(panel.png), pixels(degree_panel(**panel.values()).png))
    panel.controls["seed"].value = 3
    assert panel.renderer._layer_of != layer  # a new sample: the layer is drawn again
    np.testing.assert_array_equal(pixels(panel.png), pixels(degree_panel(**panel.values()).png))


def test_hidden_units_panel_draws_the_points_and_legend_over_the_probability_map(width_sweep):
    """The map is animated (it changes on every move); the training points and
    their legend must still be drawn over it, as a full drawing of the figure
    draws them (they were once hidden under the map's tint)."""
    import io

    from PIL import Image

    panel = hidden_units_panel(hidden=8, sweep=width_sweep)
    panel.controls["hidden"].value = 128
    shown = np.asarray(Image.open(io.BytesIO(panel.png)).convert("RGB")).astype(int)
    buffer = io.BytesIO()
    panel.figure.savefig(buffer, format="png", dpi=panel.figure.dpi)  # a full drawing, in zorder
    full = np.asarray(Image.open(buffer).convert("RGB")).astype(int)
    box = panel.view.ax_map.get_window_extent()
    height = shown.shape[0]
    rows, cols = slice(int(height - box.y1) + 3, int(height - box.y0) - 3), slice(int(box.x0) + 3, int(box.x1) - 3)
    difference = np.abs(shown[rows, cols] - full[rows, cols]).max(axis=2)
    assert np.count_nonzero(difference > 8) < 0.001 * difference.size, np.count_nonzero(difference > 8)


def test_weight_decay_panel_keeps_the_legend_over_a_wild_fit():
    """With no penalty the degree-25 curve swings across the whole window;
    the legend must stay readable over it: its pixels are the same as with
    a calm fit that never reaches it."""
    import io

    from PIL import Image

    def pixels(png):
        return np.asarray(Image.open(io.BytesIO(png)))

    panel = weight_decay_panel(l2=3.0)
    calm = pixels(panel.png)
    panel.controls["l2"].value = 1e-10
    assert "curve clipped" in panel.text
    wild = pixels(panel.png)
    box = panel.view.fit_legend.get_window_extent(panel.figure.canvas.get_renderer())
    height = wild.shape[0]
    rows, cols = slice(int(height - box.y1) + 2, int(height - box.y0) - 2), slice(int(box.x0) + 2, int(box.x1) - 2)
    np.testing.assert_array_equal(wild[rows, cols], calm[rows, cols])
    assert not np.array_equal(wild, calm)


def test_degree_panel_hatches_degrees_within_the_noise_outside_the_sweet_spot():
    """The notebook's default sample (30 points, noise 0.3, sample 0): degree 3
    is 1.5 paired standard errors above the lowest (degree 4), within two: in
    the sweet spot, 3 to 5. Degrees 6 and 7 are clearly worse (3.2, 3.0);
    degrees 8 to 11 come back within two (1.4 to 1.9): they stay "overfitting"
    (the regions are contiguous) but their bands are hatched, and the status
    says that a lower degree does as well."""
    from nnlib.plots.overfitting import HATCH

    panel = degree_panel(degree=3, n_points=30, noise=0.3, seed=0)
    data = panel.sample()
    assert panel.text.endswith("-> sweet spot: 0.00014 above the lowest, 1.5 paired standard errors (8.9e-05 each): "
                               "within two, so the noise cannot tell it from the lowest")
    assert data.names[:13] == ["underfitting"] * 3 + ["sweet spot"] * 3 + ["overfitting"] * 7
    np.testing.assert_array_equal(data.within, of.within_noise(data.val_errors, data.val_ses))
    hatched = [d for d in range(26) if panel.view.bands[d].get_hatch() == HATCH]
    assert hatched == [8, 9, 10, 11]
    panel.controls["degree"].value = 9
    assert "overfitting: within two paired standard errors of the lowest (1.4), but beyond a clearly worse" in panel.text
    assert panel.text.endswith("a lower degree does as well")
    panel.controls["degree"].value = 6
    assert "overfitting: 3.2 paired standard errors above the lowest; a lower degree does better" in panel.text
    panel.controls["n_points"].value = 15  # another sample: no degree outside the sweet spot is within the noise
    assert all(band.get_hatch() is None for band in panel.view.bands)


def test_degree_panel_never_calls_a_wild_fit_within_the_noise():
    """25 points, noise 0.05, sample 0: degree 24 passes through every point and
    is 4e13 times the lowest error, yet only 1.5 paired standard errors above it
    (a few validation points carry the whole difference). More than twice the
    lowest is never within the noise: overfitting, not hatched, and the status
    says why its standard errors cannot be trusted."""
    from nnlib.plots.overfitting import HATCH

    panel = degree_panel(degree=24, n_points=25, noise=0.05, seed=0)
    data = panel.sample()
    z = (data.val_errors[24] - data.val_errors.min()) / data.val_ses[24]
    assert z < of.NOISE_STANDARD_ERRORS and data.val_errors[24] > 1e10 * data.val_errors.min()
    assert data.names[24] == "overfitting" and not data.within[24]
    assert panel.view.bands[24].get_hatch() != HATCH
    assert "times the lowest, clearly worse (only 1.5 paired standard errors above it, because a few points carry " \
           "the whole difference); a lower degree does better" in panel.text
