"""Notebook 10: the gallery of failing runs (nnlib/failures.py), the signal
panel and the diagnosis panel. Panels are driven from Python as a reader's
slider would drive them; the assertions read what they report and what
they drew, at the ends of every slider."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import nnlib  # noqa: E402
from nnlib.failures import CAUSES, describe_diagnosis, failing_run, failure_gallery, judge_diagnosis  # noqa: E402
from nnlib.widgets import diagnosis_panel, signal_panel  # noqa: E402
from nnlib.widgets.diagnostics import GAINS, SIGNAL_STOPS, mystery_names  # noqa: E402
from nnlib.widgets.static import stop_values  # noqa: E402

# Small runs, so the tests stay quick: 300 training digits, one epoch of the short training.
SMALL = dict(epochs=1, batch=300)


@pytest.fixture(scope="module")
def digits():
    x, y = nnlib.load_digits()
    train, val, _ = nnlib.train_val_test_split(x, y, val_fraction=0.25, test_fraction=0.25, rng=0)
    return (train[0][:300], train[1][:300]), (val[0][:200], val[1][:200])


@pytest.fixture(scope="module")
def small_gallery(digits):
    return failure_gallery(*digits, epochs=3)


@pytest.fixture()
def panel(digits):
    (x, y), _ = digits
    return signal_panel(x, y, gain=1.0, depth=10, activation="tanh", settings=SMALL)


def drawn(line):
    x, y = line.get_data()
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


# --- the signal panel -------------------------------------------------------------------------------------


def test_signal_panel_healthy_start(panel):
    assert panel.text.startswith("tanh depth=10 gain=1: outputs x0.9")
    assert "vanished" not in panel.text and "exploded" not in panel.text
    assert "saturated up to 0%" in panel.text and "after 10 updates" in panel.text
    _, stds = drawn(panel.view.act_std_line)
    assert len(stds) == 10 and 0.3 < stds[-1] / stds[0] < 1.5  # steady through ten layers
    assert panel.png[:4] == b"\x89PNG"


def test_gain_at_its_lowest_vanishes_in_words_and_in_the_picture(panel):
    before = panel.png
    panel.controls["gain"].value = GAINS[0]  # 0.1
    assert panel.text.startswith("tanh depth=10 gain=0.1: outputs x0.1 per layer")
    assert "outputs vanished" in panel.text and "gradients vanished" in panel.text
    # Outputs are counted from layer 1, gradients back from the last layer, and the line says so.
    assert "outputs vanished (below 1/100 of layer 1's) at layer 3" in panel.text
    assert "gradients vanished (below 1/100 of layer 10's) at layer 7, 3 layers back from layer 10" in panel.text
    assert panel.png != before
    _, stds = drawn(panel.view.act_std_line)
    assert stds[-1] < 1e-8 * stds[0]
    # The last layer's outputs are all in the two bins next to 0: a spike.
    centres, share = drawn(panel.view.act_lines[9])
    assert share[np.abs(centres) < 0.05].sum() == pytest.approx(1.0)


def test_gain_at_its_highest_saturates_tanh_and_explodes_relu(panel):
    panel.controls["gain"].value = GAINS[-1]  # 3
    saturated = float(panel.text.split("saturated up to ")[1].split("%")[0])
    assert saturated > 30
    assert max(bar.get_height() for bar in panel.view.bars) == pytest.approx(saturated / 100, abs=0.005)
    panel.controls["activation"].value = "relu"
    assert panel.text.startswith("relu depth=10 gain=3:")
    assert "outputs exploded (beyond 100 times layer 1's)" in panel.text and "training diverged" in panel.text
    steps = panel.runs[("relu", 10, 3.0)].training.steps
    assert panel.text.endswith(f"training diverged after {steps} update" + ("" if steps == 1 else "s"))
    assert panel.view.fraction_ax.get_title().startswith("dead")
    # Outputs beyond the axis are counted at its right edge.
    _, share = drawn(panel.view.act_lines[9])
    assert share[-1] > 0.5


def test_depth_at_its_ends_and_sigmoid(panel):
    panel.controls["depth"].value = 1
    assert panel.text.startswith("tanh depth=1 gain=1: one hidden layer (output std 0.")
    assert "no layer-to-layer factor" in panel.text and "per layer" not in panel.text
    assert sum(bar.get_visible() for bar in panel.view.bars) == 1
    assert sum(line.get_visible() for line in panel.view.act_lines) == 1
    panel.controls["depth"].value = 10
    panel.controls["activation"].value = "sigmoid"
    assert "gradients vanished" in panel.text and "outputs vanished" not in panel.text


def test_signal_panel_caches_and_says_when_it_trains(panel):
    assert panel.busy(gain=1.0, depth=10, activation="tanh") is None
    assert "training" in panel.busy(gain=0.5, depth=3, activation="relu")
    runs = len(panel.runs)
    panel.controls["gain"].value = 2.0
    panel.controls["gain"].value = 1.0
    assert len(panel.runs) == runs + 1  # gain 1 again: from the cache


def test_signal_panel_stops_cover_each_regime_and_bad_arguments_are_named(panel):
    assert panel.stops == SIGNAL_STOPS
    assert stop_values(panel, quick=True) == {"gain": [0.1, 1.0, 3.0], "depth": [2, 5, 10],
                                              "activation": ["tanh", "relu", "sigmoid"]}
    with pytest.raises(ValueError, match=r"gain must be one of .*; got 0.4"):
        signal_panel(gain=0.4)
    with pytest.raises(ValueError, match=r"activation must be one of .*; got 'gelu'"):
        signal_panel(activation="gelu")


# --- the gallery of failing runs ---------------------------------------------------------------------


def test_each_failing_run_changes_one_thing(small_gallery, digits):
    (x, y), (x_val, _) = digits
    healthy = small_gallery["healthy"]
    assert set(small_gallery) == {"healthy", *CAUSES}
    assert healthy.x_range == (0.0, 1.0) and healthy.shared == 0
    assert small_gallery["unnormalised"].x_range == (0.0, 16.0)
    assert small_gallery["leaked_validation"].shared == len(x_val)
    assert small_gallery["bad_init"].initial_loss > 5 * healthy.initial_loss
    assert small_gallery["saturated"].run.saturated and not small_gallery["saturated"].run.dead
    for cause in ("lr_too_high", "lr_too_low"):
        ratio = np.median(small_gallery[cause].run.update_ratio["0.W"]) / np.median(healthy.run.update_ratio["0.W"])
        assert (ratio > 3) if cause == "lr_too_high" else (ratio < 0.1)
    # The same first batch loss with and without zero_grad; different runs after that.
    forgot = small_gallery["no_zero_grad"].run
    assert forgot.batch_loss[0] == healthy.run.batch_loss[0] and forgot.batch_loss[5] != healthy.run.batch_loss[5]
    with pytest.raises(ValueError, match=r"cause must be 'healthy' or one of .*; got 'typo'"):
        failing_run("typo", *digits)


def test_the_numbers_at_the_end_are_those_of_the_whole_training_set(small_gallery, digits):
    """dead_at_end / saturated_at_end: the trained model on every training digit (the definition of
    section 4), not the mean over the last epoch's batches; the title shows them."""
    from nnlib.plots.diagnostics import run_facts

    (x, y), _ = digits
    for cause in ("healthy", "unnormalised", "saturated"):
        failing = small_gallery[cause]
        inputs = 16 * x if cause == "unnormalised" else x
        with nnlib.Recorder(failing.model) as record:
            failing.model.forward(inputs)
        for i, layer in enumerate(failing.model.layers):
            if isinstance(layer, nnlib.ReLU):
                expected = np.mean(np.all(record.outputs[i] == 0, axis=0))
                assert failing.dead_at_end[i] == pytest.approx(expected)
            if isinstance(layer, nnlib.Tanh):
                assert failing.saturated_at_end[i] == pytest.approx(np.mean(np.abs(record.outputs[i]) > 0.97))
    healthy = small_gallery["healthy"]
    assert f"(0 on all training digits): {100 * healthy.dead_at_end[1]:.0f}%" in " ".join(run_facts(healthy))
    assert set(small_gallery["saturated"].saturated_at_end) == {1, 3, 5, 7, 9, 11, 13, 15}


def test_forgotten_zero_grad_gives_smooth_update_ratios():
    """The giveaway of the forgotten zero_grad, on the gallery's own data and settings: after a rise of
    10 to 20 steps the ratios fall smoothly, without the step-to-step noise of the healthy run."""
    x, y = nnlib.load_digits()
    train, val, _ = nnlib.train_val_test_split(x, y, val_fraction=0.25, test_fraction=0.25, rng=0)
    forgot = failing_run("no_zero_grad", train, val).run.update_ratio["0.W"]
    healthy = failing_run("healthy", train, val).run.update_ratio["0.W"]
    assert np.argmax(forgot) < 30
    roughness = [np.median(np.abs(np.diff(np.log(r[30:])))) for r in (forgot, healthy)]
    assert roughness[0] < 0.1 * roughness[1]
    assert np.mean(np.diff(forgot[30:]) < 0) > 0.8


def test_judge_diagnosis():
    right, words = judge_diagnosis("no_zero_grad", "no_zero_grad")
    assert right and words.startswith("Right: zero_grad forgotten") and "climbs" in words
    right, words = judge_diagnosis("no_zero_grad", "lr_too_high")
    assert not right and words.startswith("Not learning rate too high") and "Look again" in words
    with pytest.raises(ValueError, match=r"guess must be one of .*; got 'none'"):
        judge_diagnosis("lr_too_low", "none")
    assert describe_diagnosis("C", "saturated", "none").startswith("run C: pick your diagnosis")
    assert describe_diagnosis("C", "saturated", "answer").startswith("run C: saturated tanh layers (")
    assert describe_diagnosis("C", "saturated", "saturated").startswith("run C: Right: ")


# --- the diagnosis panel ------------------------------------------------------------------------------------


def test_diagnosis_panel_draws_the_chosen_run_and_judges_the_guess(small_gallery):
    panel = diagnosis_panel(small_gallery, run="A")
    names = panel.names
    assert names == mystery_names(list(CAUSES)) and sorted(names.values()) == sorted(CAUSES)
    assert panel.text == "run A: pick your diagnosis in the list, or '(show the answer)'"
    for letter in ("H", "B"):  # the last letter, then another
        before = panel.png
        panel.controls["run"].value = letter
        run = small_gallery[names[letter]].run
        np.testing.assert_array_equal(drawn(panel.view.train_line)[1], run.train_loss)
        np.testing.assert_array_equal(drawn(panel.view.val_acc_line)[1], run.val_accuracy)
        assert panel.view.title.get_text().startswith(f"run {letter}: what went wrong?")
        assert panel.png != before
    cause = names["B"]
    panel.controls["guess"].value = cause
    assert panel.text.startswith("run B: Right: " + CAUSES[cause].label)
    wrong = next(c for c in CAUSES if c != cause)
    panel.controls["guess"].value = wrong
    assert panel.text.startswith(f"run B: Not {CAUSES[wrong].label}")
    panel.controls["guess"].value = "answer"
    assert panel.text.startswith(f"run B: {CAUSES[cause].label} (") and "gives it away" in panel.text
    assert panel.stops == {"run": list(names), "guess": ["none", "answer"]}


def test_diagnosis_panel_shows_the_numbers_that_give_a_run_away(small_gallery):
    panel = diagnosis_panel(small_gallery)
    letters = {cause: letter for letter, cause in panel.names.items()}
    panel.controls["run"].value = letters["unnormalised"]
    assert "inputs 0 to 16" in panel.view.title.get_text()
    panel.controls["run"].value = letters["leaked_validation"]
    assert "validation rows also in training: 200" in panel.view.title.get_text()
    panel.controls["run"].value = letters["saturated"]
    assert "saturated tanh units at the end" in panel.view.title.get_text()
    assert sum(line.get_visible() for line in panel.view.ratio_lines) == 9  # eight hidden layers + output
    with pytest.raises(ValueError, match=r"run must be one of .*; got 'Z'"):
        diagnosis_panel(small_gallery, run="Z")


def test_the_book_stops_show_vanishing_healthy_and_exploding_for_each_activation(digits):
    """The static book's frames (render_stops, as make book runs them) at 10 hidden layers."""
    from nnlib.widgets.static import render_stops

    (x, y), _ = digits
    panel = signal_panel(x, y, settings=SMALL)
    frames = render_stops(panel, {"gain": [0.1, 1.0, 3.0], "depth": [10], "activation": ["tanh", "relu", "sigmoid"]})
    text = {(values["activation"], values["gain"]): words for values, _, words in frames}
    pictures = {png for _, png, _ in frames}
    assert len(pictures) == len(frames) == 9  # every stop its own picture
    for activation in ("tanh", "relu", "sigmoid"):
        assert "vanished" in text[(activation, 0.1)], text[(activation, 0.1)]  # vanishing
    for activation in ("tanh", "relu"):  # healthy: neither vanished nor exploded
        assert "vanished" not in text[(activation, 1.0)] and "exploded" not in text[(activation, 1.0)]
    assert "exploded" in text[("relu", 3.0)]  # exploding
    saturated = float(text[("tanh", 3.0)].split("saturated up to ")[1].split("%")[0])
    assert saturated > 30  # tanh cannot explode: it saturates
    # Sigmoid: bounded outputs, but its gradients vanish on the way back at every gain of the slider.
    assert all("gradients vanished" in text[("sigmoid", gain)] for gain in (0.1, 1.0, 3.0))
    assert panel.text == text[("tanh", 1.0)]  # the panel is left as it was
