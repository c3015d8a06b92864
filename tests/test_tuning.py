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


def _run(acc, train=0.99, diverged=False):
    """A stand-in History: what schedule_verdict reads."""
    from types import SimpleNamespace
    return SimpleNamespace(val_accuracy=[acc], train_accuracy=[train], diverged=diverged, epochs=15, lr=[0.01])


@pytest.mark.parametrize("acc, lr, warmup, shape, starts, advice", [
    (0.961, 0.01, 0, "cosine", "learned well", None),
    (0.933, 0.03, 50, "constant", "learned well", None),              # within 3 points of 96.2 %
    (0.919, 0.001, 0, "constant", "underfitting, 4.3 points under", "try a larger peak"),  # 92 %: no longer "well"
    (0.916, 0.003, 0, "cosine", "underfitting", "try a larger peak"),
    (0.869, 0.2, 0, "cosine", "trained badly, 9.3 points under", "try a warmup or a lower peak"),
    (0.649, 0.5, 25, "cosine", "trained badly", "even after 25 warmup steps; try a lower peak"),
    (0.565, 0.5, 0, "one-cycle", "trained badly", "one-cycle's own warmup; try a lower peak"),
    (0.919, 0.1, 25, "constant", "a little below the good runs", "try a lower peak"),
    (0.175, 0.5, 0, "cosine", "failed: hardly better than guessing", "try a warmup or a lower peak"),
])
def test_schedule_verdicts_follow_the_numbers(acc, lr, warmup, shape, starts, advice):
    verdict = tuning.schedule_verdict(_run(acc), lr=lr, warmup=warmup, shape=shape, best=0.962)
    assert verdict.startswith(starts), verdict
    if advice is None:
        assert verdict == "learned well"
    else:
        assert verdict.endswith(advice), verdict
    if warmup > 0 or shape == "one-cycle":
        assert "try a warmup" not in verdict


def test_schedule_verdict_reports_divergence_and_the_reference_is_adams_tuned_accuracy():
    verdict = tuning.schedule_verdict(_run(0.1, diverged=True), lr=0.5, warmup=0, shape="constant", best=0.962)
    assert verdict.startswith("diverged in epoch 16 (the loss exploded)")
    sweeps = tuning.load_sweeps()
    assert tuning.adam_best_accuracy(sweeps) == pytest.approx(np.nanmean(sweeps["tune_Adam"][4]))  # lr 0.03
    assert round(100 * tuning.adam_best_accuracy(sweeps), 1) == 96.2


def test_compute_sweeps_takes_other_network_settings_without_changing_network():
    import inspect
    assert inspect.signature(tuning.compute_sweeps).parameters["network"].default is None
    assert tuning.NETWORK == dict(hidden=64, batch_size=32, epochs=15)


def test_dead_units_counts_hidden_units_off_on_every_example():
    model = nnlib.mlp([64, 64, 10], rng=0)
    x = np.abs(np.random.default_rng(0).normal(size=(20, 64)))
    assert tuning.dead_units(model, x) == int(np.sum((x @ model.parameters()[0].value
                                                      + model.parameters()[1].value).max(axis=0) <= 0))
    model.parameters()[1].value[:5] = -1e6  # five units switched off for good
    assert tuning.dead_units(model, x) >= 5
