"""Record PyTorch's Adam, AdamW, SGD and learning-rate schedules on a fixed
sequence of gradients, for tests/test_optim_schedules.py to compare nnlib
with (to 1e-12 relative, float64). torch is not a test dependency: this
script was run once and its output, torch_reference.json, is committed.

    PYTHONPATH=. /work/main/.venv/bin/python tests/data/make_torch_reference.py

Every run draws the same starting parameters and gradients from numpy
(seed 0) and feeds them to torch (``p.grad = ...``), so the only thing
compared is the optimiser's and the schedule's arithmetic. Floats are
written with repr, which reads back exactly.
"""

import json
import pathlib

import numpy as np
import torch

STEPS = 30
SHAPES = {"W": (3, 4), "b": (4,)}


def problem(seed=0):
    """Starting values and STEPS gradients per parameter: {name: array}."""
    rng = np.random.default_rng(seed)
    start = {name: rng.standard_normal(shape) for name, shape in SHAPES.items()}
    # Gradients of varied sizes (some tiny, some large) so that Adam's
    # per-number scaling and eps both matter.
    scale = {name: 10.0 ** rng.uniform(-4, 1, size=shape) for name, shape in SHAPES.items()}
    grads = [{name: rng.standard_normal(shape) * scale[name] for name, shape in SHAPES.items()}
             for _ in range(STEPS)]
    return start, grads


OPTIMIZERS = {
    "adam_default": ("Adam", {}),
    "adam_l2": ("Adam", {"lr": 0.01, "betas": [0.8, 0.99], "eps": 1e-6, "weight_decay": 0.1}),
    "adamw_default": ("AdamW", {"lr": 0.01}),
    "adamw_strong": ("AdamW", {"lr": 0.05, "betas": [0.5, 0.9], "eps": 1e-3, "weight_decay": 0.5}),
    "sgd_momentum": ("SGD", {"lr": 0.05, "momentum": 0.9, "weight_decay": 0.01}),
}

# (name, [(class, kwargs), ...], milestones or None, steps). One schedule,
# or a SequentialLR of several when milestones is a list.
SCHEDULES = [
    ("step", [("StepLR", {"step_size": 7, "gamma": 0.5})], None, 40),
    ("cosine", [("CosineAnnealingLR", {"T_max": 10})], None, 25),  # goes past T_max (back up)
    ("cosine_eta_min", [("CosineAnnealingLR", {"T_max": 25, "eta_min": 0.001})], None, 40),
    ("linear_default", [("LinearLR", {})], None, 10),
    ("linear_warmup", [("LinearLR", {"start_factor": 0.01, "end_factor": 1.0, "total_iters": 10})], None, 15),
    ("linear_down", [("LinearLR", {"start_factor": 1.0, "end_factor": 0.1, "total_iters": 8})], None, 12),
    ("onecycle", [("OneCycleLR", {"max_lr": 1.0, "total_steps": 40})], None, 40),
    ("onecycle_linear", [("OneCycleLR", {"max_lr": 0.5, "total_steps": 30, "pct_start": 0.25,
                                         "anneal_strategy": "linear", "div_factor": 10.0,
                                         "final_div_factor": 100.0})], None, 30),
    ("warmup_cosine", [("LinearLR", {"start_factor": 0.01, "total_iters": 5}),
                       ("CosineAnnealingLR", {"T_max": 35})], [5], 40),
    ("three_phases", [("LinearLR", {"start_factor": 0.1, "total_iters": 4}),
                      ("StepLR", {"step_size": 3, "gamma": 0.5}),
                      ("CosineAnnealingLR", {"T_max": 20, "eta_min": 0.01})], [4, 15], 40),
]
SCHEDULE_LR = 0.1  # the optimiser's lr before the schedule is attached


def torch_parameters(start):
    return {name: torch.tensor(value, dtype=torch.float64, requires_grad=True) for name, value in start.items()}


def run_optimizer(cls, kwargs, start, grads, schedule=None):
    """Parameters after every step (and the lr used), as lists."""
    params = torch_parameters(start)
    kwargs = dict(kwargs)
    if "betas" in kwargs:
        kwargs["betas"] = tuple(kwargs["betas"])
    optimizer = getattr(torch.optim, cls)(list(params.values()), **kwargs)
    scheduler = make_schedule(optimizer, *schedule) if schedule else None
    trace = {name: [] for name in params}
    lrs = [optimizer.param_groups[0]["lr"]]
    for g in grads:
        for name, p in params.items():
            p.grad = torch.tensor(g[name], dtype=torch.float64)
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
        lrs.append(optimizer.param_groups[0]["lr"])
        for name, p in params.items():
            trace[name].append(p.detach().numpy().tolist())
    return {"params": trace, "lr": lrs}


def make_schedule(optimizer, parts, milestones):
    made = []
    for cls, kwargs in parts:
        kwargs = dict(kwargs)
        if cls == "OneCycleLR":
            kwargs["cycle_momentum"] = False  # nnlib's OneCycleLR schedules the learning rate only
        made.append(getattr(torch.optim.lr_scheduler, cls)(optimizer, **kwargs))
    if milestones is None:
        return made[0]
    return torch.optim.lr_scheduler.SequentialLR(optimizer, made, milestones=milestones)


def run_schedule(parts, milestones, steps):
    """optimizer.lr and get_last_lr() after construction and every step."""
    p = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([p], lr=SCHEDULE_LR)
    scheduler = make_schedule(optimizer, parts, milestones)
    lrs, last = [optimizer.param_groups[0]["lr"]], [scheduler.get_last_lr()[0]]
    for _ in range(steps):
        optimizer.step()
        scheduler.step()
        lrs.append(optimizer.param_groups[0]["lr"])
        last.append(scheduler.get_last_lr()[0])
    return {"lr": lrs, "last_lr": last}


def main():
    start, grads = problem()
    record = {
        "torch": torch.__version__,
        "start": {name: value.tolist() for name, value in start.items()},
        "grads": [{name: value.tolist() for name, value in g.items()} for g in grads],
        "optimizers": {},
        "schedules": {},
        "schedule_lr": SCHEDULE_LR,
    }
    for key, (cls, kwargs) in OPTIMIZERS.items():
        record["optimizers"][key] = {"class": cls, "kwargs": kwargs, **run_optimizer(cls, kwargs, start, grads)}
    # Adam under a one-cycle schedule: the lr each step uses comes from the schedule.
    parts = [("OneCycleLR", {"max_lr": 0.1, "total_steps": STEPS})]
    record["optimizers"]["adam_onecycle"] = {"class": "Adam", "kwargs": {}, "schedule": parts,
                                             **run_optimizer("Adam", {}, start, grads, (parts, None))}
    for name, parts, milestones, steps in SCHEDULES:
        record["schedules"][name] = {"parts": parts, "milestones": milestones,
                                     **run_schedule(parts, milestones, steps)}
    path = pathlib.Path(__file__).with_name("torch_reference.json")
    path.write_text(json.dumps(record))
    print(f"wrote {path} ({path.stat().st_size // 1024} KiB) with torch {torch.__version__}")


if __name__ == "__main__":
    main()
