"""nnlib.tuning: notebook 11's runs. The shipped sweeps must be what
training gives, and the helpers must match the optimisers they describe."""

import numpy as np
import pytest

import nnlib
from nnlib import tuning


def test_shipped_sweeps_hold_what_training_gives():
    sweeps = tuning.load_sweeps()
    n_val = len(tuning.digits_sets()[1][1])
    _, history = tuning.train("Adam", 0.003, seed=1, **tuning.NETWORK)
    # One digit of slack: another CPU may round the last bits differently.
    assert abs(sweeps["tune_Adam"][2, 1] - history.val_accuracy[-1]) <= 1 / n_val + 1e-12
    for name in tuning.OPTIMISERS:
        key = tuning.sweep_key(name)
        means = np.nanmean(sweeps[f"tune_{key}"], axis=1)
        assert sweeps[f"best_lr_{key}"] == tuning.LEARNING_RATES[name][int(np.nanargmax(means))]
        assert sweeps[f"compare_{key}"].shape == (len(tuning.COMPARISON_SEEDS),)
    assert sweeps["warmup"].shape == (len(tuning.WARMUPS), len(tuning.WARMUP_SEEDS))


def test_adam_step_sizes_match_adam_itself():
    g = np.random.default_rng(0).standard_normal(50)
    for correct in (True, False):
        sizes = tuning.adam_step_sizes(g, betas=(0.8, 0.99), eps=1e-3, bias_correction=correct)
        if correct:  # replay through nnlib.Adam: each step moves p by lr * size
            p = nnlib.Parameter("p", np.zeros(1))
            adam = nnlib.Adam([p], lr=1.0, betas=(0.8, 0.99), eps=1e-3)
            moves = []
            for gk in g:
                before = p.value[0]
                p.grad = np.array([gk])
                adam.step()
                moves.append(before - p.value[0])
            np.testing.assert_allclose(moves, sizes, rtol=1e-12)
    no_correction = tuning.adam_step_sizes(np.ones(3), bias_correction=False)
    assert no_correction[0] == pytest.approx(0.1 / np.sqrt(0.001), rel=1e-6)


def test_effective_step_sizes_are_lr_over_sqrt_v_hat():
    p = nnlib.Parameter("p", np.zeros(2))
    adam = nnlib.Adam([p], lr=0.01)
    p.grad = np.array([2.0, 0.5])
    adam.step()
    np.testing.assert_allclose(tuning.effective_step_sizes(adam), 0.01 / (np.array([2.0, 0.5]) + 1e-8))


@pytest.mark.parametrize("shape", tuning.SHAPES)
@pytest.mark.parametrize("warmup", [0, 10])
def test_make_schedule_peaks_at_the_rate_and_warms_up(shape, warmup):
    optimizer = nnlib.SGD([nnlib.Parameter("p", np.zeros(1))], lr=0.5)
    scheduler = tuning.make_schedule(shape, optimizer, 60, warmup)
    lrs = [optimizer.lr]
    for _ in range(59):
        scheduler.step()
        lrs.append(optimizer.lr)
    assert max(lrs) == pytest.approx(0.5)
    if warmup and shape != "one-cycle":
        assert lrs[0] == pytest.approx(0.005) and lrs[warmup] == pytest.approx(0.5)
    if shape in ("cosine", "one-cycle"):
        assert lrs[-1] < 0.01
    if shape == "constant":
        assert lrs[warmup:] == [pytest.approx(0.5)] * (60 - warmup)


def test_make_schedule_rejects_bad_arguments():
    optimizer = nnlib.SGD([nnlib.Parameter("p", np.zeros(1))], lr=0.5)
    with pytest.raises(ValueError, match="shape"):
        tuning.make_schedule("linear", optimizer, 60)
    with pytest.raises(ValueError, match="warmup"):
        tuning.make_schedule("cosine", optimizer, 60, warmup=60)
    with pytest.raises(ValueError, match="optimizer"):
        tuning.make_optimizer("RMSprop", [nnlib.Parameter("p", np.zeros(1))], 0.1)
