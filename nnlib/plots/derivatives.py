"""Figures for notebook 02: derivatives and gradients.

Secants turning into the tangent, partial derivatives as the slopes of two
slices of a surface, the error of finite differences against the step h,
the chain rule on a tiny graph (backpropagation by hand), and what a
gradient costs by finite differences and by backpropagation.
"""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import LogLocator, NullLocator

from .style import COLORS

TEXT = {
    "secant_title": "Secants through x0 = {x0:.2f} approach the tangent as h shrinks",
    "x": "x",
    "fx": "f(x)",
    "curve": "f(x)",
    "tangent": "tangent, slope f'(x0) = {slope:.3f}",
    "secant": "secant h = {h:g}, slope {slope:.3f}",
    "partial_contour_title": "f(w, b) and the point ({w0:.1f}, {b0:.1f})",
    "partial_w_title": "Slice at b = {b0:.1f}: slope df/dw = {slope:.3f}",
    "partial_b_title": "Slice at w = {w0:.1f}: slope df/db = {slope:.3f}",
    "w": "w",
    "b": "b",
    "f": "f(w, b)",
    "point": "(w0, b0)",
    "arrow_w": "df/dw = {slope:.2f} (along w)",
    "arrow_b": "df/db = {slope:.2f} (along b)",
    "gradient": "gradient ({dw:.2f}, {db:.2f}), uphill",
    "slice": "f along the slice",
    "slice_tangent": "tangent, slope {slope:.3f}",
    "fd_title": "{dtype}: error of the finite difference of exp at x = 1",
    "fd_x": "step h",
    "fd_y": "|finite difference - exact derivative|",
    "fd_curve": "{method} difference",
    "fd_best": "{method}: smallest error at h = {h:.0e}",
    "slope_1": "slope 1:\nerror ~ h",
    "slope_2": "slope 2:\nerror ~ h²",
    "slope_roundoff": "slope -1: round-off\n~ eps / h",
    "chain_title": "The chain rule: forward values left to right, gradients right to left",
    "chain_value": "{name} = {value:.3f}",
    "chain_slope": "local slope\n{formula} = {slope:.3f}",
    "chain_grad": "dL/d{name} = {grad:.3f}",
    "chain_forward": "forward pass: each node computes its value from the one on its left",
    "chain_backward": "backward pass: each gradient = the gradient on its right × the local slope between them",
    "cost_title": "Time for one gradient of an MLP",
    "cost_x": "number of parameters",
    "cost_y": "seconds (log scale)",
    "cost_fd": "finite differences (central, 2 loss evaluations per parameter)",
    "cost_backprop": "backprop (1 forward + 1 backward pass)",
    "cost_forward": "one forward pass (loss evaluation)",
    "cost_ratio": "{ratio:,.0f} times\nslower",
}

METHOD_COLORS = {"forward": COLORS["validation"], "central": COLORS["train"]}


def plot_secants(f, df, x0, steps, *, x_range=(-2.0, 2.0)):
    """The curve f, its tangent at x0 and the secants from x0 to x0 + h for
    each h in ``steps``. f, df: vectorised functions of x."""
    xs = np.linspace(*x_range, 400)
    y0 = f(x0)
    slope = df(x0)
    fig, ax = plt.subplots(figsize=(8, 5), layout="constrained")
    ax.plot(xs, f(xs), color="black", linewidth=2, label=TEXT["curve"])
    greys = plt.get_cmap("Oranges")(np.linspace(0.9, 0.4, len(steps)))
    for h, colour in zip(steps, greys):
        secant = (f(x0 + h) - y0) / h
        ax.plot(xs, y0 + secant * (xs - x0), color=colour, linewidth=1.5,
                label=TEXT["secant"].format(h=h, slope=secant))
        ax.plot([x0 + h], [f(x0 + h)], "o", color=colour, markersize=6)
    ax.plot(xs, y0 + slope * (xs - x0), color=COLORS["train"], linewidth=2.5, linestyle="--",
            label=TEXT["tangent"].format(slope=slope))
    ax.plot([x0], [y0], "o", color="black", markersize=8)
    y_curve = f(xs)
    pad = 0.2 * (y_curve.max() - y_curve.min())
    ax.set(title=TEXT["secant_title"].format(x0=x0), xlabel=TEXT["x"], ylabel=TEXT["fx"],
           xlim=x_range, ylim=(y_curve.min() - pad, y_curve.max() + pad))
    ax.legend(loc="upper left", fontsize=9)
    return fig


def plot_partial_derivatives(f, w0, b0, dfdw, dfdb, *, w_range, b_range):
    """Left: contours of f(w, b) with the point (w0, b0) and arrows for the
    two partial derivatives. Middle and right: the slices f(w, b0) and
    f(w0, b), each with its tangent at the point, of slope dfdw and dfdb.
    f: vectorised function of two arrays."""
    ws = np.linspace(*w_range, 120)
    bs = np.linspace(*b_range, 120)
    W, B = np.meshgrid(ws, bs)
    f0 = f(w0, b0)
    fig, axes = plt.subplots(1, 3, figsize=(14, 4.3), layout="constrained", width_ratios=[1.2, 1, 1])

    ax = axes[0]
    contours = ax.contour(W, B, f(W, B), levels=15, cmap="viridis")
    ax.clabel(contours, fontsize=7, fmt="%.1f")
    ax.plot([w0], [b0], "o", color="black", markersize=8, label=TEXT["point"])
    norm = np.hypot(dfdw, dfdb)
    scale = 0.3 * min(w_range[1] - w_range[0], b_range[1] - b_range[0]) / max(norm, 1e-12)
    arrows = [((dfdw * scale, 0), COLORS["validation"], TEXT["arrow_w"].format(slope=dfdw)),
              ((0, dfdb * scale), COLORS["good"], TEXT["arrow_b"].format(slope=dfdb)),
              ((dfdw * scale, dfdb * scale), COLORS["path"], TEXT["gradient"].format(dw=dfdw, db=dfdb))]
    for (dw, db), colour, label in arrows:
        ax.annotate("", xy=(w0 + dw, b0 + db), xytext=(w0, b0),
                    arrowprops=dict(arrowstyle="-|>", color=colour, linewidth=2.5, mutation_scale=18))
        ax.plot([], [], color=colour, linewidth=2.5, label=label)  # legend entry for the arrow
    ax.set(title=TEXT["partial_contour_title"].format(w0=w0, b0=b0), xlabel=TEXT["w"], ylabel=TEXT["b"])
    ax.legend(loc="lower right", fontsize=8, framealpha=0.9)

    slices = [(axes[1], ws, f(ws, b0), w0, dfdw, TEXT["w"], TEXT["partial_w_title"].format(b0=b0, slope=dfdw),
               COLORS["validation"]),
              (axes[2], bs, f(w0, bs), b0, dfdb, TEXT["b"], TEXT["partial_b_title"].format(w0=w0, slope=dfdb),
               COLORS["good"])]
    for ax, t, values, t0, slope, name, title, colour in slices:
        ax.plot(t, values, color="black", linewidth=2, label=TEXT["slice"])
        near = np.abs(t - t0) < 0.3 * (t[-1] - t[0])
        ax.plot(t[near], f0 + slope * (t[near] - t0), color=colour, linewidth=2.5,
                label=TEXT["slice_tangent"].format(slope=slope))
        ax.plot([t0], [f0], "o", color="black", markersize=8)
        ax.set(title=title, xlabel=name, ylabel=TEXT["f"])
        ax.legend(loc="upper center", fontsize=8)
    return fig


def _positive_or_nan(errors):
    """An error of exactly 0 (a lucky rounding) cannot go on a log axis."""
    errors = np.asarray(errors, dtype=float)
    return np.where(errors > 0, errors, np.nan)


def plot_finite_difference_errors(steps, errors):
    """Log-log error against the step h, one panel per dtype.

    steps: (n,) step sizes. errors: {dtype name: {method: (n,) errors}},
    e.g. {"float64": {"forward": ..., "central": ...}, "float32": {...}}.
    The smallest error of each curve is marked; the slopes of the
    truncation branches (1 and 2) and of round-off (-1) are written on.
    """
    steps = np.asarray(steps, dtype=float)
    fig, axes = plt.subplots(1, len(errors), figsize=(6.5 * len(errors), 4.8), layout="constrained",
                             sharey=True, squeeze=False)
    for ax, (dtype_name, by_method) in zip(axes[0], errors.items()):
        for method, values in by_method.items():
            values = _positive_or_nan(values)
            colour = METHOD_COLORS.get(method, COLORS["neutral"])
            ax.loglog(steps, values, color=colour, linewidth=2, label=TEXT["fd_curve"].format(method=method))
            best = int(np.nanargmin(values))
            ax.plot(steps[best], values[best], "o", color=colour, markersize=9, markeredgecolor="black",
                    label=TEXT["fd_best"].format(method=method, h=steps[best]))
        _annotate_slopes(ax, steps, by_method)
        ax.set(title=TEXT["fd_title"].format(dtype=dtype_name), xlabel=TEXT["fd_x"], ylabel=TEXT["fd_y"])
        _decade_ticks(ax)
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(loc="lower left", fontsize=8)
    return fig


def _decade_ticks(ax):
    """A tick every power of ten (every second one on long axes), no minor
    ticks: as readable, and far quicker to draw than the default."""
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_locator(LogLocator(base=10, numticks=8))
        axis.set_minor_locator(NullLocator())


def _annotate_slopes(ax, steps, by_method):
    """Write the slope next to the truncation branch (right, large h) of
    each method and next to the round-off branch (left) of the first."""
    slopes = {"forward": TEXT["slope_1"], "central": TEXT["slope_2"]}
    right = np.argmin(np.abs(np.log10(steps) - (-2.0)))
    offsets = {"forward": ((-12, 8), "right", "bottom"), "central": ((10, -8), "left", "top")}
    for method, values in by_method.items():
        if method in slopes:
            values = _positive_or_nan(values)
            offset, ha, va = offsets[method]
            ax.annotate(slopes[method], xy=(steps[right], values[right]), xytext=offset,
                        textcoords="offset points", ha=ha, va=va,
                        color=METHOD_COLORS[method], fontsize=10, fontweight="bold")
    values = _positive_or_nan(next(iter(by_method.values())))
    best = int(np.nanargmin(values))
    left = max(best - (len(steps) // 6), 0)
    ax.annotate(TEXT["slope_roundoff"], xy=(steps[left], values[left]), xytext=(0.05, 0.86),
                textcoords="axes fraction", ha="left", va="top", color="dimgray", fontsize=9,
                arrowprops=dict(arrowstyle="->", color="dimgray", linewidth=1))


def plot_chain_rule(names, operations, values, slopes, formulas):
    """A chain of k nodes, left to right, and backpropagation through it.

    names: (k,) node names, the last one the loss, e.g. ["w", "u", "a", "L"].
    operations: (k-1,) what each arrow computes, e.g. "u = w·x".
    values: (k,) the forward value of each node.
    slopes: (k-1,) local derivative d(node i+1)/d(node i) of each arrow.
    formulas: (k-1,) how each slope is computed, e.g. "1 - a²".
    Above each arrow its operation, on it the local slope; under each node
    dL/d(node), the product of the slopes to its right (1 for L itself).
    Returns the figure.
    """
    k = len(names)
    if not (len(values) == k and len(operations) == len(slopes) == len(formulas) == k - 1):
        raise ValueError(f"need k names and values and k-1 operations, slopes and formulas; got "
                         f"{len(names)}, {len(values)}, {len(operations)}, {len(slopes)}, {len(formulas)}")
    grads = np.ones(k)
    for i in range(k - 2, -1, -1):  # backward: right to left
        grads[i] = grads[i + 1] * slopes[i]
    fig, ax = plt.subplots(figsize=(2.9 * k, 3.3), layout="constrained")
    xs = np.arange(k) * 3.3
    for i, (x, name) in enumerate(zip(xs, names)):
        ax.add_patch(plt.Circle((x, 0), 0.62, facecolor="white", edgecolor="black", linewidth=2, zorder=3))
        ax.text(x, 0.12, name, ha="center", va="center", fontsize=16, fontweight="bold", zorder=4)
        ax.text(x, -0.28, f"{values[i]:.3f}", ha="center", va="center", fontsize=10, zorder=4)
        ax.text(x, -1.05, TEXT["chain_grad"].format(name=name, grad=grads[i]), ha="center", va="top",
                fontsize=11, color=COLORS["bad"], fontweight="bold")
    for i in range(k - 1):
        left, right = xs[i] + 0.7, xs[i + 1] - 0.7
        ax.annotate("", xy=(right, 0.12), xytext=(left, 0.12),
                    arrowprops=dict(arrowstyle="-|>", color="black", linewidth=1.8, mutation_scale=16))
        ax.annotate("", xy=(left, -0.55), xytext=(right, -0.55),
                    arrowprops=dict(arrowstyle="-|>", color=COLORS["bad"], linewidth=1.8, mutation_scale=16))
        middle = (xs[i] + xs[i + 1]) / 2
        ax.text(middle, 0.3, operations[i], ha="center", va="bottom", fontsize=10)
        ax.text(middle, -0.45, TEXT["chain_slope"].format(formula=formulas[i], slope=slopes[i]),
                ha="center", va="bottom", fontsize=9, color=COLORS["bad"])
    ax.text(xs[0] - 0.7, 1.45, TEXT["chain_forward"], fontsize=10, va="center")
    ax.text(xs[0] - 0.7, -2.0, TEXT["chain_backward"], fontsize=10, va="center", color=COLORS["bad"])
    ax.set(xlim=(xs[0] - 0.9, xs[-1] + 0.9), ylim=(-2.3, 1.7), aspect="equal", title=TEXT["chain_title"])
    ax.axis("off")
    return fig


def plot_gradient_costs(times):
    """Seconds for one gradient against the number of parameters, log-log.

    times: list of objects with .parameters, .forward, .backprop and
    .finite_differences (nnlib.costs.GradientTimes). The ratio finite
    differences / backprop is written at the largest model.
    """
    n = np.array([t.parameters for t in times], dtype=float)
    fd = np.array([t.finite_differences for t in times])
    bp = np.array([t.backprop for t in times])
    fw = np.array([t.forward for t in times])
    fig, ax = plt.subplots(figsize=(9, 5), layout="constrained")
    ax.loglog(n, fd, "o-", color=COLORS["bad"], linewidth=2, label=TEXT["cost_fd"])
    ax.loglog(n, bp, "s-", color=COLORS["good"], linewidth=2, label=TEXT["cost_backprop"])
    ax.loglog(n, fw, "^--", color=COLORS["neutral"], linewidth=1.5, label=TEXT["cost_forward"])
    ax.annotate("", xy=(n[-1], bp[-1]), xytext=(n[-1], fd[-1]),
                arrowprops=dict(arrowstyle="<->", color="black", linewidth=1.5))
    middle = np.sqrt(fd[-1] * bp[-1])
    ax.text(n[-1] * 0.85, middle, TEXT["cost_ratio"].format(ratio=fd[-1] / bp[-1]),
            ha="right", va="center", fontsize=12, fontweight="bold")
    ax.set(title=TEXT["cost_title"], xlabel=TEXT["cost_x"], ylabel=TEXT["cost_y"])
    _decade_ticks(ax)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(loc="upper left", fontsize=9)
    return fig
