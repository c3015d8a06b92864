"""Adam, AdamW and the learning-rate schedules against PyTorch's numbers.

tests/data/torch_reference.json was recorded once by
tests/data/make_torch_reference.py (torch is not needed here): the same
starting values and gradients, replayed through nnlib, must give the same
parameters and learning rates after every step, to 1e-12 relative.
"""

import copy
import json
import math
import pathlib

import numpy as np
import pytest

import nnlib
from nnlib.layers import Parameter

REFERENCE = json.loads((pathlib.Path(__file__).parent / "data" / "torch_reference.json").read_text())
RTOL = 1e-12


def parameters():
    return [Parameter(name, np.array(value, dtype=np.float64)) for name, value in REFERENCE["start"].items()]


def make_optimizer(cls, kwargs, params):
    kwargs = dict(kwargs)
    if "betas" in kwargs:
        kwargs["betas"] = tuple(kwargs["betas"])
    return getattr(nnlib, cls)(params, **kwargs)


def make_schedule(optimizer, parts, milestones):
    made = [getattr(nnlib, cls)(optimizer, **kwargs) for cls, kwargs in parts]
    return made[0] if milestones is None else nnlib.SequentialLR(optimizer, made, milestones=milestones)


@pytest.mark.parametrize("key", sorted(REFERENCE["optimizers"]))
def test_optimizer_matches_pytorch_step_by_step(key):
    case = REFERENCE["optimizers"][key]
    params = parameters()
    optimizer = make_optimizer(case["class"], case["kwargs"], params)
    scheduler = make_schedule(optimizer, case["schedule"], None) if "schedule" in case else None
    assert optimizer.lr == pytest.approx(case["lr"][0], rel=RTOL)
    for t, grads in enumerate(REFERENCE["grads"]):
        for p in params:
            p.grad = np.array(grads[p.name])
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
        assert optimizer.lr == pytest.approx(case["lr"][t + 1], rel=RTOL)
        for p in params:
            np.testing.assert_allclose(p.value, case["params"][p.name][t], rtol=RTOL, atol=0,
                                       err_msg=f"{key}: {p.name} after step {t + 1}")


@pytest.mark.parametrize("key", sorted(REFERENCE["schedules"]))
def test_schedule_matches_pytorch_step_by_step(key):
    case = REFERENCE["schedules"][key]
    optimizer = nnlib.SGD(parameters(), lr=REFERENCE["schedule_lr"])
    scheduler = make_schedule(optimizer, case["parts"], case["milestones"])
    got_lr, got_last = [optimizer.lr], [scheduler.get_last_lr()[0]]
    for _ in range(len(case["lr"]) - 1):
        optimizer.step()
        scheduler.step()
        got_lr.append(optimizer.lr)
        got_last.append(scheduler.get_last_lr()[0])
    np.testing.assert_allclose(got_lr, case["lr"], rtol=RTOL, atol=0, err_msg=key)
    np.testing.assert_allclose(got_last, case["last_lr"], rtol=RTOL, atol=0, err_msg=key)
    assert isinstance(scheduler.get_last_lr(), list) and len(scheduler.get_last_lr()) == 1


# ---------------------------------------------------------------- beyond the recorded numbers


def test_adam_first_step_moves_every_number_by_about_lr():
    # With bias correction, m_hat = g and v_hat = g² at t = 1: the step is
    # lr * g / (|g| + eps), about lr whatever the gradient's size.
    p = Parameter("W", np.zeros(4))
    p.grad = np.array([1e-3, -2.0, 50.0, -1e-5])
    nnlib.Adam([p], lr=0.01).step()
    np.testing.assert_allclose(p.value, -0.01 * np.sign(p.grad), rtol=1e-3)


def test_adam_is_in_place_and_keeps_float32():
    model = nnlib.mlp([3, 4, 2], rng=0, dtype=np.float32)
    arrays = [p.value for p in model.parameters()]
    for p in model.parameters():
        p.grad[...] = 1.0
    nnlib.AdamW(model.parameters(), lr=0.1).step()
    assert all(p.value is a and a.dtype == np.float32 for p, a in zip(model.parameters(), arrays))


def test_a_parameter_without_gradient_is_skipped_and_keeps_its_step_count():
    a, b = Parameter("a", np.ones(2)), Parameter("b", np.ones(2))
    optimizer = nnlib.AdamW([a, b], lr=0.1)
    optimizer.zero_grad(set_to_none=True)
    a.grad = np.ones(2)
    optimizer.step()
    assert np.array_equal(b.value, np.ones(2)) and optimizer.steps == [1, 0]  # no decay either, as PyTorch


@pytest.mark.parametrize("Optimizer", [nnlib.SGD, nnlib.Adam, nnlib.AdamW])
def test_zero_grad_set_to_none_then_backward_stores_the_same_gradient(Optimizer):
    x, y = np.random.default_rng(0).standard_normal((5, 3)), np.array([0, 1, 0, 1, 1])
    grads = []
    for set_to_none in (False, True):
        model, loss = nnlib.mlp([3, 4, 2], rng=0), nnlib.SoftmaxCrossEntropy()
        optimizer = Optimizer(model.parameters(), lr=0.1)
        optimizer.zero_grad(set_to_none=set_to_none)
        assert all((p.grad is None) == set_to_none for p in model.parameters())
        loss.forward(model.forward(x), y)
        model.backward(loss.backward())
        grads.append([p.grad.copy() for p in model.parameters()])
    for g0, g1 in zip(*grads):
        assert np.array_equal(g0, g1)


def test_zero_grad_without_set_to_none_gives_zeros_again_after_none():
    model = nnlib.mlp([3, 4, 2], rng=0)
    model.zero_grad(set_to_none=True)
    model.zero_grad()
    assert all(p.grad is not None and not p.grad.any() for p in model.parameters())


@pytest.mark.parametrize("kwargs, words", [
    ({"lr": 0.0}, "lr"), ({"lr": "big"}, "lr"), ({"betas": (0.9, 1.0)}, "betas[1]"),
    ({"betas": (-0.1, 0.999)}, "betas[0]"), ({"betas": 0.9}, "betas"), ({"eps": -1e-8}, "eps"),
    ({"weight_decay": -0.01}, "weight_decay"),
])
@pytest.mark.parametrize("Optimizer", [nnlib.Adam, nnlib.AdamW])
def test_bad_optimizer_arguments_are_named(Optimizer, kwargs, words):
    with pytest.raises((ValueError, TypeError), match=words.replace("[", r"\[").replace("]", r"\]")):
        Optimizer(parameters(), **kwargs)


def test_adam_parameters_are_checked_as_sgd_does():
    with pytest.raises(ValueError, match="parameters is empty"):
        nnlib.Adam([])
    with pytest.raises(TypeError, match="Parameter"):
        nnlib.Adam([np.zeros(3)])
    p = Parameter("W", np.zeros(2))
    with pytest.raises(ValueError, match="more than once"):
        nnlib.AdamW([p, p])


@pytest.mark.parametrize("make, words", [
    (lambda o: nnlib.StepLR(o, step_size=0), "step_size"),
    (lambda o: nnlib.StepLR(o, step_size=2, gamma=0.0), "gamma"),
    (lambda o: nnlib.CosineAnnealingLR(o, T_max=0), "T_max"),
    (lambda o: nnlib.CosineAnnealingLR(o, T_max=5, eta_min=-1.0), "eta_min"),
    (lambda o: nnlib.LinearLR(o, start_factor=0.0), "start_factor"),
    (lambda o: nnlib.LinearLR(o, end_factor=1.5), "end_factor"),
    (lambda o: nnlib.LinearLR(o, total_iters=2.5), "total_iters"),
    (lambda o: nnlib.OneCycleLR(o, max_lr=-1.0, total_steps=10), "max_lr"),
    (lambda o: nnlib.OneCycleLR(o, max_lr=1.0, total_steps=10, pct_start=0.1), "pct_start"),
    (lambda o: nnlib.OneCycleLR(o, max_lr=1.0, total_steps=10, anneal_strategy="exp"), "anneal_strategy"),
    (lambda o: nnlib.SequentialLR(o, [], []), "schedulers"),
    (lambda o: nnlib.SequentialLR(o, [nnlib.LinearLR(o), nnlib.StepLR(o, 2)], []), "milestones"),
    (lambda o: nnlib.SequentialLR(o, [nnlib.LinearLR(o), nnlib.StepLR(o, 2), nnlib.StepLR(o, 3)], [5, 2]),
     "milestones must increase"),
    (lambda o: nnlib.SequentialLR(o, [nnlib.LinearLR(nnlib.SGD(parameters(), lr=1.0))], []), "another"),
    (lambda o: nnlib.StepLR("optimizer", 2), "optimizer"),
])
def test_bad_schedule_arguments_are_named(make, words):
    optimizer = nnlib.SGD(parameters(), lr=0.1)
    with pytest.raises((ValueError, TypeError), match=words):
        make(optimizer)


def test_one_cycle_stepped_past_its_end_says_so():
    optimizer = nnlib.SGD(parameters(), lr=0.1)
    scheduler = nnlib.OneCycleLR(optimizer, max_lr=1.0, total_steps=10)
    for _ in range(10):
        scheduler.step()
    with pytest.raises(ValueError, match="total_steps=10"):
        scheduler.step()


# ---------------------------------------------------------------- fit and the range test


def digits_problem():
    x, y = nnlib.load_digits()
    return x[:300] / 16.0, y[:300]


@pytest.mark.parametrize("scheduler_step, expected_steps", [("batch", 20), ("epoch", 2)])
def test_fit_steps_the_scheduler_per_batch_by_default_or_per_epoch(scheduler_step, expected_steps):
    x, y = digits_problem()
    model = nnlib.mlp([64, 16, 10], rng=0)
    optimizer = nnlib.SGD(model.parameters(), lr=0.1)
    scheduler = nnlib.LinearLR(optimizer, start_factor=0.1, total_iters=30)
    history = nnlib.fit(model, nnlib.SoftmaxCrossEntropy(), optimizer, x, y, epochs=2, batch_size=30, rng=0,
                        scheduler=scheduler, scheduler_step=scheduler_step)
    assert scheduler.last_epoch == expected_steps and history.updates == 20
    per_update = [0.1 * (0.1 + 0.9 * min(t, 30) / 30) for t in range(expected_steps)]
    expected = per_update if scheduler_step == "batch" else [per_update[0]] * 10 + [per_update[1]] * 10
    np.testing.assert_allclose(history.lr, expected, rtol=1e-12)


def test_fit_with_set_to_none_trains_exactly_as_before():
    # fit zeroes gradients with set_to_none=True: the same numbers as adding to zeros.
    x, y = digits_problem()
    finals = []
    for zero in ("fill", "none"):
        model = nnlib.mlp([64, 16, 10], rng=0)
        optimizer = nnlib.SGD(model.parameters(), lr=0.1, momentum=0.9)
        if zero == "fill":  # hide the optimiser's type from fit: it then calls zero_grad()
            optimizer = type("Wrapped", (), {"lr": 0.1, "zero_grad": lambda self: model.zero_grad(),
                                             "step": lambda self, o=optimizer: o.step()})()
        nnlib.fit(model, nnlib.SoftmaxCrossEntropy(), optimizer, x, y, epochs=2, batch_size=32, rng=0)
        finals.append(model.state_dict())
    assert all(np.array_equal(finals[0][k], finals[1][k]) for k in finals[0])


def test_fit_rejects_a_scheduler_of_another_optimizer_and_a_bad_step():
    x, y = digits_problem()
    model = nnlib.mlp([64, 16, 10], rng=0)
    optimizer = nnlib.SGD(model.parameters(), lr=0.1)
    other = nnlib.StepLR(nnlib.SGD(parameters(), lr=0.1), step_size=2)
    with pytest.raises(ValueError, match="scheduler"):
        nnlib.fit(model, nnlib.SoftmaxCrossEntropy(), optimizer, x, y, epochs=1, batch_size=30, scheduler=other)
    with pytest.raises(ValueError, match="scheduler_step"):
        nnlib.fit(model, nnlib.SoftmaxCrossEntropy(), optimizer, x, y, epochs=1, batch_size=30,
                  scheduler=nnlib.StepLR(optimizer, 2), scheduler_step="update")


@pytest.mark.parametrize("Optimizer", [nnlib.SGD, nnlib.Adam])
def test_lr_range_test_leaves_model_and_optimizer_as_it_found_them(Optimizer):
    x, y = digits_problem()
    model, loss = nnlib.mlp([64, 16, 10], rng=0), nnlib.SoftmaxCrossEntropy()
    optimizer = Optimizer(model.parameters(), lr=0.01)
    nnlib.fit(model, loss, optimizer, x, y, epochs=1, batch_size=50, rng=0)  # some state to keep
    before = model.state_dict()
    grads = [p.grad.copy() for p in model.parameters()]
    state = {k: copy.deepcopy(v) for k, v in vars(optimizer).items() if k != "parameters"}
    result = nnlib.lr_range_test(model, loss, optimizer, x, y, start_lr=1e-4, end_lr=1e3, steps=100, rng=0)
    assert all(np.array_equal(before[k], v) for k, v in model.state_dict().items())
    assert all(np.array_equal(g, p.grad) for g, p in zip(grads, model.parameters()))
    for k, v in state.items():
        now = vars(optimizer)[k]
        assert (all(np.array_equal(a, b) for a, b in zip(v, now)) if isinstance(v, list) and v
                and isinstance(v[0], np.ndarray) else v == now), k
    assert optimizer.lr == 0.01
    assert len(result.lrs) == len(result.losses) == len(result.smoothed) <= 100
    assert np.all(np.diff(np.log(result.lrs)) == pytest.approx(math.log(1e7) / 99))  # exponential growth


def test_lr_range_test_stops_when_the_loss_explodes_and_says_so():
    x, y = digits_problem()
    model, loss = nnlib.mlp([64, 16, 10], rng=0), nnlib.SoftmaxCrossEntropy()
    result = nnlib.lr_range_test(model, loss, nnlib.SGD(model.parameters(), lr=0.1), x, y,
                                 start_lr=1e-4, end_lr=1e4, steps=200, rng=0)
    assert result.exploded and len(result.losses) < 200 and "Stopped at lr" in result.message
    assert result.smoothed[-1] > 4 * result.smoothed.min()
    assert result.lrs[0] <= result.suggested_lr < result.min_loss_lr < result.lrs[-1]
    assert result.suggested_lr == pytest.approx(result.min_loss_lr / 10)


@pytest.mark.parametrize("kwargs, words", [
    ({"start_lr": 0.0}, "start_lr"), ({"end_lr": 1e-6}, "end_lr"), ({"steps": 1}, "steps"),
    ({"smoothing": 0.0}, "smoothing"), ({"stop_factor": -1.0}, "stop_factor"), ({"batch_size": 0}, "batch_size"),
])
def test_lr_range_test_bad_arguments_are_named(kwargs, words):
    x, y = digits_problem()
    model = nnlib.mlp([64, 16, 10], rng=0)
    with pytest.raises((ValueError, TypeError), match=words):
        nnlib.lr_range_test(model, nnlib.SoftmaxCrossEntropy(), nnlib.SGD(model.parameters(), lr=0.1), x, y,
                            **kwargs)
