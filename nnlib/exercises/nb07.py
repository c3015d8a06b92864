"""Exercises of notebook 07: underfitting and overfitting."""

import numpy as np

from ._core import Exercise, Wrong, as_array, call, close, fmt, number_checker, register

# --- 07.1 a ridge fit --------------------------------------------------------------------------------


def _ridge(features, y, l2):
    n, d = features.shape
    return np.linalg.solve(features.T @ features + n * l2 * np.eye(d), features.T @ y)


def _ridge_cases():
    rng = np.random.default_rng(7)
    features, w_true = rng.normal(size=(20, 4)), np.array([1.0, -2.0, 0.5, 3.0])
    y = features @ w_true + rng.normal(scale=0.5, size=20)
    return [(features, y, 0.0), (features, y, 0.1), (features, y, 1.0)]


def _check_ridge(answer):
    for features, y, l2 in _ridge_cases():
        returned = call(answer, features.copy(), y.copy(), l2, call_as="my_ridge(features, y, l2)")
        if returned is not None and np.shape(returned) == (features.shape[1], 1):
            returned = np.asarray(returned)[:, 0]
        got = as_array(returned, (features.shape[1],), f"what my_ridge(features, y, {l2}) returned")
        expected = _ridge(features, y, l2)
        if close(got, expected, rtol=1e-6, atol=1e-8):
            continue
        n, d = features.shape
        gram, rhs = features.T @ features, features.T @ y
        said = (f"With features of shape {features.shape} and l2 = {l2} you returned {fmt(got)}; expected "
                f"{fmt(expected)}. ")
        for value, message in [
            (np.linalg.solve(gram + l2 * np.eye(d), rhs),
             f"Your penalty is {n} times too weak: the loss is the *mean* squared error plus l2·|w|², so its "
             "gradient is zero where (FᵀF / n + l2·I) w = Fᵀy / n, that is (FᵀF + n·l2·I) w = Fᵀy."),
            (_ridge(features, y, 0.0), "Your weights do not change with l2: add the penalty l2·|w|², whose "
                                       "gradient 2·l2·w puts n·l2 on the diagonal of FᵀF."),
            (np.linalg.solve(gram - n * l2 * np.eye(d), rhs), "The penalty has the wrong sign: it adds n·l2 to the "
                                                              "diagonal, and pulls the weights towards 0."),
            (np.linalg.solve(gram + 2 * n * l2 * np.eye(d), rhs), "Your penalty is twice too strong: the 2 of "
                                                                  "2·l2·w cancels the 2 of the squared error's "
                                                                  "gradient."),
        ]:
            if close(got, value, rtol=1e-6, atol=1e-8):
                raise Wrong(said + message)
        raise Wrong(said + "Set the gradient of mean((F w - y)²) + l2·|w|² to zero and solve "
                           "(FᵀF + n·l2·I) w = Fᵀy with np.linalg.solve.")


def _ridge_no_n(features, y, l2):
    """Puts l2 (not n·l2) on the diagonal."""
    return np.linalg.solve(features.T @ features + l2 * np.eye(features.shape[1]), features.T @ y)


def _ridge_ignores_l2(features, y, l2):
    """Ignores l2: plain least squares."""
    return np.linalg.lstsq(features, y, rcond=None)[0]


def _ridge_sign(features, y, l2):
    """Subtracts the penalty."""
    n, d = features.shape
    return np.linalg.solve(features.T @ features - n * l2 * np.eye(d), features.T @ y)


def _ridge_centres_in_place(features, y, l2):
    """Centres the targets in place before solving."""
    y -= y.mean()
    n, d = features.shape
    return np.linalg.solve(features.T @ features + n * l2 * np.eye(d), features.T @ y)


register(Exercise(
    "07.1", "a ridge fit",
    "Write my_ridge(features, y, l2): the weights w that minimise mean((features @ w - y)**2) + l2 * sum(w**2).",
    start="def my_ridge(features, y, l2):\n    ...  # return the weights, shape (features.shape[1],)",
    answer_name="my_ridge",
    hint="the gradient is zero where (FᵀF + n·l2·I) w = Fᵀy (n the number of rows of F); solve it with "
         "`np.linalg.solve`",
    call_as="my_ridge(features, y, l2)",
    solution_source='''
def my_ridge(features, y, l2):
    n, d = features.shape
    # gradient of mean((F w - y)^2) + l2 |w|^2 is (2/n) F^T (F w - y) + 2 l2 w; it is zero where:
    return np.linalg.solve(features.T @ features + n * l2 * np.eye(d), features.T @ y)
''',
    solution_name="my_ridge",
    kind="function",
    checker=_check_ridge,
    mistakes=[(_ridge_no_n, "times too weak"), (_ridge_ignores_l2, "do not change with l2"),
              (_ridge_sign, "wrong sign"), (_ridge_centres_in_place, "of `y` in place")],
    inputs={"features": "the caller's features are no longer the ones it passed, and its next fit (another l2) "
                        "starts from changed data",
            "y": "the caller's targets are no longer the ones it passed, and its next fit (another l2) starts from "
                 "changed data"},
    praise="These are the weights of `least_squares(features, y, l2=l2)` (nnlib/capacity.py) when there are at "
           "least as many examples as features; a larger l2 gives smaller weights and a calmer curve.",
))

# --- 07.2 the degree a validation curve points to ----------------------------------------------------

DEGREES = list(range(1, 16))
# Median over 20 samples of 30 points of sin(2πx) + noise (std 0.3), validated on 1000 fresh points each.
TRAIN_ERROR = [0.262, 0.253, 0.068, 0.065, 0.057, 0.057, 0.053, 0.052, 0.051, 0.048, 0.045, 0.041, 0.039, 0.035,
               0.035]
VAL_ERROR = [0.304, 0.314, 0.103, 0.109, 0.112, 0.109, 0.117, 0.128, 0.148, 0.163, 0.18, 0.194, 0.471, 1.99, 11.97]

register(Exercise(
    "07.2", "the degree the curves point to",
    "Given the training and validation errors of polynomial fits of degree 1 to 15 (loaded in the cell), which degree "
    "would you choose?",
    start='data = EXERCISES["07.2"].data\n'
          'degrees, train_error, val_error = data["degrees"], data["train_error"], data["val_error"]\n'
          "my_degree = None  # your answer: a degree",
    answer_name="my_degree",
    hint="look for the lowest error on data the fit did not learn from (`np.argmin` gives a position in the list)",
    solution_source="""
from nnlib.exercises import EXERCISES

data = EXERCISES["07.2"].data
degrees, val_error = data["degrees"], data["val_error"]
answer = degrees[int(np.argmin(val_error))]   # degree 3: the lowest validation error
""",
    solution_name="answer",
    kind="value",
    checker=number_checker(
        3, integer=True, rtol=0, atol=0.01,
        # degrees 14 and 15 tie for the lowest training error (0.035): np.argmin(train_error) is 13, degree 14
        wrong=[(15, "degrees 14 and 15 share the lowest *training* error (0.035), but the training error keeps "
                    "falling as the fit bends to the noise; degree 15's validation error is the worst of all. Choose "
                    "on validation."),
               (14, "degree 14 shares the lowest *training* error (0.035) with degree 15, but the training error "
                    "keeps falling as the fit bends to the noise; degree 14's validation error is 1.99, against "
                    "0.103 at the best degree. Choose on validation."),
               (2, "2 is the *position* of the lowest validation error in the list (np.argmin counts from 0), "
                   "not the degree: degrees[np.argmin(val_error)]."),
               (13, "13 is the *position* of the lowest training error in the list (np.argmin counts from 0 and "
                    "picks the first of the tied degrees 14 and 15); choose on validation error, and turn a "
                    "position into a degree with degrees[...].")],
        generic="Choose the degree with the lowest validation error."),
    mistakes=[(15, "lowest *training* error"), (14, "lowest *training* error"), (2, "*position*"),
              (13, "*position* of the lowest training error")],
    praise="Degree 3: below it the fit underfits (both errors high), above it the validation error climbs while "
           "the training error keeps falling: overfitting.",
    data={"degrees": DEGREES, "train_error": TRAIN_ERROR, "val_error": VAL_ERROR},
))

# --- 07.3 the noise floor ----------------------------------------------------------------------------

register(Exercise(
    "07.3", "the noise floor",
    "The targets are a curve plus noise of standard deviation 0.3: what is the lowest mean squared validation "
    "error any model can reach on average?",
    start="my_floor = None  # your answer: a number",
    answer_name="my_floor",
    hint="think of the error of the true curve itself: it misses each point by that point's noise",
    solution_source="""
sigma = 0.3
answer = sigma**2   # 0.09: even the true curve misses every point by its noise
""",
    solution_name="answer",
    kind="value",
    checker=number_checker(
        0.09,
        wrong=[(0.3, "0.3 is the noise's standard deviation; a mean *squared* error floors at its square, σ²."),
               (0.0, "a model cannot predict the noise of points it has not seen: the true curve itself has a mean "
                     "squared error of σ² on them."),
               (np.sqrt(0.3), "the floor is σ², the square of the standard deviation, not its square root.")],
        generic="The best possible prediction is the curve itself, and it is off by the noise: σ²."),
    mistakes=[(0.3, "standard deviation"), (0.0, "cannot predict the noise")],
    praise="σ² = 0.09. The best degree of exercise 07.2 reaches 0.103, just above it: more data or a better "
           "model can win at most the last 0.013.",
))
