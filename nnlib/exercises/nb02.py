"""Exercises of notebook 02: derivatives and gradients."""

import numpy as np

from ._core import Exercise, Wrong, ReaderError, as_array, as_number, call, close, fmt, register

# --- 02.1 the central difference ---------------------------------------------------------------------


def _cubic(x):
    return x**3 / 3 - x


def _square(x):
    return x**2


CENTRAL_CASES = [(_cubic, 1.5, 0.1, "x**3/3 - x"), (np.exp, 1.0, 0.01, "np.exp"), (_square, -2.0, 0.5, "x**2")]


def _check_central(answer):
    for f, x, h, name in CENTRAL_CASES:
        got = as_number(call(answer, f, x, h, call_as="my_central_difference(f, x, h)"),
                        f"What your function returned for f(x) = {name}, x = {x}, h = {h}")
        central = (f(x + h) - f(x - h)) / (2 * h)
        if close(got, central, rtol=1e-9):
            continue
        said = f"For f(x) = {name}, x = {x}, h = {h} you returned {fmt(got)}; expected {fmt(central)}. "
        for value, message in [
            (2 * central, "Your gradient is twice too large: did you divide by h instead of 2h? The two points "
                          "x - h and x + h are 2h apart."),
            ((f(x + h) - f(x)) / h, "That is the forward difference (f(x + h) - f(x)) / h, with an error ~ h; the "
                                    "central one uses both neighbours: (f(x + h) - f(x - h)) / (2 * h)."),
            ((f(x) - f(x - h)) / h, "That is the backward difference (f(x) - f(x - h)) / h; the central one uses "
                                    "both neighbours: (f(x + h) - f(x - h)) / (2 * h)."),
            (-central, "Your slope has the wrong sign: subtract f(x - h) from f(x + h), not the other way round."),
            ((f(x + h) - f(x - h)) / 2 * h, "You divided by 2 and then multiplied by h: Python reads `/ 2 * h` as "
                                            "`(... / 2) * h`. Write `/ (2 * h)`."),
            ((f(x + 1e-5) - f(x - 1e-5)) / 2e-5, "Your result does not use the h the check passes: use the argument h, "
                                                 "not a fixed step."),
        ]:
            if close(got, value, rtol=1e-7):
                raise Wrong(said + message)
        raise Wrong(said + "The central difference is (f(x + h) - f(x - h)) / (2 * h).")


def _central_over_h(f, x, h):
    """Divides by h instead of 2h."""
    return (f(x + h) - f(x - h)) / h


def _forward_difference(f, x, h):
    """Writes the forward difference."""
    return (f(x + h) - f(x)) / h


def _central_precedence(f, x, h):
    """Writes `/ 2 * h` instead of `/ (2 * h)`."""
    return (f(x + h) - f(x - h)) / 2 * h


def _central_sign(f, x, h):
    """Subtracts the wrong way round."""
    return (f(x - h) - f(x + h)) / (2 * h)


register(Exercise(
    "02.1", "the central difference",
    "Write my_central_difference(f, x, h): the slope of f at x from its values at x - h and x + h.",
    start="def my_central_difference(f, x, h):\n    ...  # return the central-difference slope",
    answer_name="my_central_difference",
    hint="the formula is in the section \"Finite differences: forward and central\"",
    call_as="my_central_difference(f, x, h)",
    solution_source='''
def my_central_difference(f, x, h):
    # the slope of the secant through (x - h, f(x - h)) and (x + h, f(x + h)): error ~ h**2
    return (f(x + h) - f(x - h)) / (2 * h)
''',
    solution_name="my_central_difference",
    kind="function",
    checker=_check_central,
    mistakes=[(_central_over_h, "twice too large"), (_forward_difference, "forward difference"),
              (_central_precedence, "Write `/ (2 * h)`"), (_central_sign, "wrong sign")],
    praise="For f(x) = x³/3 - x at x = 1.5 with h = 0.1 it gives 1.2533, off the exact 1.25 by h²/3 ≈ 0.0033; "
           "the forward difference is off by 0.15.",
))

# --- 02.2 a gradient by finite differences -----------------------------------------------------------

V = np.array([1.0, -2.0, 3.0])


def _check_gradient_value(answer):
    if isinstance(answer, (float, int, np.floating, np.integer)) and not isinstance(answer, bool):
        if close(float(answer), np.sum(V**2)):
            raise Wrong("14 is g(v), the value of the function. The gradient has one partial derivative per entry "
                        "of v: 3 numbers.")
        raise Wrong(f"You gave one number, {fmt(float(answer))}; the gradient has one partial derivative per entry "
                    "of v: 3 numbers.")
    got = as_array(answer, V.shape)
    if close(got, 2 * V, rtol=0, atol=1e-4):
        return
    for value, message in [(V, "each entry is half the right value: the derivative of v_i**2 is 2 * v_i."),
                           (-2 * V, "the signs are flipped: the gradient points uphill, +2v."),
                           (2 * V + 1e-2, "close, but off by about h: use central differences with a small h "
                                          "(nnlib.numerical_gradient's default h=1e-5).")]:
        if close(got, value, rtol=0, atol=2e-3):
            raise Wrong(f"You gave {fmt(got)}; {message}")
    raise Wrong(f"You gave {fmt(got)}. Compute it with `nnlib.numerical_gradient(g, v)`; it should be close to 2v.")


register(Exercise(
    "02.2", "a gradient by finite differences",
    "Compute the gradient of g(v) = sum(v**2) at v = [1, -2, 3] with nnlib.numerical_gradient.",
    start="def g(v):\n    return float(np.sum(v**2))\n\nv = np.array([1.0, -2.0, 3.0])\n"
          "my_gradient = None  # your answer: an array of 3 numbers",
    answer_name="my_gradient",
    hint="call `nnlib.numerical_gradient(g, v)` and keep the array it returns",
    solution_source="""
import nnlib

def g(v):
    return float(np.sum(v**2))

v = np.array([1.0, -2.0, 3.0])
answer = nnlib.numerical_gradient(g, v)   # about [2, -4, 6]: the exact gradient is 2v
""",
    solution_name="answer",
    kind="value",
    checker=_check_gradient_value,
    mistakes=[(V.copy(), "half the right value"), (14.0, "value of the function"), (-2 * V, "signs are flipped"),
              ([2.0, -4.0], "expected (3,)")],
    praise="Each entry is the slope along one coordinate, 2 * v_i: (2, -4, 6).",
))

# --- 02.3 the backward pass of tanh ------------------------------------------------------------------
# The names follow the notebook's derivation, u -> a = tanh(u) -> L (y stays the labels, as in cell 19).


def _tanh_case():
    rng = np.random.default_rng(2)
    u = rng.normal(size=(4, 3)) * 1.5
    return u, np.tanh(u), rng.normal(size=(4, 3))


def _gradient_check_with(answer):
    """Worst relative error of a gradient check on Linear - tanh (yours) - Linear."""
    import nnlib
    from nnlib import gradients

    class ReadersTanh(nnlib.Tanh):
        def forward(self, x):
            self._u = np.array(x, copy=True)
            return super().forward(x)

        def backward(self, grad_y):
            grad_u = call(answer, self._u, self._y, np.asarray(grad_y), call_as="my_tanh_backward(u, a, grad_a)")
            return as_array(grad_u, self._u.shape, "what your function returned")

    rng = np.random.default_rng(3)
    model = nnlib.Sequential(nnlib.Linear(3, 4, rng=rng), ReadersTanh(), nnlib.Linear(4, 2, rng=rng))
    inputs, targets = rng.normal(size=(6, 3)), rng.normal(size=(6, 2))
    errors = nnlib.gradient_check(model, nnlib.MSELoss(), inputs, targets)
    threshold = getattr(gradients, "PASS_THRESHOLD", 1e-7)
    return errors, threshold


def _check_tanh(answer):
    u, a, grad_a = _tanh_case()
    returned = call(answer, u, a, grad_a, call_as="my_tanh_backward(u, a, grad_a)")
    if returned is not None and np.shape(returned) in [(3,), (4,)]:
        raise Wrong(f"Your function returned shape {np.shape(returned)}; expected (4, 3), the shape of grad_a: the "
                    "gradient has one entry per entry of u, so do not sum over the batch.")
    got = as_array(returned, u.shape, "what your function returned")
    expected = grad_a * (1 - a**2)
    if not close(got, expected):
        for value, message in [
            (1 - a**2, "you forgot to multiply by the incoming gradient grad_a: the chain rule multiplies the "
                       "layer's own slope 1 - a**2 by the gradient that arrives from the layers after it."),
            (grad_a * (1 - u**2), "you used the input u where the output a belongs: the slope of tanh is "
                                  "1 - tanh(u)**2 = 1 - a**2."),
            (grad_a * (a**2 - 1), "the sign is wrong: tanh climbs everywhere, so its slope 1 - a**2 is positive."),
            (grad_a * (1 - np.tanh(a) ** 2), "you applied tanh twice: a is already tanh(u), so the slope is 1 - a**2."),
            (grad_a * (1 - a) ** 2, "mind the parentheses: the slope is 1 - a**2, not (1 - a)**2."),
            (grad_a * a * (1 - a), "a * (1 - a) is the sigmoid's slope; tanh's is 1 - a**2."),
            (grad_a, "you returned grad_a unchanged, the bug notebook 02 shows: multiply it by the slope 1 - a**2."),
        ]:
            if close(got, value):
                raise Wrong("Not the right gradient: " + message)
        try:
            errors, threshold = _gradient_check_with(answer)
            worst = max(errors, key=errors.get)
            checked = (f" A gradient check of Linear → your tanh → Linear gives a relative error of "
                       f"{errors[worst]:.1g} for {worst}, far above {threshold:g}.")
        except (ReaderError, Wrong):
            checked = ""
        raise Wrong("Your gradient does not match grad_a * (1 - a**2) (for example, entry [0, 0]: yours "
                    f"{fmt(got[0, 0])}, expected {fmt(expected[0, 0])})." + checked)
    errors, threshold = _gradient_check_with(answer)
    if max(errors.values()) > threshold:
        raise Wrong(f"Your function gives the right numbers on a direct test, but a gradient check of a network "
                    f"using it fails (worst relative error {max(errors.values()):.1g}). Does it keep something from "
                    "an earlier call, or depend on anything but its three arguments?")


def _tanh_forgot_incoming(u, a, grad_a):
    """Forgets the incoming gradient: returns the slope alone."""
    return 1 - a**2


def _tanh_used_input(u, a, grad_a):
    """Uses the input u instead of the output a."""
    return grad_a * (1 - u**2)


def _tanh_sign(u, a, grad_a):
    """Gets the sign of the slope wrong."""
    return grad_a * (a**2 - 1)


def _tanh_summed(u, a, grad_a):
    """Sums over the batch."""
    return (grad_a * (1 - a**2)).sum(axis=0)


def _tanh_in_place(u, a, grad_a):
    """Multiplies the incoming gradient in place and returns it."""
    grad_a *= 1 - a**2
    return grad_a


register(Exercise(
    "02.3", "backprop through tanh",
    "Write my_tanh_backward(u, a, grad_a): given a tanh layer's input u, output a = tanh(u) and the incoming "
    "gradient grad_a (dL/da), return the gradient with respect to u (dL/du).",
    start="def my_tanh_backward(u, a, grad_a):\n    ...  # return dL/du, the same shape as u",
    answer_name="my_tanh_backward",
    hint="the chain rule: the incoming gradient times the slope of tanh, which is 1 - tanh(u)**2 = 1 - a**2",
    call_as="my_tanh_backward(u, a, grad_a)",
    solution_source='''
def my_tanh_backward(u, a, grad_a):
    # chain rule: dL/du = dL/da * da/du, entry by entry; da/du = 1 - tanh(u)**2 = 1 - a**2
    return grad_a * (1 - a**2)
''',
    solution_name="my_tanh_backward",
    kind="function",
    checker=_check_tanh,
    mistakes=[(_tanh_forgot_incoming, "forgot to multiply by the incoming gradient"),
              (_tanh_used_input, "used the input u where the output a belongs"), (_tanh_sign, "sign is wrong"),
              (_tanh_summed, "do not sum over the batch"), (_tanh_in_place, "of `grad_a` in place")],
    inputs={"u": "a tanh layer keeps its input for later, and the caller's copy is now changed",
            "a": "a is the layer's saved output (`self._y` in nnlib/layers.py), which the next backward pass "
                 "uses again",
            "grad_a": "the incoming gradient belongs to the layer after this one, which may still use it"},
    praise="A gradient check of a small network with your backward in it passes for every parameter: this is "
           "exactly what `nnlib.Tanh.backward` computes (nnlib/layers.py), where u, a and grad_a are called x, "
           "self._y and grad_y.",
))
