"""The core library's headline numbers: the largest gradient-check error
over layers, losses and small networks, and the digits MLP (64-128-10,
batch 32): time per epoch and test accuracy, in float64 and float32.

    .venv/bin/python bench/bench_core.py

Nothing is asserted: the tests in tests/ pin the behaviour; this prints
the figures quoted in notes and in the README.
"""

import time

import numpy as np

import nnlib


def largest_gradient_check_error(seed=0):
    """Max over several networks and losses of nnlib.gradient_check's
    relative error (float64). Returns (error, description)."""
    rng = np.random.default_rng(seed)
    worst = (0.0, "")
    for activation in ("relu", "tanh", "sigmoid"):
        for sizes in ([3, 5, 2], [4, 8, 6, 3], [2, 16, 16, 1]):
            x = rng.standard_normal((7, sizes[0]))
            outputs = sizes[-1]
            losses = [(nnlib.MSELoss(), rng.standard_normal((7, outputs)))]
            if outputs > 1:
                losses.append((nnlib.SoftmaxCrossEntropy(), rng.integers(0, outputs, 7)))
            else:
                losses.append((nnlib.BinaryCrossEntropy(), rng.integers(0, 2, 7).astype(float)))
            for loss, y in losses:
                model = nnlib.mlp(sizes, activation=activation, rng=rng)
                for name, error in nnlib.gradient_check(model, loss, x, y).items():
                    if error > worst[0]:
                        worst = (error, f"{activation} mlp {sizes}, {loss!r}, parameter {name}")
    return worst


def digits_epoch(dtype, epochs=20, seed=0):
    """Train mlp([64, 128, 10]) with SGD lr 0.1, batch 32 on a 70/15/15
    split; returns (ms per epoch including the validation pass, test accuracy)."""
    x, y = nnlib.load_digits()
    train, val, test = nnlib.train_val_test_split(x, y, val_fraction=0.15, test_fraction=0.15, rng=seed)
    x_train, x_val, x_test = (part[0].astype(dtype) for part in (train, val, test))
    loss = nnlib.SoftmaxCrossEntropy()
    warm_up = nnlib.mlp([64, 128, 10], rng=seed, dtype=dtype)
    nnlib.fit(warm_up, loss, nnlib.SGD(warm_up.parameters(), lr=0.1), x_train, train[1],
              epochs=1, batch_size=32, rng=seed)
    model = nnlib.mlp([64, 128, 10], rng=seed, dtype=dtype)
    start = time.perf_counter()
    nnlib.fit(model, loss, nnlib.SGD(model.parameters(), lr=0.1), x_train, train[1], epochs=epochs,
              batch_size=32, validation=(x_val, val[1]), rng=seed)
    per_epoch_ms = (time.perf_counter() - start) / epochs * 1000
    return per_epoch_ms, nnlib.evaluate(model, loss, x_test, test[1]).accuracy


def main():
    error, where = largest_gradient_check_error()
    print(f"largest gradient-check relative error (float64): {error:.2e} ({where})")
    for dtype in (np.float64, np.float32):
        per_epoch_ms, accuracy = digits_epoch(dtype)
        print(f"digits mlp 64-128-10, batch 32, SGD lr 0.1, 20 epochs, {np.dtype(dtype).name}: "
              f"{per_epoch_ms:.2f} ms per epoch (with the validation pass), test accuracy {100 * accuracy:.1f}%")


if __name__ == "__main__":
    main()
