"""The package's public face: what `import nnlib` loads and exports."""

import inspect
import json
import subprocess
import sys

import numpy as np

import nnlib

# Every name of the contract in DESIGN.md ("Contract (public API, importable from nnlib)").
CONTRACT = [
    "Layer", "Linear", "ReLU", "Tanh", "Sigmoid", "Sequential", "Parameter", "mlp",
    "MSELoss", "SoftmaxCrossEntropy", "BinaryCrossEntropy",
    "numerical_gradient", "gradient_check",
    "SGD",
    "batch_indices", "minibatches", "train_val_test_split",
    "fit", "History",
    "load_digits", "make_moons",
]


def test_import_nnlib_loads_neither_matplotlib_nor_ipywidgets():
    code = (
        "import sys, json, nnlib\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('matplotlib', 'ipywidgets', 'IPython'))\n"
        "print(json.dumps(heavy))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert json.loads(result.stdout) == []


def test_core_modules_import_numpy_only():
    code = (
        "import sys\n"
        "before = set(sys.modules)\n"
        "import numpy\n"
        "with_numpy = set(sys.modules)\n"
        "import nnlib\n"
        "new = sorted(m for m in set(sys.modules) - with_numpy if not m.startswith('nnlib'))\n"
        "print('\\n'.join(new))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    third_party = [m for m in result.stdout.split() if m.split(".")[0] not in sys.stdlib_module_names]
    assert third_party == []


def test_every_contract_name_is_importable_from_nnlib():
    missing = [name for name in CONTRACT if not hasattr(nnlib, name)]
    assert missing == []
    assert set(CONTRACT) <= set(nnlib.__all__)
    assert all(hasattr(nnlib, name) for name in nnlib.__all__)
    namespace = {}
    exec(f"from nnlib import {', '.join(CONTRACT)}", namespace)
    assert all(name in namespace for name in CONTRACT)


def test_contract_signatures():
    def params(f):
        return inspect.signature(f).parameters

    linear = params(nnlib.Linear)
    assert list(linear)[:2] == ["in_features", "out_features"]
    assert linear["rng"].kind is inspect.Parameter.KEYWORD_ONLY and linear["rng"].default is None
    assert linear["dtype"].default is np.float64
    ng = params(nnlib.numerical_gradient)
    assert list(ng) == ["f", "x", "h", "method"] and ng["h"].default == 1e-5 and ng["method"].default == "central"
    assert params(nnlib.gradient_check)["h"].default == 1e-5
    sgd = params(nnlib.SGD)
    assert list(sgd) == ["parameters", "lr", "momentum", "weight_decay"]
    assert sgd["momentum"].default == 0.0 and sgd["weight_decay"].default == 0.0
    for name in ("epochs", "batch_size", "validation", "rng"):
        assert params(nnlib.fit)[name].kind is inspect.Parameter.KEYWORD_ONLY
    for name in ("shuffle", "rng"):
        assert params(nnlib.batch_indices)[name].kind is inspect.Parameter.KEYWORD_ONLY
        assert params(nnlib.minibatches)[name].kind is inspect.Parameter.KEYWORD_ONLY
    for name in ("val_fraction", "test_fraction", "rng"):
        assert params(nnlib.train_val_test_split)[name].kind is inspect.Parameter.KEYWORD_ONLY
    assert params(nnlib.make_moons)["noise"].kind is inspect.Parameter.KEYWORD_ONLY
    history = nnlib.History()
    for field in ("train_loss", "val_loss", "train_accuracy", "val_accuracy"):
        assert getattr(history, field) == []
    assert history.updates == 0 and history.diverged is False and history.message == ""


def test_every_layer_is_a_layer_and_parameters_have_the_contract_fields():
    model = nnlib.Sequential(nnlib.Linear(2, 3, rng=0), nnlib.ReLU(), nnlib.Linear(3, 1, rng=0),
                             nnlib.Tanh(), nnlib.Sigmoid())
    assert all(isinstance(layer, nnlib.Layer) for layer in [model, *model.layers])
    for p in model.parameters():
        assert isinstance(p, nnlib.Parameter)
        assert isinstance(p.value, np.ndarray) and p.grad.shape == p.value.shape
    assert [p.name for p in model.parameters()] == ["0.W", "0.b", "2.W", "2.b"]
