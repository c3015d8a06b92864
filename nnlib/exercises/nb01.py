"""Exercises of notebook 01: what training is (predict, compare, adjust)."""

import numpy as np

from ._core import Exercise, Wrong, as_number, call, close, fmt, number_checker, register

# --- 01.1 the loss of one prediction -----------------------------------------------------------------

register(Exercise(
    "01.1", "the loss of one prediction",
    "A model gives the real class of a point the probability 0.8: compute its cross-entropy loss, -ln(0.8).",
    start="my_loss = None  # your answer: a number (np.log is the natural logarithm)",
    answer_name="my_loss",
    hint="compute the loss with numpy, e.g. `-np.log(...)`",
    solution_source="""
# The cross-entropy of one point is -ln(probability the model gives the real class).
answer = -np.log(0.8)   # 0.2231: small, because the model is fairly sure and right
""",
    solution_name="answer",
    kind="value",
    checker=number_checker(
        -np.log(0.8),
        wrong=[(np.log(0.8), "a loss is never negative: you forgot the minus sign in -ln(p)."),
               (-np.log(0.2), "0.2 is the probability of the *other* class; the loss uses the real class's, 0.8."),
               (-np.log10(0.8), "that is a base-10 logarithm; the cross-entropy uses the natural one, np.log."),
               (np.log(2), "ln 2 is the loss of a 50/50 guess; this model says 0.8 for the real class.")],
        generic="The cross-entropy of one point is -ln(p), with p the probability of the real class: -np.log(0.8)."),
    mistakes=[(np.log(0.8), "forgot the minus sign"), (-np.log(0.2), "other"),
              (-np.log10(0.8), "natural one")],
    praise="-ln(0.8) ≈ 0.223: lower than the ln 2 ≈ 0.693 of a 50/50 guess, because the model leans the right way.",
))

# --- 01.2 one predict-compare-adjust step ------------------------------------------------------------

ADJUST_CASES = [(0.5, 3.0, 6.0, 0.1), (2.0, -1.0, 1.0, 0.05), (-1.0, 0.5, 2.0, 0.2)]


def _adjust(w, x, y, lr, *, sign=-1.0, factor_x=True, two=2.0, use_lr=True):
    slope = two * (w * x - y) * (x if factor_x else 1.0)
    return w + sign * (lr if use_lr else 1.0) * slope


def _check_adjust(answer):
    for w, x, y, lr in ADJUST_CASES:
        got = as_number(call(answer, w, x, y, lr, call_as="my_adjust(w, x, y, lr)"),
                        f"What my_adjust({w}, {x}, {y}, {lr}) returned")
        expected = _adjust(w, x, y, lr)
        if close(got, expected):
            continue
        loss_before, loss_after = (w * x - y) ** 2, (got * x - y) ** 2
        for value, message in [
            (_adjust(w, x, y, lr, sign=+1.0), "Your step went uphill: the loss grew. Subtract lr times the slope: "
                                             "w - lr * slope."),
            (_adjust(w, x, y, lr, factor_x=False), "Your slope is missing the factor x: the prediction is w * x, so "
                                                   "the slope of (w*x - y)**2 is 2 * (w*x - y) * x."),
            (_adjust(w, x, y, lr, two=1.0), "Your step is half the right size: the slope of (w*x - y)**2 is "
                                            "2 * (w*x - y) * x (did you forget the 2?)."),
            (_adjust(w, x, y, lr, use_lr=False), "Your step ignores the learning rate: move by lr times the slope."),
            (-lr * 2 * (w * x - y) * x, "You returned the step, not the new w: return w - lr * slope."),
            (lr * 2 * (w * x - y) * x, "You returned lr times the slope, not the new w: return w - lr * slope."),
        ]:
            if close(got, value):
                raise Wrong(f"my_adjust({w}, {x}, {y}, {lr}) returned {fmt(got)}; expected {fmt(expected)}. {message}")
        raise Wrong(f"my_adjust({w}, {x}, {y}, {lr}) returned {fmt(got)}; expected {fmt(expected)}. The loss went "
                    f"from {fmt(loss_before)} to {fmt(loss_after)}. The new w is w - lr * 2 * (w*x - y) * x.")


def _adjust_uphill(w, x, y, lr):
    """Steps uphill: w + lr * slope."""
    return w + lr * 2 * (w * x - y) * x


def _adjust_no_x(w, x, y, lr):
    """Forgets the factor x in the slope."""
    return w - lr * 2 * (w * x - y)


def _adjust_no_two(w, x, y, lr):
    """Forgets the 2 of the square's derivative."""
    return w - lr * (w * x - y) * x


def _adjust_returns_step(w, x, y, lr):
    """Returns the step instead of the new w."""
    return -lr * 2 * (w * x - y) * x


register(Exercise(
    "01.2", "one predict-compare-adjust step",
    "Write my_adjust(w, x, y, lr): the model predicts w * x, the loss is (w*x - y)**2 with slope "
    "2 * (w*x - y) * x; return the w after one step.",
    start="def my_adjust(w, x, y, lr):\n    ...  # predict, compare, adjust: return the new w",
    answer_name="my_adjust",
    hint="predict `w * x`, compute the slope `2 * (w*x - y) * x`, and return `w - lr * slope`",
    call_as="my_adjust(w, x, y, lr)",
    solution_source='''
def my_adjust(w, x, y, lr):
    prediction = w * x                      # predict
    slope = 2 * (prediction - y) * x        # compare: the slope of (w*x - y)**2 with respect to w
    return w - lr * slope                   # adjust: a small step downhill
''',
    solution_name="my_adjust",
    kind="function",
    checker=_check_adjust,
    mistakes=[(_adjust_uphill, "uphill"), (_adjust_no_x, "missing the factor x"),
              (_adjust_no_two, "half the right size"), (_adjust_returns_step, "returned the step")],
    praise="One step of this rule is what `optimizer.step()` does to every parameter of a network, "
           "with the slope that backward computes.",
))

# --- 01.3 the training loop --------------------------------------------------------------------------

LOOP_UPDATES = 30


def _loop_setup():
    import nnlib

    x, y = nnlib.make_moons(200, noise=0.15, rng=0)
    model = nnlib.mlp([2, 8, 2], rng=7)
    return model, nnlib.SoftmaxCrossEntropy(), nnlib.SGD(model.parameters(), lr=0.5), x, y


def _spy(obj, method, event, log):
    original = getattr(obj, method)

    def spied(*args, **kwargs):
        log.append(event)
        return original(*args, **kwargs)

    setattr(obj, method, spied)


def _reference_losses():
    from ._core import EXERCISES

    return EXERCISES["01.3"].solution(*_loop_setup(), LOOP_UPDATES)


def _check_loop(answer):
    model, loss, optimizer, x, y = _loop_setup()
    log = []
    for obj, method, event in [(model, "forward", "forward"), (model, "backward", "backward"),
                               (model, "zero_grad", "zero_grad"), (optimizer, "zero_grad", "zero_grad"),
                               (optimizer, "step", "step"), (loss, "forward", "loss")]:
        _spy(obj, method, event, log)
    losses = call(answer, model, loss, optimizer, x, y, LOOP_UPDATES,
                  call_as="my_train(model, loss, optimizer, x, y, updates)")
    steps, backwards = log.count("step"), log.count("backward")
    if backwards == 0:
        raise Wrong("Your loop never calls `model.backward(loss.backward())`: without it no parameter gets a "
                    "gradient, and step() has nothing to follow.")
    if steps == 0:
        raise Wrong("Your loop never calls `optimizer.step()`: the gradients are computed but the parameters "
                    "never move, so the loss stays the same.")
    if steps != LOOP_UPDATES:
        raise Wrong(f"The check asked for {LOOP_UPDATES} updates and `optimizer.step()` was called {steps} times: "
                    "one step per update (use `for update in range(updates):`).")
    since_zero = 0
    for i, event in enumerate(log):
        if event == "zero_grad":
            if since_zero and _next(log, i, ("step", "backward")) == "step":
                raise Wrong("Your loop calls zero_grad() between backward and step(): it wipes out the gradients "
                            "just before they are used, so nothing is learned. Call zero_grad() at the start of "
                            "each update, before backward.")
            since_zero = 0
        elif event == "backward":
            since_zero += 1
        elif event == "step" and since_zero > 1:
            raise Wrong("Your loop never calls zero_grad(), or not once per update: gradients add up from one "
                        "backward to the next (as in PyTorch), so from the second update on each step follows the "
                        "sum of several gradients. Call `optimizer.zero_grad()` once per update, before backward.")
    if losses is None:
        raise Wrong("Your function returned None: return the list of losses (one per update).")
    try:
        losses = [float(value) for value in losses]
    except (TypeError, ValueError):
        raise Wrong("Your function should return a list of numbers, one loss per update.") from None
    if len(losses) != LOOP_UPDATES:
        raise Wrong(f"Your function returned {len(losses)} losses for {LOOP_UPDATES} updates: append the loss "
                    "once per update.")
    expected = _reference_losses()
    for update, (got, want) in enumerate(zip(losses, expected)):
        if not close(got, want, rtol=1e-6):
            raise Wrong(f"Your loss of update {update} is {fmt(got)}; the reference loop has {fmt(want)}. Record the "
                        "value `loss.forward(model.forward(x), y)` returned in that update, before the step.")


def _next(log, i, events):
    for event in log[i + 1:]:
        if event in events:
            return event
    return None


def _loop_without_zero_grad(model, loss, optimizer, x, y, updates):
    """Never calls zero_grad: gradients add up."""
    losses = []
    for _ in range(updates):
        losses.append(loss.forward(model.forward(x), y))
        model.backward(loss.backward())
        optimizer.step()
    return losses


def _loop_without_step(model, loss, optimizer, x, y, updates):
    """Forgets optimizer.step(): nothing moves."""
    losses = []
    for _ in range(updates):
        optimizer.zero_grad()
        losses.append(loss.forward(model.forward(x), y))
        model.backward(loss.backward())
    return losses


def _loop_zero_grad_late(model, loss, optimizer, x, y, updates):
    """Calls zero_grad between backward and step."""
    losses = []
    for _ in range(updates):
        losses.append(loss.forward(model.forward(x), y))
        model.backward(loss.backward())
        optimizer.zero_grad()
        optimizer.step()
    return losses


def _loop_no_return(model, loss, optimizer, x, y, updates):
    """Trains but forgets to return the losses."""
    for _ in range(updates):
        optimizer.zero_grad()
        loss.forward(model.forward(x), y)
        model.backward(loss.backward())
        optimizer.step()


def _loop_shuffles_the_data(model, loss, optimizer, x, y, updates):
    """Shuffles x in place before training (and so breaks its pairing with y)."""
    np.random.default_rng(0).shuffle(x)
    return _reference_loop(model, loss, optimizer, x, y, updates)


def _reference_loop(model, loss, optimizer, x, y, updates):
    losses = []
    for _ in range(updates):
        optimizer.zero_grad()
        losses.append(loss.forward(model.forward(x), y))
        model.backward(loss.backward())
        optimizer.step()
    return losses


register(Exercise(
    "01.3", "the training loop",
    "Write my_train(model, loss, optimizer, x, y, updates): repeat zero_grad, predict, compare, backward, "
    "step `updates` times and return the list of losses.",
    start="def my_train(model, loss, optimizer, x, y, updates):\n    losses = []\n"
          "    ...  # your loop: one update per turn, appending each loss\n    return losses",
    answer_name="my_train",
    hint="copy the loop of the section \"The training loop\" and start each update with `optimizer.zero_grad()`",
    call_as="my_train(model, loss, optimizer, x, y, updates)",
    solution_source='''
def my_train(model, loss, optimizer, x, y, updates):
    losses = []
    for update in range(updates):
        optimizer.zero_grad()                  # forget the gradients of the last update
        value = loss.forward(model.forward(x), y)   # predict and compare
        model.backward(loss.backward())        # a gradient for every parameter
        optimizer.step()                       # adjust
        losses.append(value)
    return losses
''',
    solution_name="my_train",
    kind="function",
    checker=_check_loop,
    mistakes=[(_loop_without_zero_grad, "never calls zero_grad()"), (_loop_without_step, "never calls `optimizer.step()`"),
              (_loop_zero_grad_late, "between backward and step()"), (_loop_no_return, "returned None"),
              (_loop_shuffles_the_data, "shuffled the rows of `x` in place: the caller's points")],
    inputs={"x": "the caller's points are no longer the data it passed, and whatever it does with them next (plot "
                 "them with their labels, measure an accuracy) uses changed data",
            "y": "the caller's labels are no longer the ones it passed, and whatever it does with them next (plot "
                 "them with their points, measure an accuracy) uses changed data"},
    praise=f"The check ran your loop for {LOOP_UPDATES} updates of `mlp([2, 8, 2], rng=7)` on the moons and got "
           "the same losses as the reference loop.",
))
