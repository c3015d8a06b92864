"""Exercises of notebook 11: Adam's step, a warmup-then-cosine schedule, decoupled weight decay."""

import math

import numpy as np

from ._core import Exercise, Wrong, as_array, as_number, call, close, fmt, number_checker, register

# --- 11.1 Adam's step -------------------------------------------------------------------------------

# (p, g, m, v, t, lr, beta1, beta2, eps): gradients of very different sizes, and a t where the
# bias correction still matters a lot (t = 1, 3) and one where it hardly does.
ADAM_CASES = [
    (np.array([1.0, -2.0, 0.5]), np.array([0.3, -4.0, 1e-3]), np.zeros(3), np.zeros(3), 1, 0.01, 0.9, 0.999, 1e-8),
    (np.array([0.2, 0.4]), np.array([-1.0, 2e-4]), np.array([0.1, 1e-4]), np.array([0.02, 1e-8]), 3, 0.1, 0.8, 0.99,
     1e-3),
    (np.array([3.0]), np.array([0.5]), np.array([0.4]), np.array([0.3]), 5000, 0.001, 0.9, 0.999, 1e-8),
]


def _adam(p, g, m, v, t, lr, beta1, beta2, eps, *, correct=True, eps_inside=False, correct_m_only=False):
    """(p, m, v) after one Adam step, with switches that reproduce the usual mistakes."""
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    m_hat = m / (1 - beta1**t) if correct else m
    v_hat = v / (1 - beta2**t) if correct and not correct_m_only else v
    denominator = np.sqrt(v_hat + eps) if eps_inside else np.sqrt(v_hat) + eps
    return p - lr * m_hat / denominator, m, v


def _three(value, shape, what):
    try:
        p, m, v = value
    except (TypeError, ValueError):
        raise Wrong(f"{what} should be three arrays, (new_p, new_m, new_v); it is {value!r}.") from None
    return (as_array(p, shape, what + " (its p)"), as_array(m, shape, what + " (its m)"),
            as_array(v, shape, what + " (its v)"))


def _check_adam(answer):
    for case in ADAM_CASES:
        p, g, m, v, t, lr, beta1, beta2, eps = case
        returned = call(answer, p.copy(), g.copy(), m.copy(), v.copy(), t, lr, beta1, beta2, eps,
                        call_as="my_adam_step(p, g, m, v, t, lr, beta1, beta2, eps)")
        got_p, got_m, got_v = _three(returned, p.shape, "What my_adam_step returned")
        new_p, new_m, new_v = _adam(*case)
        if close(got_p, new_p, rtol=1e-7) and close(got_m, new_m) and close(got_v, new_v):
            continue
        said = f"For t = {t}, lr = {lr}, betas = ({beta1}, {beta2}), eps = {eps} your new p is {fmt(got_p)}; " \
               f"expected {fmt(new_p)}. "
        for value, message in [
            (beta1 * m + g, "m is a running *mean*: m ← β1·m + (1 - β1)·g, not β1·m + g (that is SGD's momentum)."),
            ((1 - beta1) * m + beta1 * g, "β1 multiplies the old m and (1 - β1) the new gradient, not the reverse."),
        ]:
            if close(got_m, value):
                raise Wrong(said + message)
        for value, message in [
            (beta2 * v + (1 - beta2) * g, "v averages the *squared* gradient: v ← β2·v + (1 - β2)·g²."),
            ((1 - beta2) * v + beta2 * g * g, "β2 multiplies the old v and (1 - β2) the new g², not the reverse."),
        ]:
            if close(got_v, value):
                raise Wrong(said + message)
        for kwargs, message in [
            (dict(correct=False), "You left out the bias correction: divide m by 1 - β1**t and v by 1 - β2**t. "
                                  "Without it the first steps are wrong in size (section 1's panel)."),
            (dict(correct_m_only=True), "You corrected m but not v: v needs its own correction, 1 - β2**t."),
            (dict(eps_inside=True), "Your eps sits inside the square root, sqrt(v̂ + eps); PyTorch (and the "
                                    "paper) add it outside: sqrt(v̂) + eps. For tiny gradients the two differ a lot."),
        ]:
            if close(got_p, _adam(*case, **kwargs)[0], rtol=1e-7):
                raise Wrong(said + message)
        if close(got_p, p + (p - new_p), rtol=1e-7):
            raise Wrong(said + "Your step went uphill: p ← p - lr·m̂ / (sqrt(v̂) + eps).")
        raise Wrong(said + "Update m and v first, then correct both (m̂ = m / (1 - β1**t), v̂ = v / (1 - β2**t)), "
                           "then step: p ← p - lr·m̂ / (sqrt(v̂) + eps).")


def _adam_uncorrected(p, g, m, v, t, lr, beta1, beta2, eps):
    """No bias correction."""
    return _adam(p, g, m, v, t, lr, beta1, beta2, eps, correct=False)


def _adam_eps_inside(p, g, m, v, t, lr, beta1, beta2, eps):
    """eps inside the square root."""
    return _adam(p, g, m, v, t, lr, beta1, beta2, eps, eps_inside=True)


def _adam_not_squared(p, g, m, v, t, lr, beta1, beta2, eps):
    """Averages g instead of g² in v (its size under the square root, so that sqrt works)."""
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g
    step = (m / (1 - beta1**t)) / (np.sqrt(np.abs(v) / (1 - beta2**t)) + eps)
    return p - lr * step, m, v


register(Exercise(
    "11.1", "Adam's step",
    "Write my_adam_step(p, g, m, v, t, lr, beta1, beta2, eps): one Adam step (no weight decay) at step t "
    "(counted from 1); return (new_p, new_m, new_v).",
    start="def my_adam_step(p, g, m, v, t, lr, beta1, beta2, eps):\n"
          "    ...  # return (new_p, new_m, new_v): running means first, then the corrected step",
    answer_name="my_adam_step",
    hint="update the running means first, m ← β1·m + (1 - β1)·g and v ← β2·v + (1 - β2)·g², then m̂ = m / (1 - β1**t), v̂ = v / (1 - β2**t), "
         "then p ← p - lr·m̂ / (sqrt(v̂) + eps)",
    call_as="my_adam_step(p, g, m, v, t, lr, beta1, beta2, eps)",
    solution_source='''
def my_adam_step(p, g, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g              # running mean of the gradient (momentum)
    v = beta2 * v + (1 - beta2) * g**2           # running mean of its square, number by number
    m_hat = m / (1 - beta1**t)                   # bias correction: both means start at 0
    v_hat = v / (1 - beta2**t)
    p = p - lr * m_hat / (np.sqrt(v_hat) + eps)  # eps outside the square root, as PyTorch
    return p, m, v
''',
    solution_name="my_adam_step",
    kind="function",
    checker=_check_adam,
    mistakes=[(_adam_uncorrected, "bias correction"), (_adam_eps_inside, "inside the square root"),
              (_adam_not_squared, "*squared* gradient")],
    praise="This is nnlib.Adam.step (nnlib/optim.py) for one parameter, and PyTorch's torch.optim.Adam.",
))

# --- 11.2 warmup, then cosine -----------------------------------------------------------------------

SCHEDULE_CASES = [(0.1, 10, 100), (0.003, 5, 40), (1.0, 0, 20)]


def _warmup_cosine(step, peak_lr, warmup, total, *, shift=True, half=True, warm_from_one=False):
    if step < warmup:
        return peak_lr * ((step + 1) if warm_from_one else step) / warmup
    progress = (step - warmup) / (total - warmup) if shift else step / total
    return peak_lr * (1 + math.cos(math.pi * progress)) / 2 if half else peak_lr * math.cos(math.pi * progress)


def _check_schedule(answer):
    for peak_lr, warmup, total in SCHEDULE_CASES:
        got = []
        for step in range(total + 1):
            value = call(answer, step, peak_lr, warmup, total, call_as="my_warmup_cosine(step, peak_lr, warmup, total)")
            got.append(as_number(value, f"what my_warmup_cosine({step}, {peak_lr}, {warmup}, {total}) returned"))
        got = np.array(got)
        steps = range(total + 1)
        expected = np.array([_warmup_cosine(s, peak_lr, warmup, total) for s in steps])
        if close(got, expected, rtol=1e-7, atol=1e-12):
            continue
        k = int(np.argmax(np.abs(got - expected)))
        said = (f"With peak_lr = {peak_lr}, warmup = {warmup}, total = {total}: at step {k} you return "
                f"{fmt(got[k])}; expected {fmt(expected[k])}. ")
        for kwargs, message in [
            (dict(shift=False), "Your cosine starts at step 0, under the warmup: it must start when the warmup "
                                "ends, progress = (step - warmup) / (total - warmup)."),
            (dict(half=False), "Your cosine goes from peak_lr down to -peak_lr: use peak_lr·(1 + cos(π·progress)) / 2, "
                               "which ends at 0."),
            (dict(warm_from_one=True), "Your warmup starts one step late: at step 0 the rate is 0 and it reaches "
                                       "peak_lr at step warmup, so lr = peak_lr·step / warmup."),
        ]:
            if close(got, np.array([_warmup_cosine(s, peak_lr, warmup, total, **kwargs) for s in steps]),
                     rtol=1e-7, atol=1e-12):
                raise Wrong(said + message)
        raise Wrong(said + "Below warmup: peak_lr·step / warmup. From warmup on: peak_lr·(1 + cos(π·(step - warmup) "
                           "/ (total - warmup))) / 2.")


def _schedule_unshifted(step, peak_lr, warmup, total):
    """The cosine counts from step 0."""
    return _warmup_cosine(step, peak_lr, warmup, total, shift=False)


def _schedule_full_cosine(step, peak_lr, warmup, total):
    """peak * cos(...) instead of peak * (1 + cos(...)) / 2."""
    return _warmup_cosine(step, peak_lr, warmup, total, half=False)


register(Exercise(
    "11.2", "warmup, then cosine",
    "Write my_warmup_cosine(step, peak_lr, warmup, total): the learning rate at step 0..total, rising in a "
    "straight line from 0 to peak_lr over the first `warmup` steps, then falling along half a cosine to 0 at `total`.",
    start="def my_warmup_cosine(step, peak_lr, warmup, total):\n"
          "    ...  # return the learning rate at this step",
    answer_name="my_warmup_cosine",
    hint="two cases: step < warmup gives peak_lr * step / warmup; after that the cosine's progress goes from 0 "
         "(at warmup) to 1 (at total)",
    call_as="my_warmup_cosine(step, peak_lr, warmup, total)",
    solution_source='''
def my_warmup_cosine(step, peak_lr, warmup, total):
    if step < warmup:
        return peak_lr * step / warmup                        # the straight line up
    progress = (step - warmup) / (total - warmup)             # 0 when warmup ends, 1 at the last step
    return peak_lr * (1 + np.cos(np.pi * progress)) / 2       # half a cosine, from peak_lr down to 0
''',
    solution_name="my_warmup_cosine",
    kind="function",
    checker=_check_schedule,
    mistakes=[(_schedule_unshifted, "starts at step 0"), (_schedule_full_cosine, "down to -peak_lr")],
    praise="nnlib (and PyTorch) build almost the same from parts, SequentialLR([LinearLR(...), "
           "CosineAnnealingLR(...)], milestones=[warmup]), but the warmup starts from a small fraction of the peak "
           "rather than 0: LinearLR, like PyTorch's, refuses start_factor=0 (nnlib.tuning.make_schedule starts "
           "at 1 %).",
))

# --- 11.3 decoupled weight decay -------------------------------------------------------------------

register(Exercise(
    "11.3", "decoupled weight decay",
    "AdamW with lr = 0.01 and weight_decay = 0.1 takes its first step at a weight p = 2.0 whose loss gradient is "
    "exactly 0 (so Adam's own step is 0). What is p after the step?",
    start="my_p = None  # your answer: a number",
    answer_name="my_p",
    hint="AdamW first shrinks the weight itself, p ← p - lr·weight_decay·p, and only then takes Adam's step",
    solution_source="""
answer = 2.0 * (1 - 0.01 * 0.1)   # 1.998: AdamW shrinks p by lr * weight_decay = 0.1 % per step
""",
    solution_name="answer",
    kind="value",
    checker=number_checker(
        2.0 * (1 - 0.01 * 0.1),
        wrong=[(1.99, "that is Adam with L2 decay: the decay 0.1·p goes through m and v like a gradient, and Adam's "
                      "first step is lr in size whatever the gradient. AdamW decouples it: p ← p - lr·wd·p."),
               (2.0 * (1 - 0.1), "the decay is applied to the wrong quantity scale: AdamW multiplies by "
                                 "lr·weight_decay, not weight_decay alone."),
               (2.0 - 0.01 * 0.1, "the decay is applied to the wrong quantity: it is proportional to the weight, "
                                  "p ← p - lr·wd·p, not a fixed lr·wd."),
               (2.0, "AdamW shrinks the weight even when the gradient is 0: that is the decay.")],
        generic="AdamW's decay: p ← p - lr·weight_decay·p = p·(1 - lr·weight_decay).", rtol=1e-6),
    mistakes=[(1.99, "Adam with L2"), (1.8, "wrong quantity"), (1.999, "wrong quantity")],
    praise="2 × (1 - 0.001) = 1.998: every weight shrinks by the same 0.1 % per step, large gradients or not. "
           "Adam's L2 decay would have moved it by lr = 0.01 (Adam's first step is lr in size whatever the "
           "gradient): five times AdamW's 0.002.",
))
