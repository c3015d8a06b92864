"""Exercises of notebook 08: the training loop, its phases and early stopping."""

import numpy as np

from ._core import Exercise, Wrong, as_number, call, close, fmt, number_checker, register

# --- 08.1 early stopping with patience ---------------------------------------------------------------

PATIENCE_CASES = [
    ([1.0, 0.8, 0.7, 0.75, 0.72, 0.71, 0.9, 0.65], 3),
    ([1.0, 0.9, 0.95, 0.85, 0.9, 0.8, 0.82, 0.81, 0.83, 0.84], 2),
    ([3.0, 2.0, 1.5, 1.2, 1.1], 2),
    ([1.0, 0.5, 0.5, 0.5, 0.4], 2),
    ([0.9, 1.0, 1.1, 0.8], 1),
]


def _early(val_losses, patience, *, reset=True, strict=True, shift=0, best_over_all=False):
    """(best_epoch, stopped_epoch), 1-based, with switches that reproduce the usual mistakes."""
    best, best_epoch, waited = np.inf, 0, 0
    stopped = len(val_losses)
    for epoch, value in enumerate(val_losses, start=1):
        if value < best or (not strict and value <= best):
            best, best_epoch = value, epoch
            if reset:
                waited = 0
        else:
            waited += 1
            if waited >= patience + shift:
                stopped = epoch
                break
    if best_over_all:
        best_epoch = int(np.argmin(val_losses)) + 1
    return best_epoch, stopped


def _two_ints(value, what):
    try:
        best, stopped = value
    except (TypeError, ValueError):
        raise Wrong(f"{what} should be two epoch numbers, (best_epoch, stopped_epoch); it is {value!r}.") from None
    best, stopped = as_number(best, what + " (best_epoch)"), as_number(stopped, what + " (stopped_epoch)")
    if best != int(best) or stopped != int(stopped):
        raise Wrong(f"{what} should hold whole epoch numbers; it holds ({fmt(best)}, {fmt(stopped)}).")
    return int(best), int(stopped)


def _check_early(answer):
    for val_losses, patience in PATIENCE_CASES:
        returned = call(answer, list(val_losses), patience, call_as="my_early_stopping(val_losses, patience)")
        got = _two_ints(returned, f"What my_early_stopping({val_losses}, {patience}) returned")
        expected = _early(val_losses, patience)
        if got == expected:
            continue
        said = (f"For val_losses = {val_losses} and patience = {patience} you returned {got}; expected {expected}. ")
        for value, message in [
            ((expected[0] - 1, expected[1] - 1), "Your epochs count from 0; epoch numbers here count from 1, as "
                                                 "History.best_epoch does (epoch 1 is the first)."),
            (_early(val_losses, patience, best_over_all=True), "Your best epoch comes after training stopped: the "
                                                               "best must be chosen among the epochs that ran."),
            (_early(val_losses, patience, reset=False), "The count of epochs without improvement must start again "
                                                        "from 0 every time the loss improves."),
            (_early(val_losses, patience, strict=False), "An equal loss is not an improvement: only a loss *lower* "
                                                         "than the best so far resets the count."),
            (_early(val_losses, patience, shift=1), "You stopped one epoch too late: with patience p, training "
                                                    "stops at the p-th epoch in a row without improvement."),
            (_early(val_losses, patience, shift=-1), "You stopped one epoch too early: with patience p, training "
                                                     "stops at the p-th epoch in a row without improvement, not "
                                                     "the (p - 1)-th."),
        ]:
            if got == value:
                raise Wrong(said + message)
        raise Wrong(said + "Walk through the epochs keeping the best loss so far and how many epochs in a row "
                           "did not beat it; stop when that count reaches patience.")


def _early_zero_based(val_losses, patience):
    """Counts epochs from 0."""
    best, stopped = _early(val_losses, patience)
    return best - 1, stopped - 1


def _early_best_of_all(val_losses, patience):
    """Takes the best epoch over the whole list, even after stopping."""
    return _early(val_losses, patience, best_over_all=True)


def _early_no_reset(val_losses, patience):
    """Never resets the count of epochs without improvement."""
    return _early(val_losses, patience, reset=False)


def _early_late(val_losses, patience):
    """Stops one epoch too late (waits patience + 1 epochs)."""
    return _early(val_losses, patience, shift=1)


def _early_sorts_the_losses(val_losses, patience):
    """Sorts the losses in place to find the lowest."""
    best_epoch, stopped = _early(val_losses, patience)
    val_losses.sort()
    return best_epoch, stopped


register(Exercise(
    "08.1", "early stopping with patience",
    "Write my_early_stopping(val_losses, patience): return (best_epoch, stopped_epoch), counted from 1, where "
    "training stops after `patience` epochs in a row without a lower validation loss.",
    start="def my_early_stopping(val_losses, patience):\n"
          "    ...  # return (best_epoch, stopped_epoch); stopped_epoch = len(val_losses) if it never stops",
    answer_name="my_early_stopping",
    hint="loop over `enumerate(val_losses, start=1)`, keeping the best loss so far, its epoch, and how many "
         "epochs in a row have not beaten it",
    call_as="my_early_stopping(val_losses, patience)",
    solution_source='''
def my_early_stopping(val_losses, patience):
    best, best_epoch, waited = float("inf"), 0, 0
    for epoch, value in enumerate(val_losses, start=1):
        if value < best:                  # an improvement: remember it, start counting again
            best, best_epoch, waited = value, epoch, 0
        else:
            waited += 1
            if waited == patience:        # patience epochs in a row without improvement: stop here
                return best_epoch, epoch
    return best_epoch, len(val_losses)    # never stopped early
''',
    solution_name="my_early_stopping",
    kind="function",
    checker=_check_early,
    mistakes=[(_early_zero_based, "count from 0"), (_early_best_of_all, "after training stopped"),
              (_early_no_reset, "start again"), (_early_late, "one epoch too late"),
              (_early_sorts_the_losses, "sorted `val_losses` in place")],
    inputs={"val_losses": "the caller's record of the validation losses is no longer what training measured, "
                          "so its plot and every later choice read changed numbers"},
    praise="With restore_best=True, `EarlyStopping` (nnlib/training.py) then puts back the parameters of "
           "best_epoch, whether or not training stopped early.",
))

# --- 08.2 a validation pass --------------------------------------------------------------------------


def _validation_setup():
    import nnlib

    # three classes, so that an accuracy read from one column of the scores (a two-class shortcut) is wrong
    x, y = nnlib.make_spirals(120, n_classes=3, noise=0.2, rng=5)
    return nnlib.mlp([2, 8, 3], rng=9), nnlib.SoftmaxCrossEntropy(), x, y  # accuracy 0.525, error rate 0.475


def _check_validation(answer):
    model, loss, x, y = _validation_setup()
    before = {p.name: p.value.copy() for p in model.parameters()}
    log = []
    for obj, method, event in [(model, "backward", "backward"), (loss, "backward", "backward")]:
        original = getattr(obj, method)

        def spied(*args, _original=original, _event=event, **kwargs):
            log.append(_event)
            return _original(*args, **kwargs)

        setattr(obj, method, spied)
    returned = call(answer, model, loss, x, y, call_as="my_validation_pass(model, loss, x_val, y_val)")
    if any(not np.array_equal(p.value, before[p.name]) for p in model.parameters()):
        raise Wrong("Your validation pass changed the model's parameters: validation only measures, it never "
                    "updates (no step, no training on validation data).")
    if log:
        raise Wrong("Your validation pass calls backward: it computes gradients that no update uses, and since "
                    "gradients add up they would sneak into the next update unless zero_grad comes first. "
                    "Validation only predicts and compares.")
    if hasattr(returned, "loss") and hasattr(returned, "accuracy"):  # nnlib.evaluate's Evaluation
        returned = (returned.loss, returned.accuracy)
    try:
        got_loss, got_accuracy = returned
    except (TypeError, ValueError):
        raise Wrong(f"Your function should return two numbers, (val_loss, val_accuracy); it returned {returned!r}.") \
            from None
    got_loss, got_accuracy = as_number(got_loss, "the loss you returned"), as_number(got_accuracy,
                                                                                     "the accuracy you returned")
    scores = model.forward(x)
    expected_loss = loss.forward(scores, y)
    expected_accuracy = float(np.mean(scores.argmax(axis=1) == y))
    if close(got_loss, expected_accuracy) and close(got_accuracy, expected_loss):
        raise Wrong("You returned (accuracy, loss); the order is (val_loss, val_accuracy).")
    if not close(got_loss, expected_loss):
        raise Wrong(f"Your validation loss is {fmt(got_loss)}; expected {fmt(expected_loss)}, "
                    "loss.forward(model.forward(x_val), y_val).")
    if close(got_accuracy, expected_accuracy):
        return
    if close(got_accuracy, 1 - expected_accuracy):
        raise Wrong(f"Your accuracy is {fmt(got_accuracy)}, the error rate: accuracy is the fraction of examples "
                    "whose predicted class (the argmax of the scores) equals the label.")
    if close(got_accuracy, 100 * expected_accuracy):
        raise Wrong("Give the accuracy as a fraction between 0 and 1, not in percent.")
    shifted = np.exp(scores - scores.max(axis=1, keepdims=True))
    probabilities = shifted / shifted.sum(axis=1, keepdims=True)
    one_column = [np.mean((probabilities[:, 1] > 0.5) == y), np.mean((scores[:, 1] > 0) == y),
                  np.mean((scores[:, 1] > scores[:, 0]) == y), np.mean((scores[:, 0] > 0.5) == (y == 0))]
    if any(close(got_accuracy, value) for value in one_column):
        raise Wrong(f"Your validation accuracy is {fmt(got_accuracy)}; expected {fmt(expected_accuracy)}. It reads "
                    f"one or two columns of the scores, a shortcut that only works with two classes; here there are "
                    f"{scores.shape[1]}. The predicted class is the one with the highest score: "
                    "scores.argmax(axis=1), compared with y_val.")
    raise Wrong(f"Your validation accuracy is {fmt(got_accuracy)}; expected {fmt(expected_accuracy)}: the "
                "fraction of examples with scores.argmax(axis=1) == y_val.")


def _validation_with_backward(model, loss, x_val, y_val):
    """Calls backward during validation."""
    scores = model.forward(x_val)
    value = loss.forward(scores, y_val)
    model.backward(loss.backward())
    return value, float(np.mean(scores.argmax(axis=1) == y_val))


def _validation_error_rate(model, loss, x_val, y_val):
    """Returns the error rate instead of the accuracy."""
    scores = model.forward(x_val)
    return loss.forward(scores, y_val), float(np.mean(scores.argmax(axis=1) != y_val))


def _validation_swapped(model, loss, x_val, y_val):
    """Returns (accuracy, loss)."""
    scores = model.forward(x_val)
    return float(np.mean(scores.argmax(axis=1) == y_val)), loss.forward(scores, y_val)


def _validation_two_class_shortcut(model, loss, x_val, y_val):
    """Predicts class 1 when its probability is above 0.5 (right only for two classes)."""
    scores = model.forward(x_val)
    shifted = np.exp(scores - scores.max(axis=1, keepdims=True))
    probabilities = shifted / shifted.sum(axis=1, keepdims=True)
    return loss.forward(scores, y_val), float(np.mean((probabilities[:, 1] > 0.5) == y_val))


def _validation_centres_in_place(model, loss, x_val, y_val):
    """Centres the validation inputs in place before predicting."""
    x_val -= x_val.mean(axis=0)
    scores = model.forward(x_val)
    return loss.forward(scores, y_val), float(np.mean(scores.argmax(axis=1) == y_val))


register(Exercise(
    "08.2", "a validation pass",
    "Write my_validation_pass(model, loss, x_val, y_val): return (val_loss, val_accuracy) without changing the "
    "model.",
    start="def my_validation_pass(model, loss, x_val, y_val):\n    ...  # return (val_loss, val_accuracy)",
    answer_name="my_validation_pass",
    hint="predict and compare, nothing else: `model.forward`, `loss.forward`, and the accuracy of "
         "`scores.argmax(axis=1)`",
    call_as="my_validation_pass(model, loss, x_val, y_val)",
    solution_source='''
def my_validation_pass(model, loss, x_val, y_val):
    scores = model.forward(x_val)                          # predict
    val_loss = loss.forward(scores, y_val)                 # compare; no backward, no step
    val_accuracy = float(np.mean(scores.argmax(axis=1) == y_val))
    return val_loss, val_accuracy
''',
    solution_name="my_validation_pass",
    kind="function",
    checker=_check_validation,
    mistakes=[(_validation_with_backward, "calls backward"), (_validation_error_rate, "error rate"),
              (_validation_swapped, "the order is"), (_validation_two_class_shortcut, "only works with two classes"),
              (_validation_centres_in_place, "the caller's validation inputs are no longer the ones")],
    inputs={"x_val": "the caller's validation inputs are no longer the ones it measures every epoch",
            "y_val": "the caller's validation labels no longer match its inputs"},
    praise="This is what `fit` does after the batches of every epoch: one pass over the validation data, no "
           "updates.",
))

# --- 08.3 memorisation in numbers --------------------------------------------------------------------

register(Exercise(
    "08.3", "accuracy on memorised labels",
    "Of 500 training labels 150 are deliberately wrong; the network predicts the given label for all 350 right "
    "ones and for 140 of the wrong ones. What is its training accuracy?",
    start="my_training_accuracy = None  # your answer: a fraction between 0 and 1",
    answer_name="my_training_accuracy",
    hint="training accuracy compares the predictions with the labels the network was given, right or wrong",
    solution_source="""
answer = (350 + 140) / 500   # 0.98: memorised wrong labels count as "right" on the training set
""",
    solution_name="answer",
    kind="value",
    checker=number_checker(
        0.98,
        wrong=[(0.7, "350 / 500 counts only the right labels; training accuracy compares with the labels the "
                     "network was *given*, so the 140 memorised wrong labels count as hits too. That is why "
                     "memorising looks like progress on the training set."),
               (140 / 150, "that is the fraction of the wrong labels it memorised; the accuracy counts all 500."),
               (140 / 500, "that counts only the memorised wrong labels; add the 350 right ones."),
               (98.0, "give it as a fraction, not in percent.")],
        generic="Count the predictions that equal the given label, (350 + 140), over all 500."),
    mistakes=[(0.7, "was *given*"), (140 / 150, "fraction of the wrong labels")],
    praise="98 % on the training set, yet on the true labels it is right for at most 360 of the 500 (the 350 "
           "right ones, and at best the 10 wrongly labelled digits it did not memorise): a high training "
           "accuracy on noisy labels is memorisation, and only the validation curve shows it.",
))
