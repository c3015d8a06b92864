"""Statistics a verdict can stand on: how sure a measured accuracy is, and
whether two models measured on the same examples really differ. numpy and
the standard library only.

    accuracy_interval   a confidence interval for an accuracy: Wilson, exact
                        (Clopper-Pearson) or the textbook normal approximation
    interval_coverage   how often an interval method really covers the truth
    mcnemar_test        two models on the same examples: an exact test on the
                        examples where exactly one of them is right
    paired_t_test       two settings over the same seeds (or folds): Student's
                        t on the seed-by-seed differences
    sign_test           the same pairs, counting only which one was ahead:
                        no assumption about the shape of the differences

Why not always p ± 1.96·sqrt(p(1-p)/n)? Near 100 % that formula is too
narrow and symmetric where the truth is not: for 355 right out of 359 it
claims ±1.1 points, the exact interval is -1.7 / +0.8 points, and it covers
the true accuracy only about 90 % of the time instead of 95 %. Wilson's
interval is as simple to compute and keeps close to 95 % down to small n.
"""

import math
from collections import namedtuple
from statistics import NormalDist

import numpy as np

from ._checks import check_array, check_positive_int, check_range

INTERVAL_METHODS = ("wilson", "exact", "normal")

PairedComparison = namedtuple("PairedComparison", "only_a only_b p_value")
PairedComparison.__doc__ = """McNemar's test: ``only_a`` examples A gets right and B wrong, ``only_b``
the reverse, and the two-sided p-value of so uneven a split if both models
were equally good."""

PairedT = namedtuple("PairedT", "differences mean std t dof p_value")
SignTest = namedtuple("SignTest", "ahead behind ties p_value")
PairedT.__doc__ = """A paired t-test: the differences a - b (one per seed or fold), their mean
and standard deviation (ddof=1), the t statistic mean / (std / sqrt(n)),
its degrees of freedom n - 1 and the two-sided p-value."""


def _z(confidence):
    """The z with P(-z < Z < z) = confidence for a standard normal Z (1.96 for 0.95)."""
    confidence = check_range(confidence, "confidence", 0.0, 1.0)
    if confidence == 0:
        raise ValueError("confidence must be above 0 (0.95 for 95 %); got 0")
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def _check_counts(correct, n):
    n = check_positive_int(n, "n")
    if isinstance(correct, bool) or not isinstance(correct, (int, np.integer)) or not 0 <= correct <= n:
        raise ValueError(f"correct must be a whole number from 0 to n = {n}; got {correct!r}")
    return int(correct), n


def _binomial_pmf(n, p):
    """P(X = j) for j = 0..n, X ~ Binomial(n, p), through logarithms (no overflow for large n)."""
    if p in (0.0, 1.0):
        pmf = np.zeros(n + 1)
        pmf[0 if p == 0.0 else n] = 1.0
        return pmf
    j = np.arange(n + 1)
    log_factorial = np.concatenate([[0.0], np.cumsum(np.log(np.arange(1, n + 1)))])  # log j! for j = 0..n
    log_comb = log_factorial[n] - log_factorial - log_factorial[::-1]  # log C(n, j)
    return np.exp(log_comb + j * math.log(p) + (n - j) * math.log1p(-p))


def _solve_increasing(f, target, low=0.0, high=1.0, steps=60):
    """The x in [low, high] with f(x) = target, f increasing, by bisection (60 halvings: 1e-18)."""
    for _ in range(steps):
        middle = (low + high) / 2
        if f(middle) < target:
            low = middle
        else:
            high = middle
    return (low + high) / 2


def accuracy_interval(correct, n, *, confidence=0.95, method="wilson"):
    """A confidence interval (low, high), as fractions, for the true accuracy
    of a model that got ``correct`` of ``n`` examples right.

    method:
      "wilson"  (default) the p that are not rejected by the normal test:
                centre (k + z²/2) / (n + z²), half-width
                z / (n + z²) · sqrt(k (n - k) / n + z² / 4);
      "exact"   Clopper-Pearson: the p for which k or a more extreme count
                has probability at least (1 - confidence) / 2 on each side
                (conservative: covers at least ``confidence``);
      "normal"  the textbook k/n ± z·sqrt(p(1 - p)/n), clipped to [0, 1];
                too narrow near 0 % or 100 % and for small n.
    """
    correct, n = _check_counts(correct, n)
    z = _z(confidence)
    if method not in INTERVAL_METHODS:
        raise ValueError(f"method must be one of {INTERVAL_METHODS}; got {method!r}")
    p = correct / n
    if method == "normal":
        margin = z * math.sqrt(p * (1 - p) / n)
        return max(0.0, p - margin), min(1.0, p + margin)
    if method == "wilson":
        centre = (correct + z * z / 2) / (n + z * z)
        half = z / (n + z * z) * math.sqrt(correct * (n - correct) / n + z * z / 4)
        # At k = 0 (k = n) the bound is exactly 0 (1); say so instead of a round-off 1e-17.
        return (0.0 if correct == 0 else centre - half), (1.0 if correct == n else centre + half)
    tail = (1 - confidence) / 2
    # low: P(X >= k | p) = tail, which grows with p; high: P(X <= k | p) = tail, which falls with p.
    low = 0.0 if correct == 0 else _solve_increasing(lambda q: _binomial_pmf(n, q)[correct:].sum(), tail)
    high = 1.0 if correct == n else _solve_increasing(lambda q: -_binomial_pmf(n, q)[:correct + 1].sum(), -tail)
    return low, high


def interval_coverage(accuracy, n, *, confidence=0.95, method="normal"):
    """How often an interval from ``accuracy_interval(…, method=method)``
    contains the true accuracy, for a model that is right with probability
    ``accuracy`` on each of n independent examples: the sum of P(X = k) over
    the counts k whose interval covers it (exact, no simulation)."""
    accuracy = check_range(accuracy, "accuracy", 0.0, 1.0, include_high=True)
    n = check_positive_int(n, "n")
    pmf = _binomial_pmf(n, accuracy)
    covers = [low <= accuracy <= high
              for low, high in (accuracy_interval(k, n, confidence=confidence, method=method) for k in range(n + 1))]
    return float(pmf[np.array(covers)].sum())


def _as_correct(values, name):
    values = np.asarray(values)
    if values.ndim != 1 or not (values.dtype == bool or np.isin(values, (0, 1)).all()):
        raise ValueError(f"{name} must be a 1-D array of booleans (was each example classified right?); "
                         f"got shape {values.shape}, dtype {values.dtype}")
    return values.astype(bool)


def mcnemar_test(correct_a, correct_b):
    """McNemar's exact test for two models scored on the SAME examples.

    correct_a, correct_b: (n,) booleans, whether model A (B) got each example
    right. Examples both get right or both get wrong say nothing about which
    is better; of the others, if the models were equally good, each would
    favour A with probability 1/2. The p-value is the two-sided binomial
    probability of a split at least as uneven as the one seen.
    """
    correct_a, correct_b = _as_correct(correct_a, "correct_a"), _as_correct(correct_b, "correct_b")
    if correct_a.shape != correct_b.shape:
        raise ValueError(f"correct_a and correct_b must score the same examples; got {len(correct_a)} and "
                         f"{len(correct_b)} examples")
    only_a = int(np.sum(correct_a & ~correct_b))
    only_b = int(np.sum(correct_b & ~correct_a))
    return PairedComparison(only_a, only_b, _fair_coin_p_value(only_a, only_b))


def _fair_coin_p_value(heads, tails):
    """The two-sided probability that a fair coin tossed heads + tails times
    splits at least as unevenly as heads : tails (1 when it was not tossed).
    McNemar's test and the sign test are both this coin."""
    tosses = heads + tails
    if tosses == 0:
        return 1.0
    one_tail = _binomial_pmf(tosses, 0.5)[:min(heads, tails) + 1].sum()
    return float(min(1.0, 2 * one_tail))


def _paired_differences(scores_a, scores_b, *, at_least):
    """scores_a - scores_b as floats, after checking that they pair up: (n,) each, n >= at_least."""
    scores_a = check_array(scores_a, "scores_a", ndim=1)
    scores_b = check_array(scores_b, "scores_b", ndim=1)
    if scores_a.shape != scores_b.shape or len(scores_a) < at_least:
        raise ValueError(f"scores_a and scores_b must be paired: the same length, at least {at_least}; got "
                         f"{len(scores_a)} and {len(scores_b)}")
    return scores_a.astype(float) - scores_b.astype(float)


def _student_t_two_sided(t, dof):
    """P(|T| >= |t|) for Student's t with ``dof`` degrees of freedom: 1 minus
    twice the density's integral from 0 to |t| (Simpson's rule, 4000 panels;
    error far below the digits anyone prints)."""
    t = abs(t)
    if math.isinf(t):
        return 0.0
    s = np.linspace(0.0, t, 4001)
    log_scale = math.lgamma((dof + 1) / 2) - math.lgamma(dof / 2) - 0.5 * math.log(dof * math.pi)
    density = np.exp(log_scale - (dof + 1) / 2 * np.log1p(s * s / dof))
    weights = np.ones_like(s)
    weights[1:-1:2], weights[2:-1:2] = 4.0, 2.0
    integral = (s[1] - s[0]) / 3 * np.dot(weights, density)
    return float(min(1.0, max(0.0, 1.0 - 2.0 * integral)))


def paired_t_test(scores_a, scores_b):
    """Compare two settings measured in pairs (the same seeds, or the same
    folds): Student's t-test on the differences a - b.

    scores_a, scores_b: (n,) with n >= 2; pair i shares its seed (or fold).
    Pairing removes what the seeds share (an easy split, a lucky start), so
    a small but steady difference can be clear although each setting's own
    spread over seeds is larger than it. Differences [2, 1, 4, 1, 2] give
    t = 3.65 with 4 degrees of freedom, p = 0.02.
    """
    differences = _paired_differences(scores_a, scores_b, at_least=2)
    n = len(differences)
    mean, std = float(differences.mean()), float(differences.std(ddof=1))
    if std == 0:  # every pair differs by the same amount
        t = 0.0 if mean == 0 else math.copysign(math.inf, mean)
    else:
        t = mean / (std / math.sqrt(n))
    return PairedT(differences, mean, std, t, n - 1, _student_t_two_sided(t, n - 1))


def sign_test(scores_a, scores_b):
    """Compare two settings measured in pairs by counting, pair by pair,
    which one is ahead: the exact sign test. scores_a, scores_b: (n,).

    Ties are left out. If the settings were equally good, each untied pair
    would favour A with probability 1/2, like a fair coin; the p-value is
    the two-sided probability of a split at least as uneven. It assumes
    nothing about the size of the differences (a t-test assumes they are
    normal), and so it needs more pairs: A ahead on 5 of 5 gives
    p = 2 / 2**5 = 0.0625, the smallest p-value 5 pairs can give.
    """
    differences = _paired_differences(scores_a, scores_b, at_least=1)
    ahead, behind = int(np.sum(differences > 0)), int(np.sum(differences < 0))
    return SignTest(ahead, behind, len(differences) - ahead - behind, _fair_coin_p_value(ahead, behind))
