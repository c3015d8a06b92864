"""Exercises of notebook 04: SGD, mini-batches and epochs."""

import numpy as np

from ._core import Exercise, Wrong, call, check_rng_is_used, number_checker, register

# --- 04.1 the sizes of the batches of one epoch ------------------------------------------------------

SIZE_CASES = [(1000, 64), (960, 64), (10, 64), (7, 1), (100, 30)]


def _expected_sizes(n, batch_size):
    full, rest = divmod(n, batch_size)
    return [batch_size] * full + ([rest] if rest else [])


def _as_int_list(value, what):
    if value is None:
        raise Wrong(f"{what} is None: did you forget `return`?")
    try:
        items = list(value)
    except TypeError:
        raise Wrong(f"{what} should be a list of batch sizes; it is {value!r}.") from None
    sizes = []
    for item in items:
        if isinstance(item, (list, tuple, np.ndarray)):
            raise Wrong(f"{what} holds lists or arrays (batches of indices?); this exercise wants the *sizes* of "
                        "the batches, numbers such as [64, 64, ..., 40].")
        try:
            size = float(item)
        except (TypeError, ValueError):
            raise Wrong(f"{what} should hold numbers; it holds {item!r}.") from None
        if size != int(size):
            raise Wrong(f"{what} holds {item!r}, not a whole number of examples.")
        sizes.append(int(size))
    return sizes


def _check_sizes(answer):
    for n, batch_size in SIZE_CASES:
        got = _as_int_list(call(answer, n, batch_size, call_as="my_batch_sizes(n, batch_size)"),
                           f"What my_batch_sizes({n}, {batch_size}) returned")
        expected = _expected_sizes(n, batch_size)
        if got == expected:
            continue
        said = f"my_batch_sizes({n}, {batch_size}) returned {_short_list(got)}; expected {_short_list(expected)}. "
        full, rest = divmod(n, batch_size)
        if got == [batch_size] * full and rest:
            raise Wrong(said + f"The last batch is missing: {n} is not a multiple of {batch_size}, so {rest} "
                               f"examples are left over for a last, smaller batch.")
        if got == [batch_size] * full + [0]:
            raise Wrong(said + f"You added an empty batch: {n} is a multiple of {batch_size}, so there is no "
                               "remainder and no last batch.")
        if rest and got == [batch_size] * (full + 1):
            raise Wrong(said + f"Your batches hold {sum(got)} examples in all, but there are only {n}: the last "
                               f"batch keeps the remainder ({rest}), not a full {batch_size}.")
        if sum(got) != n:
            raise Wrong(said + f"Your sizes add up to {sum(got)}, but an epoch uses each of the {n} examples "
                               "exactly once.")
        raise Wrong(said + f"Cut the {n} examples into batches of {batch_size}, in order; the last batch keeps "
                           "the remainder.")


def _short_list(sizes):
    if len(sizes) <= 8:
        return str(sizes)
    return f"[{', '.join(map(str, sizes[:3]))}, ..., {', '.join(map(str, sizes[-2:]))}] ({len(sizes)} batches)"


def _sizes_drop_last(n, batch_size):
    """Forgets the last, smaller batch: n // batch_size batches."""
    return [batch_size] * (n // batch_size)


def _sizes_always_remainder(n, batch_size):
    """Always appends the remainder, even when it is 0."""
    return [batch_size] * (n // batch_size) + [n % batch_size]


def _sizes_all_full(n, batch_size):
    """Makes every batch full: ceil(n / batch_size) batches of batch_size."""
    return [batch_size] * (-(-n // batch_size))


register(Exercise(
    "04.1", "the batches of one epoch",
    "Write my_batch_sizes(n, batch_size): the list of batch sizes of one epoch (1000 and 64 give fifteen 64s "
    "and a 40).",
    start="def my_batch_sizes(n, batch_size):\n    ...  # return a list such as [64, 64, ..., 40]",
    answer_name="my_batch_sizes",
    hint="`divmod(n, batch_size)` gives the number of full batches and what is left over",
    call_as="my_batch_sizes(n, batch_size)",
    solution_source='''
def my_batch_sizes(n, batch_size):
    full, rest = divmod(n, batch_size)          # 1000, 64 -> 15 full batches and 40 left over
    return [batch_size] * full + ([rest] if rest else [])
''',
    solution_name="my_batch_sizes",
    kind="function",
    checker=_check_sizes,
    mistakes=[(_sizes_drop_last, "last batch is missing: 1000 is not a multiple of 64"), (_sizes_always_remainder, "added an empty batch"),
              (_sizes_all_full, "keeps the remainder")],
    praise="The same sizes as `nnlib.batch_indices` (nnlib/data.py): ceil(n / batch_size) batches, one update each.",
))

# --- 04.2 an epoch loop that reshuffles --------------------------------------------------------------


def _read_epochs(returned, n, batch_size, epochs):
    """The reader's epochs as [[index array, ...], ...], or Wrong with a sentence on what is off."""
    what = f"what my_epochs({n}, {batch_size}, {epochs}, rng) returned"
    if returned is None:
        raise Wrong(f"{what[0].upper() + what[1:]} is None: did you forget `return`?")
    try:
        orders = [[np.asarray(batch) for batch in epoch] for epoch in returned]
    except TypeError:
        raise Wrong(f"{what[0].upper() + what[1:]} should be a list of epochs, each a list of index arrays.") from None
    if len(orders) != epochs:
        raise Wrong(f"{what[0].upper() + what[1:]} has {len(orders)} epochs; expected {epochs}, one list of batches "
                    "per epoch.")
    for e, batches in enumerate(orders, start=1):
        sizes = [batch.size for batch in batches]
        if sizes != _expected_sizes(n, batch_size):
            raise Wrong(f"Epoch {e} has batches of sizes {_short_list(sizes)}; expected "
                        f"{_short_list(_expected_sizes(n, batch_size))} ({n} examples in batches of {batch_size}, "
                        "the last keeps the remainder).")
        everything = np.concatenate(batches)
        if not np.issubdtype(everything.dtype, np.integer):
            raise Wrong(f"Epoch {e} holds {everything.dtype} numbers; the batches should hold example indices "
                        "(integers).")
        counts = np.bincount(everything, minlength=n) if everything.min() >= 0 else None
        if counts is None or len(counts) > n:
            raise Wrong(f"Epoch {e} holds indices outside 0..{n - 1}.")
        if (counts != 1).any():
            twice, never = np.flatnonzero(counts > 1), np.flatnonzero(counts == 0)
            raise Wrong(f"Epoch {e} uses example {twice[0]} {counts[twice[0]]} times, and example {never[0]} never: "
                        "every example must be used exactly once per epoch. Shuffle with "
                        "rng.permutation(n), not with random draws that can repeat (rng.integers, rng.choice).")
        if np.array_equal(everything, np.arange(n)):
            raise Wrong(f"Epoch {e} visits the examples in their original order 0, 1, 2, ...: shuffle them with "
                        "rng.permutation(n).")
    return orders


def _same_orders(a, b):
    return len(a) == len(b) and all(len(x) == len(y) and all(np.array_equal(u, v) for u, v in zip(x, y))
                                    for x, y in zip(a, b))


def _pairs_kept(first, second):
    """The fraction of the pairs of examples that share a batch in epoch ``first`` and share one again in
    ``second``. For two independent shuffles it is about (batch_size - 1) / (n - 1)."""
    n = sum(b.size for b in first)
    batch_of = np.empty((2, n), dtype=np.int64)  # the batch each example is in, in each epoch
    for row, epoch in enumerate((first, second)):
        for k, batch in enumerate(epoch):
            batch_of[row, batch] = k
    together = np.zeros((len(first), len(second)), dtype=np.int64)  # examples in batch i of one, j of the other
    np.add.at(together, (batch_of[0], batch_of[1]), 1)
    pairs = sum(b.size * (b.size - 1) // 2 for b in first)
    return float((together * (together - 1) // 2).sum() / pairs)


def _how_related(first, second):
    """A sentence on how the order of one epoch follows from another's (or "" if no simple rule does)."""
    a, b = np.concatenate(first), np.concatenate(second)
    if np.array_equal(b, a[::-1]):
        return "the second is the first read backwards"
    if sorted(map(tuple, map(np.sort, first))) == sorted(map(tuple, map(np.sort, second))):
        return "the second has the same batches as the first, in another order"
    start = int(np.flatnonzero(a == b[0])[0])
    if np.array_equal(b, np.roll(a, -start)):
        return "the second is the first rotated: the same sequence, started at another place"
    return ""


# The order check on a larger epoch, where chance keeps few pairs together: about 9 / 199 = 5 %.
PAIRS_CASE = (200, 10, 4)


def _check_epochs(answer):
    n, batch_size, epochs = 50, 16, 3

    def run(rng):
        returned = call(answer, n, batch_size, epochs, rng, call_as="my_epochs(n, batch_size, epochs, rng)")
        return _read_epochs(returned, n, batch_size, epochs)

    def inspect(orders):
        flat = [np.concatenate(batches) for batches in orders]
        if any(np.array_equal(flat[i], flat[i + 1]) for i in range(epochs - 1)):
            raise Wrong("Two epochs have exactly the same order: draw a new permutation at the start of *every* "
                        "epoch (inside the epoch loop), from the same rng.")

    check_rng_is_used(run, _same_orders, what="order of the examples", inspect=inspect)
    n, batch_size, epochs = PAIRS_CASE
    orders = _read_epochs(call(answer, n, batch_size, epochs, np.random.default_rng(2),
                               call_as="my_epochs(n, batch_size, epochs, rng)"), n, batch_size, epochs)
    chance = (batch_size - 1) / (n - 1)
    for i in range(epochs):
        for j in range(i + 1, epochs):
            kept = _pairs_kept(orders[i], orders[j])
            if kept > 0.25:
                related = _how_related(orders[i], orders[j])
                raise Wrong(f"With n = {n} and batch_size = {batch_size}, epochs {i + 1} and {j + 1} put the same "
                            f"examples together: {100 * kept:.0f} % of the pairs that share a batch in epoch {i + 1} "
                            f"share one again in epoch {j + 1}, where new shuffles would keep about "
                            f"{100 * chance:.0f} %{' (' + related + ')' if related else ''}. Each batch should be a "
                            "fresh random sample, not a run of one fixed order: draw a new `rng.permutation(n)` "
                            "every epoch and cut it into batches.")


def _epochs_no_reshuffle(n, batch_size, epochs, rng):
    """Shuffles once, before the epoch loop."""
    order = rng.permutation(n)
    return [[order[i:i + batch_size] for i in range(0, n, batch_size)] for _ in range(epochs)]


def _epochs_no_shuffle(n, batch_size, epochs, rng):
    """Never shuffles."""
    order = np.arange(n)
    return [[order[i:i + batch_size] for i in range(0, n, batch_size)] for _ in range(epochs)]


def _epochs_with_replacement(n, batch_size, epochs, rng):
    """Draws indices with replacement."""
    result = []
    for _ in range(epochs):
        order = rng.integers(0, n, size=n)
        result.append([order[i:i + batch_size] for i in range(0, n, batch_size)])
    return result


def _epochs_global_random(n, batch_size, epochs, rng):
    """Ignores rng and uses numpy's global random state."""
    result = []
    for _ in range(epochs):
        order = np.random.permutation(n)
        result.append([order[i:i + batch_size] for i in range(0, n, batch_size)])
    return result


def _epochs_fixed_seed(n, batch_size, epochs, rng):
    """Makes its own generator with a fixed seed and ignores rng."""
    own = np.random.default_rng(0)
    return [[order[i:i + batch_size] for i in range(0, n, batch_size)]
            for order in (own.permutation(n) for _ in range(epochs))]


def _epochs_rotated(n, batch_size, epochs, rng):
    """Shuffles once, then starts each epoch at a random place of that one order (the same runs every epoch)."""
    base = rng.permutation(n)
    return [[order[i:i + batch_size] for i in range(0, n, batch_size)]
            for order in (np.roll(base, rng.integers(n)) for _ in range(epochs))]


def _epochs_reversed_every_other(n, batch_size, epochs, rng):
    """Shuffles once, then reads that order backwards every other epoch."""
    base = rng.permutation(n)
    return [[order[i:i + batch_size] for i in range(0, n, batch_size)]
            for order in (base if e % 2 == 0 else base[::-1] for e in range(epochs))]


def _epochs_batches_reordered(n, batch_size, epochs, rng):
    """Cuts one shuffled order into batches once, then only changes the order of the batches (each epoch
    starts one batch later)."""
    order = rng.permutation(n)
    batches = [order[i:i + batch_size] for i in range(0, n, batch_size)]
    full = n // batch_size
    return [[batches[(k + e) % full] for k in range(full)] + batches[full:] for e in range(epochs)]


register(Exercise(
    "04.2", "epochs that reshuffle",
    "Write my_epochs(n, batch_size, epochs, rng): for each epoch, a new random order of the n examples cut into "
    "batches; return a list (one per epoch) of lists of index arrays.",
    start="def my_epochs(n, batch_size, epochs, rng):\n    all_epochs = []\n"
          "    ...  # for each epoch: shuffle, cut into batches, append the list of batches\n    return all_epochs",
    answer_name="my_epochs",
    hint="`rng.permutation(n)` gives a random order of 0..n-1; `order[start:start + batch_size]` is one batch",
    call_as="my_epochs(n, batch_size, epochs, rng)",
    solution_source='''
def my_epochs(n, batch_size, epochs, rng):
    all_epochs = []
    for epoch in range(epochs):
        order = rng.permutation(n)               # a new order every epoch, from the same rng
        batches = [order[start:start + batch_size] for start in range(0, n, batch_size)]
        all_epochs.append(batches)
    return all_epochs
''',
    solution_name="my_epochs",
    kind="function",
    checker=_check_epochs,
    mistakes=[(_epochs_no_reshuffle, "same order"), (_epochs_no_shuffle, "original order"),
              (_epochs_with_replacement, "exactly once per epoch"),
              (_epochs_global_random, "did not draw a single number from the `rng`"),
              (_epochs_fixed_seed, "did not draw a single number from the `rng`"),
              (_epochs_rotated, "the first rotated"), (_epochs_reversed_every_other, "read backwards"),
              (_epochs_batches_reordered, "same batches as the first, in another order")],
    praise="Every epoch uses each example once, in a new order, and the same seed repeats the run: this is what "
           "calling `nnlib.batch_indices(n, batch_size, rng=rng)` once per epoch gives.",
))

# --- 04.3 counting updates ---------------------------------------------------------------------------

register(Exercise(
    "04.3", "counting updates",
    "How many updates do 10 epochs make on 1257 training examples with batch size 32?",
    start="my_updates = None  # your answer: a whole number",
    answer_name="my_updates",
    hint="count the batches of one epoch (do not forget the last, smaller one) and multiply by the epochs",
    solution_source="""
import math

answer = 10 * math.ceil(1257 / 32)   # 1257 = 39 * 32 + 9: 40 batches, so 40 updates per epoch, 400 in all
""",
    solution_name="answer",
    kind="value",
    checker=number_checker(
        400, integer=True,
        wrong=[(390, "you left out the last, smaller batch: 1257 = 39 × 32 + 9, and those 9 examples make a 40th "
                     "batch in every epoch."),
               (12570, "that counts one update per example; there is one update per batch."),
               (40, "that is one epoch; the question asks for 10."),
               (39, "that is one epoch without its last batch; the question asks for 10 epochs, each with 40 "
                    "batches."),
               (392.8125, "updates come in whole batches: round the number of batches per epoch up, then multiply.")],
        generic="There is one update per batch: count the batches of one epoch, ceil(1257 / 32), times 10."),
    mistakes=[(390, "last, smaller batch"), (12570, "one update per batch"), (40, "that is one epoch")],
    praise="1257 = 39 × 32 + 9: 40 batches, so 40 updates per epoch and 400 in 10 epochs.",
))
