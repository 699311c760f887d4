"""HiddenStates: h_t and the head's per-step reading, as numbers, as a figure, and in a run."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from rnnlab.callbacks.hidden_states import read_states
from rnnlab.data.loader import SequenceBatch
from rnnlab.data.spec import TaskSpec
from rnnlab.models.network import RecurrentNetwork
from rnnlab.plotting import hidden_states_figure
from rnnlab.run.training import train
from tests.conftest import TINY_RUN

CLASSES = TaskSpec("c", 2, 3, "classification", False, ("a", "b", "c"))


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_the_reading_at_the_last_step_is_the_networks_answer(cell: str) -> None:
    torch.manual_seed(0)
    network = RecurrentNetwork(2, 3, False, cell=cell, hidden_size=6, num_layers=2).eval()
    inputs, lengths = torch.randn(3, 5, 2), torch.tensor([5, 3, 4])
    batch = SequenceBatch(inputs, torch.tensor([0, 1, 2]), lengths)
    shown_inputs, states, readouts = read_states(network, batch, CLASSES)
    assert [s.shape for s in states] == [(5, 6), (3, 6), (4, 6)]  # cut to each length
    assert [x.shape for x in shown_inputs] == [(5, 2), (3, 2), (4, 2)]
    assert all(np.allclose(r.sum(axis=1), 1.0, atol=1e-5) for r in readouts)
    with torch.no_grad():
        answers = network(inputs, lengths).softmax(dim=-1).numpy()
    for row, readout in enumerate(readouts):
        assert readout[-1] == pytest.approx(answers[row], abs=1e-5)
    # h_t is the state after reading step t: a prefix's answer differs from the whole one
    assert not np.allclose(readouts[0][1], readouts[0][-1])


def test_the_figure_shows_inputs_states_and_readings_side_by_side() -> None:
    rng = np.random.default_rng(0)
    inputs = [rng.random((16, 1)), rng.random((8, 1))]
    states = [rng.standard_normal((16, 5)), rng.standard_normal((8, 5))]
    readouts = [rng.dirichlet([1, 1], 16), rng.dirichlet([1, 1], 8)]
    figure = hidden_states_figure(inputs, states, readouts, ["no", "yes"], ["s1", "s2"])
    top, middle, bottom, _colour_bar = figure.axes
    gap = 2  # the longest sequence // 8 blank steps between sequences
    shown = np.ma.getdata(middle.images[0].get_array()).T
    assert np.array_equal(shown[:16], states[0]) and np.array_equal(shown[18:], states[1])
    assert np.isnan(shown[16:18]).all() and shown.shape == (16 + gap + 8, 5)
    assert [text.get_text() for text in top.texts] == ["s1", "s2"]
    lines = bottom.get_lines()
    assert [line.get_label() for line in lines] == ["no", "yes"]
    probability = np.asarray(lines[1].get_ydata())
    assert np.array_equal(probability[:16], readouts[0][:, 1])
    assert np.array_equal(probability[18:], readouts[1][:, 1])
    assert [t.get_text() for t in bottom.get_xticklabels()] == ["1", "1", "16", "8"]
    six = [r.repeat(3, axis=1) for r in readouts]
    many = hidden_states_figure(inputs, states, six, list("abcdef"), ["x", "y"])
    assert len(many.axes[2].images) == 1 and not many.axes[2].get_lines()  # a heatmap


def _run(compose_run, *overrides: str) -> Path:
    cfg = compose_run(*TINY_RUN, "model.hidden_size=8", *overrides)
    train(cfg)
    return Path(cfg.paths.output_dir)


@pytest.mark.parametrize("data", ["majority", "adding"])
def test_a_run_draws_the_png_and_the_tensorboard_image_when_testing_ends(
    compose_run, data: str
) -> None:
    run_dir = _run(compose_run, f"data={data}", "~callbacks.gradient_flow")
    assert (run_dir / "figures" / "hidden_states.png").stat().st_size > 10_000
    events = EventAccumulator(str(run_dir), size_guidance={"images": 0}).Reload()
    assert len(events.Images("test/hidden_states")) == 1


def test_switched_off_it_leaves_no_trace(compose_run) -> None:
    run_dir = _run(compose_run, "~callbacks.hidden_states")
    assert not (run_dir / "figures" / "hidden_states.png").exists()
    events = EventAccumulator(str(run_dir), size_guidance={"images": 0}).Reload()
    assert "test/hidden_states" not in events.Tags()["images"]
    assert json.loads((run_dir / "metrics.json").read_text())["status"] == "completed"
