"""Exercises of notebook 06: training, validation and test sets."""

import numpy as np

from ._core import Exercise, Wrong, call, check_rng_is_used, number_checker, register

# --- shared: reading index arrays --------------------------------------------------------------------


def _index_arrays(value, count, names, what):
    try:
        parts = list(value)
    except TypeError:
        raise Wrong(f"{what} should be {count} index arrays ({', '.join(names)}); it is {value!r}.") from None
    if len(parts) != count:
        raise Wrong(f"{what} has {len(parts)} parts; expected {count}: ({', '.join(names)}).")
    arrays = []
    for name, part in zip(names, parts):
        array = np.asarray(part)
        if array.ndim != 1 or (array.size and not np.issubdtype(array.dtype, np.integer)):
            raise Wrong(f"Your {name} should be a 1-D array of example indices (integers); it is "
                        f"{'an array of shape ' + str(array.shape) if array.ndim != 1 else 'of dtype ' + str(array.dtype)}.")
        arrays.append(array.astype(np.int64))
    return arrays


def _no_overlap_and_complete(arrays, names, n):
    for array, name in zip(arrays, names):
        if array.size and (array.min() < 0 or array.max() >= n):
            raise Wrong(f"Your {name} holds indices outside 0..{n - 1}.")
        values, counts = np.unique(array, return_counts=True)
        if (counts > 1).any():
            raise Wrong(f"Your {name} holds example {values[counts > 1][0]} twice: draw without replacement "
                        "(shuffle once with rng.permutation(n), then cut).")
    for i in range(len(arrays)):
        for j in range(i + 1, len(arrays)):
            shared = np.intersect1d(arrays[i], arrays[j])
            if shared.size:
                raise Wrong(f"Example {shared[0]} is in both the {names[i]} and the {names[j]} "
                            f"({shared.size} examples are): a set that shares examples with the training set "
                            "measures memory, not generalisation. Shuffle once, then cut the one order into pieces.")
    missing = np.setdiff1d(np.arange(n), np.concatenate(arrays))
    if missing.size:
        raise Wrong(f"{missing.size} of the {n} examples are in no set (example {missing[0]}, for one): every "
                    "example belongs to exactly one set.")


# --- 06.1 a split with no overlap --------------------------------------------------------------------

SPLIT_NAMES = ("training set", "validation set", "test set")


def _same_sets(a, b):
    """True when two splits put the same examples in each set (in whatever order)."""
    return all(np.array_equal(np.sort(x), np.sort(y)) for x, y in zip(a, b))


def _check_split(answer):
    for n, val_fraction, test_fraction in [(100, 0.2, 0.1), (37, 0.15, 0.3)]:
        what = f"What my_split({n}, {val_fraction}, {test_fraction}, rng) returned"

        def run(rng):
            returned = call(answer, n, val_fraction, test_fraction, rng,
                            call_as="my_split(n, val_fraction, test_fraction, rng)")
            return _index_arrays(returned, 3, SPLIT_NAMES, what)

        def inspect(split):
            train, val, test = split
            _no_overlap_and_complete([train, val, test], SPLIT_NAMES, n)
            for array, name, fraction in [(val, "validation set", val_fraction), (test, "test set", test_fraction)]:
                if abs(array.size - n * fraction) >= 1:
                    raise Wrong(f"With n = {n}, val_fraction = {val_fraction}, test_fraction = {test_fraction} "
                                f"your {name} has {array.size} examples; expected about {n * fraction:g} "
                                f"(round(n * {fraction}) = {round(n * fraction)}).")
            for array, name in zip((train, val, test), SPLIT_NAMES):
                if array.size > 1 and np.array_equal(np.sort(array), np.arange(array.min(), array.max() + 1)):
                    raise Wrong(f"Your {name} is one block of consecutive examples ({array.min()} to "
                                f"{array.max()}): the split is not shuffled. If the data is sorted (by class, by "
                                "date), the sets then hold different kinds of examples. Shuffle with "
                                "rng.permutation(n) first.")

        check_rng_is_used(run, _same_sets, what="split", inspect=inspect)


def _split_unshuffled(n, val_fraction, test_fraction, rng):
    """Cuts the examples in their original order."""
    n_val, n_test = round(n * val_fraction), round(n * test_fraction)
    order = np.arange(n)
    return order[n_val + n_test:], order[:n_val], order[n_val:n_val + n_test]


def _split_independent(n, val_fraction, test_fraction, rng):
    """Draws each set on its own, so sets overlap."""
    train = rng.choice(n, size=n - round(n * val_fraction) - round(n * test_fraction), replace=False)
    return train, rng.choice(n, size=round(n * val_fraction), replace=False), rng.choice(
        n, size=round(n * test_fraction), replace=False)


def _split_swapped(n, val_fraction, test_fraction, rng):
    """Gives the validation set the test fraction and the other way round."""
    order = rng.permutation(n)
    n_val, n_test = round(n * test_fraction), round(n * val_fraction)
    return order[n_val + n_test:], order[:n_val], order[n_val:n_val + n_test]


def _split_fixed_seed(n, val_fraction, test_fraction, rng):
    """Makes its own generator with a fixed seed, so every rng gives the same split."""
    order = np.random.default_rng(42).permutation(n)
    n_val, n_test = round(n * val_fraction), round(n * test_fraction)
    return order[n_val + n_test:], order[:n_val], order[n_val:n_val + n_test]


def _split_seeded_from_a_constant(n, val_fraction, test_fraction, rng):
    """Draws from rng, but only to shuffle the pieces of one fixed order."""
    order = np.random.default_rng(42).permutation(n)
    n_val, n_test = round(n * val_fraction), round(n * test_fraction)
    return (rng.permutation(order[n_val + n_test:]), rng.permutation(order[:n_val]),
            rng.permutation(order[n_val:n_val + n_test]))


register(Exercise(
    "06.1", "a split with no overlap",
    "Write my_split(n, val_fraction, test_fraction, rng): shuffle the indices 0..n-1 and return "
    "(train_idx, val_idx, test_idx), with no example in two sets.",
    start="def my_split(n, val_fraction, test_fraction, rng):\n    ...  # return (train_idx, val_idx, test_idx)",
    answer_name="my_split",
    hint="shuffle once with `rng.permutation(n)`, then cut that one order into three pieces",
    call_as="my_split(n, val_fraction, test_fraction, rng)",
    solution_source='''
def my_split(n, val_fraction, test_fraction, rng):
    order = rng.permutation(n)                  # shuffle once
    n_val, n_test = round(n * val_fraction), round(n * test_fraction)
    test_idx = order[:n_test]                   # then cut the one order: no example can be in two sets
    val_idx = order[n_test:n_test + n_val]
    train_idx = order[n_test + n_val:]
    return train_idx, val_idx, test_idx
''',
    solution_name="my_split",
    kind="function",
    checker=_check_split,
    mistakes=[(_split_unshuffled, "not shuffled"), (_split_independent, "is in both"),
              (_split_swapped, "expected about"), (_split_fixed_seed, "did not draw a single number from the `rng`"),
              (_split_seeded_from_a_constant, "different seeds gave the same split")],
    praise="The same recipe as `nnlib.train_val_test_split` (nnlib/data.py): shuffle once, cut once.",
))

# --- 06.2 a stratified split -------------------------------------------------------------------------


def _labels(counts, seed):
    y = np.repeat(np.arange(len(counts)), counts)
    return np.random.default_rng(seed).permutation(y)


STRATIFY_CASES = [(_labels([300, 100, 40, 20, 10], 1), 0.25), (_labels([50, 150, 12, 88], 2), 0.2)]


def _check_stratified(answer):
    for y, test_fraction in STRATIFY_CASES:
        what = f"What my_stratified_split(y, {test_fraction}, rng) returned"

        def run(rng):
            returned = call(answer, y, test_fraction, rng, call_as="my_stratified_split(y, test_fraction, rng)")
            return _index_arrays(returned, 2, ("training set", "test set"), what)

        def inspect(split):
            train, test = split
            _no_overlap_and_complete([train, test], ("training set", "test set"), len(y))
            counts = np.bincount(y)
            in_test = np.bincount(y[test], minlength=len(counts))
            for c, (total, got) in enumerate(zip(counts, in_test)):
                if abs(got - total * test_fraction) >= 1:
                    raise Wrong(f"With {len(y)} labels and test_fraction = {test_fraction}: class {c} is "
                                f"{100 * total / len(y):.1f} % of the examples ({total}) but "
                                f"{100 * got / len(test):.1f} % of your test set ({got}, expected about "
                                f"{total * test_fraction:g}). Split each class on its own: for every class, shuffle "
                                "its indices and send round(count * test_fraction) of them to the test set.")
            chosen = np.zeros(len(y), dtype=bool)
            chosen[test] = True
            if all(np.array_equal(np.flatnonzero(chosen & (y == c)), np.flatnonzero(y == c)[:in_test[c]])
                   for c in range(len(counts))):
                raise Wrong("Your test set holds the first examples of every class, in the order of the data: "
                            "whatever the rng, the same examples are tested (and if the data is sorted by date or "
                            "by writer, they are the oldest, or one writer's). Shuffle each class's indices with "
                            "`rng.permutation(...)` before you cut, not only the result.")

        check_rng_is_used(run, _same_sets, what="split", inspect=inspect)


def _stratified_plain(y, test_fraction, rng):
    """Splits at random without looking at the classes."""
    order = rng.permutation(len(y))
    n_test = round(len(y) * test_fraction)
    return order[n_test:], order[:n_test]


def _stratified_equal_per_class(y, test_fraction, rng):
    """Takes the same number of test examples from every class (a balanced test set, not a stratified one)."""
    classes = np.unique(y)
    per_class = round(len(y) * test_fraction / len(classes))
    train, test = [], []
    for c in classes:
        members = rng.permutation(np.flatnonzero(y == c))
        test.append(members[:per_class])
        train.append(members[per_class:])
    return np.concatenate(train), np.concatenate(test)


def _stratified_first_k(y, test_fraction, rng):
    """Takes the first round(count * test_fraction) examples of each class, without shuffling."""
    train, test = [], []
    for c in np.unique(y):
        members = np.flatnonzero(y == c)
        n_test = round(len(members) * test_fraction)
        test.append(members[:n_test])
        train.append(members[n_test:])
    return np.concatenate(train), np.concatenate(test)


def _stratified_shuffles_the_output(y, test_fraction, rng):
    """Takes the first examples of each class, then shuffles only the order of the result."""
    train, test = _stratified_first_k(y, test_fraction, rng)
    return rng.permutation(train), rng.permutation(test)


def _stratified_fixed_seed(y, test_fraction, rng):
    """Makes its own generator with a fixed seed, so every rng gives the same split."""
    own = np.random.default_rng(0)
    train, test = [], []
    for c in np.unique(y):
        members = own.permutation(np.flatnonzero(y == c))
        n_test = round(len(members) * test_fraction)
        test.append(members[:n_test])
        train.append(members[n_test:])
    return np.concatenate(train), np.concatenate(test)


def _stratified_sorts_y(y, test_fraction, rng):
    """Sorts the labels in place to find the classes' blocks."""
    y.sort()
    train, test = [], []
    for c in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == c))
        n_test = round(len(members) * test_fraction)
        test.append(members[:n_test])
        train.append(members[n_test:])
    return np.concatenate(train), np.concatenate(test)


register(Exercise(
    "06.2", "a stratified split",
    "Write my_stratified_split(y, test_fraction, rng): return (train_idx, test_idx) such that every class has "
    "the same share in the test set as in all the data.",
    start="def my_stratified_split(y, test_fraction, rng):\n"
          "    ...  # for each class: shuffle its indices, put a test_fraction of them in the test set\n"
          "    # return (train_idx, test_idx)",
    answer_name="my_stratified_split",
    hint="`np.flatnonzero(y == c)` gives the indices of class c; split each class's indices on its own and "
         "join them with `np.concatenate`",
    call_as="my_stratified_split(y, test_fraction, rng)",
    solution_source='''
def my_stratified_split(y, test_fraction, rng):
    train_parts, test_parts = [], []
    for c in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == c))   # this class's examples, shuffled
        n_test = round(len(members) * test_fraction)
        test_parts.append(members[:n_test])
        train_parts.append(members[n_test:])
    return np.concatenate(train_parts), np.concatenate(test_parts)
''',
    solution_name="my_stratified_split",
    kind="function",
    checker=_check_stratified,
    mistakes=[(_stratified_plain, "Split each class on its own"), (_stratified_equal_per_class, "of your test set"),
              (_stratified_first_k, "first examples of every class"),
              (_stratified_shuffles_the_output, "first examples of every class"),
              (_stratified_fixed_seed, "did not draw a single number from the `rng`"),
              (_stratified_sorts_y, "sorted `y` in place: the caller's labels no longer match its images")],
    inputs={"y": "the caller's labels no longer match its images, so every index you return points at a "
                 "different label than the one you split by"},
    praise="Every class keeps its share in the test set, so a rare class is neither missing from the test nor "
           "over-represented in it.",
))

# --- 06.3 how precise is a test accuracy? ------------------------------------------------------------

register(Exercise(
    "06.3", "the margin of a test accuracy",
    "A model scores 90 % on a test set of 400 examples: what is the 95 % margin, 1.96·√(p(1 − p)/n), as a "
    "fraction?",
    start="my_margin = None  # your answer: a number, such as 0.05 for ±5 points",
    answer_name="my_margin",
    hint="put p = 0.9 and n = 400 in 1.96 * np.sqrt(p * (1 - p) / n)",
    solution_source="""
p, n = 0.9, 400
answer = 1.96 * np.sqrt(p * (1 - p) / n)   # 0.0294: the true accuracy is somewhere in about 87 % to 93 %
""",
    solution_name="answer",
    kind="value",
    checker=number_checker(
        1.96 * np.sqrt(0.09 / 400),
        wrong=[(np.sqrt(0.09 / 400), "that is one standard deviation; the 95 % margin is 1.96 of them."),
               (1.96 * 0.09 / 400, "you forgot the square root: √(p(1 − p)/n)."),
               (100 * 1.96 * np.sqrt(0.09 / 400), "give it as a fraction (0.01 for one point), not in percent."),
               (1.96 * np.sqrt(0.9 / 400), "the variance of a proportion is p(1 − p), not p."),
               (1.96 * np.sqrt(0.09 * 400), "n goes under the fraction: √(p(1 − p) / n).")],
        generic="Compute 1.96 * np.sqrt(0.9 * 0.1 / 400)."),
    mistakes=[(0.015, "one standard deviation"), (2.94, "not in percent"), (0.000441, "square root")],
    praise="About ±3 points: with 400 test examples, 90 % means \"somewhere between about 87 % and 93 %\". "
           "To halve the margin, a test set needs four times as many examples.",
))
