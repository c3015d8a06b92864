"""Curvature and gradient noise (nnlib/curvature.py) against exact answers:
the Hessian built column by column from the products against a Hessian
written by hand (a linear model with MSE) and against second differences of
the loss (a tanh network); power iteration against numpy's eigenvalues;
per-example gradients against one-example backward passes; the noise scale
against its definition; parameters and gradients left bit for bit."""

import numpy as np
import pytest

import nnlib
from nnlib.curvature import _flatten, _unflatten


def layout(model):
    return [(p.name, p.value.shape) for p in model.parameters()]


def full_hessian(model, loss, x, y, **kwargs):
    """The P x P Hessian, one column per unit vector: H e_i."""
    lay = layout(model)
    size = sum(p.value.size for p in model.parameters())
    columns = []
    for i in range(size):
        e = np.zeros(size)
        e[i] = 1.0
        columns.append(_flatten(nnlib.hessian_vector_product(model, loss, x, y, _unflatten(e, lay), **kwargs), lay))
    return np.array(columns).T


def second_differences(model, loss, x, y, h=1e-4):
    """The Hessian from the loss alone: (f(++) - f(+-) - f(-+) + f(--)) / 4h^2."""
    params = model.parameters()
    flat = [(p, i) for p in params for i in range(p.value.size)]
    f = lambda: loss.forward(model.forward(x), y)  # noqa: E731
    H = np.zeros((len(flat), len(flat)))
    for a, (p, i) in enumerate(flat):
        for b, (q, j) in enumerate(flat):
            if b < a:
                continue
            values = []
            for si, sj in ((1, 1), (1, -1), (-1, 1), (-1, -1)):
                p.value.flat[i] += si * h
                q.value.flat[j] += sj * h
                values.append(f())
                p.value.flat[i] -= si * h
                q.value.flat[j] -= sj * h
            H[a, b] = H[b, a] = (values[0] - values[1] - values[2] + values[3]) / (4 * h * h)
    return H


@pytest.fixture
def linear_problem():
    rng = np.random.default_rng(0)
    model = nnlib.Sequential(nnlib.Linear(3, 2, rng=1))
    x, y = rng.standard_normal((9, 3)), rng.standard_normal((9, 2))
    return model, nnlib.MSELoss(), x, y


@pytest.fixture
def tanh_problem():
    rng = np.random.default_rng(2)
    model = nnlib.mlp([3, 4, 3], activation="tanh", rng=3)
    x, y = rng.standard_normal((8, 3)), rng.integers(0, 3, 8)
    return model, nnlib.SoftmaxCrossEntropy(), x, y


def exact_linear_hessian(x, n_out):
    """MSE of y = x W + b over n * o entries: for each output k the block
    2 / (n o) Z^T Z with Z = [x, 1], laid out as W (d, o) row-major then b."""
    n, d = x.shape
    scale = 2.0 / (n * n_out)
    eye = np.eye(n_out)
    ww = np.kron(scale * x.T @ x, eye)
    wb = np.kron(scale * x.sum(axis=0)[:, None], eye)
    bb = scale * n * eye
    return np.block([[ww, wb], [wb.T, bb]])


def test_products_rebuild_the_exact_hessian_of_a_linear_model(linear_problem):
    model, loss, x, y = linear_problem
    H = full_hessian(model, loss, x, y)
    exact = exact_linear_hessian(x, 2)
    np.testing.assert_allclose(H, exact, rtol=0, atol=1e-8 * np.abs(exact).max())
    np.testing.assert_allclose(np.linalg.eigvalsh((H + H.T) / 2), np.linalg.eigvalsh(exact), atol=1e-8)


def test_products_match_second_differences_on_a_tanh_network(tanh_problem):
    model, loss, x, y = tanh_problem
    H = full_hessian(model, loss, x, y)
    reference = second_differences(model, loss, x, y)
    assert np.abs(H - H.T).max() < 1e-8  # a Hessian is symmetric
    np.testing.assert_allclose(H, reference, rtol=0, atol=1e-5 * np.abs(reference).max())


def test_a_product_is_linear_in_the_vector(tanh_problem):
    model, loss, x, y = tanh_problem
    v = {name: np.random.default_rng(4).standard_normal(shape) for name, shape in layout(model)}
    once = nnlib.hessian_vector_product(model, loss, x, y, v)
    twice = nnlib.hessian_vector_product(model, loss, x, y, {k: 2 * a for k, a in v.items()})
    for name in once:
        np.testing.assert_allclose(twice[name], 2 * once[name], rtol=1e-7, atol=1e-12)
    zero = nnlib.hessian_vector_product(model, loss, x, y, {k: np.zeros_like(a) for k, a in v.items()})
    assert all(not a.any() for a in zero.values())


def test_sharpness_and_top_eigenvalues_match_numpy(tanh_problem):
    model, loss, x, y = tanh_problem
    H = full_hessian(model, loss, x, y)
    eigenvalues = np.linalg.eigvalsh((H + H.T) / 2)
    by_magnitude = eigenvalues[np.argsort(-np.abs(eigenvalues))]
    value = nnlib.sharpness(model, loss, x, y, rng=0, tol=1e-10, iterations=2000)
    assert value == pytest.approx(by_magnitude[0], rel=1e-6)
    found = nnlib.hessian_eigenvalues(model, loss, x, y, k=3, rng=0, tol=1e-10, iterations=3000)
    np.testing.assert_allclose([e.value for e in found], by_magnitude[:3], rtol=1e-5)
    top = found[0]
    assert top.converged and top.iterations == len(top.history)
    # The residual bounds the distance to the nearest eigenvalue (symmetric H).
    assert np.min(np.abs(eigenvalues - top.value)) <= top.residual * abs(top.value) + 1e-12
    # The vector is a unit eigenvector: H u = value u.
    u = _flatten(top.vector, layout(model))
    assert np.linalg.norm(u) == pytest.approx(1.0)
    np.testing.assert_allclose(H @ u, top.value * u, atol=1e-3 * abs(top.value))


def test_power_iteration_finds_a_negative_eigenvalue_of_largest_magnitude():
    A = np.diag([-5.0, 3.0, 1.0])
    value, v, residual, converged, history = nnlib.power_iteration(lambda v: A @ v, np.ones(3), tol=1e-12,
                                                                  iterations=500)
    assert converged and value == pytest.approx(-5.0, rel=1e-9) and residual < 1e-5
    assert abs(v[0]) == pytest.approx(1.0)
    assert len(history) > 10 and history[0] != pytest.approx(-5.0)  # it had to iterate


def test_power_iteration_needs_the_normalisation():
    """Without v = w / |w| the vector grows as 5^k; with it every iterate has length 1."""
    A = np.diag([5.0, 1.0])
    value, v, *_ = nnlib.power_iteration(lambda v: A @ v, np.array([1.0, 1.0]), iterations=200, tol=1e-12)
    assert np.linalg.norm(v) == pytest.approx(1.0) and value == pytest.approx(5.0)


def test_warm_start_converges_in_a_few_iterations(tanh_problem):
    model, loss, x, y = tanh_problem
    cold = nnlib.hessian_eigenvalues(model, loss, x, y, rng=0, tol=1e-8, iterations=2000)[0]
    warm = nnlib.hessian_eigenvalues(model, loss, x, y, start=cold.vector, tol=1e-8)[0]
    assert warm.iterations <= 3 < cold.iterations
    assert warm.value == pytest.approx(cold.value, rel=1e-7)


def test_sharpness_says_when_it_did_not_converge(tanh_problem):
    model, loss, x, y = tanh_problem
    with pytest.warns(RuntimeWarning, match="did not converge in 2 iterations"):
        nnlib.sharpness(model, loss, x, y, iterations=2, tol=1e-12, rng=0)


def test_sharpness_is_reproducible_with_a_seed(tanh_problem):
    model, loss, x, y = tanh_problem
    assert nnlib.sharpness(model, loss, x, y, rng=5) == nnlib.sharpness(model, loss, x, y, rng=5)


@pytest.mark.parametrize("kind", ["mse", "cross-entropy", "binary"])
def test_per_example_gradients_match_one_example_backward_passes(kind):
    rng = np.random.default_rng(6)
    x = rng.standard_normal((6, 4))
    if kind == "mse":
        model, loss, y = nnlib.mlp([4, 5, 3], rng=7), nnlib.MSELoss(), rng.standard_normal((6, 3))
    elif kind == "cross-entropy":
        model = nnlib.Sequential(nnlib.Linear(4, 5, rng=7), nnlib.Tanh(),
                                 nnlib.Sequential(nnlib.Linear(5, 5, rng=8), nnlib.ReLU()), nnlib.Linear(5, 3, rng=9))
        loss, y = nnlib.SoftmaxCrossEntropy(), rng.integers(0, 3, 6)
    else:
        model, loss, y = nnlib.mlp([4, 5, 1], activation="sigmoid", rng=7), nnlib.BinaryCrossEntropy(), rng.integers(0, 2, 6)
    per_example = nnlib.per_example_gradients(model, loss, x, y)
    assert list(per_example) == [p.name for p in model.parameters()]
    for i in range(len(x)):
        _, alone = nnlib.backprop_gradients(model, loss, x[i:i + 1], y[i:i + 1])
        for name, grad in alone.items():
            np.testing.assert_allclose(per_example[name][i], grad, rtol=1e-12, atol=1e-14)
    _, batch = nnlib.backprop_gradients(model, loss, x, y)
    for name, grad in batch.items():
        assert per_example[name].shape == (len(x), *grad.shape)
        np.testing.assert_allclose(per_example[name].mean(axis=0), grad, rtol=1e-12, atol=1e-15)


def test_noise_scale_matches_its_definition(tanh_problem):
    model, loss, x, y = tanh_problem
    rows = []
    for i in range(len(x)):
        _, alone = nnlib.backprop_gradients(model, loss, x[i:i + 1], y[i:i + 1])
        rows.append(_flatten(alone, layout(model)))
    g = np.array(rows)
    G = g.mean(axis=0)
    direct = np.mean(np.sum((g - G) ** 2, axis=1)) / (G @ G)
    assert nnlib.gradient_noise_scale(model, loss, x, y) == pytest.approx(direct, rel=1e-10)


def test_noise_scale_of_identical_examples_is_zero():
    model = nnlib.mlp([2, 3, 2], rng=0)
    x = np.tile([[0.5, -1.0]], (5, 1))
    assert nnlib.gradient_noise_scale(model, nnlib.SoftmaxCrossEntropy(), x, np.zeros(5, int)) == pytest.approx(
        0.0, abs=1e-12)


def snapshot(model):
    return [(p.value, p.value.copy(), p.grad, p.grad.copy()) for p in model.parameters()]


def assert_untouched(model, before):
    for p, (value, value_copy, grad, grad_copy) in zip(model.parameters(), before):
        assert p.value is value and p.grad is grad  # the same arrays...
        assert np.array_equal(p.value, value_copy) and np.array_equal(p.grad, grad_copy)  # ...bit for bit
        assert p.value.tobytes() == value_copy.tobytes()


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_every_function_leaves_the_model_exactly_as_it_was(dtype):
    rng = np.random.default_rng(8)
    model = nnlib.mlp([4, 6, 3], rng=9, dtype=dtype)
    loss, x, y = nnlib.SoftmaxCrossEntropy(), rng.standard_normal((10, 4)), rng.integers(0, 3, 10)
    model.forward(x)
    loss.forward(model.forward(x), y)
    model.backward(loss.backward())  # gradients that must survive
    before = snapshot(model)
    v = {name: rng.standard_normal(shape) for name, shape in layout(model)}
    nnlib.hessian_vector_product(model, loss, x, y, v)
    nnlib.hessian_vector_product(model, loss, x, y, v, h=0.1)
    nnlib.sharpness(model, loss, x, y, rng=0)
    nnlib.hessian_eigenvalues(model, loss, x, y, k=2, rng=0)
    nnlib.per_example_gradients(model, loss, x, y)
    nnlib.gradient_noise_scale(model, loss, x, y)
    assert_untouched(model, before)


def test_float32_model_gives_float64_products():
    rng = np.random.default_rng(1)
    model64 = nnlib.mlp([3, 4, 2], activation="tanh", rng=2)
    model32 = nnlib.mlp([3, 4, 2], activation="tanh", rng=2, dtype=np.float32)
    model64.load_state_dict({k: v.astype(np.float32).astype(np.float64) for k, v in model32.state_dict().items()})
    x, y = rng.standard_normal((5, 3)), rng.integers(0, 2, 5)
    v = {name: rng.standard_normal(shape) for name, shape in layout(model64)}
    a = nnlib.hessian_vector_product(model32, nnlib.SoftmaxCrossEntropy(), x, y, v)
    b = nnlib.hessian_vector_product(model64, nnlib.SoftmaxCrossEntropy(), x, y, v)
    for name in a:
        assert a[name].dtype == np.float64
        np.testing.assert_allclose(a[name], b[name], rtol=1e-9, atol=1e-12)


def test_bad_arguments_are_named(tanh_problem):
    model, loss, x, y = tanh_problem
    v = {name: np.ones(shape) for name, shape in layout(model)}
    with pytest.raises(TypeError, match="vector must be a dict"):
        nnlib.hessian_vector_product(model, loss, x, y, [1.0, 2.0])
    with pytest.raises(ValueError, match=r"vector is missing \['2.b'\]"):
        nnlib.hessian_vector_product(model, loss, x, y, {k: a for k, a in v.items() if k != "2.b"})
    with pytest.raises(ValueError, match=r"vector\['0.W'\] has shape \(4, 3\); expected \(3, 4\)"):
        nnlib.hessian_vector_product(model, loss, x, y, {**v, "0.W": np.ones((4, 3))})
    with pytest.raises(ValueError, match=r"vector\['0.b'\] contains NaN"):
        nnlib.hessian_vector_product(model, loss, x, y, {**v, "0.b": np.full(4, np.nan)})
    with pytest.raises(ValueError, match="h must be a positive finite number; got -0.1"):
        nnlib.hessian_vector_product(model, loss, x, y, v, h=-0.1)
    with pytest.raises(ValueError, match="x and y must have the same number of examples; got 8 and 7"):
        nnlib.hessian_vector_product(model, loss, x, y[:7], v)
    with pytest.raises(ValueError, match="iterations must be at least 1; got 0"):
        nnlib.sharpness(model, loss, x, y, iterations=0)
    with pytest.raises(ValueError, match="tol must be a positive finite number; got 0"):
        nnlib.sharpness(model, loss, x, y, tol=0)
    with pytest.raises(ValueError, match="k must be at most the number of parameters, 31; got 40"):
        nnlib.hessian_eigenvalues(model, loss, x, y, k=40)
    with pytest.raises(ValueError, match=r"start is missing \['0.W'\]"):
        nnlib.sharpness(model, loss, x, y, start={k: a for k, a in v.items() if k != "0.W"})
    with pytest.raises(ValueError, match="start must not be the zero vector"):
        nnlib.power_iteration(lambda v: v, np.zeros(3))
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        nnlib.sharpness(model, loss, x, y, rng="seed")
    with pytest.raises(ValueError, match=r"x must be a non-empty \(batch, features\) array; got shape \(8,\)"):
        nnlib.gradient_noise_scale(model, loss, x[:, 0], y)


def test_layers_with_other_parameters_are_refused():
    class Scale(nnlib.Layer):
        def __init__(self):
            self.s = nnlib.Parameter("s", np.ones(2))

        def forward(self, x):
            return x * self.s.value

        def parameters(self):
            return [self.s]

        def __repr__(self):
            return "Scale()"

    model = nnlib.Sequential(nnlib.Linear(2, 2, rng=0), Scale())
    x, y = np.ones((3, 2)), np.zeros(3, int)
    with pytest.raises(TypeError, match=r"only Linear layers may have parameters; got Scale\(\)"):
        nnlib.per_example_gradients(model, nnlib.SoftmaxCrossEntropy(), x, y)
    with pytest.raises(TypeError, match=r"only Linear layers may have parameters; got Scale\(\)"):
        nnlib.gradient_noise_scale(model, nnlib.SoftmaxCrossEntropy(), x, y)
