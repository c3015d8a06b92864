"""Exercises of notebook 05: the learning rate, and momentum."""

import numpy as np

from ._core import Exercise, Wrong, as_array, call, close, fmt, number_checker, register

# --- 05.1 momentum's update --------------------------------------------------------------------------

# lr is never 1 - m here (nor m), so that each usual mistake gives its own numbers and is named for what it is
# (with lr = 0.1 and m = 0.9, m·v + lr·g and m·v + (1 - m)·g are the same velocity).
MOMENTUM_CASES = [
    (np.array([1.0, -2.0]), np.array([0.5, 0.0]), np.array([0.2, -1.0]), 0.05, 0.9),
    (np.array([0.0, 3.0, -1.0]), np.array([-1.0, 2.0, 0.5]), np.array([4.0, 1.0, -2.0]), 0.3, 0.6),
]


def _wrong_velocities(v, g, lr, m):
    """[(velocity, what the mistake is)] for the usual wrong velocity updates."""
    return [
        (m * v + lr * g, "Your velocity includes lr: nnlib (like PyTorch) keeps v ← m·v + g and multiplies by "
                         "lr only in the step."),
        (m * v + (1 - m) * g, "That velocity is an exponential moving average of the gradients, "
                              "v ← m·v + (1 - m)·g (Adam's convention); nnlib.SGD, like PyTorch's, adds the whole "
                              "gradient: v ← m·v + g."),
        (m * (v + g), "Only the old velocity is scaled by m: v ← m·v + g, not m·(v + g)."),
        ((1 - m) * v + g, "The old velocity is multiplied by m, not by 1 - m: v ← m·v + g."),
        (v + m * g, "m multiplies the old velocity, not the gradient: v ← m·v + g."),
        (g, "Your velocity forgets the past: v ← m·v + g adds the scaled old velocity."),
    ]


def _pair(value, shape, what):
    try:
        p, v = value
    except (TypeError, ValueError):
        raise Wrong(f"{what} should be two arrays, (new_p, new_v); it is {value!r}.") from None
    return as_array(p, shape, what + " (its p)"), as_array(v, shape, what + " (its v)")


def _check_momentum(answer):
    for p, v, g, lr, m in MOMENTUM_CASES:
        returned = call(answer, p.copy(), v.copy(), g.copy(), lr, m, call_as="my_momentum_step(p, v, g, lr, m)")
        got_p, got_v = _pair(returned, p.shape, "What my_momentum_step returned")
        new_v = m * v + g
        new_p = p - lr * new_v
        if close(got_p, new_p) and close(got_v, new_v):
            continue
        said = (f"With p = {fmt(p)}, v = {fmt(v)}, g = {fmt(g)}, lr = {lr}, m = {m} you returned p = {fmt(got_p)}, "
                f"v = {fmt(got_v)}; expected p = {fmt(new_p)}, v = {fmt(new_v)}. ")
        if close(got_v, new_v):
            for value, message in [
                (p - lr * g, "You stepped with the gradient g, not with the velocity v: p ← p - lr·v."),
                (p - lr * v, "You stepped with the old velocity: update v first (v ← m·v + g), then step with it."),
                (p + lr * new_v, "Your step went uphill: p ← p - lr·v."),
            ]:
                if close(got_p, value):
                    raise Wrong(said + message)
        for value, message in _wrong_velocities(v, g, lr, m):
            if close(got_v, value):
                raise Wrong(said + message)
        raise Wrong(said + "Update the velocity first, v ← m·v + g, then step: p ← p - lr·v (section 5).")


def _momentum_uses_g(p, v, g, lr, m):
    """Updates v but steps with g."""
    v = m * v + g
    return p - lr * g, v


def _momentum_old_v(p, v, g, lr, m):
    """Steps with the old velocity."""
    return p - lr * v, m * v + g


def _momentum_lr_in_v(p, v, g, lr, m):
    """Puts lr inside the velocity (another convention)."""
    v = m * v + lr * g
    return p - v, v


def _momentum_one_minus_m(p, v, g, lr, m):
    """Scales the old velocity by 1 - m."""
    v = (1 - m) * v + g
    return p - lr * v, v


def _momentum_ema(p, v, g, lr, m):
    """Keeps an exponential moving average of the gradients (Adam's convention)."""
    v = m * v + (1 - m) * g
    return p - lr * v, v


def _momentum_in_place(p, v, g, lr, m):
    """Updates p and v in place, as an optimiser's step does, and returns them."""
    v *= m
    v += g
    p -= lr * v
    return p, v


register(Exercise(
    "05.1", "momentum's update",
    "Write my_momentum_step(p, v, g, lr, m): update the velocity v with the gradient g as nnlib.SGD does, then "
    "step p; return the new (p, v).",
    start="def my_momentum_step(p, v, g, lr, m):\n    ...  # return (new_p, new_v)",
    answer_name="my_momentum_step",
    hint="the two update rules are in section 5, \"One step further: momentum\"",
    call_as="my_momentum_step(p, v, g, lr, m)",
    solution_source='''
def my_momentum_step(p, v, g, lr, m):
    v = m * v + g          # the velocity: past gradients, each scaled down by m per step, plus this one
    p = p - lr * v         # the step follows the velocity, not the gradient alone
    return p, v
''',
    solution_name="my_momentum_step",
    kind="function",
    checker=_check_momentum,
    mistakes=[(_momentum_uses_g, "not with the velocity"), (_momentum_old_v, "old velocity"),
              (_momentum_lr_in_v, "includes lr"), (_momentum_one_minus_m, "not by 1 - m"),
              (_momentum_ema, "exponential moving average"), (_momentum_in_place, "`p` in place")],
    inputs={"p": "the caller keeps the parameter it passed (to compare, or to try another step from the same "
                 "point) and now finds the new one there too",
            "v": "the caller keeps the velocity it passed and now finds the new one there too",
            "g": "the gradient belongs to the caller (a parameter's `.grad`), which may still use it"},
    praise="This is `SGD.step` with momentum (nnlib/optim.py), one parameter at a time.",
))

# --- 05.2 momentum as a larger learning rate ---------------------------------------------------------

register(Exercise(
    "05.2", "momentum as a larger learning rate",
    "While the gradient stays the same, which plain learning rate does lr = 0.02 with momentum m = 0.95 act like?",
    start="my_equivalent_lr = None  # your answer: a number",
    answer_name="my_equivalent_lr",
    hint="with a constant gradient the velocity builds up to g / (1 - m)",
    solution_source="""
lr, m = 0.02, 0.95
answer = lr / (1 - m)   # 0.4: steps 1 / (1 - 0.95) = 20 times longer than lr * g
""",
    solution_name="answer",
    kind="value",
    checker=number_checker(
        0.4,
        wrong=[(0.02 * (1 - 0.95), "you multiplied by 1 - m; the velocity grows to g / (1 - m), so divide."),
               (0.02 * 0.95, "the velocity does not shrink the step: it sums past gradients, up to g / (1 - m)."),
               (0.02 / 0.95, "divide by 1 - m = 0.05, not by m."),
               (0.02 * 10, "10 is 1 / (1 - m) for m = 0.9; here m = 0.95.")],
        generic="With a constant gradient g, v grows to g / (1 - m): the steps are lr / (1 - m) times g."),
    mistakes=[(0.001, "divide"), (0.019, "does not shrink"), (0.2, "m = 0.9")],
    praise="0.02 / (1 - 0.95) = 0.4: twenty times longer steps, but only while the gradient keeps pointing the "
           "same way.",
))

# --- 05.3 the stability limit with momentum ----------------------------------------------------------

register(Exercise(
    "05.3", "the stability limit with momentum",
    "On a parabola of curvature λ = 4, what is the largest learning rate that does not diverge with momentum "
    "m = 0.9?",
    start="my_lr_limit = None  # your answer: a number",
    answer_name="my_lr_limit",
    hint="section 5 gives the condition on lr·λ with momentum m; solve it for lr",
    solution_source="""
curvature, m = 4.0, 0.9
answer = 2 * (1 + m) / curvature   # 0.95: stable while lr * curvature < 2 (1 + m)
""",
    solution_name="answer",
    kind="value",
    checker=number_checker(
        0.95,
        wrong=[(0.5, "2 / λ is the limit without momentum; with momentum m the steps stay stable up to "
                     "lr·λ < 2 (1 + m)."),
               (5.0, "2 / (λ (1 - m)) is not a stability limit: 1 / (1 - m) is how much longer steps get with a "
                     "constant gradient. The condition is lr·λ < 2 (1 + m)."),
               (0.05, "momentum does not lower the limit on a parabola: the condition is lr·λ < 2 (1 + m)."),
               (7.6, "you multiplied by λ: solve lr·λ < 2 (1 + m) for lr, lr < 2 (1 + m) / λ.")],
        generic="On a parabola, momentum m keeps the steps stable while lr·λ < 2 (1 + m)."),
    mistakes=[(0.5, "without momentum"), (5.0, "not a stability limit")],
    praise="2 (1 + 0.9) / 4 = 0.95: momentum *raises* the stability limit on a parabola, almost doubling it "
           "for m near 1.",
))
