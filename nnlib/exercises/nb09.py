"""Exercises of notebook 09: choosing hyperparameters."""

import contextlib
import io
import math
import numbers

import numpy as np

from ._core import Exercise, Wrong, as_number, call, check_rng_is_used, close, fmt, number_checker, register

# --- 09.1 a random search of a given budget ----------------------------------------------------------

LR_RANGE, HIDDEN_RANGE = (1e-4, 1.0), (8, 256)


class _Scorer:
    """A stand-in for "train with these settings, return the validation accuracy": instant, smooth, best near
    lr = 0.03, and it records every call."""

    def __init__(self):
        self.calls = []

    def __call__(self, lr, hidden):
        score = 0.95 - 0.04 * (math.log10(lr) + 1.5) ** 2 - 0.02 * (math.log2(hidden) - 6) ** 2 / 9
        self.calls.append((lr, hidden, float(score)))
        return float(score)


def _read_result(returned, what):
    try:
        settings, score = returned
    except (TypeError, ValueError):
        raise Wrong(f"{what} should be (best_settings, best_score); it is {returned!r}.") from None
    if not isinstance(settings, dict) or set(settings) != {"lr", "hidden"}:
        raise Wrong(f"best_settings should be a dict {{'lr': ..., 'hidden': ...}}; it is {settings!r}.")
    return settings, as_number(score, "best_score")


def _run(answer, budget, rng):
    scorer = _Scorer()
    returned = call(answer, scorer, budget, rng, call_as="my_random_search(train_and_score, budget, rng)")
    return scorer.calls, _read_result(returned, "What my_random_search returned")


# A long search, to see the whole range each hyperparameter is drawn from: with 5000 uniform draws of 8..256
# every value comes up (each about 20 times); of 5000 log-uniform learning rates the largest is above 0.99
# (all below 0.5 has probability 0.925**5000). Long enough to see the ends, short enough for a reader's loop
# that does more work than needed (sorting all scores at every run: about a second).
LONG_BUDGET = 5000


def _check_ranges(calls):
    for lr, hidden, _ in calls:
        if isinstance(lr, bool) or not isinstance(lr, numbers.Real) or not (
                LR_RANGE[0] * (1 - 1e-9) <= lr <= LR_RANGE[1] * (1 + 1e-9)):
            raise Wrong(f"You tried lr = {lr!r}, outside [{LR_RANGE[0]:g}, {LR_RANGE[1]:g}].")
        if isinstance(hidden, bool) or not isinstance(hidden, numbers.Integral) and not (
                isinstance(hidden, float) and hidden.is_integer()):
            raise Wrong(f"You tried hidden = {hidden!r}: a number of hidden units is a whole number "
                        "(rng.integers(8, 257)).")
        if not HIDDEN_RANGE[0] <= hidden <= HIDDEN_RANGE[1]:
            raise Wrong(f"You tried hidden = {hidden}, outside [{HIDDEN_RANGE[0]}, {HIDDEN_RANGE[1]}].")


def _check_coverage(answer):
    """Wrong if a long search never reaches the ends of the ranges the prompt gives."""
    with contextlib.redirect_stdout(io.StringIO()):  # a search that prints each run would print 5000 lines
        calls, _ = _run(answer, LONG_BUDGET, np.random.default_rng(3))
    if len(calls) != LONG_BUDGET:
        raise Wrong(f"With budget = {LONG_BUDGET} your search trained {len(calls)} settings: call train_and_score "
                    "exactly budget times.")
    _check_ranges(calls)
    lrs = np.array([c[0] for c in calls], dtype=float)
    hidden = np.array([c[1] for c in calls], dtype=float)
    said = f"In a search of {LONG_BUDGET} runs"
    if lrs.max() < 0.5 or lrs.min() > 3e-4:
        raise Wrong(f"{said} your learning rates ran from {fmt(lrs.min())} to {fmt(lrs.max())}; the range is "
                    "[0.0001, 1], and a search that never tries the ends of its range cannot find a best value "
                    "there. Draw lr = 10 ** rng.uniform(-4, 0).")
    low, high = HIDDEN_RANGE
    typical = len(hidden) / len(np.unique(hidden))  # how often a value comes up, on average
    for end, inside in [(high, high - 1), (low, low + 1)]:
        # An end never drawn while its neighbour comes up as often as a typical value: the range stops one short
        # (rng.integers(8, 256)). A log-uniform draw rounded to integers reaches 256 rarely, but then 255 is
        # rare too, so it is not mistaken for that.
        seen = int((hidden == inside).sum())
        if not (hidden == end).any() and seen >= max(12, 0.5 * typical):
            raise Wrong(f"{said} your hidden sizes never took the value {end}, though {inside} came up "
                        f"{seen} times: the range [{low}, {high}] includes both ends. "
                        f"rng.integers(a, b) never returns b (its high end is excluded): write rng.integers({low}, "
                        f"{high + 1}) or rng.integers({low}, {high}, endpoint=True).")
    if hidden.max() < 0.8 * high or hidden.min() > 2 * low:
        raise Wrong(f"{said} your hidden sizes ran from {int(hidden.min())} to {int(hidden.max())}; the range is "
                    f"[{low}, {high}]. Draw hidden = int(rng.integers({low}, {high + 1})).")


def _check_search(answer):
    budget = 40

    def run(rng):
        calls, (settings, score) = _run(answer, budget, rng)
        return calls, settings, score

    def inspect(result):
        calls, settings, score = result
        if len(calls) != budget:
            raise Wrong(f"Your search trained {len(calls)} settings; the budget is {budget}: call train_and_score "
                        "exactly budget times.")
        _check_ranges(calls)
        distinct = len({lr for lr, _, _ in calls})
        if distinct < budget // 2:
            raise Wrong(f"Your {budget} runs tried only {distinct} different learning rates: random search draws a "
                        "new value of every hyperparameter for every run (a grid repeats each value).")
        small = np.mean([lr < 1e-2 for lr, _, _ in calls])
        if small < 0.2:
            raise Wrong(f"Only {100 * small:.0f} % of your learning rates are below 0.01, though 0.0001 to 0.01 is "
                        "half of the range on a log scale: you drew them uniformly, which almost never tries small "
                        "rates. Draw the exponent instead: lr = 10 ** rng.uniform(-4, 0).")
        best = max(calls, key=lambda c: c[2])
        worst = min(calls, key=lambda c: c[2])
        got = (settings["lr"], settings["hidden"], score)
        if close(got, worst) and not close(got, best):
            raise Wrong("You returned the setting with the lowest score: the score is a validation accuracy, "
                        "higher is better.")
        if close(got, calls[-1]) and not close(got, best):
            raise Wrong("You returned the last setting tried, not the best one: keep the best score seen so far.")
        if not close(got, best):
            raise Wrong(f"You returned lr = {fmt(settings['lr'])}, hidden = {settings['hidden']} with score "
                        f"{fmt(score)}; the best of your {budget} runs was lr = {fmt(best[0])}, hidden = {best[1]} "
                        f"with {fmt(best[2])}.")

    def same(a, b):
        return [c[:2] for c in a[0]] == [c[:2] for c in b[0]]

    check_rng_is_used(run, same, what="settings", inspect=inspect)
    _check_coverage(answer)


def _search_uniform_lr(train_and_score, budget, rng):
    """Draws the learning rate uniformly instead of on a log scale."""
    best = (None, -np.inf)
    for _ in range(budget):
        settings = {"lr": rng.uniform(1e-4, 1.0), "hidden": int(rng.integers(8, 257))}
        score = train_and_score(settings["lr"], settings["hidden"])
        if score > best[1]:
            best = (settings, score)
    return best


def _search_lowest(train_and_score, budget, rng):
    """Keeps the lowest score."""
    best = (None, np.inf)
    for _ in range(budget):
        settings = {"lr": 10 ** rng.uniform(-4, 0), "hidden": int(rng.integers(8, 257))}
        score = train_and_score(settings["lr"], settings["hidden"])
        if score < best[1]:
            best = (settings, score)
    return best


def _search_last(train_and_score, budget, rng):
    """Returns the last setting tried."""
    for _ in range(budget):
        settings = {"lr": 10 ** rng.uniform(-4, 0), "hidden": int(rng.integers(8, 257))}
        score = train_and_score(settings["lr"], settings["hidden"])
    return settings, score


def _search_over_budget(train_and_score, budget, rng):
    """Tries budget + 1 settings (an off-by-one loop)."""
    best = (None, -np.inf)
    for _ in range(budget + 1):
        settings = {"lr": 10 ** rng.uniform(-4, 0), "hidden": int(rng.integers(8, 257))}
        score = train_and_score(settings["lr"], settings["hidden"])
        if score > best[1]:
            best = (settings, score)
    return best


def _search(train_and_score, budget, draw):
    best = (None, -np.inf)
    for _ in range(budget):
        settings = draw()
        score = train_and_score(settings["lr"], settings["hidden"])
        if score > best[1]:
            best = (settings, score)
    return best


def _search_small_lr_range(train_and_score, budget, rng):
    """Draws learning rates only up to 0.1 (log-uniform in [1e-4, 0.1])."""
    return _search(train_and_score, budget, lambda: {"lr": 10 ** rng.uniform(-4, -1),
                                                      "hidden": int(rng.integers(8, 257))})


def _search_small_hidden_range(train_and_score, budget, rng):
    """Draws hidden sizes only up to 64."""
    return _search(train_and_score, budget, lambda: {"lr": 10 ** rng.uniform(-4, 0),
                                                      "hidden": int(rng.integers(8, 65))})


def _search_excludes_256(train_and_score, budget, rng):
    """Writes rng.integers(8, 256), which never draws 256."""
    return _search(train_and_score, budget, lambda: {"lr": 10 ** rng.uniform(-4, 0),
                                                      "hidden": int(rng.integers(8, 256))})


def _search_fixed_seed(train_and_score, budget, rng):
    """Makes its own generator with a fixed seed and ignores rng."""
    own = np.random.default_rng(0)
    return _search(train_and_score, budget, lambda: {"lr": 10 ** own.uniform(-4, 0),
                                                      "hidden": int(own.integers(8, 257))})


register(Exercise(
    "09.1", "a random search of a given budget",
    "Write my_random_search(train_and_score, budget, rng): try `budget` random settings, lr log-uniform in "
    "[1e-4, 1] and hidden an integer in [8, 256]; return ({'lr': ..., 'hidden': ...}, best_score).",
    start="def my_random_search(train_and_score, budget, rng):\n"
          "    ...  # call train_and_score(lr, hidden) budget times; return (best_settings, best_score)",
    answer_name="my_random_search",
    hint="draw `lr = 10 ** rng.uniform(-4, 0)` and `hidden = int(rng.integers(8, 257))` for every run, and keep "
         "the best score (a validation accuracy: higher is better)",
    call_as="my_random_search(train_and_score, budget, rng)",
    solution_source='''
def my_random_search(train_and_score, budget, rng):
    best_settings, best_score = None, -float("inf")
    for run in range(budget):
        settings = {"lr": 10 ** rng.uniform(-4, 0),            # log scale: each factor of 10 equally likely
                    "hidden": int(rng.integers(8, 257))}        # 8 to 256 hidden units
        score = train_and_score(settings["lr"], settings["hidden"])   # a validation accuracy
        if score > best_score:
            best_settings, best_score = settings, score
    return best_settings, best_score
''',
    solution_name="my_random_search",
    kind="function",
    checker=_check_search,
    mistakes=[(_search_uniform_lr, "drew them uniformly"), (_search_lowest, "lowest score"),
              (_search_last, "last setting"), (_search_over_budget, "the budget is 40"),
              (_search_small_lr_range, "your learning rates ran from"),
              (_search_small_hidden_range, "your hidden sizes ran from"),
              (_search_excludes_256, "never took the value 256"),
              (_search_fixed_seed, "did not draw a single number from the `rng`")],
    praise="The check gave your search a stand-in for training (instant, best near lr = 0.03): every run drew "
           "new values, on a log scale for the learning rate, and you kept the best.",
))

# --- 09.2 what a grid really tries --------------------------------------------------------------------

register(Exercise(
    "09.2", "what a grid really tries",
    "A grid search trains every combination of 5 learning rates, 6 hidden sizes and 2 batch sizes. If only the "
    "learning rate matters, how many of its trainings try a learning rate that no earlier training tried?",
    start="my_count = None  # your answer: a whole number",
    answer_name="my_count",
    hint="count the trainings first, then ask how often each learning rate comes back",
    solution_source="""
answer = 5   # 5 * 6 * 2 = 60 trainings, but only 5 different learning rates: each comes back 12 times.
             # A random search of 60 trainings would try 60 different learning rates.
""",
    solution_name="answer",
    kind="value",
    checker=number_checker(
        5, integer=True, rtol=0, atol=0.01,
        wrong=[(60, "60 is the number of trainings, but each learning rate comes back in 6 × 2 = 12 of them (once "
                    "per hidden size and batch size): only 5 are new. A random search of 60 trainings would try 60."),
               (13, "5 + 6 + 2 counts the values of all three hyperparameters; the question asks about the "
                    "learning rate."),
               (30, "30 counts the (learning rate, hidden size) pairs; the learning rate alone has 5 values."),
               (12, "12 is how often each learning rate comes back; how many different ones are there?")],
        generic="Count the different learning rates among the grid's 5 × 6 × 2 = 60 trainings."),
    mistakes=[(60, "number of trainings"), (13, "all three hyperparameters")],
    praise="5 new learning rates in 60 trainings: when only the learning rate matters, 55 of them teach nothing "
           "new. A random search of 60 trainings tries 60 different learning rates (notebook 09, section 3).",
))

# --- 09.3 the chance that random search finds a good region ------------------------------------------

register(Exercise(
    "09.3", "the odds of random search",
    "Good learning rates fill 10 % of the (log) range. What is the probability that at least one of 20 random "
    "tries lands among them?",
    start="my_probability = None  # your answer: a number between 0 and 1",
    answer_name="my_probability",
    hint="first compute the probability that all 20 tries miss",
    solution_source="""
answer = 1 - 0.9**20   # 0.878: each try misses with probability 0.9, all 20 miss with 0.9**20 = 0.12
""",
    solution_name="answer",
    kind="value",
    checker=number_checker(
        1 - 0.9**20,
        wrong=[(0.9**20, "that is the probability that all 20 tries *miss*; at least one hits with 1 minus that."),
               (2.0, "20 × 0.1 = 2 is the expected *number* of hits, not a probability (a probability is at most 1)."),
               (1 - 0.1**20, "0.1**20 is the chance that all 20 *hit*; the chance that all miss is 0.9**20."),
               (0.1**20, "0.1**20 is the chance that all 20 hit; the question asks for at least one."),
               (100 * (1 - 0.9**20), "give it as a fraction, not in percent.")],
        generic="Each try misses with probability 0.9, so all 20 miss with 0.9**20; at least one hits with "
                "1 - 0.9**20."),
    mistakes=[(0.9**20, "all 20 tries *miss*"), (2.0, "expected *number*")],
    praise="1 - 0.9²⁰ = 0.878: twenty random tries find a region that fills a tenth of the range almost nine times "
           "in ten, however many other hyperparameters there are.",
))
