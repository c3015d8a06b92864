"""Choosing hyperparameters: grid search, random search, and repeating a
setting over several seeds (notebook 09).

A *setting* is a dict of hyperparameters, such as {"lr": 0.1, "hidden": 64}.
A search trains once per setting with a function you give it,

    train(**setting) -> History        (a fresh model every call)

and scores each run by its final validation accuracy (or another
``score(history) -> float``). Diverged runs score NaN and never win.

    grid_settings     every combination of a few values per hyperparameter
    random_settings   n settings drawn at random from ranges (LogUniform ...)
    run_search        train every setting, return Trials, report progress
    best_trial        the trial with the highest score
    seed_repeats      the same setting trained with several seeds
    first_epochs      a History cut after its first epochs

Numpy only, seeded: the same rng gives the same settings on every machine.
"""

import dataclasses
import itertools
import math
import numbers

import numpy as np

from ._checks import as_rng, check_positive_int
from .training import History


@dataclasses.dataclass
class Trial:
    """One training run of a search: its setting, its score and its History."""

    setting: dict
    score: float
    history: History


@dataclasses.dataclass(frozen=True)
class LogUniform:
    """A range for random search whose logarithm is uniform: as many draws
    between 0.001 and 0.01 as between 0.1 and 1. ``integer=True`` rounds
    each draw to the nearest integer (for hidden units, batch sizes)."""

    low: float
    high: float
    integer: bool = False

    def __post_init__(self):
        for name in ("low", "high"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
                raise ValueError(f"LogUniform: {name} must be a finite number; got {value!r}")
        if not 0 < self.low < self.high:
            raise ValueError(f"LogUniform: need 0 < low < high; got low={self.low!r}, high={self.high!r}")

    def sample(self, rng, n):
        """n draws, shape (n,): floats, or ints when ``integer``."""
        values = 10 ** rng.uniform(math.log10(self.low), math.log10(self.high), size=n)
        return np.rint(values).astype(np.int64) if self.integer else values


def _check_values(name, values, where):
    if isinstance(values, (str, bytes)) or not hasattr(values, "__len__"):
        raise ValueError(f"{where}: {name} must be a list of values; got {values!r}")
    if len(values) == 0:
        raise ValueError(f"{where}: {name} must list at least one value; got an empty list")
    return list(values)


def _check_space(space, where):
    if not isinstance(space, dict) or not space:
        raise ValueError(f"{where}: expected a non-empty dict {{name: values}}; got {space!r}")
    for name in space:
        if not isinstance(name, str):
            raise ValueError(f"{where}: hyperparameter names must be strings; got {name!r}")


def grid_settings(grid):
    """Every combination of the values in ``grid`` ({name: [values]}), the
    last name varying fastest: {"lr": [0.1, 1], "hidden": [16, 64]} gives
    4 settings, lr=0.1 with hidden 16 and 64, then lr=1 with both."""
    _check_space(grid, "grid_settings")
    names = list(grid)
    values = [_check_values(name, grid[name], "grid_settings") for name in names]
    return [dict(zip(names, combination)) for combination in itertools.product(*values)]


def random_settings(space, n, *, rng=None):
    """n settings drawn independently at random from ``space``.

    space: {name: LogUniform(low, high) or a list of values to pick from}.
    Every hyperparameter gets n different draws, so n trainings try up to n
    distinct values of each one (a grid of n trainings tries about n**(1/k)
    values of each of k hyperparameters). rng: seed or Generator.
    """
    _check_space(space, "random_settings")
    n = check_positive_int(n, "n")
    rng = as_rng(rng)
    columns = {}
    for name, values in space.items():
        if isinstance(values, LogUniform):
            columns[name] = values.sample(rng, n).tolist()
        else:
            choices = _check_values(name, values, "random_settings")
            columns[name] = [choices[i] for i in rng.integers(len(choices), size=n)]
    return [{name: columns[name][i] for name in space} for i in range(n)]


def final_val_accuracy(history):
    """The validation accuracy after the last epoch; NaN if training diverged
    or there was no validation data."""
    if history.diverged or not history.val_accuracy:
        return math.nan
    return float(history.val_accuracy[-1])


def format_setting(setting):
    """"lr=0.1 hidden=64": a setting in one short line (floats to 3 significant digits)."""
    return " ".join(f"{name}={value:.3g}" if isinstance(value, float) else f"{name}={value}"
                    for name, value in setting.items())


def run_search(train, settings, *, score=final_val_accuracy, progress=None):
    """Train once per setting and return a list of Trials, in order.

    train(**setting) -> History; score(history) -> float (higher is better,
    NaN for a failed run). progress(i, n, trial), if given, is called after
    every training, e.g. to print one line per setting.
    """
    if not callable(train):
        raise ValueError(f"run_search: train must be a function train(**setting) -> History; got {train!r}")
    settings = _check_values("settings", settings, "run_search")
    trials = []
    for i, setting in enumerate(settings, start=1):
        history = train(**setting)
        trial = Trial(dict(setting), float(score(history)), history)
        trials.append(trial)
        if progress is not None:
            progress(i, len(settings), trial)
    return trials


def best_trial(trials):
    """The trial with the highest score (NaN never wins; on a tie, the first
    one tried). Raises ValueError when every trial failed."""
    trials = _check_values("trials", trials, "best_trial")
    scores = np.array([trial.score for trial in trials], dtype=float)
    if np.all(np.isnan(scores)):
        raise ValueError(f"best_trial: all {len(trials)} trials failed (score NaN): none to choose")
    return trials[int(np.nanargmax(scores))]


def seed_repeats(train, setting, seeds, *, score=final_val_accuracy):
    """Train ``setting`` once per seed: train(**setting, seed=s) for s in
    seeds. Returns the scores, shape (len(seeds),). The spread of these
    scores is how much of a difference between settings is luck."""
    seeds = _check_values("seeds", seeds, "seed_repeats")
    return np.array([score(train(**setting, seed=seed)) for seed in seeds], dtype=float)


def first_epochs(history, epochs):
    """The History of the first ``epochs`` epochs of a run.

    With the same seed, training for fewer epochs gives exactly the first
    epochs of a longer run (the shuffling draws epoch by epoch), so a slider
    over epochs can cut one long run instead of training again. A run that
    diverged within those epochs is returned whole.
    """
    epochs = check_positive_int(epochs, "epochs")
    if history.diverged and history.epochs < epochs:
        return history
    if epochs > history.epochs:
        raise ValueError(f"first_epochs: epochs must be at most the {history.epochs} epochs the run "
                         f"completed; got {epochs}")
    per_epoch = history.updates_per_epoch
    cut = dataclasses.replace(
        history,
        train_loss=history.train_loss[:epochs],
        val_loss=history.val_loss[:epochs],
        train_accuracy=history.train_accuracy[:epochs],
        val_accuracy=history.val_accuracy[:epochs],
        batch_loss=history.batch_loss[: epochs * per_epoch],
        updates=epochs * per_epoch,
        diverged=False,
        message=f"Trained {epochs} epochs of {per_epoch} batches: {epochs * per_epoch} updates.",
    )
    # Fields that early stopping adds to History (notebook 08) describe the
    # whole run: recompute them for the cut, which ran no early stopping.
    fields = {f.name for f in dataclasses.fields(history)}
    if "best_epoch" in fields:
        cut.best_epoch = int(np.argmin(cut.val_loss)) + 1 if cut.val_loss else None
    if "stopped_early" in fields:
        cut.stopped_early = False
    return cut
