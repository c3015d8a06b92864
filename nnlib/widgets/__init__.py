"""Slider panels for the notebooks (ipywidgets).

A panel wires a few controls to a plain Python function that draws on one
figure it keeps; the picture is shown as PNG in an ``ipywidgets.Image`` and
a one-line description of what was drawn sits under it. Tests set
``panel.controls[name].value`` and read ``panel.text`` and ``panel.png``.

    panel.py          SliderPanel, the common machinery
    tangent.py        02: x0 and h -> tangent and secant on a curve
    learning_rate.py  03: learning rate and steps -> gradient descent path
    batch_size.py     04: batch size, lr, epochs -> SGD path
    training_curves.py  05: learning rate, momentum, batch size -> loss curves
    winners_curse.py  06: K models judged on one test set -> the winner's scores
    test_size.py      06: test-set size and accuracy -> its error bar
    overfitting.py    07: polynomial degree, weight decay, hidden units, double descent
    label_noise.py    08: fraction of wrong labels -> the phases of learning
    early_stopping.py 08: epoch, patience, restore, monitor -> early stopping replayed
    hyperparameters.py  09: learning rate, batch size, hidden units, epochs -> one run's curves
    diagnostics.py    10: gain, depth, activation -> the signal through the layers; diagnose a failing run
    curvature.py      12: learning rate and momentum -> sharpness against (2+2β)/lr
"""

from .panel import SliderPanel  # noqa: F401
from .tangent import tangent_panel  # noqa: F401
from .learning_rate import learning_rate_panel  # noqa: F401
from .batch_size import batch_size_panel  # noqa: F401
from .training_curves import learning_rate_curve_panel  # noqa: F401
from .winners_curse import winners_curse_panel  # noqa: F401
from .test_size import error_bar_panel  # noqa: F401
from .overfitting import degree_panel, double_descent_panel, hidden_units_panel, weight_decay_panel  # noqa: F401
from .label_noise import label_noise_panel  # noqa: F401
from .early_stopping import early_stopping_panel  # noqa: F401
from .hyperparameters import hyperparameter_panel  # noqa: F401
from .diagnostics import diagnosis_panel, signal_panel  # noqa: F401
from .curvature import edge_of_stability_panel  # noqa: F401
