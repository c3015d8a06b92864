"""Exercises of notebook 12: curvature, the edge of stability, the noise scale."""

import numpy as np

from ._core import Exercise, Wrong, as_array, as_number, call, close, fmt, number_checker, register

# --- 12.1 power iteration ------------------------------------------------------------------------------


def _symmetric(eigenvalues, seed):
    """A symmetric matrix with the given eigenvalues and random eigenvectors."""
    q, _ = np.linalg.qr(np.random.default_rng(seed).standard_normal((len(eigenvalues), len(eigenvalues))))
    return q @ np.diag(eigenvalues) @ q.T


POWER_CASES = [((5.0, 3.0, 2.0, -1.0, 0.5), 0), ((-6.0, 4.0, 1.0, 0.5), 1)]
POWER_ITERATIONS = 60


def _check_power(answer):
    for eigenvalues, seed in POWER_CASES:
        A = _symmetric(eigenvalues, seed)
        v0 = np.random.default_rng(seed + 10).standard_normal(len(eigenvalues))
        returned = call(answer, lambda v, A=A: A @ np.asarray(v, dtype=float), v0.copy(), POWER_ITERATIONS,
                        call_as="my_power_iteration(matvec, v0, iterations)")
        value = as_number(returned, "What my_power_iteration returned")
        top = eigenvalues[0]
        if close(value, top, rtol=1e-4):
            continue
        said = (f"For a matrix with eigenvalues {fmt(np.array(eigenvalues))}, {POWER_ITERATIONS} iterations, you "
                f"returned {fmt(value)}; expected about {fmt(top)}. ")
        if not np.isfinite(value) or abs(value) > 100 * abs(top):
            raise Wrong(said + "The number is far too large: you forgot to normalise. Without v = w / |w| the "
                               "vector is multiplied by about λ at every iteration, and so is anything computed "
                               "from it. Normalise v at every step, and return v·(A v) for the unit vector v.")
        if close(value, abs(top), rtol=1e-4):
            raise Wrong(said + "You returned the length |A v|, which loses the sign: here the largest eigenvalue "
                               "is negative. Return v·(A v) with v of length 1.")
        if close(value, top * top, rtol=1e-4):
            raise Wrong(said + "You returned λ²: v·(A v) needs v of length 1, and w = A v must not be "
                               "multiplied by A twice.")
        raise Wrong(said + "Repeat: w = matvec(v); v = w / |w|. Then return v @ matvec(v).")


def _power_not_normalised(matvec, v0, iterations):
    """Forgets v = w / |w|."""
    v = np.asarray(v0, dtype=float)
    for _ in range(iterations):
        v = matvec(v)
    return float(v @ matvec(v))


def _power_norm(matvec, v0, iterations):
    """Returns |A v| (no sign)."""
    v = np.asarray(v0, dtype=float) / np.linalg.norm(v0)
    for _ in range(iterations):
        w = matvec(v)
        v = w / np.linalg.norm(w)
    return float(np.linalg.norm(matvec(v)))


register(Exercise(
    "12.1", "power iteration",
    "Write my_power_iteration(matvec, v0, iterations): multiply and normalise `iterations` times from v0, and "
    "return the largest-magnitude eigenvalue v·matvec(v).",
    start="def my_power_iteration(matvec, v0, iterations):\n    ...  # return the largest-magnitude eigenvalue",
    answer_name="my_power_iteration",
    hint="section 1, \"Power iteration\", lists the three steps: multiply, estimate, normalise",
    call_as="my_power_iteration(matvec, v0, iterations)",
    solution_source='''
def my_power_iteration(matvec, v0, iterations):
    v = v0 / np.linalg.norm(v0)           # a unit vector
    for _ in range(iterations):
        w = matvec(v)                     # multiply
        v = w / np.linalg.norm(w)         # normalise, or the numbers grow as λ^k
    return float(v @ matvec(v))           # the curvature along v: keeps the sign
''',
    solution_name="my_power_iteration",
    kind="function",
    checker=_check_power,
    mistakes=[(_power_not_normalised, "forgot to normalise"), (_power_norm, "loses the sign")],
    praise="This is `nnlib.power_iteration` (nnlib/curvature.py), which also stops once the estimate settles and "
           "reports the residual.",
))

# --- 12.2 a Hessian-vector product by finite differences ----------------------------------------------

HVP_THETA = np.array([0.5, -1.0, 2.0])
HVP_V = np.array([1.0, 0.5, -0.25])
HVP_H = 1e-3


def _loss_gradient(theta):
    """The gradient of L = sum(theta^4) / 4 + theta0 theta1 + theta1 theta2^2 (not a quadratic)."""
    t0, t1, t2 = theta
    return np.array([t0 ** 3 + t1, t1 ** 3 + t0 + t2 ** 2, t2 ** 3 + 2 * t1 * t2])


def _exact_hvp(theta, v):
    t0, t1, t2 = theta
    hessian = np.array([[3 * t0 ** 2, 1.0, 0.0], [1.0, 3 * t1 ** 2, 2 * t2], [0.0, 2 * t2, 3 * t2 ** 2 + 2 * t1]])
    return hessian @ v


def _check_hvp(answer):
    returned = call(answer, _loss_gradient, HVP_THETA.copy(), HVP_V.copy(), HVP_H, call_as="my_hvp(grad, theta, v, h)")
    got = as_array(returned, HVP_THETA.shape, "What my_hvp returned")
    expected = _exact_hvp(HVP_THETA, HVP_V)
    said = (f"At theta = {fmt(HVP_THETA)} with v = {fmt(HVP_V)} and h = {HVP_H}, you returned {fmt(got)}; "
            f"expected about {fmt(expected)}. ")
    if np.allclose(got, expected, rtol=1e-5, atol=1e-8):
        return
    if np.allclose(got, 2 * expected, rtol=1e-5, atol=1e-8):
        raise Wrong(said + "Twice too large: you divided by h instead of 2h. The two gradients are taken at "
                           "theta + h v and theta - h v, 2h apart.")
    if np.allclose(got, expected / 2, rtol=1e-5, atol=1e-8):
        raise Wrong(said + "Half the right size: divide the difference of the two gradients by 2h, not 4h.")
    if np.allclose(got, expected, rtol=1e-2):
        raise Wrong(said + "Close but not within 1e-5: a one-sided (forward) difference errs by about h; the "
                           "central difference (grad(theta + h v) - grad(theta - h v)) / 2h errs by about h².")
    raise Wrong(said + "Return (grad(theta + h * v) - grad(theta - h * v)) / (2 * h).")


def _hvp_over_h(grad, theta, v, h):
    """Divides by h instead of 2h."""
    return (grad(theta + h * v) - grad(theta - h * v)) / h


def _hvp_not_restored(grad, theta, v, h):
    """Perturbs theta in place and leaves it at theta - h v."""
    theta += h * v
    plus = grad(theta)
    theta -= 2 * h * v
    minus = grad(theta)
    return (plus - minus) / (2 * h)


def _hvp_forward(grad, theta, v, h):
    """A forward difference."""
    return (grad(theta + h * v) - grad(theta)) / h


register(Exercise(
    "12.2", "a Hessian-vector product by finite differences",
    "Write my_hvp(grad, theta, v, h): H v by the central difference of the gradients at theta + h v and "
    "theta - h v, leaving theta unchanged.",
    start="def my_hvp(grad, theta, v, h):\n    ...  # return H v, an array shaped like theta",
    answer_name="my_hvp",
    hint="the formula is in section 1; the two points are 2h apart",
    call_as="my_hvp(grad, theta, v, h)",
    solution_source='''
def my_hvp(grad, theta, v, h):
    plus = grad(theta + h * v)            # new arrays: theta itself is not touched
    minus = grad(theta - h * v)
    return (plus - minus) / (2 * h)       # the two points are 2h apart
''',
    solution_name="my_hvp",
    kind="function",
    checker=_check_hvp,
    inputs={"theta": "you did not restore the parameters, so the caller's model now sits at theta - h v and its "
                     "next step or product starts from there; perturb copies (theta + h * v makes a new array), "
                     "as nnlib's hessian_vector_product restores its parameters"},
    mistakes=[(_hvp_over_h, "instead of 2h"), (_hvp_not_restored, "did not restore"),
              (_hvp_forward, "forward")],
    praise="This is `nnlib.hessian_vector_product` (nnlib/curvature.py), with backpropagation as `grad`.",
))

# --- 12.3 the threshold with momentum -----------------------------------------------------------------

register(Exercise(
    "12.3", "the stability threshold with momentum",
    "With momentum 0.9 and a sharpness of 40, what is the largest stable learning rate?",
    start="my_largest_lr = None  # your answer: a number",
    answer_name="my_largest_lr",
    hint="with momentum β, gradient descent is stable while lr·λ < 2 + 2β (section 2)",
    solution_source="""
momentum, sharpness = 0.9, 40.0
answer = (2 + 2 * momentum) / sharpness   # 0.095: almost twice the 0.05 of plain gradient descent
""",
    solution_name="answer",
    kind="value",
    checker=number_checker(
        0.095,
        wrong=[(0.05, "2 / 40 is the limit without momentum; with momentum β it is (2 + 2β) / λ."),
               (0.025, "1 / 40 is where plain gradient descent starts to oscillate; the limit with momentum is "
                       "(2 + 2β) / λ."),
               (0.005, "the momentum raises the limit: 2 + 2β, not 2 - 2β."),
               (0.5, "that is 2 / (λ (1 - β)); the limit is (2 + 2β) / λ."),
               (152.0, "the learning rate is the threshold divided by the sharpness: (2 + 2β) / λ.")],
        generic="Gradient descent with momentum β is stable on a curvature λ while lr < (2 + 2β) / λ."),
    mistakes=[(0.05, "without momentum"), (0.005, "not 2 - 2β")],
    praise="0.095: momentum 0.9 almost doubles the largest stable rate, and a network trained with it settles "
           "at a sharpness of (2 + 2β)/lr.",
))

# --- 12.4 the noise scale -----------------------------------------------------------------------------

register(Exercise(
    "12.4", "the simple noise scale",
    "With tr(Σ) = 36 and |G|² = 0.25, what is the simple noise scale tr(Σ)/|G|², in examples?",
    start="my_noise_scale = None  # your answer: a number",
    answer_name="my_noise_scale",
    hint="section 5 defines B_simple = tr(Σ) / |G|²",
    solution_source="""
trace_sigma, g_squared = 36.0, 0.25
answer = trace_sigma / g_squared   # 144 examples: a batch of 144 has noise tr(Σ)/144 = |G|²
""",
    solution_name="answer",
    kind="value",
    checker=number_checker(
        144.0,
        wrong=[(0.25 / 36, "upside down: the noise (tr Σ) goes on top, the signal |G|² below."),
               (72.0, "you divided by |G| = 0.5; the formula uses its square, |G|² = 0.25."),
               (12.0, "that is the square root; B_simple = tr(Σ) / |G|² itself.")],
        generic="B_simple = tr(Σ) / |G|²: the batch size at which the noise of a batch's mean, tr(Σ)/B, equals "
                "|G|²."),
    mistakes=[(0.25 / 36, "upside down"), (72.0, "its square")],
    praise="144: with batches much smaller than that the noise dominates (the steps fall in proportion to the "
           "batch); much larger batches hardly improve the step.",
))
