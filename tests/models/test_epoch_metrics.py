"""Once-an-epoch metrics equal torchmetrics updated at every step on the same outputs.

SequenceModule's steps only gather outputs; ``_close_epoch`` updates the metrics once and
weighs the batches' losses. Here several random batches (of different sizes, with and
without padding) go through ``training_step`` and ``validation_step``, and the epoch's
values are compared with fresh metrics updated batch by batch on rows picked by hand,
and with the loss of all the epoch's valid steps at once.
"""

from __future__ import annotations

from functools import partial
from types import SimpleNamespace
from typing import Any

import pytest
import torch
import torch.nn.functional as F
from torchmetrics import MeanAbsoluteError, MeanSquaredError, MetricCollection
from torchmetrics.classification import (
    MulticlassAccuracy,
    MulticlassConfusionMatrix,
    MulticlassF1Score,
)

from rnnlab.data.loader import SequenceBatch
from rnnlab.data.spec import TaskSpec
from rnnlab.models.module import SequenceModule
from rnnlab.models.network import RecurrentNetwork

CLASSES, FEATURES, STEPS, WINDOW = 3, 2, 6, 3
BATCH_SIZES = (5, 2, 4)  # unequal, so weighting by sequences or by steps matters


def _spec(kind: str, head: str) -> TaskSpec:
    """head: 'last' (one target a sequence), 'every' (all steps) or 'window' (last steps)."""
    names = tuple("abc") if kind == "classification" else None
    return TaskSpec(
        f"{kind}-{head}",
        FEATURES,
        CLASSES,
        kind,
        per_step=head != "last",
        class_names=names,
        scored_last_steps=WINDOW if head == "window" else None,
    )


def _batch(spec: TaskSpec, size: int, variable: bool, generator: torch.Generator) -> SequenceBatch:
    inputs = torch.randn(size, STEPS, FEATURES, generator=generator)
    shape = (size, STEPS) if spec.per_step else (size,)
    if spec.is_classification:
        targets = torch.randint(0, CLASSES, shape, generator=generator)
    else:
        targets = torch.randn(*shape, CLASSES, generator=generator)
    lengths = None
    if variable:
        lengths = torch.randint(1, STEPS + 1, (size,), generator=generator)
        lengths[0] = 1  # always one sequence shorter than the window
    return SequenceBatch(inputs, targets, lengths)


def _rows_by_hand(
    spec: TaskSpec, outputs: torch.Tensor, batch: SequenceBatch, window: int | None
) -> tuple[torch.Tensor, torch.Tensor]:
    """Outputs and targets of steps max(0, L - w) ... L - 1 of every sequence, one by one."""
    if not spec.per_step:
        return outputs, batch.targets
    picked_outputs, picked_targets = [], []
    for sequence in range(outputs.shape[0]):
        length = STEPS if batch.lengths is None else int(batch.lengths[sequence])
        first = 0 if window is None else max(0, length - window)
        for step in range(first, length):
            picked_outputs.append(outputs[sequence, step])
            picked_targets.append(batch.targets[sequence, step])
    return torch.stack(picked_outputs), torch.stack(picked_targets)


def _fresh_metrics(spec: TaskSpec, stage: str) -> MetricCollection:
    if spec.is_classification:
        metrics: dict[str, Any] = {
            "acc": MulticlassAccuracy(CLASSES, average="micro"),
            "f1": MulticlassF1Score(CLASSES, average="macro"),
        }
    else:
        metrics = {"mse": MeanSquaredError(), "mae": MeanAbsoluteError()}
    return MetricCollection(metrics, prefix=f"{stage}/")


def _close(module: SequenceModule, stage: str) -> dict[str, Any]:
    """Run the module's own epoch end with a stand-in trainer; logging is only recorded."""
    module.trainer = SimpleNamespace(sanity_checking=False, current_epoch=0)  # type: ignore[assignment]
    logged: dict[str, Any] = {}
    module.log_dict = lambda values, **_: logged.update(values)  # type: ignore[method-assign]
    metrics = module.train_metrics if stage == "train" else module.val_metrics
    confusion = module.val_confusion if stage == "val" else None
    values = module._close_epoch(stage, metrics, confusion)
    assert logged.keys() == values.keys()
    return values


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("variable", [False, True], ids=["fixed", "variable"])
@pytest.mark.parametrize("head", ["last", "every", "window"])
@pytest.mark.parametrize("kind", ["classification", "regression"])
def test_epoch_values_equal_per_step_torchmetrics(
    kind: str, head: str, variable: bool, seed: int
) -> None:
    torch.manual_seed(seed)
    spec = _spec(kind, head)
    network = RecurrentNetwork(FEATURES, CLASSES, spec.per_step, cell="gru", hidden_size=5)
    module = SequenceModule(network, spec, partial(torch.optim.SGD, lr=0.1))
    generator = torch.Generator().manual_seed(seed)
    reference = {stage: _fresh_metrics(spec, stage) for stage in ("train", "val")}
    reference_confusion = MulticlassConfusionMatrix(CLASSES)
    valid_outputs, valid_targets = [], []

    for index, size in enumerate(BATCH_SIZES):
        batch = _batch(spec, size, variable, generator)
        module.training_step(batch, index)
        module.validation_step(batch, index)
        with torch.no_grad():  # no optimizer step ran: the same weights give the same outputs
            outputs = network(batch.inputs, batch.lengths)
        scored_outputs, scored_targets = _rows_by_hand(spec, outputs, batch, spec.scored_last_steps)
        if spec.is_classification:
            scored_outputs = scored_outputs.argmax(dim=-1)
            reference_confusion.update(scored_outputs, scored_targets)
        for metrics in reference.values():
            metrics.update(scored_outputs, scored_targets)
        every_output, every_target = _rows_by_hand(spec, outputs, batch, None)
        valid_outputs.append(every_output)
        valid_targets.append(every_target)

    all_outputs, all_targets = torch.cat(valid_outputs), torch.cat(valid_targets)
    loss_of_all = (
        F.cross_entropy(all_outputs, all_targets)
        if spec.is_classification
        else F.mse_loss(all_outputs, all_targets)
    )
    for stage in ("train", "val"):
        values = _close(module, stage)
        expected = reference[stage].compute()
        assert set(values) == {f"{stage}/loss", *expected}
        for name, value in expected.items():
            assert float(values[name]) == pytest.approx(float(value), rel=1e-5, abs=1e-7), name
        assert float(values[f"{stage}/loss"]) == pytest.approx(float(loss_of_all), rel=1e-5)
        assert module.loss_history[f"{stage}/loss"][-1][1] == pytest.approx(float(loss_of_all))
        assert len(module.epoch_outputs[stage]) == 0  # cleared for the next epoch
    if spec.is_classification:
        assert torch.equal(module.confusion_matrix("val"), reference_confusion.compute())
    else:
        assert module.confusion_matrix("val") is None
