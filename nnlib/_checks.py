"""Argument checks shared by the library.

Every check raises a ValueError (or TypeError) whose message names the
argument, the value it got and what was expected, so that a learner who
passes something wrong reads what to fix instead of a numpy traceback.
"""

import math
import numbers

import numpy as np


def as_rng(rng, name="rng"):
    """A numpy Generator from `rng`: a Generator, an int seed, or None.

    None gives a fresh, unpredictable generator (numpy's convention); the
    notebooks always pass a seed so that every run prints the same numbers.
    """
    if rng is None or isinstance(rng, (numbers.Integral, np.integer)):
        return np.random.default_rng(rng)
    if isinstance(rng, np.random.Generator):
        return rng
    raise TypeError(
        f"{name} must be a numpy.random.Generator, an int seed or None; "
        f"got {type(rng).__name__}"
    )


def check_positive_int(value, name):
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral, np.integer)):
        raise TypeError(f"{name} must be a positive integer; got {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be at least 1; got {value}")
    return int(value)


def check_positive_number(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a positive number; got {value!r}")
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive finite number; got {value}")
    return float(value)


def check_range(value, name, low, high, *, include_high=False):
    """`value` must lie in [low, high) (or [low, high] with include_high)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number; got {value!r}")
    above = value > high if include_high else value >= high
    if not math.isfinite(value) or value < low or above:
        bracket = "]" if include_high else ")"
        raise ValueError(f"{name} must be in [{low}, {high}{bracket}; got {value}")
    return float(value)


def check_array(a, name, *, ndim=None, finite=True):
    """Return `a` as an ndarray, checking its number of dimensions and, by
    default, that it holds no NaN or infinity."""
    try:
        a = np.asarray(a)
    except Exception as error:  # ragged lists and the like
        raise TypeError(f"{name} must be array-like; {error}") from None
    if a.dtype == object or not np.issubdtype(a.dtype, np.number):
        raise TypeError(f"{name} must hold numbers; got dtype {a.dtype}")
    if ndim is not None and a.ndim not in np.atleast_1d(ndim):
        expected = " or ".join(f"{d}-D" for d in np.atleast_1d(ndim))
        raise ValueError(f"{name} must be {expected}; got shape {a.shape}")
    if finite and np.issubdtype(a.dtype, np.floating) and not np.isfinite(a).all():
        bad = int(np.size(a) - np.count_nonzero(np.isfinite(a)))
        raise ValueError(f"{name} contains {bad} NaN or infinite value(s); clean the data first")
    return a


def check_same_length(x, y, x_name="x", y_name="y"):
    if len(x) != len(y):
        raise ValueError(
            f"{x_name} and {y_name} must have the same number of examples; "
            f"got {len(x)} and {len(y)}"
        )
