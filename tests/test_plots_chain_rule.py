"""The chain-rule figure of notebook 02 (nnlib/plots/derivatives.py):
the gradients it writes under the nodes are the products of the local
slopes, and they agree with finite differences."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from nnlib import numerical_gradient  # noqa: E402
from nnlib.plots import plot_chain_rule  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def tiny_graph(w=0.5, x=2.0, t=1.0):
    u = w * x
    a = np.tanh(u)
    return ["w", "u", "a", "L"], [w, u, a, (a - t) ** 2], [x, 1 - a**2, 2 * (a - t)]


def texts(fig):
    return [t.get_text() for t in fig.axes[0].texts]


def test_the_gradients_under_the_nodes_are_products_of_the_slopes_and_match_finite_differences():
    names, values, slopes = tiny_graph()
    fig = plot_chain_rule(names, ["u = w·x", "a = tanh(u)", "L = (a - t)²"], values, slopes,
                          ["x", "1 - a²", "2(a - t)"])
    shown = texts(fig)
    numeric = numerical_gradient(lambda w: float((np.tanh(w[0] * 2.0) - 1.0) ** 2), np.array([0.5]))[0]
    assert numeric == pytest.approx(-0.40050, abs=1e-5)
    assert f"dL/dw = {numeric:.3f}" in shown  # -0.401: x * (1 - a²) * 2(a - t)
    assert "dL/du = -0.200" in shown and "dL/da = -0.477" in shown and "dL/dL = 1.000" in shown
    # every value and every local slope is written on the figure
    assert "0.762" in shown  # a = tanh(1)
    assert any("1 - a² = 0.420" in text for text in shown)
    assert fig.axes[0].get_title()


def test_a_longer_chain_and_bad_lengths():
    fig = plot_chain_rule(list("abcde"), ["1", "2", "3", "4"], [1, 2, 3, 4, 5], [2.0, 0.5, -1.0, 3.0],
                          ["f1", "f2", "f3", "f4"])
    assert "dL/da = -3.000" in texts(fig)  # 2 * 0.5 * -1 * 3
    with pytest.raises(ValueError, match="k-1 operations"):
        plot_chain_rule(["w", "L"], ["L = w²"], [1.0, 1.0], [2.0, 3.0], ["2w"])
