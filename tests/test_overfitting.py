"""nnlib.overfitting: the computations behind notebook 07."""

import numpy as np
import pytest

import nnlib
from nnlib import overfitting as of


def test_sine_data_gives_fresh_validation_points_of_the_same_curve():
    (x, y), (x_val, y_val) = of.sine_data(30, noise=0.0, seed=3, n_val=50)
    assert x.shape == y.shape == (30,) and x_val.shape == (50,)
    np.testing.assert_allclose(y, np.sin(2 * np.pi * x))
    assert not np.isin(x_val, x).any()
    (x2, _), _ = of.sine_data(30, noise=0.0, seed=3)
    np.testing.assert_array_equal(x, x2)


def test_fit_polynomial_recovers_a_polynomial_and_passes_through_points():
    x = np.linspace(0, 1, 12)
    y = 1 - 2 * x + 3 * x**3
    weights = of.fit_polynomial(x, y, 3)
    np.testing.assert_allclose(of.predict_polynomial(weights, np.array([0.25, 0.9])),
                               1 - 2 * np.array([0.25, 0.9]) + 3 * np.array([0.25, 0.9]) ** 3, atol=1e-12)
    # degree n - 1 through n points; degree > n - 1 (minimum norm) too
    rng = np.random.default_rng(0)
    y = rng.standard_normal(12)
    for degree in (11, 20):
        w = of.fit_polynomial(x, y, degree)
        np.testing.assert_allclose(of.predict_polynomial(w, x), y, atol=1e-8)


def test_degree_errors_training_error_never_rises_with_degree():
    train, val = of.sine_data(30, noise=0.3, seed=0)
    train_errors, val_errors = of.degree_errors(train, val, range(26))
    assert np.all(np.diff(train_errors) <= 1e-12)
    assert val_errors[0] > 4 * val_errors.min() and val_errors[25] > 1000 * val_errors.min()
    assert 3 <= int(np.argmin(val_errors)) <= 5


def test_fit_regions_names_each_side_of_the_best():
    names = of.fit_regions([5.0, 2.0, 1.0, 1.1, 1.3, 9.0], tolerance=0.2)
    assert names == ["underfitting", "underfitting", "sweet spot", "sweet spot", "overfitting", "overfitting"]
    assert of.fit_regions([1.0]) == ["sweet spot"]
    with pytest.raises(ValueError, match="tolerance"):
        of.fit_regions([1.0, 2.0], tolerance=-0.1)
    with pytest.raises(ValueError, match="standard_error"):
        of.fit_regions([1.0, 2.0], standard_error=-0.1)
    with pytest.raises(ValueError, match="val_errors"):
        of.fit_regions([1.0, np.nan])


def test_fit_regions_standard_error_rule_keeps_one_contiguous_sweet_spot():
    assert of.NOISE_STANDARD_ERRORS == 2.0  # "within the noise": at most two standard errors above the lowest
    # the case: degree 2 worse than 1 and 3 (noise 1, 30 points) must not split the sweet spot
    errors = [1.33, 1.13, 1.37, 1.31, 1.33, 1.32, 1.46]
    assert of.fit_regions(errors, standard_error=0.055) == ["underfitting", "sweet spot"] + ["overfitting"] * 5
    assert of.fit_regions(errors, standard_error=0.125) == ["sweet spot"] * 6 + ["overfitting"]
    # an interpolating model far to the right that dips back down is still overfitting
    errors = [0.79, 0.52, 0.64, 0.185, 0.21, 0.22, 0.20, 0.34, 80.6, 7.3, 0.19]
    names = of.fit_regions(errors, standard_error=0.02)
    assert names == ["underfitting"] * 3 + ["sweet spot"] * 4 + ["overfitting"] * 4
    # a difference smaller than two standard errors is not split; a larger one is
    assert of.fit_regions([0.040, 0.047], standard_error=0.004) == ["sweet spot", "sweet spot"]
    assert of.fit_regions([0.040, 0.047], standard_error=0.003) == ["sweet spot", "overfitting"]
    # 1.5 standard errors apart: within the noise at two, split at one (the multiple can be changed)
    assert of.fit_regions([0.040, 0.043], standard_error=0.002) == ["sweet spot", "sweet spot"]
    assert of.fit_regions([0.040, 0.043], standard_error=0.002, multiple=1.0) == ["sweet spot", "overfitting"]


def test_standard_error_is_that_of_a_mean():
    assert of.standard_error([1.0, 2.0, 3.0, 4.0]) == pytest.approx(np.std([1, 2, 3, 4], ddof=1) / 2)
    with pytest.raises(ValueError, match="values"):
        of.standard_error([1.0])


def test_degree_errors_standard_errors_are_paired_differences_from_the_best():
    train, val = of.sine_data(30, noise=0.3, seed=0)
    _, val_errors, ses = of.degree_errors(train, val, [1, 4, 6], standard_errors=True)
    squared = {d: (of.predict_polynomial(of.fit_polynomial(*train, d), val[0]) - val[1]) ** 2 for d in (1, 4, 6)}
    assert val_errors[1] == pytest.approx(squared[4].mean()) and int(np.argmin(val_errors)) == 1
    assert ses[1] == 0.0
    difference = squared[6] - squared[4]  # the same 200 points: compared as pairs
    assert ses[2] == pytest.approx(difference.std(ddof=1) / np.sqrt(200))
    # pairing removes the noise both degrees share: far below the unpaired standard error of degree 6
    assert ses[2] < 0.5 * squared[6].std(ddof=1) / np.sqrt(200)
    assert (val_errors[2] - val_errors[1]) / ses[2] == pytest.approx(3.15, abs=0.01)  # the notebook's "3.2"


def test_paired_standard_errors_and_within_noise():
    losses = np.array([[3.0, 4.0, 5.0], [1.0, 2.0, 3.0], [1.0, 3.0, 3.5]])
    ses = of.paired_standard_errors(losses)
    assert ses[1] == 0 and ses[0] == 0  # model 0 is model 1 shifted by 2: no spread in the difference
    assert ses[2] == pytest.approx(np.std([0.0, 1.0, 0.5], ddof=1) / np.sqrt(3))
    means = losses.mean(axis=1)  # 4, 2, 2.5: model 2 is 0.5 above the best, 1.7 standard errors (0.29)
    np.testing.assert_array_equal(of.within_noise(means, ses), [False, True, True])
    np.testing.assert_array_equal(of.within_noise(means, ses, multiple=1.0), [False, True, False])
    with pytest.raises(ValueError, match="multiple"):
        of.within_noise(means, ses, multiple=-1.0)
    # more than twice the lowest is never within the noise, however large its standard error:
    # a wild fit whose whole difference comes from a few points (degree 24 through 25 points)
    np.testing.assert_array_equal(of.within_noise([0.1, 0.19, 0.21, 1e11], [0.0, 0.1, 0.1, 1e11]),
                                  [True, True, False, False])
    assert of.fit_regions([0.1, 0.19, 0.21, 1e11], standard_errors=[0.0, 0.1, 0.1, 1e11]) == \
        ["sweet spot"] * 2 + ["overfitting"] * 2
    with pytest.raises(ValueError, match="losses"):
        of.paired_standard_errors(np.ones((3, 1)))
    with pytest.raises(ValueError, match="standard_errors"):
        of.fit_regions([1.0, 2.0], standard_errors=[0.1])


def test_fit_regions_with_one_standard_error_per_model_stays_contiguous():
    errors = [2.0, 1.3, 1.0, 1.05, 1.6, 1.1, 3.0]
    ses = [0.3, 0.1, 0.0, 0.1, 0.2, 0.1, 0.5]
    # model 5 is within its noise (1 standard error) but beyond the clearly worse model 4 (3 standard
    # errors): overfitting, not a second sweet spot
    assert of.fit_regions(errors, standard_errors=ses) == ["underfitting"] * 2 + ["sweet spot"] * 2 + \
        ["overfitting"] * 3
    assert of.within_noise(errors, ses)[5]


def test_learning_curves_simple_model_stays_above_the_floor_flexible_one_reaches_it():
    sizes = [15, 200, 1000]
    train1, val1 = of.learning_curves(1, sizes, noise=0.3, seeds=range(5))
    train15, val15 = of.learning_curves(15, sizes, noise=0.3, seeds=range(5))
    assert val1[-1] > 2.5 * 0.09 and abs(train1[-1] - val1[-1]) < 0.04  # bias: met, high above σ²
    assert train15[0] < 1e-12 and val15[0] > 10  # interpolates 15 points, wild in between
    assert val15[-1] == pytest.approx(0.09, rel=0.1)  # variance gone: at the floor


@pytest.mark.parametrize("shape", [(30, 8), (10, 40)])
@pytest.mark.parametrize("l2", [0.0, 1e-3, 1.0])
def test_ridge_solutions_equal_least_squares(shape, l2):
    rng = np.random.default_rng(1)
    features, y = rng.standard_normal(shape), rng.standard_normal((shape[0], 3))
    (w,) = of.ridge_solutions(features, y, [l2])
    np.testing.assert_allclose(w, nnlib.least_squares(features, y, l2=l2), atol=1e-10)


def test_ridge_solutions_rejects_a_negative_penalty():
    with pytest.raises(ValueError, match="l2"):
        of.ridge_solutions(np.eye(3), np.ones(3), [0.0, -1.0])


def test_sgd_weight_decay_is_half_the_least_squares_penalty():
    """SGD adds wd * p to the gradient of the mean loss: the minimum of
    mean loss + (wd / 2) |p|^2, i.e. least_squares(l2 = wd / 2)."""
    rng = np.random.default_rng(0)
    features, y = rng.uniform(-1, 1, (40, 4)), rng.standard_normal(40)
    model = nnlib.Linear(4, 1, rng=0)
    optimizer = nnlib.SGD(model.parameters(), lr=0.3, weight_decay=0.1)
    loss = nnlib.MSELoss()
    for _ in range(2000):
        optimizer.zero_grad()
        loss.forward(model.forward(features), y[:, None])
        model.backward(loss.backward())
        optimizer.step()
    w_sgd = np.concatenate([model.b.value, model.W.value[:, 0]])
    with_ones = np.column_stack([np.ones(40), features])
    np.testing.assert_allclose(w_sgd, nnlib.least_squares(with_ones, y, l2=0.05), atol=1e-9)
    assert np.abs(w_sgd - nnlib.least_squares(with_ones, y, l2=0.1)).max() > 1e-3


def test_double_descent_peaks_near_the_threshold_and_ridge_removes_it():
    x, y = nnlib.load_digits()
    result = of.double_descent(x, y, [50, 100, 250, 1000], n_train=200, seeds=(0, 1), l2_values=(0.0, 1e-3))
    plain, ridge = result.mean_errors(0.0), result.mean_errors(1e-3)
    assert plain[1] < 0.2 and plain[2] > 0.35 and plain[3] < 0.1  # down, up at the threshold, down again
    assert ridge[2] < 0.15 and ridge[2] < plain[2] / 3
    assert np.all(result.rank <= np.minimum(result.live_features, 200))
    assert np.all(result.rank[:, 2:] == 200)


def test_double_descent_checks_n_train():
    x, y = nnlib.load_digits()
    with pytest.raises(ValueError, match="n_train"):
        of.double_descent(x[:100], y[:100], [10], n_train=100)


def test_flipped_moons_flips_a_fifth_of_training_labels_only():
    (x, y), (x_val, y_val), flipped = of.flipped_moons(300, noise=0.15, flip=0.2, seed=0)
    assert len(x) == len(y) == 150 and len(x_val) == 150
    assert flipped.sum() == 30
    clean_x, clean_y = nnlib.make_moons(300, noise=0.15, rng=0)
    # the validation labels are the true ones: each validation point is in the clean data with its label
    index = {tuple(point): label for point, label in zip(clean_x, clean_y)}
    assert all(index[tuple(point)] == label for point, label in zip(x_val, y_val))
    assert all((index[tuple(point)] != label) == flip for point, label, flip in zip(x, y, flipped))


# ---------------------------------------------------------------- the shipped width sweep of notebook 07


@pytest.fixture(scope="module")
def fresh_width_sweep():
    return of.WidthSweep(seeds=of.SEEDS)  # the 40 trainings the shipped file holds (about 10 s)


@pytest.fixture(scope="module")
def shipped_width_sweep():
    return of.WidthSweep.load()


def assert_same_histories(computed, loaded):
    """Losses to 1e-6 relative (another CPU rounds the last bits of 1800 steps
    differently, ~1e-14 here; the batch losses are stored in float32),
    accuracies (correct / n) and the bookkeeping exactly."""
    assert len(computed) == len(loaded)
    for a, b in zip(computed, loaded):
        for name in ("train_loss", "val_loss", "batch_loss"):
            np.testing.assert_allclose(getattr(b, name), getattr(a, name), rtol=1e-6, atol=1e-12, err_msg=name)
        for name in ("train_accuracy", "val_accuracy", "lr"):
            np.testing.assert_array_equal(getattr(b, name), getattr(a, name), err_msg=name)
        for name in ("updates", "updates_per_epoch", "diverged", "message", "best_epoch", "stopped_early",
                     "restored_epoch"):
            assert getattr(b, name) == getattr(a, name), name


def test_shipped_width_sweep_holds_what_a_fresh_width_sweep_computes(fresh_width_sweep, shipped_width_sweep):
    fresh, shipped = fresh_width_sweep, shipped_width_sweep
    assert (shipped.widths, shipped.seeds) == (of.WIDTHS, of.SEEDS)
    # accuracies are counts over 150 (or 10 000) points: exactly equal
    for name in ("train_accuracies", "val_accuracies", "fresh_accuracies"):
        np.testing.assert_array_equal(getattr(shipped, name), getattr(fresh, name), err_msg=name)
    np.testing.assert_allclose(150 * shipped.val_accuracies, np.round(150 * shipped.val_accuracies), atol=1e-9)
    # the maps are stored in float16 (at most 0.00025 off; another CPU adds ~1e-13)
    assert len(shipped.probability) == len(of.WIDTHS)
    for computed, loaded in zip(fresh.probability, shipped.probability):
        assert loaded.shape == computed.shape == (120, 120) and loaded.dtype == np.float64
        np.testing.assert_allclose(loaded, computed, rtol=0, atol=1e-3)
    assert_same_histories(fresh.histories, shipped.histories)
    # the data and grid are drawn again from the same seeds; the summaries come from the accuracies
    for name in ("train", "val"):
        for computed, loaded in zip(getattr(fresh, name), getattr(shipped, name)):
            np.testing.assert_array_equal(loaded, computed)
    for computed, loaded in zip(fresh.fresh, shipped.fresh):
        np.testing.assert_array_equal(loaded, computed)
    np.testing.assert_array_equal(shipped.flipped, fresh.flipped)
    np.testing.assert_array_equal(shipped.grid, fresh.grid)
    for name in ("train_accuracy", "val_accuracy", "seed_train_accuracy", "seed_val_accuracy", "val_errors"):
        np.testing.assert_array_equal(getattr(shipped, name), getattr(fresh, name), err_msg=name)
    np.testing.assert_allclose(shipped.val_ses, fresh.val_ses, rtol=1e-12)
    assert shipped.best == fresh.best == of.WIDTHS.index(8)
    assert shipped.names == fresh.names


def test_width_sweep_load_gives_every_attribute_of_a_computed_one(fresh_width_sweep, shipped_width_sweep):
    assert sorted(vars(shipped_width_sweep)) == sorted(vars(fresh_width_sweep))
    for name, value in vars(fresh_width_sweep).items():
        loaded = getattr(shipped_width_sweep, name)
        assert type(loaded) is type(value), name
        if isinstance(value, np.ndarray):
            assert (loaded.shape, loaded.dtype) == (value.shape, value.dtype), name
    assert all(type(h) is nnlib.History for h in shipped_width_sweep.histories)
    assert isinstance(shipped_width_sweep.best, int) and isinstance(shipped_width_sweep.data_seed, int)


def test_width_sweep_save_and_load_round_trip(tmp_path):
    sweep = of.WidthSweep(widths=(1, 4), seeds=(0, 1), resolution=20, n_fresh=200, noise=0.2)
    sweep.save(tmp_path / "sweep.npz")
    loaded = of.WidthSweep.load(tmp_path / "sweep.npz")
    assert (loaded.widths, loaded.seeds, loaded.resolution, loaded.n_fresh, loaded.noise) == ((1, 4), (0, 1), 20, 200, 0.2)
    np.testing.assert_array_equal(loaded.val_accuracies, sweep.val_accuracies)
    np.testing.assert_array_equal(loaded.fresh[0], sweep.fresh[0])
    np.testing.assert_allclose(loaded.probability, sweep.probability, atol=1e-3)
    assert loaded.probability[0].shape == (20, 20)
    assert_same_histories(sweep.histories, loaded.histories)
    assert loaded.names == sweep.names


def test_width_sweep_load_rejects_a_file_with_missing_or_misshapen_arrays(tmp_path):
    with np.load(of.WIDTH_SWEEP_FILE) as data:
        arrays = {key: data[key] for key in data.files}
    path = tmp_path / "broken.npz"
    np.savez(path, **{key: value for key, value in arrays.items() if key != "fresh_accuracies"})
    with pytest.raises(ValueError, match=r"missing the arrays \['fresh_accuracies'\]"):
        of.WidthSweep.load(path)
    np.savez(path, **{key: value for key, value in arrays.items() if not key.startswith("history3|")})
    with pytest.raises(ValueError, match=r"missing the history 'history3\|'"):
        of.WidthSweep.load(path)
    np.savez(path, **{**arrays, "val_accuracies": arrays["val_accuracies"][:2]})
    with pytest.raises(ValueError, match=r"val_accuracies has shape \(2, 8\); expected \(seeds, widths\) = \(5, 8\)"):
        of.WidthSweep.load(path)
