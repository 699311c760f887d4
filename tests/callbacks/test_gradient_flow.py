"""GradientFlow: ‖∂L/∂h_t‖ per step against hand-computed chains, and what a run leaves."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from rnnlab.callbacks.gradient_flow import (
    GradientFlow,
    first_over_last,
    first_sequences,
    gradient_flow,
    top_layer,
)
from rnnlab.data.loader import SequenceBatch
from rnnlab.data.spec import TaskSpec
from rnnlab.models.network import RecurrentNetwork
from rnnlab.models.objective import Objective
from rnnlab.plotting import gradient_flow_figure
from rnnlab.run.training import train
from tests.conftest import TINY_RUN

REGRESSION = TaskSpec("sum", 1, 1, "regression", per_step=False)
PER_STEP = TaskSpec("echo", 1, 1, "regression", per_step=True)


def _linear_rnn(per_step: bool, w: float = 0.5, a: float = 2.0) -> RecurrentNetwork:
    """1 unit, relu, positive weights and inputs: relu is the identity, h_t = x_t + w h_{t-1}."""
    network = RecurrentNetwork(1, 1, per_step, cell="rnn", hidden_size=1, nonlinearity="relu")
    with torch.no_grad():
        network.core.weight_ih_l0.fill_(1.0)
        network.core.weight_hh_l0.fill_(w)
        network.core.bias_ih_l0.zero_()
        network.core.bias_hh_l0.zero_()
        network.head.weight.fill_(a)
        network.head.bias.zero_()
    return network


def _hidden(inputs: list[float], w: float) -> list[float]:
    h, states = 0.0, []
    for x in inputs:
        h = x + w * h
        states.append(h)
    return states


def test_last_step_gradients_shrink_by_w_per_step_back() -> None:
    """L = (a h_T - y)^2, so ∂L/∂h_T = 2a(a h_T - y) and ∂L/∂h_t = w^(T-t) ∂L/∂h_T."""
    w, a, steps = 0.5, 2.0, 6
    xs = [1.0, 0.5, 2.0, 1.0, 0.25, 1.5]
    batch = SequenceBatch(torch.tensor([xs]).unsqueeze(-1), torch.tensor([[1.0]]), None)
    curves = gradient_flow(_linear_rnn(False, w, a), Objective(REGRESSION), batch)
    assert list(curves) == ["layer 1"]
    last = 2 * a * (a * _hidden(xs, w)[-1] - 1.0)
    expected = [abs(last) * w ** (steps - t) for t in range(1, steps + 1)]
    assert curves["layer 1"] == pytest.approx(expected, rel=1e-5)
    assert first_over_last(curves["layer 1"]) == pytest.approx(w ** (steps - 1), rel=1e-5)


def test_per_step_gradients_add_each_steps_own_loss_to_what_comes_back() -> None:
    """Every step has a loss: ∂L/∂h_t = ∂ℓ_t/∂h_t + w ∂L/∂h_{t+1}, and the batch mean is
    over sequences (each sequence's loss is the mean over its steps)."""
    w, a = 0.8, 1.5
    rows = [[1.0, 2.0, 0.5, 1.0], [0.5, 0.5, 1.0, 3.0]]
    targets = [[0.0, 1.0, 2.0, 0.0], [1.0, 1.0, 0.0, 2.0]]
    batch = SequenceBatch(
        torch.tensor(rows).unsqueeze(-1), torch.tensor(targets).unsqueeze(-1), None
    )
    curves = gradient_flow(_linear_rnn(True, w, a), Objective(PER_STEP), batch)
    per_sequence = []
    for xs, ys in zip(rows, targets, strict=True):
        own = [
            2 * a * (a * h - y) / (len(rows) * len(xs))
            for h, y in zip(_hidden(xs, w), ys, strict=True)
        ]
        back, chain = 0.0, []
        for term in reversed(own):
            back = term + w * back
            chain.append(back)
        # the loss is the mean over B*T steps; times B it is each sequence's mean over its steps
        per_sequence.append([abs(g) * len(rows) for g in reversed(chain)])
    expected = [sum(column) / len(rows) for column in zip(*per_sequence, strict=True)]
    assert curves["layer 1"] == pytest.approx(expected, rel=1e-5)


def test_variable_lengths_average_each_step_over_the_sequences_that_reach_it() -> None:
    w, a = 0.5, 1.0
    rows = [[1.0, 1.0, 1.0, 1.0], [2.0, 1.0, 0.0, 0.0]]  # the second sequence has length 2
    batch = SequenceBatch(
        torch.tensor(rows).unsqueeze(-1), torch.tensor([[0.0], [0.0]]), torch.tensor([4, 2])
    )
    curves = gradient_flow(_linear_rnn(False, w, a), Objective(REGRESSION), batch)
    full = [2 * a * a * _hidden(rows[0], w)[-1] * w ** (4 - t) for t in range(1, 5)]
    short = [2 * a * a * _hidden(rows[1][:2], w)[-1] * w ** (2 - t) for t in range(1, 3)]
    expected = [(full[0] + short[0]) / 2, (full[1] + short[1]) / 2, full[2], full[3]]
    assert curves["layer 1"] == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize(("layers", "bidirectional"), [(1, False), (2, False), (2, True)])
def test_every_cell_layer_and_direction_gets_a_curve(
    cell: str, layers: int, bidirectional: bool
) -> None:
    spec = TaskSpec("c", 2, 3, "classification", False, ("a", "b", "c"))
    network = RecurrentNetwork(
        2, 3, False, cell=cell, hidden_size=5, num_layers=layers, bidirectional=bidirectional
    )
    batch = SequenceBatch(
        torch.randn(4, 7, 2), torch.tensor([0, 1, 2, 0]), torch.tensor([7, 5, 7, 3])
    )
    curves = gradient_flow(network, Objective(spec), batch)
    names = [
        f"layer {n}" + suffix
        for n in range(1, layers + 1)
        for suffix in ([""] + ([" reverse"] if bidirectional else []))
    ]
    assert list(curves) == names
    assert top_layer(curves) == f"layer {layers}"
    assert all(len(curve) == 7 and all(v >= 0 for v in curve) for curve in curves.values())
    assert curves[f"layer {layers}"][-1] > 0  # the loss reaches the top layer's last step


def test_a_per_step_classifier_with_padded_sequences_gets_curves_up_to_the_longest() -> None:
    spec = TaskSpec("c", 3, 4, "classification", True, ("a", "b", "c", "d"))
    network = RecurrentNetwork(3, 4, True, cell="gru", hidden_size=5, bidirectional=True)
    lengths = torch.tensor([6, 4, 2])
    inputs = torch.randn(3, 9, 3)  # padded to 9 steps, the longest sequence has 6
    batch = SequenceBatch(inputs, torch.randint(0, 4, (3, 9)), lengths)
    curves = gradient_flow(network, Objective(spec), batch)
    assert list(curves) == ["layer 1", "layer 1 reverse"]
    assert all(len(curve) == 6 and min(curve) > 0 for curve in curves.values())
    # padding changes nothing: the same sequences padded further give the same curves
    longer = SequenceBatch(torch.cat([inputs, torch.randn(3, 4, 3)], 1), None, lengths)
    longer = longer._replace(targets=torch.cat([batch.targets, torch.zeros(3, 4).long()], 1))
    again = gradient_flow(network, Objective(spec), longer)
    assert list(again) == list(curves)
    for name, curve in curves.items():
        assert again[name] == pytest.approx(curve, rel=1e-5)


def test_the_diagnostic_batch_is_the_first_sequences_of_the_first_loader_that_has_any() -> None:
    empty: list[SequenceBatch] = []
    batches = [
        SequenceBatch(torch.full((3, 2, 1), float(i)), torch.arange(3) + 3 * i, None)
        for i in range(4)
    ]
    batch = first_sequences([empty, batches], 7)
    assert batch.inputs.shape == (7, 2, 1) and batch.lengths is None
    assert batch.targets.tolist() == list(range(7))
    assert first_sequences([empty], 7) is None


def test_the_figure_has_a_log_scale_panel_per_layer_and_a_line_per_epoch() -> None:
    history = {
        5: {"layer 1": [0.1, 0.2, 0.4], "layer 2": [0.3, 0.3, 0.3]},
        0: {"layer 1": [1e-4, 1e-2, 1.0], "layer 2": [0.1, 0.5, 1.0]},
    }
    figure = gradient_flow_figure(history)
    assert [axes.get_title() for axes in figure.axes] == [
        "Gradient flow through time: layer 1",
        "Gradient flow through time: layer 2",
    ]
    lines = figure.axes[0].get_lines()
    assert [line.get_label() for line in lines] == ["initial weights", "epoch 5"]
    assert list(lines[0].get_xdata()) == [1, 2, 3] and list(lines[0].get_ydata()) == [
        1e-4,
        1e-2,
        1.0,
    ]
    assert all(axes.get_yscale() == "log" for axes in figure.axes)


# a whole run ----------------------------------------------------------------------------
def _run(compose_run, *overrides: str) -> Path:
    cfg = compose_run(*TINY_RUN, "model=rnn", "model.hidden_size=8", *overrides)
    train(cfg)
    return Path(cfg.paths.output_dir)


def _scalars(run_dir: Path) -> dict[str, list[tuple[int, float]]]:
    accumulator = EventAccumulator(str(run_dir), size_guidance={"images": 0}).Reload()
    tags = accumulator.Tags()
    values = {t: [(e.step, e.value) for e in accumulator.Scalars(t)] for t in tags["scalars"]}
    values["images"] = {t: len(accumulator.Images(t)) for t in tags["images"]}
    return values


def test_a_run_leaves_the_curves_as_data_figure_scalars_and_images(compose_run) -> None:
    torch.manual_seed(0)
    run_dir = _run(compose_run, "trainer.max_epochs=3", "callbacks.gradient_flow.every_n_epochs=2")
    record = json.loads((run_dir / "gradient_flow.json").read_text())
    assert list(record["epochs"]) == ["0", "2", "3"]  # initial weights, every 2nd, the last
    assert record["top_layer"] == "layer 1" and record["num_sequences"] == 32  # all of val
    assert all(len(c["layer 1"]) == 10 for c in record["epochs"].values())
    assert (run_dir / "figures" / "gradient_flow.png").stat().st_size > 10_000
    logged = _scalars(run_dir)
    ratios = logged["grad_flow/first_over_last"]
    steps = [step for step, _ in ratios]
    assert steps[0] == 0 and steps[1] < steps[2]  # the initial weights come first
    curves = [record["epochs"][e]["layer 1"] for e in ("0", "2", "3")]
    assert [v for _, v in ratios] == pytest.approx([c[0] / c[-1] for c in curves], rel=1e-5)
    assert logged["images"]["grad_flow/curve"] == 3
    metrics = json.loads((run_dir / "metrics.json").read_text())["metrics"]
    assert metrics["grad_flow/first_over_last"] == pytest.approx(ratios[-1][1], rel=1e-5)


def test_measuring_touches_neither_the_weights_their_gradients_nor_the_random_stream(
    compose_run,
) -> None:
    from rnnlab.run.components import build_datamodule, build_module

    cfg = compose_run(*TINY_RUN, "model=rnn", "model.dropout=0.0")
    datamodule = build_datamodule(cfg)
    datamodule.setup()
    module = build_module(cfg, datamodule.spec)
    module.train()
    for parameter in module.parameters():
        parameter.grad = torch.ones_like(parameter)
    before = {k: v.clone() for k, v in module.state_dict().items()}
    rng = torch.get_rng_state()
    callback = GradientFlow(num_sequences=16)
    trainer = _FakeTrainer(datamodule)
    callback._measure(trainer, module, epoch=0)
    assert list(callback.history) == [0]
    assert torch.equal(torch.get_rng_state(), rng)
    assert module.training
    assert all(torch.equal(v, before[k]) for k, v in module.state_dict().items())
    assert all(torch.equal(p.grad, torch.ones_like(p)) for p in module.parameters())


def test_the_history_survives_a_resume_and_the_initial_weights_are_measured_once() -> None:
    callback = GradientFlow()
    callback.history = {0: {"layer 1": [0.1, 1.0]}, 5: {"layer 1": [0.5, 1.0]}}
    resumed = GradientFlow()
    resumed.load_state_dict(callback.state_dict())
    assert resumed.history == callback.history
    measured = []
    resumed._measure = lambda trainer, module, epoch: measured.append(epoch)
    resumed.on_train_start(SimpleNamespace(current_epoch=5), None)
    GradientFlow(at_start=True).on_train_start(SimpleNamespace(current_epoch=5), None)
    assert measured == []  # a resumed run already has its initial curve, or never had one


class _FakeTrainer:
    """What GradientFlow asks of a trainer, outside a fit."""

    is_global_zero = True
    global_step = 0

    def __init__(self, datamodule) -> None:
        self.datamodule = datamodule
        self.loggers: list = []


def test_switched_off_it_leaves_no_trace(compose_run) -> None:
    run_dir = _run(compose_run, "~callbacks.gradient_flow")
    assert not (run_dir / "gradient_flow.json").exists()
    assert not (run_dir / "figures" / "gradient_flow.png").exists()
    logged = _scalars(run_dir)
    assert not [tag for tag in logged if tag.startswith("grad_flow/")]
    assert "grad_flow/curve" not in logged["images"]
    metrics = json.loads((run_dir / "metrics.json").read_text())["metrics"]
    assert not [name for name in metrics if name.startswith("grad_flow/")]
