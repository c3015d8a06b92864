"""Notebook 12: sharpness tracked during training, its summary in words,
the landscape helpers, steps to a target per batch size, and the
edge-of-stability panel driven from Python as a slider would drive it."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import nnlib  # noqa: E402
from nnlib import curvature, landscape  # noqa: E402
from nnlib.curvature import SharpnessRun, describe_sharpness, summarize_sharpness, warmup_rate  # noqa: E402


def small_problem(n=60, seed=0):
    x, y = curvature.digits_subset(n, seed=seed)
    return x, y, curvature.one_hot(y)


def fake_run(sharpness, *, lr=1.0, momentum=0.0, diverged=False, steps=None, rise_at=None):
    """A SharpnessRun measured every 10 steps; the loss falls smoothly,
    except for one rise at step ``rise_at``."""
    sharpness = np.asarray(sharpness, dtype=float)
    measured = np.arange(len(sharpness)) * 10
    steps = measured[-1] if steps is None else steps
    loss = np.geomspace(0.1, 0.01, max(steps, 1))[:steps]
    if rise_at is not None:
        loss[rise_at] = 2 * loss[rise_at - 1]
    return SharpnessRun(lr, momentum, None, 0, loss, np.full(steps, lr), measured, sharpness,
                        np.full(len(sharpness), 0.05), np.zeros(len(sharpness)), diverged,
                        "diverged at step 3: ..." if diverged else f"{steps} steps")


# --------------------------------------------------------------- the summary

def test_regimes_are_named_from_the_ratio_to_the_threshold():
    below = summarize_sharpness(fake_run([1.0, 1.2, 1.4, 1.5, 1.6]))
    assert below.regime == "below the threshold" and below.reached_at is None
    almost = summarize_sharpness(fake_run([1.0, 1.5, 1.9, 1.95, 1.99], rise_at=25))  # 0.99 x 2/lr, never 1
    assert almost.regime == "below the threshold" and almost.peak == pytest.approx(0.995)
    edge = summarize_sharpness(fake_run([1.0, 1.5, 2.2, 2.0, 1.9, 2.1, 2.0], rise_at=25))
    assert edge.regime == "edge of stability" and edge.reached_at == 20 and edge.first_rise == 25
    assert edge.low == pytest.approx(0.95) and edge.high == pytest.approx(1.05)
    rising = summarize_sharpness(fake_run([1.0, 1.5, 2.0, 2.1, 2.2, 2.3, 2.4]))  # above, but the loss never rose
    assert rising.regime == "reached, still rising" and rising.first_rise is None
    early = summarize_sharpness(fake_run([1.0, 1.5, 2.0, 2.1, 2.2, 2.3, 2.4], rise_at=5))  # a rise before reaching
    assert early.regime == "reached, still rising"
    cycles = summarize_sharpness(fake_run([1.0, 1.5, 2.05, 1.7, 1.85, 2.0, 1.6, 1.8, 2.0], rise_at=25))
    assert cycles.regime == "catapults" and cycles.catapults == 2
    left = summarize_sharpness(fake_run([1.0, 2.0, 1.5, 1.0, 0.6, 0.5, 0.4]))
    assert left.regime == "reached, then left" and left.reached_at == 10
    assert summarize_sharpness(fake_run([3.0], diverged=True, steps=3)).regime == "diverged"


def test_momentum_moves_the_threshold():
    run = fake_run([1.0, 2.5, 3.0, 2.9, 3.1, 3.0], momentum=0.5, rise_at=25)
    assert run.threshold == pytest.approx(3.0)
    assert summarize_sharpness(run).regime == "edge of stability"
    assert summarize_sharpness(fake_run([1.0, 2.5, 3.0, 2.9, 3.1, 3.0], rise_at=25)).regime == "edge of stability"
    assert summarize_sharpness(fake_run([1.0, 2.5, 3.0, 2.9, 3.1, 3.0], lr=0.5)).regime == "below the threshold"
    assert "(2+2β)/lr = 3" in describe_sharpness(run)


def test_descriptions_say_what_happened_in_words():
    assert "below 2/lr = 2 all along (at most 0.70 times it, still rising)" in describe_sharpness(
        fake_run([1.0, 1.2, 1.4]))
    edge = describe_sharpness(fake_run([1.0, 1.5, 2.0, 2.0, 2.1, 1.9], rise_at=35))
    assert "reaches 2/lr = 2 at step 20; the loss first goes up at step 35; " in edge
    assert "over the second half 0.95 to 1.05 times it (edge of stability)" in edge
    assert "starts above 2/lr = 2" in describe_sharpness(fake_run([2.5, 2.0, 2.0, 2.1, 1.9], rise_at=2))
    assert "(a catapult) 2 times, climbing back" in describe_sharpness(
        fake_run([1.0, 1.5, 2.05, 1.7, 1.85, 2.0, 1.6, 1.8, 2.0], rise_at=25))
    assert "keeps rising (1.20 times it at the end); the loss has not gone up" in describe_sharpness(
        fake_run([1.0, 1.5, 2.0, 2.1, 2.2, 2.3, 2.4]))
    said = describe_sharpness(fake_run([3.0], diverged=True, steps=3))
    assert "diverged at step 3" in said and "sharpness 3.0 at the start, above 2/lr = 2" in said
    # A start below the threshold that sharpens past it before diverging says so.
    said = describe_sharpness(fake_run([1.5, 2.4], diverged=True, steps=15))
    assert "sharpness 1.5 at the start, below 2/lr = 2, then 2.4 at step 10, above it" in said


def test_every_shipped_run_is_described_truly():
    """The panel's 18 settings and the four other runs: the words of the
    status line agree with the numbers of the run."""
    runs = curvature.load_edge_runs()
    assert set(runs) == set(curvature.edge_run_settings())
    for name, run in runs.items():
        summary, said = summarize_sharpness(run), describe_sharpness(run)
        ratios = summary.ratios
        if summary.regime == "diverged":
            side = "above" if ratios[0] >= 1 else "below"
            assert f"at the start, {side}" in said, (name, said)
            continue
        if summary.reached_at is None:
            assert ratios.max() < 1 and "all along" in said, (name, said)
            continue
        first = int(np.argmax(ratios >= 1))
        assert run.measured_at[first] == summary.reached_at and np.all(ratios[:first] < 1)
        if summary.regime == "edge of stability":
            # Once the loss has gone up, the sharpness stays close to the threshold.
            assert summary.first_rise is not None and 0.9 <= summary.low and summary.high <= 1.5, (name, said)
        if summary.regime == "catapults":
            assert summary.low < 0.9 and summary.catapults >= 1, (name, said)
    expected = {"lr=0.5 momentum=0": "below the threshold", "lr=1 momentum=0": "edge of stability",
                "lr=2 momentum=0": "edge of stability", "lr=3 momentum=0": "diverged",
                "lr=0.8 momentum=0.5": "below the threshold", "lr=1 momentum=0.5": "edge of stability",
                "lr=1 momentum=0.9": "catapults", "lr=2 momentum=0.9": "diverged",
                "cross-entropy": "reached, then left", "batch 10": "below the threshold",
                "batch 50": "below the threshold"}
    assert {name: summarize_sharpness(runs[name]).regime for name in expected} == expected


def test_shipped_runs_match_a_retrain():
    """The first 60 steps of the shipped lr = 1 run, trained again."""
    stored = curvature.load_edge_runs()["lr=1 momentum=0"]
    again = curvature.edge_of_stability_run(1.0, steps=60)
    np.testing.assert_allclose(again.sharpness, stored.sharpness[:4], rtol=1e-4)
    np.testing.assert_allclose(again.loss, stored.loss[:60], rtol=1e-9)
    assert len(stored.path) == 31 and stored.path[0].shape == (2410,)


def test_shipped_batch_table_has_its_shape():
    table = curvature.load_batch_steps()
    shape = (len(curvature.BATCH_TARGETS), len(curvature.BATCH_SEEDS), len(curvature.BATCH_SIZES))
    assert table["steps"].shape == shape and table["lr"].shape == shape
    assert np.all(table["steps"] > 0) and set(np.unique(table["lr"])) <= set(curvature.BATCH_LRS)


def test_warmup_rate_rises_linearly_to_the_peak():
    assert [warmup_rate(s, 3.0, 3) for s in range(5)] == [1.0, 2.0, 3.0, 3.0, 3.0]
    assert warmup_rate(0, 3.0, 0) == 3.0


# ---------------------------------------------------- training with sharpness

def test_tracking_measures_the_sharpness_of_the_weights_it_has():
    x, _, t = small_problem()
    model = curvature.digits_network(hidden=8, seed=1)
    run = curvature.train_tracking_sharpness(model, nnlib.MSELoss(), x, t, lr=0.5, steps=30, every=10, rng=0,
                                             iterations=200, tol=1e-8)
    np.testing.assert_array_equal(run.measured_at, [0, 10, 20, 30])
    assert len(run.loss) == 30 and not run.diverged
    final = nnlib.sharpness(model, nnlib.MSELoss(), x, t, rng=3, tol=1e-8, iterations=500)
    assert run.sharpness[-1] == pytest.approx(final, rel=1e-3)
    assert run.full_loss[-1] == pytest.approx(nnlib.MSELoss().forward(model.forward(x), t))


def test_full_batch_steps_are_plain_gradient_descent():
    x, _, t = small_problem()
    a, b = curvature.digits_network(hidden=8, seed=2), curvature.digits_network(hidden=8, seed=2)
    run = curvature.train_tracking_sharpness(a, nnlib.MSELoss(), x, t, lr=0.3, steps=5, every=100, momentum=0.5)
    optimizer, loss = nnlib.SGD(b.parameters(), lr=0.3, momentum=0.5), nnlib.MSELoss()
    losses = []
    for _ in range(5):
        optimizer.zero_grad()
        losses.append(loss.forward(b.forward(x), t))
        b.backward(loss.backward())
        optimizer.step()
    assert list(run.loss) == losses
    for p, q in zip(a.parameters(), b.parameters()):
        np.testing.assert_array_equal(p.value, q.value)


def test_mini_batches_warmup_and_path():
    x, _, t = small_problem()
    model = curvature.digits_network(hidden=8)
    run = curvature.train_tracking_sharpness(model, nnlib.MSELoss(), x, t, lr=0.5, steps=12, every=6, batch_size=20,
                                             warmup_steps=4, keep_path_every=3, rng=0)
    np.testing.assert_allclose(run.lrs[:5], [0.125, 0.25, 0.375, 0.5, 0.5])
    assert run.batch_size == 20 and len(run.loss) == 12
    assert len(run.path) == 5 and run.path[0].shape == (nnlib.count_parameters(model),)
    np.testing.assert_array_equal(run.path[-1], landscape.parameter_vector(model))


def test_divergence_is_reported_in_words():
    x, _, t = small_problem()
    run = curvature.train_tracking_sharpness(curvature.digits_network(hidden=8), nnlib.MSELoss(), x, t, lr=50.0,
                                             steps=100, every=10)
    assert run.diverged and run.message.startswith("diverged at step ")
    assert "the learning rate 50 is too large" in run.message
    assert summarize_sharpness(run).regime == "diverged"


def test_bad_settings_are_named():
    x, _, t = small_problem()
    model = curvature.digits_network(hidden=8)
    with pytest.raises(ValueError, match="lr must be a positive finite number; got -1"):
        curvature.train_tracking_sharpness(model, nnlib.MSELoss(), x, t, lr=-1, steps=3)
    with pytest.raises(ValueError, match="steps must be at least 1; got 0"):
        curvature.train_tracking_sharpness(model, nnlib.MSELoss(), x, t, lr=0.1, steps=0)
    with pytest.raises(ValueError, match="loss must be 'mse' or 'cross-entropy'; got 'hinge'"):
        curvature.edge_of_stability_run(1.0, loss="hinge")


# ----------------------------------------------------------------- landscape

def test_parameter_vector_round_trip_and_loss_at_restores():
    x, _, t = small_problem()
    model = curvature.digits_network(hidden=8)
    theta = landscape.parameter_vector(model)
    before = model.state_dict()
    value = landscape.loss_at(model, nnlib.MSELoss(), x, t, theta * 0.5)
    for name, array in model.state_dict().items():
        np.testing.assert_array_equal(array, before[name])
    landscape.set_parameter_vector(model, theta * 0.5)
    assert value == nnlib.MSELoss().forward(model.forward(x), t)
    with pytest.raises(ValueError, match=r"theta has shape \(3,\); expected"):
        landscape.set_parameter_vector(model, np.zeros(3))


def test_line_and_surface_pass_through_their_points():
    x, _, t = small_problem()
    model, loss = curvature.digits_network(hidden=8), nnlib.MSELoss()
    a, b = landscape.parameter_vector(model), landscape.parameter_vector(curvature.digits_network(hidden=8, seed=5))
    line = landscape.loss_along_line(model, loss, x, t, a, b, [0.0, 1.0])
    assert line[0] == landscape.loss_at(model, loss, x, t, a) and line[1] == landscape.loss_at(model, loss, x, t, b)
    d1, d2 = landscape.filter_normalized_direction(model, 1), landscape.filter_normalized_direction(model, 2)
    surface = landscape.loss_surface(model, loss, x, t, a, d1, d2, [-1.0, 0.0, 1.0], [0.0, 0.5])
    assert surface.shape == (2, 3)
    assert surface[0, 1] == landscape.loss_at(model, loss, x, t, a)
    assert surface[1, 2] == landscape.loss_at(model, loss, x, t, a + d1 + 0.5 * d2)


def test_filter_normalised_directions_match_each_unit_and_skip_biases():
    model = curvature.digits_network(hidden=8)
    d = landscape.filter_normalized_direction(model, rng=0)
    start = 0
    for p in model.parameters():
        part = d[start:start + p.value.size].reshape(p.value.shape)
        start += p.value.size
        if p.value.ndim == 2:
            np.testing.assert_allclose(np.linalg.norm(part, axis=0), np.linalg.norm(p.value, axis=0))
        else:
            assert not part.any()


def test_filter_normalised_to_the_centre_not_to_the_model():
    model = curvature.digits_network(hidden=8)
    before = landscape.parameter_vector(model)
    center = landscape.parameter_vector(curvature.digits_network(hidden=8, init_scale=3.0, seed=4))
    d = landscape.filter_normalized_direction(model, rng=0, center=center)
    np.testing.assert_array_equal(landscape.parameter_vector(model), before)  # the model is left as it was
    other = curvature.digits_network(hidden=8)
    landscape.set_parameter_vector(other, center)
    np.testing.assert_array_equal(d, landscape.filter_normalized_direction(other, rng=0))


def test_training_path_keeps_every_few_steps():
    x, _, t = small_problem()
    path = landscape.training_path(curvature.digits_network(hidden=8), nnlib.MSELoss(), x, t, lr=0.5, steps=10,
                                   keep_every=4)
    assert path.shape == (4, nnlib.count_parameters(curvature.digits_network(hidden=8)))  # steps 0, 4, 8, 10
    run = curvature.train_tracking_sharpness(curvature.digits_network(hidden=8), nnlib.MSELoss(), x, t, lr=0.5,
                                             steps=8, every=8, keep_path_every=4)
    np.testing.assert_allclose(path[:3], np.array(run.path), rtol=1e-12)


def test_path_directions_of_a_path_in_a_plane():
    rng = np.random.default_rng(0)
    u, v = np.linalg.qr(rng.standard_normal((50, 2)))[0].T
    t = np.linspace(0, 1, 20)
    path = 3 + np.outer(np.cos(3 * t), u) * 4 + np.outer(np.sin(3 * t), v)
    plane = landscape.path_directions(path)
    assert sum(plane.explained) == pytest.approx(1.0)
    assert plane.distance.max() < 1e-10
    np.testing.assert_allclose([plane.point(*c) for c in plane.coords], path, atol=1e-10)
    with pytest.raises(ValueError, match="at least 3 points"):
        landscape.path_directions(path[:2])


def test_fit_critical_batch_recovers_the_law():
    sizes = np.array([1, 2, 4, 8, 16, 64, 256])
    s_min, b_crit = landscape.fit_critical_batch(sizes, 30 * (1 + 12 / sizes))
    assert s_min == pytest.approx(30) and b_crit == pytest.approx(12)


def test_steps_to_target_counts_updates_and_keeps_the_best_rate():
    x, y, _ = small_problem(100)
    loss = nnlib.SoftmaxCrossEntropy()
    results = landscape.steps_to_target(lambda: curvature.digits_network(hidden=8), loss, x, y, batch_sizes=[100],
                                        lrs=[0.5, 2.0], target=1.5, max_steps=500)
    (result,) = results
    assert result.steps == min(s for s in result.by_lr.values() if s is not None)
    # Count by hand with the best rate: full batch, so the order of examples does not matter.
    model = curvature.digits_network(hidden=8)
    optimizer = nnlib.SGD(model.parameters(), lr=result.lr)
    for step in range(1, 501):
        optimizer.zero_grad()
        loss.forward(model.forward(x), y)
        model.backward(loss.backward())
        optimizer.step()
        if loss.forward(model.forward(x), y) <= 1.5:
            break
    assert step == result.steps


# ---------------------------------------------------------------- the panel

@pytest.fixture(scope="module")
def edge_panel():
    from nnlib.widgets import edge_of_stability_panel

    return edge_of_stability_panel(lr=1.0, momentum=0.0)


def drawn(line):
    x, y = line.get_data()
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


def test_panel_opens_on_the_edge_of_stability(edge_panel):
    run = edge_panel.runs[(1.0, 0.0)]
    assert edge_panel.text == describe_sharpness(run)
    assert "reaches 2/lr = 2 at step" in edge_panel.text and "(edge of stability)" in edge_panel.text
    _, sharp = drawn(edge_panel.view.sharp_line)
    np.testing.assert_array_equal(sharp, run.sharpness)
    _, threshold = drawn(edge_panel.view.threshold_line)
    assert np.all(threshold == 2.0)


def test_panel_extremes_say_what_happened(edge_panel):
    png = edge_panel.png
    edge_panel.controls["lr"].value = 3.0  # the largest rate: diverges at once
    assert edge_panel.text.startswith("lr=3 full batch: diverged at step ")
    assert "above 2/lr = 0.67" in edge_panel.text
    steps, _ = drawn(edge_panel.view.loss_line)
    assert len(steps) < 20  # the loss is drawn up to where it blew up
    assert edge_panel.png != png
    edge_panel.controls["lr"].value = 0.5  # the smallest: never reaches 2/lr
    assert "below 2/lr = 4 all along" in edge_panel.text
    run = edge_panel.runs[(0.5, 0.0)]
    assert run.sharpness.max() < 4.0 and run.sharpness[-1] > run.sharpness[0]
    edge_panel.controls["lr"].value = 1.0
    edge_panel.controls["momentum"].value = 0.5
    assert "(2+2β)/lr = 3" in edge_panel.text
    _, threshold = drawn(edge_panel.view.threshold_line)
    assert np.all(threshold == 3.0)
    assert edge_panel.view.title.get_text().endswith("(2+2β)/lr = 3")
    edge_panel.controls["momentum"].value = 0.0
    assert edge_panel.view.title.get_text().endswith("2/lr = 2")


def test_panel_refuses_values_it_does_not_offer():
    from nnlib.widgets import edge_of_stability_panel

    with pytest.raises(ValueError, match="lr must be one of the round learning rates from 0.5 to 3"):
        edge_of_stability_panel(lr=0.7)
    with pytest.raises(ValueError, match=r"momentum must be one of \(0.0, 0.5, 0.9\); got 0.3"):
        edge_of_stability_panel(momentum=0.3)


def test_a_cached_move_redraws_only_the_curves(edge_panel):
    edge_panel.controls["lr"].value = 2.0
    edge_panel.controls["lr"].value = 1.0  # both cached now
    edge_panel.view.show(edge_panel.runs[(2.0, 0.0)])
    assert not edge_panel.figure.stale, "a move marked the figure stale: every move would redraw the axes"
    edge_panel.refresh()


def test_panel_busy_line_only_for_new_settings(edge_panel):
    from nnlib.widgets import edge_of_stability_panel

    assert edge_panel.busy(lr=1.0, momentum=0.0) is None
    assert edge_panel.busy(lr=0.8, momentum=0.9) is None  # shipped
    empty = edge_of_stability_panel({(1.0, 0.0): edge_panel.runs[(1.0, 0.0)]})
    assert empty.busy(lr=0.8, momentum=0.9).startswith("lr=0.8 momentum=0.9: training 600 steps")
    assert set(edge_panel.stops) == {"lr", "momentum"}
