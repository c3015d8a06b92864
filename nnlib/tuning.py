"""Notebook 11: optimisers compared fairly, weight decay under Adam,
learning-rate schedules and the range test, on the digits.

    digits_sets         notebook 09's split: 60 % train, 20 % validation, 20 % test
    make_optimizer      "SGD", "SGD+momentum", "Adam" or "AdamW" by name
    make_schedule       warmup then constant, step, cosine or one-cycle
    train               one run of the 64-64-10 network; returns (model, History)
    adam_step_sizes     Adam's step (in units of lr) on a gradient sequence, with or without bias correction
    effective_step_sizes  lr / (sqrt(v_hat) + eps) of every number an Adam optimiser moves
    dead_units          hidden ReLU units that output 0 on every example
    schedule_verdict    the schedule panel's words for a run (describe_schedule: its status line)
    describe_bias       the bias-correction panel's status line
    compute_sweeps      every run the notebook's comparisons need (about 2 minutes), saved by
                        ``python -m nnlib.tuning`` into resources/nb11_sweeps.npz; load_sweeps reads it

The sweeps are the heavy part (4 optimisers x 6 learning rates x 3 seeds,
then 5 fresh seeds per optimiser, then weight decay), so the notebook
reads them from the shipped file and retrains one of them to show that the
file holds what ``train`` gives (tests/test_tuning.py checks the same).
"""

import math
from pathlib import Path

import numpy as np

from ._checks import check_positive_int
from .datasets import load_digits
from .data import batches_per_epoch, train_val_test_split
from .layers import mlp
from .losses import SoftmaxCrossEntropy
from .optim import SGD, Adam, AdamW, CosineAnnealingLR, LinearLR, OneCycleLR, SequentialLR, StepLR
from .training import fit

OPTIMISERS = ("SGD", "SGD+momentum", "Adam", "AdamW")
MOMENTUM = 0.9
# Six learning rates per optimiser, half a decade apart, around where each one trains.
LEARNING_RATES = {
    "SGD": (0.01, 0.03, 0.1, 0.3, 1.0, 3.0),
    "SGD+momentum": (0.001, 0.003, 0.01, 0.03, 0.1, 0.3),
    "Adam": (3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1),
    "AdamW": (3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1),
}
TUNING_SEEDS = (0, 1, 2)  # choose each optimiser's learning rate on these
COMPARISON_SEEDS = (3, 4, 5, 6, 7)  # then compare the chosen ones on fresh seeds, the same for all
NETWORK = dict(hidden=64, batch_size=32, epochs=15)
# Weight decay under Adam: L2 in the gradient (Adam) against decoupled (AdamW), at lr 1e-3.
DECAY_LR = 1e-3
DECAYS = {"Adam": (0.0, 1e-4, 1e-3, 1e-2, 1e-1), "AdamW": (0.0, 0.1, 1.0, 10.0, 100.0)}
DECAY_EPOCHS = 30
DECAY_SEEDS = (0, 1, 2)
SHAPES = ("constant", "step", "cosine", "one-cycle")
# When warmup matters: Adam at a peak rate of 0.2 with a cosine schedule, without and with 100 warmup steps.
WARMUP_LR = 0.2
WARMUPS = (0, 100)
WARMUP_SEEDS = (0, 1, 2, 3, 4)
SWEEPS_FILE = Path(__file__).parent / "resources" / "nb11_sweeps.npz"
# The schedule panel's verdicts (schedule_verdict): a run is good within GOOD_GAP of
# Adam's best mean validation accuracy on the tuning seeds (96.2 %, lr 0.03, section 2);
# below CHANCE it is hardly better than guessing one digit in ten. Peaks up to
# SMALL_PEAK are too small (every shape trains well at 0.01), from LARGE_PEAK on too large.
GOOD_GAP = 0.03
CLOSE_GAP = 0.05  # below the good runs by less than this: "a little below"
CHANCE = 0.2
SMALL_PEAK = 0.003
LARGE_PEAK = 0.1


def digits_sets(seed=0):
    """The digits split as in notebook 09: (x_train, y_train), (x_val, y_val),
    (x_test, y_test) with 1078, 359 and 360 examples."""
    x, y = load_digits()
    return train_val_test_split(x, y, val_fraction=0.2, test_fraction=0.2, rng=seed)


def make_optimizer(name, parameters, lr, weight_decay=None):
    """An optimiser by name; weight_decay None keeps each one's default
    (0, and AdamW's 0.01)."""
    decay = {} if weight_decay is None else {"weight_decay": weight_decay}
    if name == "SGD":
        return SGD(parameters, lr=lr, **decay)
    if name == "SGD+momentum":
        return SGD(parameters, lr=lr, momentum=MOMENTUM, **decay)
    if name == "Adam":
        return Adam(parameters, lr=lr, **decay)
    if name == "AdamW":
        return AdamW(parameters, lr=lr, **decay)
    raise ValueError(f"optimizer must be one of {OPTIMISERS}; got {name!r}")


def make_schedule(shape, optimizer, total_steps, warmup=0):
    """A schedule of ``total_steps`` updates that peaks at the optimiser's lr.

    warmup: updates of linear warmup (from 1 % of the peak) before the shape,
    which then fills the remaining steps: "constant"; "step" (x0.3 at a
    third and two thirds); "cosine" (down to 0). "one-cycle" has its own
    warmup: its rise lasts ``warmup`` steps, or 30 % of them when warmup < 2.
    """
    total_steps = check_positive_int(total_steps, "total_steps")
    if not isinstance(warmup, (int, np.integer)) or not 0 <= warmup < total_steps:
        raise ValueError(f"warmup must be a whole number of steps in [0, {total_steps}); got {warmup!r}")
    if shape not in SHAPES:
        raise ValueError(f"shape must be one of {SHAPES}; got {shape!r}")
    if shape == "one-cycle":
        pct_start = warmup / total_steps if warmup >= 2 else 0.3
        return OneCycleLR(optimizer, max_lr=optimizer.lr, total_steps=total_steps, pct_start=pct_start)
    rest = total_steps - warmup
    if shape == "constant":
        main = LinearLR(optimizer, start_factor=1.0, end_factor=1.0, total_iters=1)
    elif shape == "step":
        main = StepLR(optimizer, step_size=math.ceil(rest / 3), gamma=0.3)
    else:
        main = CosineAnnealingLR(optimizer, T_max=rest)
    if warmup == 0:
        return main
    ramp = LinearLR(optimizer, start_factor=0.01, end_factor=1.0, total_iters=warmup)
    return SequentialLR(optimizer, [ramp, main], milestones=[warmup])


def train(optimizer, lr, *, seed=0, sets=None, hidden=64, batch_size=32, epochs=15, weight_decay=None,
          shape=None, warmup=0):
    """Train a fresh 64-hidden-10 ReLU network on the digits' training set
    with the named optimiser at ``lr`` (the peak of the schedule ``shape``,
    if given; stepped per batch), watching the validation set after every
    epoch. seed: the initial weights and the batch order. Returns (model, History).
    """
    (x_train, y_train), validation, _ = digits_sets() if sets is None else sets
    model = mlp([64, hidden, 10], rng=seed)
    opt = make_optimizer(optimizer, model.parameters(), lr, weight_decay)
    scheduler = None
    if shape is not None:
        total = epochs * batches_per_epoch(len(x_train), batch_size)
        scheduler = make_schedule(shape, opt, total, warmup)
    history = fit(model, SoftmaxCrossEntropy(), opt, x_train, y_train, epochs=epochs, batch_size=batch_size,
                  validation=validation, rng=seed, scheduler=scheduler)
    return model, history


# ---------------------------------------------------------------- Adam, built up


def adam_step_sizes(gradients, *, betas=(0.9, 0.999), eps=1e-8, bias_correction=True):
    """Adam's update of one number, in units of lr, along a sequence of
    gradients: m_hat / (sqrt(v_hat) + eps) (or m / (sqrt(v) + eps) without
    bias correction). gradients: (steps,) -> (steps,)."""
    g = np.asarray(gradients, dtype=float)
    beta1, beta2 = betas
    t = np.arange(1, len(g) + 1)
    m = np.zeros(len(g))
    v = np.zeros(len(g))
    m_prev = v_prev = 0.0
    for k, gk in enumerate(g):  # the running means, step by step as Adam keeps them
        m_prev = beta1 * m_prev + (1 - beta1) * gk
        v_prev = beta2 * v_prev + (1 - beta2) * gk * gk
        m[k], v[k] = m_prev, v_prev
    if bias_correction:
        m, v = m / (1 - beta1**t), v / (1 - beta2**t)
    return m / (np.sqrt(v) + eps)


def describe_bias(with_correction, without_correction, *, bias_correction, beta2):
    """The bias panel's line: the first step and the largest, in units of lr."""
    steps = with_correction if bias_correction else without_correction
    k = int(np.argmax(np.round(steps, 6)))  # the first of equal steps, not the one round-off favours
    settled = np.flatnonzero(np.abs(steps - 1.0) > 0.1)
    settle = "from step 1" if len(settled) == 0 else (
        f"from step {settled[-1] + 2}" if settled[-1] + 1 < len(steps) else f"not within {len(steps)} steps")
    state = "on" if bias_correction else "off"
    return (f"bias correction {state}, beta2={beta2:g}: first step {steps[0]:.2f} lr, largest {steps[k]:.2f} lr "
            f"at step {k + 1}, within 10 % of lr {settle}")


def effective_step_sizes(optimizer):
    """lr / (sqrt(v_hat) + eps) for every number an Adam (or AdamW)
    optimiser moves: the step size it gives each one now. -> (n_numbers,)"""
    beta2 = optimizer.betas[1]
    sizes = [optimizer.lr / (np.sqrt(v / (1 - beta2**t)) + optimizer.eps)
             for v, t in zip(optimizer.v, optimizer.steps) if t > 0]
    return np.concatenate([s.ravel() for s in sizes])


def dead_units(model, x):
    """How many units of the first hidden (ReLU) layer output 0 on every row
    of x: (n, 64). A dead unit passes no gradient back, so its weights stay put."""
    weights, bias = model.parameters()[0].value, model.parameters()[1].value
    return int(np.count_nonzero(np.maximum(x @ weights + bias, 0).max(axis=0) == 0))


def weight_norm(model):
    """The Euclidean norm of all the weight matrices (biases left out)."""
    return float(math.sqrt(sum(float(np.sum(p.value**2)) for p in model.parameters() if p.name.endswith("W"))))


# ---------------------------------------------------------------- the sweeps


def adam_best_accuracy(sweeps=None):
    """Adam's best mean validation accuracy on the tuning seeds (section 2's
    choice): the reference the schedule panel's verdicts compare with."""
    sweeps = load_sweeps() if sweeps is None else sweeps
    return float(np.nanmax(np.nanmean(sweeps["tune_Adam"], axis=1)))


def schedule_verdict(history, *, lr, warmup, shape, best):
    """What an Adam run of the schedule panel did, in words, judged against
    ``best`` (Adam's tuned accuracy, ``adam_best_accuracy``): "learned well"
    (within GOOD_GAP of it), "underfitting" (below it with a peak up to
    SMALL_PEAK), "a little below the good runs", "trained badly", "failed"
    (below CHANCE) or "diverged". The advice is what the panel's grid bears
    out: every shape and warmup trains well at a peak of 0.01 or 0.03, and a
    warmup is suggested only when none is set and the shape has none of its own.
    """
    if history.diverged:
        return f"diverged in epoch {history.epochs + 1} (the loss exploded): lower the peak rate"
    acc = history.val_accuracy[-1]
    if acc >= best - GOOD_GAP:
        return "learned well"
    under = f"{100 * (best - acc):.1f} points under Adam's best ({100 * best:.1f}%)"
    if lr <= SMALL_PEAK:
        return (f"underfitting, {under}: a peak this small learns too slowly for {history.epochs} epochs "
                f"(training accuracy {100 * history.train_accuracy[-1]:.0f}%); try a larger peak")
    if acc < CHANCE:
        how = "failed: hardly better than guessing one digit in ten (diverged: no)"
    elif acc >= best - CLOSE_GAP:
        how = f"a little below the good runs, {under}"
    else:
        how = f"trained badly, {under}"
    if lr < LARGE_PEAK:
        return f"{how} on this seed"
    if shape == "one-cycle":
        why = "the peak is too large, even with one-cycle's own warmup; try a lower peak"
    elif warmup > 0:
        why = f"the peak is too large for this shape, even after {warmup} warmup steps; try a lower peak"
    else:
        why = "the peak is too large; try a warmup or a lower peak"
    return f"{how}: {why}"


def describe_schedule(history, *, lr, warmup, shape, n_val, best):
    """The schedule panel's status line: the setting, the accuracy reached
    and ``schedule_verdict``'s words."""
    setting = f"Adam peak lr={lr:g} warmup={warmup} {shape}"
    verdict = schedule_verdict(history, lr=lr, warmup=warmup, shape=shape, best=best)
    if history.diverged:
        return f"{setting}: {verdict}."
    acc = history.val_accuracy[-1]
    return (f"{setting}: val acc {100 * acc:.1f}% ({round(acc * n_val)}/{n_val}), "
            f"final lr {history.lr[-1]:.2g}; {verdict}")


def compute_sweeps(progress=None, network=None):
    """Every run of the notebook's comparisons, as arrays for np.savez
    (network: the settings of ``train``, NETWORK unless given, for the
    tuning, comparison and warmup runs; nothing is saved here):

    tune_<opt>: (learning rates, tuning seeds) final validation accuracy
    (NaN if the run diverged); tuneloss_<opt>: the same for the loss;
    best_lr_<opt>: the learning rate with the highest mean accuracy;
    compare_<opt>: (comparison seeds,) final validation accuracy at it;
    curve_<opt>: (comparison seeds, epochs) validation loss;
    decay_<opt>: (decays, decay seeds, 2) final validation accuracy and weight norm;
    warmup: (WARMUPS, WARMUP_SEEDS) final validation accuracy of Adam at WARMUP_LR, cosine.
    """
    out = {}
    sets = digits_sets()
    network = NETWORK if network is None else network

    def run(*args, **kwargs):
        model, history = train(*args, sets=sets, **kwargs)
        if progress is not None:
            progress(args, kwargs, history)
        return model, history

    for name in OPTIMISERS:
        accuracy = np.full((len(LEARNING_RATES[name]), len(TUNING_SEEDS)), np.nan)
        loss = np.full_like(accuracy, np.nan)
        for i, lr in enumerate(LEARNING_RATES[name]):
            for j, seed in enumerate(TUNING_SEEDS):
                _, history = run(name, lr, seed=seed, **network)
                if not history.diverged:
                    accuracy[i, j], loss[i, j] = history.val_accuracy[-1], history.val_loss[-1]
        key = name.replace("+", "_")
        out[f"tune_{key}"], out[f"tuneloss_{key}"] = accuracy, loss
        best = LEARNING_RATES[name][int(np.nanargmax(np.nanmean(accuracy, axis=1)))]
        out[f"best_lr_{key}"] = np.array(best)
        histories = [run(name, best, seed=seed, **network)[1] for seed in COMPARISON_SEEDS]
        out[f"compare_{key}"] = np.array([h.val_accuracy[-1] for h in histories])
        out[f"curve_{key}"] = np.array([h.val_loss for h in histories])
    for name in ("Adam", "AdamW"):
        rows = []
        for decay in DECAYS[name]:
            row = []
            for seed in DECAY_SEEDS:
                model, history = run(name, DECAY_LR, seed=seed, hidden=64, batch_size=32, epochs=DECAY_EPOCHS,
                                     weight_decay=decay)
                row.append((history.val_accuracy[-1], weight_norm(model)))
            rows.append(row)
        out[f"decay_{name}"] = np.array(rows)
    out["warmup"] = np.array([[run("Adam", WARMUP_LR, seed=seed, shape="cosine", warmup=warmup, **network)[1]
                               .val_accuracy[-1] for seed in WARMUP_SEEDS] for warmup in WARMUPS])
    return out


def sweep_key(name):
    return name.replace("+", "_")


def load_sweeps(path=SWEEPS_FILE):
    """The shipped sweeps (see compute_sweeps) as a dict of arrays."""
    with np.load(path) as data:
        return {key: data[key] for key in data.files}


def main():
    import time

    started = time.perf_counter()

    def progress(args, kwargs, history):
        print(f"{args[0]:>13} lr {args[1]:<7g} seed {kwargs.get('seed')} decay {kwargs.get('weight_decay')}: "
              f"{'diverged' if history.diverged else f'val acc {history.val_accuracy[-1]:.4f}'}", flush=True)

    sweeps = compute_sweeps(progress)
    np.savez_compressed(SWEEPS_FILE, **sweeps)
    print(f"wrote {SWEEPS_FILE} in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
