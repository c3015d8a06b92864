"""Figures of notebooks 01 (training intuition) and 02 (derivatives and
gradients), and the measurements behind them (nnlib/costs.py): labelled
axes and the expected data."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import nnlib  # noqa: E402
from nnlib.costs import (  # noqa: E402
    CountingLoss,
    count_gradient_work,
    finite_difference_errors,
    time_gradients,
)
from nnlib.plots import (  # noqa: E402
    plot_before_after,
    plot_coin_toss,
    plot_finite_difference_errors,
    plot_gradient_costs,
    plot_loss_per_update,
    plot_memorising,
    plot_partial_derivatives,
    plot_secants,
)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def assert_labelled(ax):
    assert ax.get_title(), "axes without a title"
    assert ax.get_xlabel(), "axes without an x label"
    assert ax.get_ylabel(), "axes without a y label"


def legend_texts(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


@pytest.fixture(scope="module")
def moons():
    return nnlib.make_moons(200, noise=0.15, rng=0)


# ---------------------------------------------------------------- notebook 01


def coin_toss_accuracies(x, y, n=200):
    return [nnlib.accuracy(nnlib.mlp([2, 16, 16, 2], rng=seed).forward(x), y) for seed in range(n)]


def test_random_initialisations_are_a_coin_toss(moons):
    accuracies = coin_toss_accuracies(*moons)
    assert 0.45 <= np.mean(accuracies) <= 0.55
    fig = plot_coin_toss(accuracies)
    ax = fig.axes[0]
    assert_labelled(ax)
    assert "200" in ax.get_title()
    heights = [patch.get_height() for patch in ax.patches]
    assert sum(heights) == 200  # every initialisation is in the histogram
    vertical = [line.get_xdata()[0] for line in ax.get_lines()]
    assert 0.5 in vertical and pytest.approx(np.mean(accuracies)) in vertical
    assert any("0.5" in text for text in legend_texts(ax))


def train(model, x, y, updates, lr):
    loss = nnlib.SoftmaxCrossEntropy()
    optimizer = nnlib.SGD(model.parameters(), lr=lr)
    losses = []
    for _ in range(updates):
        losses.append(loss.forward(model.forward(x), y))
        optimizer.zero_grad()
        model.backward(loss.backward())
        optimizer.step()
    return losses


def test_before_and_after_training(moons):
    x, y = moons
    model = nnlib.mlp([2, 16, 16, 2], rng=11)
    losses = train(model, x, y, 300, lr=0.3)
    fig = plot_before_after(nnlib.mlp([2, 16, 16, 2], rng=11), model, x, y, updates=300)
    before, after = fig.axes[:2]
    for ax in (before, after):
        assert_labelled(ax)
        assert len(ax.collections) >= 2  # shaded regions and boundary, then the points
    assert "0.510" in before.get_title()  # a coin toss before
    assert "300 updates" in after.get_title() and "1.000" in after.get_title()

    fig = plot_loss_per_update(losses)
    ax = fig.axes[0]
    assert_labelled(ax)
    curve = ax.get_lines()[0].get_ydata()
    assert len(curve) == 300 and curve[-1] < 0.05 < 0.5 < curve[0]


def test_memorising_figure_marks_the_lowest_validation_loss():
    x_few, y_few = nnlib.make_moons(30, noise=0.35, rng=0)
    model = nnlib.mlp([2, 8, 2], rng=0)
    steps = np.arange(0, 100, 10)
    train_loss = np.linspace(1.0, 0.1, 10)
    val_loss = np.array([1.0, 0.8, 0.6, 0.5, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9])
    fig = plot_memorising(model, x_few, y_few, steps, train_loss, val_loss, n_val=200)
    points_ax, curves_ax = fig.axes[:2]
    assert_labelled(points_ax)
    assert_labelled(curves_ax)
    train_line, val_line, best = curves_ax.get_lines()[:3]
    np.testing.assert_allclose(train_line.get_ydata(), train_loss)
    np.testing.assert_allclose(val_line.get_ydata(), val_loss)
    assert best.get_xdata()[0] == 40 and best.get_ydata()[0] == 0.45
    assert any("update 40" in text for text in legend_texts(curves_ax))


# ---------------------------------------------------------------- notebook 02


STEPS = np.logspace(-12, 0, 61)


def test_finite_difference_errors_use_the_two_formulas():
    # (3.5² - 3²) / 0.5 = 6.5 and (3.5² - 2.5²) / 1 = 6 against the true slope 6.
    square, slope = (lambda t: t**2), (lambda t: 2 * t)
    forward, central = (finite_difference_errors(square, slope, 3.0, [0.5], method=m) for m in ("forward", "central"))
    np.testing.assert_allclose(forward, [0.5])
    np.testing.assert_allclose(central, [0.0], atol=1e-12)
    with pytest.raises(ValueError, match="method"):
        finite_difference_errors(np.exp, np.exp, 1.0, [0.1], method="backward")


@pytest.fixture(scope="module")
def fd_errors():
    return {dtype.__name__: {method: finite_difference_errors(np.exp, np.exp, 1.0, STEPS, method=method, dtype=dtype)
                             for method in ("forward", "central")}
            for dtype in (np.float64, np.float32)}


def best_step(errors):
    return STEPS[int(np.argmin(errors))]


def test_finite_difference_error_is_a_v_with_an_interior_minimum(fd_errors):
    central64 = fd_errors["float64"]["central"]
    central32 = fd_errors["float32"]["central"]
    forward64 = fd_errors["float64"]["forward"]
    # the bottom of the V is inside the range, not at either end
    for errors in (central64, central32, forward64):
        assert 5 < np.argmin(errors) < len(STEPS) - 5
    assert 1e-6 <= best_step(central64) <= 1e-4  # about eps**(1/3) = 6e-6
    assert best_step(central32) > 10 * best_step(central64)  # float32: a larger step
    assert best_step(forward64) < best_step(central64)  # forward: about sqrt(eps)
    assert central64.min() < 1e-9 and central32.min() > 1e-7


def test_truncation_slopes_are_one_and_two(fd_errors):
    right = (STEPS >= 1e-3) & (STEPS <= 1e-1)  # truncation dominates here in float64
    log_h = np.log10(STEPS[right])
    slope_forward = np.polyfit(log_h, np.log10(fd_errors["float64"]["forward"][right]), 1)[0]
    slope_central = np.polyfit(log_h, np.log10(fd_errors["float64"]["central"][right]), 1)[0]
    assert slope_forward == pytest.approx(1.0, abs=0.05)
    assert slope_central == pytest.approx(2.0, abs=0.05)


def test_finite_difference_figure(fd_errors):
    fig = plot_finite_difference_errors(STEPS, fd_errors)
    assert len(fig.axes) == 2
    for ax, dtype_name in zip(fig.axes, ("float64", "float32")):
        assert_labelled(ax)
        assert dtype_name in ax.get_title()
        assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
        texts = " ".join(t.get_text() for t in ax.texts)
        assert "slope 1" in texts and "slope 2" in texts
    central = fig.axes[0].get_lines()[2]  # forward curve, its minimum, central curve
    np.testing.assert_allclose(central.get_ydata(), fd_errors["float64"]["central"])


def test_errors_reject_bad_steps():
    with pytest.raises(ValueError, match="steps"):
        finite_difference_errors(np.exp, np.exp, 1.0, np.array([1e-3, -1.0]))
    with pytest.raises(ValueError, match="dtype"):
        finite_difference_errors(np.exp, np.exp, 1.0, STEPS, dtype=np.int32)


def test_secant_figure():
    fig = plot_secants(lambda t: t**3 / 3 - t, lambda t: t**2 - 1, 1.5, [1.0, 0.1])
    ax = fig.axes[0]
    assert_labelled(ax)
    labels = legend_texts(ax)
    assert any("slope 3.083" in label for label in labels)  # h = 1: (f(2.5) - f(1.5)) / 1
    assert any("1.250" in label and "tangent" in label for label in labels)


def test_partial_derivatives_figure():
    x, y = nnlib.make_line(50, rng=0)

    def loss(w, b):
        return nnlib.line_loss(w, b, x, y)

    h = 1e-5
    dfdw = (loss(h, 3.0) - loss(-h, 3.0)) / (2 * h)
    dfdb = (loss(0.0, 3.0 + h) - loss(0.0, 3.0 - h)) / (2 * h)
    exact_w = 2 * np.mean((0.0 * x + 3.0 - y) * x)
    exact_b = 2 * np.mean(0.0 * x + 3.0 - y)
    assert dfdw == pytest.approx(exact_w, rel=1e-7) and dfdb == pytest.approx(exact_b, rel=1e-7)
    fig = plot_partial_derivatives(loss, 0.0, 3.0, dfdw, dfdb, w_range=(-2, 5), b_range=(-1, 5))
    contour_ax, w_ax, b_ax = fig.axes[:3]
    for ax in (contour_ax, w_ax, b_ax):
        assert_labelled(ax)
    assert f"{dfdw:.3f}" in w_ax.get_title() and f"{dfdb:.3f}" in b_ax.get_title()
    for ax, slope in ((w_ax, dfdw), (b_ax, dfdb)):
        tangent = ax.get_lines()[1]
        t, v = tangent.get_xdata(), tangent.get_ydata()
        assert (v[-1] - v[0]) / (t[-1] - t[0]) == pytest.approx(slope)


def test_counting_loss_evaluations_is_two_per_parameter():
    x, y = nnlib.make_moons(10, noise=0.15, rng=0)
    model = nnlib.mlp([2, 8, 8, 2], rng=0)
    work = count_gradient_work(model, nnlib.SoftmaxCrossEntropy(), x, y)
    assert work.parameters == nnlib.count_parameters(model) == 114
    assert work.finite_difference_evaluations == 2 * 114
    assert (work.backprop_forward_passes, work.backprop_backward_passes) == (1, 1)
    forward = count_gradient_work(model, nnlib.SoftmaxCrossEntropy(), x, y, method="forward")
    # one per number, plus the unmoved loss once per parameter array (numerical_gradient is called per array)
    assert forward.finite_difference_evaluations == 114 + len(model.parameters())

    counting = CountingLoss(nnlib.MSELoss())
    counting.forward(np.zeros((3, 1)), np.ones((3, 1)))
    np.testing.assert_allclose(counting.backward(), np.full((3, 1), -2 / 3))
    assert (counting.forward_calls, counting.backward_calls) == (1, 1)


def test_timing_measures_all_or_a_sample_and_plots_them():
    x, y = nnlib.make_moons(10, noise=0.15, rng=0)
    loss = nnlib.SoftmaxCrossEntropy()
    small = time_gradients(nnlib.mlp([2, 2, 2], rng=0), loss, x, y, repeats=3)
    large = time_gradients(nnlib.mlp([2, 32, 32, 2], rng=0), loss, x, y, repeats=3, max_fd_parameters=50)
    assert small.parameters == small.fd_measured == 12
    assert large.parameters == 1218 and large.fd_measured == 50
    model = nnlib.mlp([2, 8, 2], rng=0)
    before = [p.value.copy() for p in model.parameters()]
    time_gradients(model, loss, x, y, repeats=2)
    for p, value in zip(model.parameters(), before):
        np.testing.assert_array_equal(p.value, value)  # finite differences restore every number
    fig = plot_gradient_costs([small, large])
    ax = fig.axes[0]
    assert_labelled(ax)
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    fd_line, bp_line, forward_line = ax.get_lines()[:3]
    np.testing.assert_allclose(fd_line.get_xdata(), [12, 1218])
    np.testing.assert_allclose(fd_line.get_ydata(), [small.finite_differences, large.finite_differences])
    np.testing.assert_allclose(bp_line.get_ydata(), [small.backprop, large.backprop])
    ratio = large.finite_differences / large.backprop
    assert any(f"{ratio:,.0f}" in t.get_text() for t in ax.texts)
