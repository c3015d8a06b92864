"""Shared fixtures for the nnlib unit tests (kept minimal on purpose)."""

import numpy as np
import pytest


@pytest.fixture
def rng():
    """A seeded Generator, so every test run sees the same numbers."""
    return np.random.default_rng(0)
