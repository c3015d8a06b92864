"""Exercises of notebook 10: when training goes wrong."""

import math

import numpy as np

from ._core import Exercise, Wrong, as_number, call, fmt, number_checker, register

# --- 10.1 the update-to-data ratio ---------------------------------------------------------------------


def _ratio_cases():
    rng = np.random.default_rng(5)
    return [(0.1, rng.standard_normal((4, 3)) * 0.02, rng.standard_normal((4, 3))),
            (0.5, rng.standard_normal((6, 2)) * 0.1, rng.standard_normal((6, 2)) * 3),
            (0.01, np.full((2, 2), 0.5), np.full((2, 2), 2.0))]


def _ratio(lr, grad, weight):
    return float(lr * np.linalg.norm(grad) / np.linalg.norm(weight))


def _check_ratio(answer):
    for lr, grad, weight in _ratio_cases():
        returned = call(answer, lr, grad.copy(), weight.copy(), call_as="my_update_ratio(lr, grad, weight)")
        got = as_number(returned, "what my_update_ratio returned")
        expected = _ratio(lr, grad, weight)
        if math.isclose(got, expected, rel_tol=1e-9):
            continue
        said = f"For lr = {lr} and {grad.shape} arrays you returned {fmt(got)}; expected {fmt(expected)}. "
        for value, message in [
            (expected / lr, "You left out the learning rate: the update of plain SGD is lr * grad, and the ratio "
                            "compares the update, not the gradient, with the weights."),
            (float(lr * np.mean(np.abs(grad) / np.abs(weight))), "You averaged the ratios of single entries; a "
                                                                   "weight near 0 then makes the ratio explode. "
                                                                   "Compare the sizes of the whole matrices: "
                                                                   "np.linalg.norm of each."),
            (float(np.linalg.norm(weight) / (lr * np.linalg.norm(grad))), "Your ratio is upside down: the "
                                                                            "update goes on top, the weights "
                                                                            "below."),
            (float(lr * np.sum(np.abs(grad)) / np.sum(np.abs(weight))), "You used the sum of absolute values; "
                                                                          "|.| here is the Frobenius norm, "
                                                                          "np.linalg.norm (the square root of "
                                                                          "the sum of squares)."),
        ]:
            if math.isclose(got, value, rel_tol=1e-9):
                raise Wrong(said + message)
        raise Wrong(said + "Return lr * np.linalg.norm(grad) / np.linalg.norm(weight).")


def _ratio_no_lr(lr, grad, weight):
    """Leaves out lr."""
    return float(np.linalg.norm(grad) / np.linalg.norm(weight))


def _ratio_entrywise(lr, grad, weight):
    """Averages entry-wise ratios."""
    return float(lr * np.mean(np.abs(grad) / np.abs(weight)))


def _ratio_upside_down(lr, grad, weight):
    """Weights over update."""
    return float(np.linalg.norm(weight) / (lr * np.linalg.norm(grad)))


register(Exercise(
    "10.1", "the update-to-data ratio",
    "Write my_update_ratio(lr, grad, weight): how large one plain SGD step is compared with the weights, "
    "lr * |grad| / |weight|, where |.| is the Frobenius norm (np.linalg.norm).",
    start="def my_update_ratio(lr, grad, weight):\n    ...  # return one number",
    answer_name="my_update_ratio",
    hint="the step of plain SGD is lr * grad; compare its size with the size of the weights, "
         "`np.linalg.norm(...)` of each",
    call_as="my_update_ratio(lr, grad, weight)",
    solution_source='''
def my_update_ratio(lr, grad, weight):
    update = lr * grad                                   # what one SGD step subtracts from the weights
    return float(np.linalg.norm(update) / np.linalg.norm(weight))
''',
    solution_name="my_update_ratio",
    kind="function",
    checker=_check_ratio,
    mistakes=[(_ratio_no_lr, "learning rate"), (_ratio_entrywise, "single entries"),
              (_ratio_upside_down, "upside down")],
    praise="This is nnlib.update_ratios (nnlib/diagnostics.py). Near 1e-3 is the usual healthy value: each step "
           "changes the weights by about a thousandth of their size.",
))

# --- 10.2 how the signal grows through ReLU layers ------------------------------------------------------

register(Exercise(
    "10.2", "the signal through five layers",
    "A network of 5 hidden layers (Linear then ReLU), He initialisation times gain = 2. By what factor is the "
    "mean square of the signal multiplied from the input to the output of the fifth hidden layer, on average?",
    start="my_factor = None  # your answer: a number",
    answer_name="my_factor",
    hint="each Linear multiplies the mean square by gain² * fan_in * Var(w) = gain² * 2 with He, and each ReLU "
         "halves it",
    solution_source="""
per_layer = 2**2 * 2 / 2     # Linear: gain² * fan_in * (2 / fan_in); ReLU: halves it -> gain² = 4
answer = per_layer**5        # 1024: five layers multiply their factors
""",
    solution_name="answer",
    kind="value",
    checker=number_checker(
        1024.0,
        wrong=[(32.0, "2⁵ = 32 is the factor of the standard deviation (gain per layer); the mean square grows "
                      "by gain² per layer."),
               (20.0, "the factors of the five layers multiply, they do not add: 4 × 4 × 4 × 4 × 4."),
               (4.0 ** 5 * 2 ** 5, "each ReLU halves the mean square (it sets half of a symmetric signal to 0): "
                                   "the Linear's factor of 8 becomes 4 per layer."),
               (4.0, "that is one layer; there are five.")],
        generic="Per layer the Linear multiplies the mean square by gain² × 2 (He) and the ReLU halves it; "
                "multiply the five layers' factors."),
    mistakes=[(32, "standard deviation"), (20, "multiply"), (32768, "halves")],
    praise="At gain 2 the signal of a 10-layer ReLU network grows by 4¹⁰, about a million, in mean square: "
           "the panel's exploding case. With gain 1 (He) the factor is 1 at every depth, on average over the "
           "random weights (one draw scatters around it, section 2).",
))

# --- 10.3 the loss at initialisation ------------------------------------------------------------------------

register(Exercise(
    "10.3", "the loss at initialisation",
    "A network that classifies the 26 letters of the alphabet starts with uniform predictions (1/26 for "
    "every letter). What cross-entropy loss should its first batch show?",
    start="my_initial_loss = None  # your answer: a number",
    answer_name="my_initial_loss",
    hint="the cross-entropy of an example is -ln(the probability given to its true class)",
    solution_source="""
import math
answer = -math.log(1 / 26)   # = ln 26 ≈ 3.258, whatever the true letter
""",
    solution_name="answer",
    kind="value",
    checker=number_checker(
        math.log(26),
        wrong=[(math.log10(26), "that is log base 10; the cross-entropy uses the natural logarithm, ln."),
               (math.log(10), "ln 10 is for ten classes (the digits); here there are 26."),
               (1 / 26, "that is the probability given to the true class; the loss is -ln of it."),
               (math.log(26) / 26, "every example contributes -ln(1/26); the mean over the batch is that same "
                                   "number, not divided by 26.")],
        generic="With uniform predictions the true class gets 1/26, so the loss is -ln(1/26)."),
    mistakes=[(math.log10(26), "natural logarithm"), (math.log(10), "26"), (1 / 26, "-ln of it")],
    praise="ln 26 ≈ 3.26. A first loss far above it means the network starts confident and wrong: scale its "
           "last layer down.",
))
