"""Training speed: nnlib next to a hand-fused numpy loop, scikit-learn and
PyTorch, on the same data, network, batch size, epochs and learning rate.

    .venv/bin/python bench/bench_training.py            # full: about 4 minutes
    .venv/bin/python bench/bench_training.py --quick    # short: about 1 minute

Every implementation trains a ReLU MLP with softmax cross-entropy and plain
SGD (no momentum, no weight decay), reshuffling the training set every
epoch. Runs are interleaved (one of each, in a rotating order, per
repetition) after a warm-up repetition, so that a burst of load from another
process hits all of them alike; the table shows the median time per epoch,
each peer's time divided by nnlib's, and the test accuracy at the end.

    floor           the same math in plain numpy with as few calls as
                    possible (hand-fused); nnlib cannot be much faster
    floor + loss, accuracy
                    the floor that also sums the batch losses and counts
                    correct predictions, as nnlib.fit reports both
    nnlib's calls, inline
                    a diagnosis: the numpy calls nnlib makes per step,
                    written inline without nnlib's classes and checks
    nnlib           nnlib.mlp + SoftmaxCrossEntropy + SGD + nnlib.fit
    scikit-learn    MLPClassifier(solver="sgd")
    torch           PyTorch CPU, batches sliced from a shuffled tensor
    torch+loader    PyTorch CPU, batches from a DataLoader(TensorDataset)

floor, nnlib and both torch runs start from the same weights (nnlib's He
initialisation for the seed) and floor, nnlib and "torch" visit the examples
in the same order, so their accuracies agree closely; scikit-learn uses its
own (Glorot) initialisation and order.
"""

import argparse
import os
import platform
import statistics
import sys
import time
import warnings

THREAD_VARIABLES = (
    "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS",
)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="fewer repetitions, epochs and configurations (what CI runs)")
    parser.add_argument("--reps", type=int, default=None,
                        help="timed repetitions per configuration after the warm-up (default 7, quick 3)")
    parser.add_argument("--threads", type=int, default=1,
                        help="BLAS / OpenMP / torch threads (default 1)")
    parser.add_argument("--workload", choices=("digits", "large", "all"), default="all")
    parser.add_argument("--dtype", choices=("float32", "float64", "all"), default=None,
                        help="default: both (quick: float32 only for the large job)")
    return parser.parse_args(argv)


# The number of threads must be fixed before numpy and torch load their
# BLAS and OpenMP libraries, so arguments are read before those imports.
ARGS = parse_args()
for _variable in THREAD_VARIABLES:
    os.environ[_variable] = str(ARGS.threads)

import numpy as np  # noqa: E402
import sklearn  # noqa: E402
import threadpoolctl  # noqa: E402
import torch  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402

import nnlib  # noqa: E402

torch.set_num_threads(ARGS.threads)
threadpoolctl.threadpool_limits(ARGS.threads)

LEARNING_RATE = 0.1
SEED = 0


# ---------------------------------------------------------------- data


def digits_job(dtype):
    """The 8x8 digits (shipped with nnlib): 80% to train, 20% to test."""
    x, y = nnlib.load_digits()
    (x_train, y_train), _, (x_test, y_test) = nnlib.train_val_test_split(
        x, y, val_fraction=0.0, test_fraction=0.2, rng=SEED
    )
    return dict(x_train=x_train.astype(dtype), y_train=y_train,
                x_test=x_test.astype(dtype), y_test=y_test)


def synthetic_job(dtype, n_train=60000, n_test=10000, features=784, classes=10, signal=0.12):
    """An MNIST-sized job: 784 features, 10 classes. Each class has a random
    template; an example is its class template times ``signal`` plus
    Gaussian noise, scaled so that a row's squared norm is about 100 (like
    MNIST pixels in [0, 1]) and lr = 0.1 is stable."""
    rng = np.random.default_rng(SEED)
    templates = rng.standard_normal((classes, features), dtype=np.float32)
    n = n_train + n_test
    y = rng.integers(0, classes, size=n)
    x = rng.standard_normal((n, features), dtype=np.float32)
    x += signal * templates[y]
    x *= np.float32(10.0 / np.sqrt(features))
    x = x.astype(dtype, copy=False)
    return dict(x_train=x[:n_train], y_train=y[:n_train], x_test=x[n_train:], y_test=y[n_train:])


def initial_weights(sizes, dtype, seed):
    """nnlib's initial weights for this seed, as [(W, b), ...] numpy arrays
    with W: (in, out), so that every implementation can start from them."""
    model = nnlib.mlp(sizes, rng=seed, dtype=dtype)
    linears = [layer for layer in model.layers if isinstance(layer, nnlib.Linear)]
    return [(layer.W.value.copy(), layer.b.value.copy()) for layer in linears]


# ---------------------------------------------------------------- implementations
# Each runner is built untimed (model, optimiser, data in its format), then
# ``train(epochs)`` is timed and ``test_accuracy()`` checked afterwards.


class FusedNumpy:
    """The floor: one copy of the data per epoch, then per batch only the
    matrix products, element-wise operations done in place, and updates
    written straight into the weights. Two layers only (sizes [in, hidden, out])."""

    name = "floor (fused numpy)"
    track = False  # also sum the batch losses and count correct predictions, as nnlib.fit does

    def __init__(self, job, sizes, batch_size, dtype, seed):
        (self.W1, self.b1), (self.W2, self.b2) = initial_weights(sizes, dtype, seed)
        self.job, self.batch_size, self.rng = job, batch_size, np.random.default_rng(seed)
        self.rows = np.arange(batch_size)
        self.lr = dtype(LEARNING_RATE)

    def train(self, epochs):
        W1, b1, W2, b2 = self.W1, self.b1, self.W2, self.b2
        x, y, batch_size, lr = self.job["x_train"], self.job["y_train"], self.batch_size, self.lr
        n = len(x)
        for _ in range(epochs):
            order = self.rng.permutation(n)
            xs, ys = x[order], y[order]
            self.loss_sum, self.correct = 0.0, 0
            for start in range(0, n, batch_size):
                xb = xs[start : start + batch_size]
                yb = ys[start : start + batch_size]
                m = len(yb)
                rows = self.rows[:m]
                h = xb @ W1
                h += b1
                np.maximum(h, 0, out=h)  # ReLU
                p = h @ W2
                p += b2
                if self.track:
                    self.correct += int(np.count_nonzero(p.argmax(axis=1) == yb))
                p -= p.max(axis=1, keepdims=True)  # softmax, stable
                np.exp(p, out=p)
                p /= p.sum(axis=1, keepdims=True)
                if self.track:
                    self.loss_sum -= float(np.log(p[rows, yb]).sum())
                p[rows, yb] -= 1  # dL/dlogits = (p - one_hot) / m ...
                p *= lr / m  # ... times lr, so that updates are plain subtractions
                dh = p @ W2.T
                dh *= h > 0  # through the ReLU
                W2 -= h.T @ p
                b2 -= p.sum(axis=0)
                W1 -= xb.T @ dh
                b1 -= dh.sum(axis=0)

    def test_accuracy(self):
        h = np.maximum(self.job["x_test"] @ self.W1 + self.b1, 0)
        return float(np.mean((h @ self.W2 + self.b2).argmax(axis=1) == self.job["y_test"]))


class FusedNumpyTracked(FusedNumpy):
    """The floor plus what nnlib.fit also reports every epoch: the mean
    batch loss and the training accuracy (6 more numpy calls per batch)."""

    name = "floor + loss, accuracy"
    track = True


class Nnlib:
    name = "nnlib"

    def __init__(self, job, sizes, batch_size, dtype, seed):
        self.model = nnlib.mlp(sizes, rng=seed, dtype=dtype)
        self.loss = nnlib.SoftmaxCrossEntropy()
        self.optimizer = nnlib.SGD(self.model.parameters(), lr=LEARNING_RATE)
        self.job, self.batch_size, self.rng = job, batch_size, np.random.default_rng(seed)

    def train(self, epochs):
        history = nnlib.fit(self.model, self.loss, self.optimizer, self.job["x_train"], self.job["y_train"],
                            epochs=epochs, batch_size=self.batch_size, rng=self.rng)
        if history.diverged:
            raise RuntimeError(f"nnlib diverged: {history.message}")

    def test_accuracy(self):
        return nnlib.accuracy(nnlib.predict(self.model, self.job["x_test"]), self.job["y_test"])


class NnlibInline:
    """A diagnosis, not a peer: the numpy calls nnlib.fit makes in one step
    (same order, same temporaries, zero_grad(set_to_none=True), gradients
    stored by backward and SGD's per-parameter update, loss and accuracy included), written inline without nnlib's classes and checks. Its gap to
    the floor is numpy work; the gap from here to nnlib is Python overhead."""

    name = "nnlib's calls, inline"

    def __init__(self, job, sizes, batch_size, dtype, seed):
        self.model = nnlib.mlp(sizes, rng=seed, dtype=dtype)
        self.parameters = self.model.parameters()
        self.job, self.batch_size, self.rng = job, batch_size, np.random.default_rng(seed)

    def train(self, epochs):
        (W1, b1), (W2, b2) = [(layer.W, layer.b) for layer in self.model.layers[::2]]
        x, y, batch_size = self.job["x_train"], self.job["y_train"], self.batch_size
        n = len(x)
        for _ in range(epochs):
            order = self.rng.permutation(n)
            xs, ys = x[order], y[order]
            self.loss_sum, self.correct = 0.0, 0
            for start in range(0, n, batch_size):
                xb = xs[start : start + batch_size]
                yb = ys[start : start + batch_size]
                m = len(yb)
                h = xb @ W1.value  # Linear
                h += b1.value
                slope = (h > 0).astype(h.dtype)  # ReLU
                a = h * slope
                logits = a @ W2.value  # Linear
                logits += b2.value
                shifted = logits - logits.max(axis=1, keepdims=True)  # SoftmaxCrossEntropy.forward
                rows = np.arange(m)
                picked = shifted[rows, yb]
                exps = np.exp(shifted, out=shifted)
                sums = exps.sum(axis=1)
                probs = exps / sums[:, None]
                value = float((np.log(sums) - picked).sum()) / m
                self.loss_sum += value * m
                grad = probs / m  # SoftmaxCrossEntropy.backward
                grad[rows, yb] -= 1.0 / m
                for p in self.parameters:  # SGD.zero_grad(set_to_none=True), as fit calls it
                    p.grad = None
                W2.grad = a.T @ grad  # Linear.backward: stored, not added, after set_to_none
                b2.grad = grad.sum(axis=0)
                grad_a = grad @ W2.value.T
                grad_h = grad_a * slope  # ReLU.backward
                W1.grad = xb.T @ grad_h  # Linear.backward, no input gradient
                b1.grad = grad_h.sum(axis=0)
                for p in self.parameters:  # SGD.step
                    p.value -= LEARNING_RATE * p.grad
                self.correct += int(np.count_nonzero(logits.argmax(axis=1) == yb))  # fit's accuracy

    def test_accuracy(self):
        return nnlib.accuracy(nnlib.predict(self.model, self.job["x_test"]), self.job["y_test"])


class ScikitLearn:
    name = "scikit-learn"

    def __init__(self, job, sizes, batch_size, dtype, seed):
        self.job, self.sizes, self.batch_size, self.seed = job, sizes, batch_size, seed

    def train(self, epochs):
        self.model = MLPClassifier(
            hidden_layer_sizes=tuple(self.sizes[1:-1]), activation="relu", solver="sgd",
            batch_size=self.batch_size, learning_rate="constant", learning_rate_init=LEARNING_RATE,
            momentum=0.0, nesterovs_momentum=False, alpha=0.0, max_iter=epochs, shuffle=True,
            n_iter_no_change=epochs + 1, early_stopping=False, random_state=self.seed,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # max_iter reached: intended
            self.model.fit(self.job["x_train"], self.job["y_train"])
        if self.model.n_iter_ != epochs:
            raise RuntimeError(f"scikit-learn ran {self.model.n_iter_} epochs instead of {epochs}")

    def test_accuracy(self):
        return float(np.mean(self.model.predict(self.job["x_test"]) == self.job["y_test"]))


class TorchManual:
    """PyTorch with batches sliced from a tensor reordered once per epoch
    (the same permutations as nnlib's)."""

    name = "torch (manual batches)"

    def __init__(self, job, sizes, batch_size, dtype, seed):
        torch_dtype = torch.float32 if dtype == np.float32 else torch.float64
        layers = []
        for i, (W, b) in enumerate(initial_weights(sizes, dtype, seed)):
            linear = torch.nn.Linear(*W.shape, dtype=torch_dtype)
            with torch.no_grad():
                linear.weight.copy_(torch.from_numpy(W.T))  # torch keeps W as (out, in)
                linear.bias.copy_(torch.from_numpy(b))
            layers += [linear, torch.nn.ReLU()] if i < len(sizes) - 2 else [linear]
        self.model = torch.nn.Sequential(*layers)
        self.loss = torch.nn.CrossEntropyLoss()
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=LEARNING_RATE)
        self.x = torch.from_numpy(job["x_train"])
        self.y = torch.from_numpy(job["y_train"])
        self.job, self.batch_size, self.rng = job, batch_size, np.random.default_rng(seed)

    def batches(self):
        order = torch.from_numpy(self.rng.permutation(len(self.x)))
        xs, ys = self.x[order], self.y[order]
        for start in range(0, len(xs), self.batch_size):
            yield xs[start : start + self.batch_size], ys[start : start + self.batch_size]

    def train(self, epochs):
        model, loss, optimizer = self.model, self.loss, self.optimizer
        for _ in range(epochs):
            for xb, yb in self.batches():
                optimizer.zero_grad()
                loss(model(xb), yb).backward()
                optimizer.step()

    def test_accuracy(self):
        with torch.inference_mode():
            outputs = self.model(torch.from_numpy(self.job["x_test"]))
        return float(np.mean(outputs.argmax(dim=1).numpy() == self.job["y_test"]))


class TorchLoader(TorchManual):
    """PyTorch the way most tutorials write it: a DataLoader over a
    TensorDataset with shuffle=True (it gathers and stacks every example)."""

    name = "torch (DataLoader)"

    def __init__(self, job, sizes, batch_size, dtype, seed):
        super().__init__(job, sizes, batch_size, dtype, seed)
        generator = torch.Generator().manual_seed(seed)
        self.loader = torch.utils.data.DataLoader(
            torch.utils.data.TensorDataset(self.x, self.y), batch_size=batch_size, shuffle=True,
            generator=generator,
        )

    def batches(self):
        return self.loader


RUNNERS = (FusedNumpy, FusedNumpyTracked, NnlibInline, Nnlib, ScikitLearn, TorchManual, TorchLoader)


# ---------------------------------------------------------------- measuring


def measure(job, sizes, batch_size, dtype, epochs, reps, warmup):
    """Interleaved runs: in every repetition each runner trains a fresh
    model for ``epochs`` epochs, in an order that rotates from one
    repetition to the next. Returns {name: [(wall s, cpu s) per epoch, ...]}
    and {name: [test accuracy, ...]}. CPU time (of this process) counts only
    the time we actually ran, so it is the steadier number when other
    programs share the cores; wall time is what a user waits."""
    times = {runner.name: [] for runner in RUNNERS}
    accuracies = {runner.name: [] for runner in RUNNERS}
    for rep in range(warmup + reps):
        shift = rep % len(RUNNERS)
        for Runner in RUNNERS[shift:] + RUNNERS[:shift]:
            runner = Runner(job, sizes, batch_size, dtype, seed=SEED + rep)
            wall, cpu = time.perf_counter(), time.process_time()
            runner.train(epochs)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            if rep >= warmup:
                times[Runner.name].append((wall / epochs, cpu / epochs))
                accuracies[Runner.name].append(runner.test_accuracy())
    return times, accuracies


def medians_ms(times):
    """{name: (median wall ms, median cpu ms)} per epoch."""
    return {name: tuple(1e3 * statistics.median(t[i] for t in runs) for i in (0, 1))
            for name, runs in times.items()}


def print_table(title, times, accuracies):
    medians = medians_ms(times)
    nnlib_wall, nnlib_cpu = medians[Nnlib.name]
    nnlib_acc = statistics.median(accuracies[Nnlib.name])
    print(f"\n{title}")
    header = (f"{'implementation':<24}{'ms/epoch':>10}{'min-max':>17}{'vs nnlib':>10}"
              f"{'cpu ms':>9}{'vs nnlib':>10}{'test acc':>10}")
    print(header)
    print("-" * len(header))
    for Runner in RUNNERS:
        wall, cpu = medians[Runner.name]
        walls = [1e3 * t[0] for t in times[Runner.name]]
        acc = statistics.median(accuracies[Runner.name])
        flag = "" if abs(acc - nnlib_acc) <= 0.01 else "  <- differs from nnlib by more than 1 point"
        digits = 0 if wall >= 100 else 2
        spread = f"{min(walls):.{digits}f}-{max(walls):.{digits}f}" if len(walls) > 1 else "-"
        print(f"{Runner.name:<24}{wall:>10.{digits}f}{spread:>17}{wall / nnlib_wall:>9.2f}x"
              f"{cpu:>9.{digits}f}{cpu / nnlib_cpu:>9.2f}x{100 * acc:>9.1f}%{flag}")
    return medians


def check(label, wall_ratio, cpu_ratio, limit, relation):
    def verdict(value):
        return "met" if (value <= limit if relation == "<=" else value >= limit) else "MISSED"
    print(f"  {label:<34}wall {wall_ratio:5.2f}x ({verdict(wall_ratio):<6}) cpu {cpu_ratio:5.2f}x "
          f"({verdict(cpu_ratio):<6}) target {relation} {limit:.2f}x")


def print_targets(medians, large):
    def ratio(numerator, denominator):
        return [medians[numerator][i] / medians[denominator][i] for i in (0, 1)]

    print("targets (ratios of median times measured side by side in this table):")
    if not large:
        # The target is against the floor that does fit's observable work
        # (it reports the loss and accuracy of every epoch); the bare floor
        # is shown for information.
        check("nnlib / (floor + loss, accuracy)", *ratio(Nnlib.name, FusedNumpyTracked.name), 1.25, "<=")
        wall, cpu = ratio(Nnlib.name, FusedNumpy.name)
        print(f"  {'nnlib / floor':<34}wall {wall:5.2f}x          cpu {cpu:5.2f}x          "
              "no target: the floor skips the loss and accuracy fit reports")
        wall, cpu = ratio(Nnlib.name, NnlibInline.name)
        print(f"  {'nnlib / (its calls, inline)':<34}wall {wall:5.2f}x          cpu {cpu:5.2f}x          "
              "no target: the share of Python overhead")
    check("scikit-learn / nnlib", *ratio(ScikitLearn.name, Nnlib.name), 1.0 if large else 2.5, ">=")
    check("torch (manual batches) / nnlib", *ratio(TorchManual.name, Nnlib.name), 1.0 if large else 3.5, ">=")


BLAS_VARIABLES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


def print_environment(threads):
    blas = [f"{info['internal_api']} {info.get('version')} kernel {info.get('architecture', '?')} "
            f"({info['num_threads']} thread(s), {info['prefix']})"
            for info in threadpoolctl.threadpool_info() if info["user_api"] == "blas"]
    settings = ", ".join(f"{name}={os.environ[name]}" if name in os.environ else f"{name} unset"
                         for name in BLAS_VARIABLES)
    print(f"environment: {settings}" + ("" if any(name in os.environ for name in BLAS_VARIABLES)
                                          else " (as on a reader's machine)"))
    print(f"python {platform.python_version()}, numpy {np.__version__}, scikit-learn {sklearn.__version__}, "
          f"torch {torch.__version__}, nnlib {nnlib.__version__}")
    print(f"cores: {os.cpu_count()}, threads: {threads} (torch {torch.get_num_threads()}); BLAS: {'; '.join(blas)}")
    print(f"load average at start: {os.getloadavg()[0]:.2f} (other work on the machine makes times noisy; "
          f"ratios within one table are measured side by side)")


def main(args):
    quick = args.quick
    reps = args.reps if args.reps is not None else (3 if quick else 7)
    print_environment(args.threads)
    dtypes = {"float32": [np.float32], "float64": [np.float64], "all": [np.float32, np.float64]}
    started = time.perf_counter()

    if args.workload in ("digits", "all"):
        epochs = 5 if quick else 10
        for dtype in dtypes[args.dtype or "all"]:
            job = digits_job(dtype)
            for batch_size in (32, 64):
                times, accuracies = measure(job, [64, 128, 10], batch_size, dtype, epochs, reps, warmup=1)
                title = (f"digits MLP 64-128-10, {len(job['x_train'])} train / {len(job['x_test'])} test, "
                         f"batch {batch_size}, {np.dtype(dtype).name}, SGD lr {LEARNING_RATE}, "
                         f"{epochs} epochs, median of {reps} runs")
                medians = print_table(title, times, accuracies)
                if batch_size == 32 and dtype == np.float32:
                    print_targets(medians, large=False)

    if args.workload in ("large", "all"):
        large_reps = args.reps if args.reps is not None else (1 if quick else 3)
        for dtype in dtypes[args.dtype or ("float32" if quick else "all")]:
            job = synthetic_job(dtype)
            times, accuracies = measure(job, [784, 256, 10], 128, dtype, epochs=1, reps=large_reps,
                                        warmup=0 if quick else 1)
            title = (f"synthetic {len(job['x_train'])}x784 (10 classes, {len(job['x_test'])} test), "
                     f"MLP 784-256-10, batch 128, {np.dtype(dtype).name}, SGD lr {LEARNING_RATE}, "
                     f"1 epoch, median of {large_reps} runs")
            medians = print_table(title, times, accuracies)
            print_targets(medians, large=True)
            del job

    print(f"\nload average at end: {os.getloadavg()[0]:.2f}; total {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(ARGS))
