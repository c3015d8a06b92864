"""nnlib.stats against known values (recorded once from scipy.stats 1.x, which is not a test dependency)."""

import math

import numpy as np
import pytest

from nnlib import accuracy_interval, interval_coverage, k_fold_indices, mcnemar_test, paired_t_test, sign_test

# (correct, n): (exact Clopper-Pearson, Wilson), 95 %, from scipy.stats.binomtest(k, n).proportion_ci
KNOWN_INTERVALS = {
    (355, 359): ((0.9717190759649919, 0.9969560496102206), (0.9717058731236893, 0.9956587746230671)),
    (81, 263): ((0.25273674558504267, 0.36762192260134746), (0.2552885198782742, 0.36620957698280004)),
    (0, 10): ((0.0, 0.30849710781876294), (0.0, 0.27753279986288926)),
    (10, 10): ((0.6915028921812371, 1.0), (0.7224672001371109, 1.0)),
    (90, 100): ((0.8237774022598247, 0.9509953107785141), (0.8256343384950865, 0.9447708629393249)),
    (1, 2): ((0.01257911709367899, 0.987420882906321), (0.09453120573423074, 0.9054687942657693)),
}


@pytest.mark.parametrize("counts", sorted(KNOWN_INTERVALS))
def test_accuracy_interval_matches_known_values(counts):
    exact, wilson = KNOWN_INTERVALS[counts]
    np.testing.assert_allclose(accuracy_interval(*counts, method="exact"), exact, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(accuracy_interval(*counts), wilson, rtol=1e-12, atol=0)


def test_normal_interval_is_the_textbook_formula_clipped():
    low, high = accuracy_interval(90, 100, method="normal")
    assert low == pytest.approx(0.9 - 1.959963984540054 * math.sqrt(0.09 / 100), rel=1e-12)
    assert high == pytest.approx(0.9 + 1.959963984540054 * math.sqrt(0.09 / 100), rel=1e-12)
    assert accuracy_interval(10, 10, method="normal") == (1.0, 1.0)  # the formula's zero width at 100 %


def test_355_of_359_is_asymmetric_as_the_notebooks_say():
    low, high = accuracy_interval(355, 359, method="exact")
    p = 355 / 359
    assert round((p - low) * 100, 1) == 1.7 and round((high - p) * 100, 1) == 0.8


def test_wider_confidence_gives_wider_interval():
    narrow, wide = accuracy_interval(80, 100, confidence=0.68), accuracy_interval(80, 100, confidence=0.99)
    assert wide[0] < narrow[0] < 0.8 < narrow[1] < wide[1]


def test_coverage_of_the_normal_interval_fails_near_100_percent():
    assert interval_coverage(0.989, 359) == pytest.approx(0.9034, abs=5e-4)
    # at n = 100, p = 0.9 the normal interval misses 1.35 times in 20, not once
    assert (1 - interval_coverage(0.9, 100)) * 20 == pytest.approx(1.35, abs=0.01)
    assert interval_coverage(0.9, 100, method="wilson") == pytest.approx(0.9364, abs=5e-4)
    assert interval_coverage(0.9, 100, method="exact") >= 0.95  # Clopper-Pearson never covers less


def test_mcnemar_counts_only_disagreements_and_matches_the_binomial_test():
    a = np.array([1] * 10 + [0] * 3 + [1] * 80 + [0] * 7, dtype=bool)
    b = np.array([0] * 10 + [1] * 3 + [1] * 80 + [0] * 7, dtype=bool)
    result = mcnemar_test(a, b)
    assert (result.only_a, result.only_b) == (10, 3)
    assert result.p_value == pytest.approx(0.09228515625, rel=1e-12)  # scipy.stats.binomtest(3, 13).pvalue
    assert mcnemar_test(b, a).p_value == result.p_value
    assert mcnemar_test(a, a) == (0, 0, 1.0)


def test_paired_t_test_on_the_seed_differences_of_notebook_09():
    result = paired_t_test([2, 1, 4, 1, 2], [0, 0, 0, 0, 0])
    assert result.t == pytest.approx(3.6514837167011076, rel=1e-12)
    assert result.dof == 4
    assert result.p_value == pytest.approx(0.02174297846523663, rel=1e-9)


@pytest.mark.parametrize("t, dof, p", [(0.5, 3, 0.651447964848151), (2.0, 10, 0.07338803477074037),
                                       (10.0, 2, 0.00985245702332569), (30.0, 1, 0.02121280481107085)])
def test_student_t_p_values(t, dof, p):
    scores = np.zeros(dof + 1)
    # build differences with exactly this t: mean t * s / sqrt(n) for a sample with std s
    d = np.r_[np.ones((dof + 1) // 2), -np.ones((dof + 1) - (dof + 1) // 2)]
    d = (d - d.mean()) / d.std(ddof=1) + t / math.sqrt(dof + 1)
    result = paired_t_test(d, scores)
    assert result.t == pytest.approx(t, rel=1e-9)
    assert result.p_value == pytest.approx(p, rel=1e-9)


def test_paired_t_test_with_identical_differences():
    assert paired_t_test([3, 4, 5], [1, 2, 3]).p_value == 0.0
    assert paired_t_test([3, 4, 5], [3, 4, 5]).p_value == 1.0


@pytest.mark.parametrize("labels", [None, np.repeat(np.arange(3), [10, 7, 4])])
def test_k_fold_indices_cover_every_example_once(labels):
    folds = k_fold_indices(21, 5, labels=labels, rng=0)
    assert len(folds) == 5
    validation = np.concatenate([val for _, val in folds])
    assert sorted(validation) == list(range(21))
    assert {len(val) for _, val in folds} <= {4, 5}
    for train, val in folds:
        assert len(np.intersect1d(train, val)) == 0 and len(train) + len(val) == 21
    if labels is not None:  # each class spread as evenly as possible
        for c in range(3):
            counts = [np.sum(labels[val] == c) for _, val in folds]
            assert max(counts) - min(counts) <= 1


def test_k_fold_indices_use_the_rng():
    first = k_fold_indices(30, 3, rng=np.random.default_rng(1))[0][1]
    assert np.array_equal(first, k_fold_indices(30, 3, rng=np.random.default_rng(1))[0][1])
    assert not np.array_equal(first, k_fold_indices(30, 3, rng=np.random.default_rng(2))[0][1])


@pytest.mark.parametrize("call, words", [
    (lambda: accuracy_interval(11, 10), "correct must be a whole number from 0 to n = 10"),
    (lambda: accuracy_interval(5.5, 10), "correct must be a whole number"),
    (lambda: accuracy_interval(5, 0), "n must be at least 1"),
    (lambda: accuracy_interval(5, 10, confidence=1.0), "confidence must be in"),
    (lambda: accuracy_interval(5, 10, method="agresti"), "method must be one of"),
    (lambda: mcnemar_test([1, 0, 1], [1, 0]), "must score the same examples"),
    (lambda: mcnemar_test([0.9, 0.1], [1, 0]), "correct_a must be a 1-D array of booleans"),
    (lambda: paired_t_test([1.0], [2.0]), "at least 2"),
    (lambda: k_fold_indices(10, 1), "k must be from 2 to n = 10"),
    (lambda: k_fold_indices(10, 3, labels=[0, 1]), "labels must have one class per example"),
])
def test_bad_arguments_are_named(call, words):
    with pytest.raises(ValueError, match=words):
        call()


def test_sign_test_counts_who_is_ahead():
    # Notebook 09: ahead on 5 of 5 seeds: 2 / 2**5, the smallest p-value 5 pairs allow.
    result = sign_test([2, 1, 4, 1, 2], [0, 0, 0, 0, 0])
    assert (result.ahead, result.behind, result.ties) == (5, 0, 0) and math.isclose(result.p_value, 0.0625)
    # Notebook 08: one tie is left out: 4 of 4 untied pairs, p = 2 / 2**4.
    result = sign_test([20, 8, 0, 7, 5], [0, 0, 0, 0, 0])
    assert (result.ahead, result.behind, result.ties) == (4, 0, 1) and math.isclose(result.p_value, 0.125)
    # Symmetric, and an even split is no evidence at all; 8 of 10: scipy.stats.binomtest(8, 10).pvalue = 0.109375.
    assert math.isclose(sign_test([0, 0, 0], [1, 2, 3]).p_value, 0.25)
    assert sign_test([1, -1], [0, 0]).p_value == 1.0 and sign_test([1, 1], [1, 1]).ties == 2
    assert math.isclose(sign_test([1] * 8 + [-1] * 2, [0] * 10).p_value, 0.109375)
    with pytest.raises(ValueError, match="scores_a and scores_b must be paired"):
        sign_test([1, 2], [1])
