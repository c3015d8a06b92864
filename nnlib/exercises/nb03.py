"""Exercises of notebook 03: gradient descent on a loss surface."""

import numpy as np

from ._core import Exercise, Wrong, as_number, call, close, fmt, number_checker, register

# --- 03.1 one gradient-descent step on the line's loss -----------------------------------------------

STEP_X = np.array([-1.0, 0.0, 0.5, 2.0])
STEP_Y = np.array([-0.5, 1.5, 2.0, 4.5])
STEP_CASES = [(-2.0, 3.0, 0.1), (1.0, -1.0, 0.3)]


def _gradients(w, b, x, y):
    error = w * x + b - y
    return 2 * np.mean(error * x), 2 * np.mean(error)


def _two_numbers(value, what):
    try:
        w, b = value
    except (TypeError, ValueError):
        raise Wrong(f"{what} should be two numbers, (w, b); it is {value!r}.") from None
    return as_number(w, what + " (its w)"), as_number(b, what + " (its b)")


def _check_step(answer):
    for w, b, lr in STEP_CASES:
        returned = call(answer, w, b, STEP_X.copy(), STEP_Y.copy(), lr, call_as="my_step(w, b, x, y, lr)")
        got = _two_numbers(returned, f"What my_step({w}, {b}, x, y, {lr}) returned")
        gw, gb = _gradients(w, b, STEP_X, STEP_Y)
        expected = (w - lr * gw, b - lr * gb)
        if close(got, expected):
            continue
        n = len(STEP_X)
        new_w = w - lr * gw
        said = (f"With x = {fmt(STEP_X)}, y = {fmt(STEP_Y)}, starting at (w, b) = ({w}, {b}) with lr = {lr}, you "
                f"returned ({fmt(got[0])}, {fmt(got[1])}); expected ({fmt(expected[0])}, {fmt(expected[1])}). ")
        for value, message in [
            ((w + lr * gw, b + lr * gb), "Your step went uphill: subtract lr times the gradient."),
            ((w - lr * gw / 2, b - lr * gb / 2), "Your step is half the right size: the derivative of the square "
                                                 "(w x + b - y)**2 brings a factor 2."),
            ((w - lr * n * gw, b - lr * n * gb), f"Your step is {n} times too large, one per point: the loss is a "
                                                 "mean, so its gradient is a mean too (np.mean, not np.sum)."),
            ((w - lr * gb, b - lr * gb), "Your w-gradient misses the factor x_i: dL/dw = 2 mean((w x + b - y) x)."),
            ((new_w, b - lr * _gradients(new_w, b, STEP_X, STEP_Y)[1]),
             "You computed b's gradient with the already-updated w: compute both gradients at the old (w, b) first, "
             "then step both."),
            ((gw, gb), "You returned the gradient, not the new (w, b)."),
        ]:
            if close(got, value):
                raise Wrong(said + message)
        raise Wrong(said + "Compute dL/dw = 2 mean((w x + b - y) x) and dL/db = 2 mean(w x + b - y), then "
                           "return (w - lr * dL/dw, b - lr * dL/db).")


def _step_uphill(w, b, x, y, lr):
    """Adds the gradient instead of subtracting it."""
    error = w * x + b - y
    return w + lr * 2 * np.mean(error * x), b + lr * 2 * np.mean(error)


def _step_sum(w, b, x, y, lr):
    """Sums over the points instead of averaging."""
    error = w * x + b - y
    return w - lr * 2 * np.sum(error * x), b - lr * 2 * np.sum(error)


def _step_sequential(w, b, x, y, lr):
    """Updates w, then computes b's gradient with the new w."""
    w = w - lr * 2 * np.mean((w * x + b - y) * x)
    b = b - lr * 2 * np.mean(w * x + b - y)
    return w, b


def _step_no_x(w, b, x, y, lr):
    """Forgets the factor x in dL/dw."""
    error = w * x + b - y
    return w - lr * 2 * np.mean(error), b - lr * 2 * np.mean(error)


def _step_error_in_place(w, b, x, y, lr):
    """Computes the error into y (y -= prediction), changing the caller's targets."""
    y -= w * x + b
    error = -y
    return w - lr * 2 * np.mean(error * x), b - lr * 2 * np.mean(error)


register(Exercise(
    "03.1", "one step of gradient descent",
    "Write my_step(w, b, x, y, lr): one gradient-descent step on the mean squared error of the line "
    "y = w x + b; return the new (w, b).",
    start="def my_step(w, b, x, y, lr):\n    ...  # return (new_w, new_b)",
    answer_name="my_step",
    hint="the two partial derivatives are written out in section 2, \"One step of gradient descent\"",
    call_as="my_step(w, b, x, y, lr)",
    solution_source='''
def my_step(w, b, x, y, lr):
    error = w * x + b - y                     # prediction minus target, one per point
    grad_w = 2 * np.mean(error * x)           # dL/dw
    grad_b = 2 * np.mean(error)               # dL/db
    return w - lr * grad_w, b - lr * grad_b   # both computed at the old (w, b), then both step
''',
    solution_name="my_step",
    kind="function",
    checker=_check_step,
    mistakes=[(_step_uphill, "uphill"), (_step_sum, "np.mean, not np.sum"),
              (_step_sequential, "already-updated w"), (_step_no_x, "misses the factor x_i"),
              (_step_error_in_place, "of `y` in place")],
    inputs={"x": "the caller's points are no longer the data, and the next step starts from changed ones",
            "y": "the caller's targets no longer match its points"},
    praise="This is one step of `nnlib.gradient_descent_path` (nnlib/surfaces.py).",
))

# --- 03.2 the factor of one step ---------------------------------------------------------------------

register(Exercise(
    "03.2", "what one step does to the distance",
    "Along a direction of curvature λ = 3, by what factor does one step with lr = 0.5 multiply the distance "
    "to the valley floor?",
    start="my_factor = None  # your answer: a number",
    answer_name="my_factor",
    hint="section 4 shows the factor of one step; compute it for lr = 0.5 and λ = 3",
    solution_source="""
lr, curvature = 0.5, 3.0
answer = 1 - lr * curvature   # -0.5: each step jumps past the floor and lands half as far: oscillates, converges
""",
    solution_name="answer",
    kind="value",
    checker=number_checker(
        -0.5,
        wrong=[(0.5, "the factor is negative here: lr·λ = 1.5 is above 1, so each step jumps past the floor to the "
                     "other side. The factor is 1 - lr·λ."),
               (1.5, "1.5 is lr·λ; the factor is 1 - lr·λ."),
               (-1.5, "-1.5 is -lr·λ, the step alone; the factor on the distance is 1 - lr·λ."),
               (2.5, "the step goes against the slope, so the factor is 1 - lr·λ, not 1 + lr·λ."),
               (1 - 0.5 / 3, "the curvature multiplies the learning rate: 1 - lr·λ, not 1 - lr/λ.")],
        generic="One step moves the distance d to d - lr·λ·d = (1 - lr·λ) d."),
    mistakes=[(0.5, "negative"), (1.5, "is lr·λ"), (2.5, "not 1 + lr·λ")],
    praise="-0.5: the path jumps to the other side at every step and lands half as far: it oscillates and "
           "converges (lr·λ = 1.5 is between 1 and 2).",
))

# --- 03.3 the largest stable learning rate -----------------------------------------------------------


def _data_01():
    import nnlib

    return nnlib.make_line(1000, w=2.0, b=1.0, noise=0.5, x_range=(0.0, 1.0), rng=0)


def _curvatures_01():
    x, _ = _data_01()
    x = x[:, 0]
    hessian = 2 * np.array([[np.mean(x * x), np.mean(x)], [np.mean(x), 1.0]])
    return np.linalg.eigvalsh(hessian)  # ascending: gentle, steep


def _check_limit(answer):
    gentle, steep = _curvatures_01()
    checker = number_checker(
        2 / steep,
        wrong=[(2 / gentle, "that is 2 over the *gentle* curvature; the steepest direction sets the limit for "
                            "every direction: 2 / λmax."),
               (1 / steep, "that is where the steep direction starts to oscillate (lr·λ = 1); it diverges only "
                           "above lr·λ = 2."),
               (0.998, "0.998 is the limit of the centred data (x in [-1, 1]) from section 4; this data has x in "
                       "[0, 1], whose valley is narrower."),
               (4 / steep, "twice too large: the second derivatives of the mean squared error carry a factor 2 "
                           "(curvatures are eigenvalues of 2 [[mean x², mean x], [mean x, 1]]).")],
        rtol=2e-3,
        generic="Compute the two curvatures of this data (LineData.from_arrays(x, y).curvatures()) and take "
                "2 / the largest.")
    checker(answer)


register(Exercise(
    "03.3", "the largest stable learning rate",
    "For the line data with x in [0, 1] below, compute the largest learning rate at which gradient descent "
    "does not diverge.",
    start="from nnlib.surfaces import LineData\n\n"
          "x_01, y_01 = nnlib.make_line(1000, w=2.0, b=1.0, noise=0.5, x_range=(0.0, 1.0), rng=0)\n"
          "my_limit = None  # your answer: a number",
    answer_name="my_limit",
    hint="get the curvatures with `LineData.from_arrays(x_01, y_01).curvatures()`, and remember which one sets "
         "the limit (section 4)",
    solution_source="""
import nnlib
from nnlib.surfaces import LineData

x_01, y_01 = nnlib.make_line(1000, w=2.0, b=1.0, noise=0.5, x_range=(0.0, 1.0), rng=0)
gentle, steep = LineData.from_arrays(x_01, y_01).curvatures()
answer = 2 / steep   # about 0.78: below the 0.998 of centred data, because this valley is narrower
""",
    solution_name="answer",
    kind="value",
    checker=_check_limit,
    mistakes=[(0.998, "centred data"), (1.0, "not it")],
    praise="Above 2 / λmax the steep direction's factor 1 - lr·λmax is below -1 and the path diverges; this data, "
           "not centred, has a steeper λmax than the centred data and so a lower limit than 0.998.",
))
